/** The SQS client (see dynamodb.ts for why one module per service). */
import { SQSClient } from '@aws-sdk/client-sqs';
import { tracer } from '../../shared/observability';

let client: SQSClient | undefined;

export function sqs(): SQSClient {
  client ??= tracer.captureAWSv3Client(new SQSClient({}));
  return client;
}
