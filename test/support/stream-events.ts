/**
 * The labels table's stream as count-labels receives it: stream records of IMAGE items (label
 * names before and after, in DynamoDB JSON) and the tumbling-window event that carries them.
 */
const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/labels/stream/2026-01-01T00:00:00.000';

const names = (list: string[]) => ({ labelNames: { L: list.map((name) => ({ S: name })) } });

/** One stream record of an item of `IMAGE#a.jpg` (sk IMAGE unless told), with its label names. */
export function imageStreamRecord(
  sequence: string,
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  images: { old?: string[]; new?: string[] },
  sk = 'IMAGE',
) {
  return {
    eventID: `event-${sequence}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: 1_700_000_000,
      Keys: { pk: { S: 'IMAGE#a.jpg' }, sk: { S: sk } },
      ...(images.old ? { OldImage: names(images.old) } : {}),
      ...(images.new ? { NewImage: names(images.new) } : {}),
      SequenceNumber: sequence,
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: STREAM_ARN,
  };
}

/** A tumbling window's invocation of shard `shardId-1`: its records, its state, final or not. */
export function countWindowEvent(records: unknown[], state: unknown, isFinalInvokeForWindow: boolean) {
  return {
    Records: records,
    shardId: 'shardId-1',
    eventSourceARN: STREAM_ARN,
    window: { start: '2026-01-01T00:00:00Z', end: '2026-01-01T00:00:05Z' },
    state,
    isFinalInvokeForWindow,
    isWindowTerminatedEarly: false,
  };
}
