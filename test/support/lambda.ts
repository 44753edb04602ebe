/** What a handler test needs around it: the Powertools environment, a Lambda context, SQS records. */
import type { Context, SQSRecord } from 'aws-lambda';
import { vi } from 'vitest';

/** Powertools without X-Ray and without log noise; a region for the SDK clients. */
export const POWERTOOLS_ENV = {
  POWERTOOLS_DEV: 'false',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_METRICS_NAMESPACE: 'Test',
  POWERTOOLS_SERVICE_NAME: 'test',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_REGION: 'eu-west-1',
} as const;

/** Stubs the Powertools environment plus `variables`; undefined removes a variable. */
export function stubHandlerEnv(variables: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries({ ...POWERTOOLS_ENV, ...variables })) vi.stubEnv(name, value);
}

export function lambdaContext(functionName = 'test-function'): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}:live`,
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2024/06/01/[$LATEST]2e5ef8b2a6f04c0c9c7a1b2c3d4e5f60',
    getRemainingTimeInMillis: () => 30_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export function sqsRecord(messageId: string, body: string, receiveCount = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: `AQEB${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1717243200123',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1717243200130',
    },
    messageAttributes: {},
    md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:image-events',
    awsRegion: 'eu-west-1',
  };
}
