/**
 * S3 event notification records, shaped exactly as S3 puts them in an S3 -> SQS message body
 * (`{"Records":[record]}`), one record per object change.
 */

export type S3EventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload'
  | 'ObjectRemoved:Delete';

export interface S3EventRecord {
  eventVersion: '2.1';
  eventSource: 'aws:s3';
  awsRegion: string;
  eventTime: string;
  eventName: S3EventName;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: { 'x-amz-request-id': string; 'x-amz-id-2': string };
  s3: {
    s3SchemaVersion: '1.0';
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    /** `size` and `eTag` are absent on ObjectRemoved events, as on AWS. */
    object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer: string };
  };
}

/** Characters S3 leaves as they are in event keys (application/x-www-form-urlencoded, plus `/`). */
const UNRESERVED = /[A-Za-z0-9\-_.*/]/;

/**
 * Encodes an object key the way S3 writes it in event notifications: form encoding
 * (space -> `+`, every other byte outside `A-Z a-z 0-9 - _ . *` -> `%XX` of its UTF-8 bytes),
 * except that `/` is kept. `some dir/a+b.png` -> `some+dir/a%2Bb.png`.
 * Consumers decode it with `decodeURIComponent(key.replace(/\+/g, ' '))`.
 */
export function encodeS3EventKey(key: string): string {
  let out = '';
  for (const ch of key) {
    if (ch === ' ') out += '+';
    else if (UNRESERVED.test(ch)) out += ch;
    else {
      for (const byte of Buffer.from(ch, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** Inverse of {@link encodeS3EventKey}. */
export function decodeS3EventKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/**
 * Sequencer values: uppercase hex, fixed width, strictly increasing within a process and, because
 * they start from the wall clock in nanoseconds and from the highest value ever persisted, across
 * restarts too.
 */
export class Sequencer {
  private last: bigint;

  constructor(floor = 0n) {
    this.last = floor;
  }

  /** Raises the floor (e.g. with a value read back from disk). */
  observe(hex: string): void {
    const value = BigInt(`0x${hex}`);
    if (value > this.last) this.last = value;
  }

  next(): string {
    const now = BigInt(Date.now()) * 1_000_000n;
    this.last = now > this.last ? now : this.last + 1n;
    return this.last.toString(16).toUpperCase().padStart(18, '0');
  }
}

export interface EventInput {
  eventName: S3EventName;
  region: string;
  bucket: string;
  key: string;
  size?: number;
  /** ETag without quotes. */
  eTag?: string;
  sequencer: string;
  sourceIp: string;
  requestId: string;
  hostId: string;
  principalId: string;
  configurationId: string;
  time?: Date;
}

export function buildEventRecord(input: EventInput): S3EventRecord {
  const key = encodeS3EventKey(input.key);
  const object: S3EventRecord['s3']['object'] = input.eventName.startsWith('ObjectCreated:')
    ? input.eTag === undefined
      ? { key, size: input.size ?? 0, sequencer: input.sequencer }
      : { key, size: input.size ?? 0, eTag: input.eTag.replace(/"/g, ''), sequencer: input.sequencer }
    : { key, sequencer: input.sequencer };
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: input.region,
    eventTime: (input.time ?? new Date()).toISOString(),
    eventName: input.eventName,
    userIdentity: { principalId: input.principalId },
    requestParameters: { sourceIPAddress: input.sourceIp },
    responseElements: { 'x-amz-request-id': input.requestId, 'x-amz-id-2': input.hostId },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: input.configurationId,
      bucket: {
        name: input.bucket,
        ownerIdentity: { principalId: input.principalId },
        arn: `arn:aws:s3:::${input.bucket}`,
      },
      object,
    },
  };
}
