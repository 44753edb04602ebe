/** The SQS client (see dynamodb.ts for why one module per service). */
import { SQSClient } from '@aws-sdk/client-sqs';
import { traced } from '../../shared/tracing';

let client: SQSClient | undefined;

export function sqs(): SQSClient {
  client ??= traced(new SQSClient({}));
  return client;
}
