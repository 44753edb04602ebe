/**
 * AWS SDK clients, one module per service: each is created once per execution environment and
 * shared by every module of a function. One module per service so that a function imports, and
 * pays the cold-start cost of, only the clients it uses, whether the SDK is in its bundle or
 * comes from the runtime (infra/config/bundling.ts). Endpoints come from the standard AWS_ENDPOINT_URL /
 * AWS_ENDPOINT_URL_<SERVICE> variables, which is how the local cloud points the same code at
 * local services.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traced } from '../../shared/tracing';

let client: DynamoDBDocumentClient | undefined;

/**
 * Attempts per request, throttling included (the SDK's default is 3). A write that still fails
 * surfaces as LabelStoreThrottled and the workflow retries the step; for detect-labels that
 * means paying Rekognition again, because an answer it could not record is never returned.
 * With 3 attempts and 20% of writes throttled (the faults scenario), about 1 image in 125 lost
 * its recorded answer that way; with 5 it is about 1 in 3,000.
 */
const MAX_ATTEMPTS = 5;

export function dynamo(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(traced(new DynamoDBClient({ maxAttempts: MAX_ATTEMPTS })), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return client;
}
