import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createS3Service } from '../../../local/s3';
import { type Harness, removeDir, startS3, tempDataDir } from './helpers';

const md5 = (data: Uint8Array) => createHash('md5').update(data).digest('hex');

async function getBytes(client: S3Client, Bucket: string, Key: string, Range?: string): Promise<Buffer> {
  const out = await client.send(new GetObjectCommand({ Bucket, Key, Range }));
  return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
}

describe('local S3 endpoint with @aws-sdk/client-s3', () => {
  let s3: Harness;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3({ buckets: ['photos', 'listing'] });
    client = s3.client();
  });

  afterAll(async () => {
    await s3.close();
    await removeDir(s3.dataDir);
  });

  it('creates the configured buckets at start and accepts any credentials', async () => {
    const other = s3.client({ credentials: { accessKeyId: 'SOMEONE', secretAccessKey: 'else' } });
    const { Buckets } = await other.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name)).toEqual(['listing', 'photos']);
    await expect(other.send(new HeadBucketCommand({ Bucket: 'photos' }))).resolves.toBeDefined();
    await expect(other.send(new HeadBucketCommand({ Bucket: 'nope' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('round-trips a 1 MB random Buffer with the SDK defaults and reports its MD5 as ETag', async () => {
    const data = randomBytes(1024 * 1024);
    const put = await client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'buffer.bin', Body: data }));
    const head = await client.send(new HeadObjectCommand({ Bucket: 'photos', Key: 'buffer.bin' }));
    const back = await getBytes(client, 'photos', 'buffer.bin');
    expect(put.ETag).toBe(`"${md5(data)}"`);
    expect(head.ContentLength).toBe(data.length);
    expect(back.equals(data)).toBe(true);
  });

  // s3rver 3.7.1 bug 1: the default checksum setting sends stream bodies aws-chunked and s3rver
  // stored the framing. Verified to fail without the workaround: the same PUT/GET against s3rver
  // 3.7.1 read back 1048622 bytes starting with "100000\r\n"; here, with `isAwsChunked` forced to
  // false, the PUT is refused (the SDK streams it without Content-Length), so this test fails.
  it('stores a stream body sent aws-chunked with a CRC32 trailer byte-for-byte', async () => {
    const data = randomBytes(1024 * 1024);
    const before = s3.requests.length;
    await client.send(
      new PutObjectCommand({
        Bucket: 'photos',
        Key: 'stream.bin',
        Body: Readable.from([data]),
        ContentLength: data.length,
      }),
    );
    const put = s3.requests.slice(before).find((r) => r.method === 'PUT');
    expect(put?.headers['content-encoding']).toContain('aws-chunked');
    expect(put?.headers['x-amz-trailer']).toBe('x-amz-checksum-crc32');
    const back = await getBytes(client, 'photos', 'stream.bin');
    expect(back.length).toBe(data.length);
    expect(back.equals(data)).toBe(true);
    expect(s3.events.at(-1)?.s3.object).toMatchObject({
      key: 'stream.bin',
      size: data.length,
      eTag: md5(data),
    });
  });

  it('rejects a body whose checksum does not match, as S3 does (BadDigest) and stores nothing', async () => {
    const data = Buffer.from('hello');
    const eventsBefore = s3.events.length;
    await expect(
      client.send(
        new PutObjectCommand({
          Bucket: 'photos',
          Key: 'bad.txt',
          Body: data,
          ContentMD5: 'AAAAAAAAAAAAAAAAAAAAAA==',
        }),
      ),
    ).rejects.toMatchObject({ name: 'BadDigest' });
    await expect(
      client.send(new HeadObjectCommand({ Bucket: 'photos', Key: 'bad.txt' })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
    expect(s3.events.length).toBe(eventsBefore);
  });

  it.each(['CRC32', 'SHA1', 'SHA256'] as const)(
    'verifies a %s checksum the client claims, and refuses a wrong one',
    async (algorithm) => {
      const data = randomBytes(64 * 1024);
      const sum = (bytes: Buffer) =>
        algorithm === 'CRC32'
          ? Buffer.from(new Uint32Array([crc32(bytes)]).buffer)
              .reverse()
              .toString('base64')
          : createHash(algorithm.toLowerCase()).update(bytes).digest('base64');
      const put = (Key: string, claimed: string) =>
        client.send(
          new PutObjectCommand({ Bucket: 'photos', Key, Body: data, [`Checksum${algorithm}`]: claimed }),
        );

      await put(`sums/${algorithm}`, sum(data));
      expect((await getBytes(client, 'photos', `sums/${algorithm}`)).equals(data)).toBe(true);
      await expect(put(`sums/${algorithm}-bad`, sum(Buffer.from('other bytes')))).rejects.toMatchObject({
        name: 'BadDigest',
      });
    },
  );

  it('refuses an aws-chunked trailer that x-amz-trailer did not announce (MalformedTrailerError)', async () => {
    const presigner = s3.client({ requestChecksumCalculation: 'WHEN_REQUIRED' });
    const url = await getSignedUrl(
      presigner,
      new PutObjectCommand({ Bucket: 'photos', Key: 'sums/trailer' }),
    );
    const sha256 = createHash('sha256').update('hello').digest('base64');
    const response = await fetch(url, {
      method: 'PUT',
      headers: {
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '5',
        'x-amz-trailer': 'x-amz-checksum-crc32',
      },
      body: `5\r\nhello\r\n0\r\nx-amz-checksum-sha256:${sha256}\r\n\r\n`,
    });

    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>MalformedTrailerError</Code>');
    await expect(
      client.send(new HeadObjectCommand({ Bucket: 'photos', Key: 'sums/trailer' })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });

  it('serves byte ranges (GetObject Range) with 206 and Content-Range', async () => {
    const data = randomBytes(10_000);
    await client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'range.bin', Body: data }));
    const out = await client.send(
      new GetObjectCommand({ Bucket: 'photos', Key: 'range.bin', Range: 'bytes=100-199' }),
    );
    const middle = Buffer.from((await out.Body?.transformToByteArray()) ?? []);
    expect(out.$metadata.httpStatusCode).toBe(206);
    expect(out.ContentRange).toBe('bytes 100-199/10000');
    expect(middle.equals(data.subarray(100, 200))).toBe(true);
    expect((await getBytes(client, 'photos', 'range.bin', 'bytes=-10')).equals(data.subarray(-10))).toBe(
      true,
    );
    await expect(
      client.send(new GetObjectCommand({ Bucket: 'photos', Key: 'range.bin', Range: 'bytes=20000-' })),
    ).rejects.toMatchObject({ name: 'InvalidRange' });
  });

  it('accepts an upload through a presigned PUT URL from a WHEN_REQUIRED presigning client', async () => {
    const data = randomBytes(256 * 1024);
    const presigner = s3.client({ requestChecksumCalculation: 'WHEN_REQUIRED' });
    const url = await getSignedUrl(
      presigner,
      new PutObjectCommand({ Bucket: 'photos', Key: 'presigned/p 1.png' }),
      {
        expiresIn: 300,
      },
    );
    const response = await fetch(url, { method: 'PUT', body: data });
    expect(response.status).toBe(200);
    expect((await getBytes(client, 'photos', 'presigned/p 1.png')).equals(data)).toBe(true);
    expect(s3.events.at(-1)?.s3.object.key).toBe('presigned/p+1.png');
  });

  // Notes, bug 3: with the default checksum setting the presigned URL embeds the CRC32 of an
  // empty body. Real S3 rejects any non-empty body; so does this endpoint (s3rver accepted it).
  it('rejects a non-empty upload to a default-presigned URL that carries the empty-body CRC32', async () => {
    const url = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: 'photos', Key: 'presigned/bad.png' }),
    );
    expect(url).toContain('x-amz-checksum-crc32=AAAAAA%3D%3D');
    const response = await fetch(url, { method: 'PUT', body: Buffer.from('not empty') });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>BadDigest</Code>');
  });

  it('assembles a lib-storage multipart upload and emits ObjectCreated:CompleteMultipartUpload', async () => {
    const data = randomBytes(11 * 1024 * 1024);
    const upload = new Upload({
      client,
      params: {
        Bucket: 'photos',
        Key: 'multi/big file.bin',
        Body: Readable.from([data]),
        ContentType: 'application/x-test',
      },
      partSize: 5 * 1024 * 1024,
      queueSize: 2,
    });
    const result = await upload.done();
    const back = await getBytes(client, 'photos', 'multi/big file.bin');
    const head = await client.send(new HeadObjectCommand({ Bucket: 'photos', Key: 'multi/big file.bin' }));
    expect(back.equals(data)).toBe(true);
    expect(result.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect(head.ContentType).toBe('application/x-test');
    const event = s3.events.at(-1);
    expect(event?.eventName).toBe('ObjectCreated:CompleteMultipartUpload');
    expect(event?.s3.object).toMatchObject({
      key: 'multi/big+file.bin',
      size: data.length,
      eTag: result.ETag?.replace(/"/g, ''),
    });
  });

  // s3rver 3.7.1 bug 2: every truncated ListObjectsV2 answered 500 on Node >= 17 (DES
  // continuation token refused by OpenSSL 3). Verified to fail against s3rver 3.7.1 with the
  // same client calls (first call: 500 ERR_OSSL_EVP_UNSUPPORTED); here tokens are base64url JSON.
  it('paginates ListObjectsV2 over 25 keys with MaxKeys 10 using continuation tokens', async () => {
    const keys = Array.from({ length: 25 }, (_, i) => `page/${String(i).padStart(2, '0')}.txt`);
    for (const Key of keys) await client.send(new PutObjectCommand({ Bucket: 'listing', Key, Body: Key }));
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: 'listing',
          Prefix: 'page/',
          MaxKeys: 10,
          ContinuationToken: token,
        }),
      );
      pages.push((page.Contents ?? []).map((c) => c.Key ?? ''));
      expect(page.KeyCount).toBe(pages.at(-1)?.length);
      token = page.NextContinuationToken;
      expect(page.IsTruncated).toBe(token !== undefined);
    } while (token);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(keys);

    const viaPaginator: string[] = [];
    for await (const page of paginateListObjectsV2(
      { client, pageSize: 10 },
      { Bucket: 'listing', Prefix: 'page/' },
    )) {
      viaPaginator.push(...(page.Contents ?? []).map((c) => c.Key ?? ''));
    }
    expect(viaPaginator).toEqual(keys);
  });

  it('rolls keys up into CommonPrefixes with a delimiter, across pages', async () => {
    for (const Key of ['tree/a/1', 'tree/a/2', 'tree/b/1', 'tree/c', 'tree/d/1']) {
      await client.send(new PutObjectCommand({ Bucket: 'listing', Key, Body: 'x' }));
    }
    const first = await client.send(
      new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'tree/', Delimiter: '/', MaxKeys: 2 }),
    );
    const second = await client.send(
      new ListObjectsV2Command({
        Bucket: 'listing',
        Prefix: 'tree/',
        Delimiter: '/',
        ContinuationToken: first.NextContinuationToken,
      }),
    );
    expect(first.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['tree/a/', 'tree/b/']);
    expect(first.IsTruncated).toBe(true);
    expect(second.Contents?.map((c) => c.Key)).toEqual(['tree/c']);
    expect(second.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['tree/d/']);
    expect(second.IsTruncated).toBe(false);
  });

  it.each([
    ['some dir/a+b.png', 'some+dir/a%2Bb.png'],
    ['100% real.png', '100%25+real.png'],
    ['ünïcödé/日本語 📷.jpg', '%C3%BCn%C3%AFc%C3%B6d%C3%A9/%E6%97%A5%E6%9C%AC%E8%AA%9E+%F0%9F%93%B7.jpg'],
    ['a/b/c/d/e/f/g/deep.png', 'a/b/c/d/e/f/g/deep.png'],
    ['dots/../x/./y', 'dots/../x/./y'],
    ['plus+%2B+%20.png', 'plus%2B%252B%2B%2520.png'],
  ])('round-trips the key %j exactly and reports it form-encoded (%j) in the event', async (key, encoded) => {
    const body = Buffer.from(`content of ${key}`);
    await client.send(new PutObjectCommand({ Bucket: 'photos', Key: key, Body: body }));
    const event = s3.events.at(-1);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'photos', Prefix: key }));
    expect((await getBytes(client, 'photos', key)).equals(body)).toBe(true);
    expect(listed.Contents?.map((c) => c.Key)).toEqual([key]);
    expect(event?.eventName).toBe('ObjectCreated:Put');
    expect(event?.s3.object.key).toBe(encoded);
    expect(decodeURIComponent((event?.s3.object.key ?? '').replace(/\+/g, ' '))).toBe(key);
  });

  it('emits S3-shaped ObjectCreated:Put records with increasing sequencers for the same key', async () => {
    const first = await client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'seq.txt', Body: 'one' }));
    const a = s3.events.at(-1);
    await client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'seq.txt', Body: 'two!' }));
    const b = s3.events.at(-1);
    expect(a).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'AWS:AKIDLOCALTEST' },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'local-s3-notifications',
        bucket: { name: 'photos', arn: 'arn:aws:s3:::photos' },
        object: { key: 'seq.txt', size: 3, eTag: first.ETag?.replace(/"/g, '') },
      },
    });
    expect(new Date(a?.eventTime ?? '').toISOString()).toBe(a?.eventTime);
    expect(a?.responseElements['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
    expect(b?.s3.object.size).toBe(4);
    expect(BigInt(`0x${b?.s3.object.sequencer}`)).toBeGreaterThan(BigInt(`0x${a?.s3.object.sequencer}`));
  });

  it('copies an object (CopyObject) and emits ObjectCreated:Copy', async () => {
    const data = randomBytes(2048);
    await client.send(
      new PutObjectCommand({ Bucket: 'photos', Key: 'src file.bin', Body: data, Metadata: { owner: 'me' } }),
    );
    const copy = await client.send(
      new CopyObjectCommand({
        Bucket: 'listing',
        Key: 'copied/dst.bin',
        CopySource: `photos/${encodeURIComponent('src file.bin')}`,
      }),
    );
    const head = await client.send(new HeadObjectCommand({ Bucket: 'listing', Key: 'copied/dst.bin' }));
    expect(copy.CopyObjectResult?.ETag).toBe(`"${md5(data)}"`);
    expect(head.Metadata).toEqual({ owner: 'me' });
    expect((await getBytes(client, 'listing', 'copied/dst.bin')).equals(data)).toBe(true);
    expect(s3.events.at(-1)).toMatchObject({
      eventName: 'ObjectCreated:Copy',
      s3: { bucket: { name: 'listing' }, object: { key: 'copied/dst.bin', size: 2048, eTag: md5(data) } },
    });
  });

  it('emits ObjectRemoved:Delete for DeleteObject and for each deleted key of DeleteObjects', async () => {
    for (const Key of ['del/one', 'del/two words', 'del/three']) {
      await client.send(new PutObjectCommand({ Bucket: 'photos', Key, Body: Key }));
    }
    const before = s3.events.length;
    await client.send(new DeleteObjectCommand({ Bucket: 'photos', Key: 'del/one' }));
    const many = await client.send(
      new DeleteObjectsCommand({
        Bucket: 'photos',
        Delete: { Objects: [{ Key: 'del/two words' }, { Key: 'del/three' }, { Key: 'del/never-existed' }] },
      }),
    );
    const removed = s3.events.slice(before);
    expect(many.Deleted?.map((d) => d.Key)).toEqual(['del/two words', 'del/three', 'del/never-existed']);
    expect(removed.map((e) => [e.eventName, e.s3.object.key])).toEqual([
      ['ObjectRemoved:Delete', 'del/one'],
      ['ObjectRemoved:Delete', 'del/two+words'],
      ['ObjectRemoved:Delete', 'del/three'],
    ]);
    expect(removed[0]?.s3.object).not.toHaveProperty('size');
    expect(removed[0]?.s3.object).not.toHaveProperty('eTag');
    const left = await client.send(new ListObjectsV2Command({ Bucket: 'photos', Prefix: 'del/' }));
    expect(left.KeyCount).toBe(0);
  });

  it('answers NoSuchKey and NoSuchBucket like S3', async () => {
    await expect(
      client.send(new GetObjectCommand({ Bucket: 'photos', Key: 'missing' })),
    ).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    await expect(
      client.send(new PutObjectCommand({ Bucket: 'missing-bucket', Key: 'x', Body: 'x' })),
    ).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
    await expect(client.send(new CreateBucketCommand({ Bucket: 'photos' }))).rejects.toMatchObject({
      name: 'BucketAlreadyOwnedByYou',
    });
  });

  it('gives readObject the stored bytes, and NoSuchKey for a missing key', async () => {
    const data = randomBytes(1000);
    await client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'read me.bin', Body: data }));
    expect(Buffer.from(await s3.service.readObject('photos', 'read me.bin')).equals(data)).toBe(true);
    await expect(s3.service.readObject('photos', 'nope')).rejects.toMatchObject({ name: 'NoSuchKey' });
  });
});

