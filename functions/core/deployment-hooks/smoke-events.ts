/**
 * The events a function's new version receives in its pre-traffic smoke test, shaped as its real
 * event source delivers them.
 */
import { SMOKE_KEYS } from './smoke-objects';

/** An HTTP API (payload 2.0) request for GET /openapi.json. */
export function smokeHttpEvent(now: Date) {
  return {
    version: '2.0',
    routeKey: 'GET /openapi.json',
    rawPath: '/openapi.json',
    rawQueryString: '',
    headers: { accept: 'application/json', 'user-agent': 'deployment-smoke-test' },
    isBase64Encoded: false,
    requestContext: {
      accountId: 'smoke',
      apiId: 'smoke',
      domainName: 'smoke.local',
      domainPrefix: 'smoke',
      http: {
        method: 'GET',
        path: '/openapi.json',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'deployment-smoke-test',
      },
      requestId: `smoke-${now.getTime()}`,
      routeKey: 'GET /openapi.json',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

/** An EventBridge Scheduler/rule event, as a schedule delivers it. */
export function smokeScheduledEvent(now: Date) {
  return {
    version: '0',
    id: `smoke-${now.getTime()}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: now.toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: {},
  };
}

/** An SQS batch as the event source mapping delivers it. */
export function smokeQueueBatch(bucket: string, now: Date) {
  const record = (messageId: string, body: unknown) => ({
    messageId,
    receiptHandle: `smoke-${messageId}`,
    body: JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(now.getTime()),
      SenderId: 'smoke-test',
      ApproximateFirstReceiveTimestamp: String(now.getTime()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:smoke-test',
    awsRegion: 'us-east-1',
  });
  return {
    Records: [
      record('smoke-test-event', { Event: 's3:TestEvent', Bucket: bucket }),
      // No eTag: were the smoke key not ignored, the ingest would fail this record as malformed,
      // so an empty batchItemFailures proves that nothing was started for it.
      record('smoke-object', {
        Records: [
          {
            eventSource: 'aws:s3',
            eventName: 'ObjectCreated:Put',
            eventTime: now.toISOString(),
            s3: { bucket: { name: bucket }, object: { key: SMOKE_KEYS.valid, size: 1 } },
          },
        ],
      }),
    ],
  };
}

/**
 * A batch of a tumbling window of the labels table's stream whose one record is not an IMAGE
 * item (the event source filters those out on AWS): count-labels must accept it and, with
 * nothing to count, answer an empty state without reading or writing the table.
 */
export function smokeCountWindow(now: Date) {
  const start = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const streamArn = 'arn:aws:dynamodb:us-east-1:000000000000:table/smoke-test/stream/smoke-test';
  return {
    Records: [
      {
        eventID: 'smoke-test',
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          ApproximateCreationDateTime: Math.floor(now.getTime() / 1000),
          Keys: { pk: { S: 'SMOKE#test' }, sk: { S: 'SMOKE' } },
          NewImage: { pk: { S: 'SMOKE#test' }, sk: { S: 'SMOKE' } },
          SequenceNumber: '1',
          SizeBytes: 20,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
        eventSourceARN: streamArn,
      },
    ],
    shardId: `smoke-test-${now.getTime()}`,
    eventSourceARN: streamArn,
    state: {},
    window: { start: start.toISOString(), end: new Date(start.getTime() + 1000).toISOString() },
    isFinalInvokeForWindow: false,
    isWindowTerminatedEarly: false,
  };
}
