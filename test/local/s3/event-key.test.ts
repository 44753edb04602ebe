import { describe, expect, it } from 'vitest';
import { buildEventRecord, decodeS3EventKey, encodeS3EventKey, Sequencer } from '../../../local/s3/events';

describe('encodeS3EventKey', () => {
  // Verified to fail without the workaround: with `encodeS3EventKey = (k) => k` (the raw key,
  // as s3rver 3.7.1 emits it) every expectation below except the plain one fails.
  it.each([
    ['photo.jpg', 'photo.jpg'],
    ['some dir/a+b.png', 'some+dir/a%2Bb.png'],
    ['my photo+1.jpg', 'my+photo%2B1.jpg'],
    ['100%.png', '100%25.png'],
    ['deep/a/b/c/d.png', 'deep/a/b/c/d.png'],
    ['café/ü.png', 'caf%C3%A9/%C3%BC.png'],
    ['emoji 📷.jpg', 'emoji+%F0%9F%93%B7.jpg'],
    ['a=b&c?d#e.png', 'a%3Db%26c%3Fd%23e.png'],
    ['(1) copy.png', '%281%29+copy.png'],
    ['under_score-dash.dot*star', 'under_score-dash.dot*star'],
  ])('encodes %j as %j (form encoding, `/` kept)', (key, encoded) => {
    expect(encodeS3EventKey(key)).toBe(encoded);
  });

  it('is undone by decodeS3EventKey for any key', () => {
    const keys = ['some dir/a+b.png', '100% +real+ %20.png', 'ünï cødé/📷 x.jpg', '  spaces  '];
    for (const key of keys) expect(decodeS3EventKey(encodeS3EventKey(key))).toBe(key);
  });
});

describe('Sequencer', () => {
  it('returns fixed-width uppercase hex values that strictly increase', () => {
    const sequencer = new Sequencer();
    const values = Array.from({ length: 1000 }, () => sequencer.next());
    for (const value of values) expect(value).toMatch(/^[0-9A-F]{18}$/);
    for (let i = 1; i < values.length; i++)
      expect(BigInt(`0x${values[i]}`)).toBeGreaterThan(BigInt(`0x${values[i - 1]}`));
  });

  it('continues above a persisted value even if the clock is behind it', () => {
    const future = (BigInt(Date.now()) * 1_000_000n + 10n ** 15n).toString(16).toUpperCase();
    const sequencer = new Sequencer();
    sequencer.observe(future);
    expect(BigInt(`0x${sequencer.next()}`)).toBe(BigInt(`0x${future}`) + 1n);
  });
});

describe('buildEventRecord', () => {
  const base = {
    region: 'eu-west-1',
    bucket: 'photos',
    sequencer: '0055AED6DCD90281E5',
    sourceIp: '127.0.0.1',
    requestId: 'C3D13FE58DE4C810',
    hostId: 'host',
    principalId: 'AWS:AKID',
    configurationId: 'cfg',
    time: new Date('2026-01-02T03:04:05.678Z'),
  };

  it('builds an ObjectCreated record with the S3 -> SQS shape, encoded key and unquoted eTag', () => {
    const record = buildEventRecord({
      ...base,
      eventName: 'ObjectCreated:Put',
      key: 'a b.png',
      size: 5,
      eTag: '"abc"',
    });
    expect(record).toEqual({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'eu-west-1',
      eventTime: '2026-01-02T03:04:05.678Z',
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'AWS:AKID' },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'host' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'cfg',
        bucket: { name: 'photos', ownerIdentity: { principalId: 'AWS:AKID' }, arn: 'arn:aws:s3:::photos' },
        object: { key: 'a+b.png', size: 5, eTag: 'abc', sequencer: '0055AED6DCD90281E5' },
      },
    });
  });

  it('omits size and eTag on ObjectRemoved records, as S3 does', () => {
    const record = buildEventRecord({ ...base, eventName: 'ObjectRemoved:Delete', key: 'x/y z' });
    expect(record.s3.object).toEqual({ key: 'x/y+z', sequencer: '0055AED6DCD90281E5' });
  });
});