describe('local S3 endpoint lifecycle', () => {
  it('keeps buckets and objects across close and re-create on the same dataDir, with later sequencers', async () => {
    const dataDir = tempDataDir();
    const data = randomBytes(4096);
    const first = await startS3({ dataDir, buckets: ['photos'] });
    await first.client().send(new PutObjectCommand({ Bucket: 'photos', Key: 'keep/me.bin', Body: data }));
    await first.client().send(new CreateBucketCommand({ Bucket: 'made-later' }));
    const firstSequencer = first.events.at(-1)?.s3.object.sequencer ?? '';
    await first.close();

    const second = await startS3({ dataDir, buckets: ['photos'] });
    const client = second.client();
    const { Buckets } = await client.send(new ListBucketsCommand({}));
    const back = await getBytes(client, 'photos', 'keep/me.bin');
    await client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'keep/me.bin', Body: 'new' }));
    const secondSequencer = second.events.at(-1)?.s3.object.sequencer ?? '';
    await second.close();
    await removeDir(dataDir);

    expect(Buckets?.map((b) => b.Name)).toEqual(['made-later', 'photos']);
    expect(back.equals(data)).toBe(true);
    expect(BigInt(`0x${secondSequencer}`)).toBeGreaterThan(BigInt(`0x${firstSequencer}`));
  });

  it('still answers 200 when onObjectEvent throws, and logs the error', async () => {
    const dataDir = tempDataDir();
    const logError = vi.fn();
    const service = await createS3Service({
      dataDir,
      buckets: ['photos'],
      onObjectEvent: async () => {
        throw new Error('queue down');
      },
      logError,
    });
    const { createServer } = await import('node:http');
    const server = createServer(service.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const response = await fetch(`http://127.0.0.1:${port}/photos/x.txt`, {
      method: 'PUT',
      body: 'hello',
      headers: {
        authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, Signature=x',
      },
    });
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await service.close();
    await removeDir(dataDir);

    expect(response.status).toBe(200);
    expect(logError).toHaveBeenCalledWith(expect.stringContaining('onObjectEvent failed'), expect.any(Error));
  });
});
