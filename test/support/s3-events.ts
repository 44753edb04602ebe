/** S3 event notifications as S3 delivers them to SQS (event structure version 2.1). */
export interface ObjectCreatedOptions {
  bucket?: string;
  /** Form-encoded, as S3 puts it in the event. */
  key?: string;
  size?: number;
  eTag?: string;
  /** null: an unversioned bucket's event, which has no versionId at all. */
  versionId?: string | null;
  sequencer?: string;
  eventName?: string;
}

export function s3EventRecord(options: ObjectCreatedOptions = {}) {
  const bucket = options.bucket ?? 'uploads-bucket';
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'eu-west-1',
    eventTime: '2024-06-01T12:00:00.123Z',
    eventName: options.eventName ?? 'ObjectCreated:Put',
    userIdentity: { principalId: 'AWS:AIDAJDPLRKLG7UEXAMPLE' },
    requestParameters: { sourceIPAddress: '203.0.113.10' },
    responseElements: {
      'x-amz-request-id': 'C3D13FE58DE4C810',
      'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'image-uploads',
      bucket: {
        name: bucket,
        ownerIdentity: { principalId: 'A3NL1KOZZKExample' },
        arn: `arn:aws:s3:::${bucket}`,
      },
      object: {
        key: options.key ?? 'albums/summer+2024/dog+%2B+cat.jpg',
        size: options.size ?? 112_525,
        eTag: options.eTag ?? '0123456789abcdef0123456789abcdef',
        ...(options.versionId === null
          ? {}
          : { versionId: options.versionId ?? '096fKKXTRTtl3on89fVO.nfljtsv6qko' }),
        sequencer: options.sequencer ?? '0055AED6DCD90281E5',
      },
    },
  };
}

export function s3EventBody(...records: ReturnType<typeof s3EventRecord>[]): string {
  return JSON.stringify({ Records: records.length > 0 ? records : [s3EventRecord()] });
}

export const S3_TEST_EVENT_BODY = JSON.stringify({
  Service: 'Amazon S3',
  Event: 's3:TestEvent',
  Time: '2024-06-01T12:00:00.000Z',
  Bucket: 'uploads-bucket',
  RequestId: '5582815E1AEA5ADF',
  HostId: '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE',
});
