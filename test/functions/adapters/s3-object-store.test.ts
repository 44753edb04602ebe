import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { s3ObjectStore } from '../../../functions/adapters/s3-object-store';
import { ImageRejectedError } from '../../../functions/core/errors';
import { HEADER_BYTES, TRAILER_BYTES } from '../../../functions/core/image-inspection';
import { validateObject } from '../../../functions/core/image-validation';
import type { ObjectRef } from '../../../functions/core/workflow-schemas';
import { createS3Service } from '../../../local/s3';
import { makeJpeg, makePng, OTHER_FORMAT_HEADERS, photo, pngHeaderOnly } from '../../support/images';
import { serveObject } from '../../support/s3-object';

const client = new S3Client({ region: 'us-east-1' });
// This client only: a mock of S3Client's prototype outlives the file in the shared unit worker
// and answers the local S3 tests' requests.
const s3Mock = mockClient(client);

const versioned: ObjectRef = {
  bucket: 'uploads-bucket',
  key: 'albums/café/photo 1.png',
  versionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
  eTag: 'd41d8cd98f00b204e9800998ecf8427e',
  size: 1000,
  sequencer: '0055AED6DCD90281E5',
};
const { versionId: _unused, ...unversioned } = versioned;

async function rejectionOf(promise: Promise<unknown>): Promise<ImageRejectedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ImageRejectedError) return error;
    throw error;
  }
  throw new Error('expected an ImageRejectedError');
}

function s3Error(name: string, status: number) {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

beforeEach(() => {
  s3Mock.reset();
});

describe('validateObject', () => {
  it('accepts a valid PNG, reading it with a HeadObject and one GET', async () => {
    const png = makePng(200, 150);
    serveObject(s3Mock, png, { contentType: 'image/png' });

    const metadata = await validateObject(s3ObjectStore(client), versioned);

    expect(metadata).toEqual({
      format: 'png',
      width: 200,
      height: 150,
      size: png.length,
      contentType: 'image/png',
    });
    expect(s3Mock.commandCalls(HeadObjectCommand)).toHaveLength(1);
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(1);
    expect(s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input.Range).toBe(`bytes=0-${png.length - 1}`);
  });

  it('accepts a valid JPEG', async () => {
    const jpeg = makeJpeg(320, 240);
    serveObject(s3Mock, jpeg);

    await expect(validateObject(s3ObjectStore(client), versioned)).resolves.toMatchObject({
      format: 'jpeg',
      width: 320,
      height: 240,
      size: jpeg.length,
    });
  });

  it('accepts the real photos rocket.jpg and astronaut.png', async () => {
    serveObject(s3Mock, photo('rocket.jpg'));
    await expect(validateObject(s3ObjectStore(client), versioned)).resolves.toMatchObject({
      format: 'jpeg',
      width: 640,
    });

    s3Mock.reset();
    serveObject(s3Mock, photo('astronaut.png'));
    await expect(validateObject(s3ObjectStore(client), versioned)).resolves.toMatchObject({
      format: 'png',
      width: 512,
    });
  });

  it('pins the HeadObject and every GET to the VersionId', async () => {
    serveObject(s3Mock, photo('astronaut.png'));

    await validateObject(s3ObjectStore(client), versioned);

    const calls = [...s3Mock.commandCalls(HeadObjectCommand), ...s3Mock.commandCalls(GetObjectCommand)];
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) {
      expect(call.args[0].input).toMatchObject({
        Bucket: 'uploads-bucket',
        Key: 'albums/café/photo 1.png',
        VersionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
      });
      expect(call.args[0].input).not.toHaveProperty('IfMatch');
    }
  });

  it('pins reads to the quoted ETag with IfMatch when the bucket is unversioned', async () => {
    serveObject(s3Mock, photo('astronaut.png'));

    await validateObject(s3ObjectStore(client), unversioned);

    const calls = [...s3Mock.commandCalls(HeadObjectCommand), ...s3Mock.commandCalls(GetObjectCommand)];
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) {
      expect(call.args[0].input).toMatchObject({ IfMatch: '"d41d8cd98f00b204e9800998ecf8427e"' });
      expect(call.args[0].input).not.toHaveProperty('VersionId');
    }
  });

  it('reads a large object as a header range and a suffix range, not whole', async () => {
    const astronaut = photo('astronaut.png');
    expect(astronaut.length).toBeGreaterThan(HEADER_BYTES);
    serveObject(s3Mock, astronaut);

    await expect(validateObject(s3ObjectStore(client), versioned)).resolves.toMatchObject({
      format: 'png',
      width: 512,
    });

    const ranges = s3Mock.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Range);
    expect(ranges).toEqual([`bytes=0-${HEADER_BYTES - 1}`, `bytes=-${TRAILER_BYTES}`]);
  });

  it('rejects a text file named .jpg as UNSUPPORTED_FORMAT', async () => {
    serveObject(s3Mock, new TextEncoder().encode('not an image\n'.repeat(20)), { contentType: 'image/jpeg' });

    const error = await rejectionOf(
      validateObject(s3ObjectStore(client), { ...versioned, key: 'holiday.jpg' }),
    );

    expect(error.reason).toBe('UNSUPPORTED_FORMAT');
  });

  it.each([
    ['GIF', OTHER_FORMAT_HEADERS.GIF],
    ['WebP', OTHER_FORMAT_HEADERS.WebP],
    ['HEIC/AVIF', OTHER_FORMAT_HEADERS.HEIC],
    ['PDF', OTHER_FORMAT_HEADERS.PDF],
  ])('rejects a %s object as UNSUPPORTED_FORMAT naming the format', async (name, bytes) => {
    serveObject(s3Mock, bytes);

    const error = await rejectionOf(validateObject(s3ObjectStore(client), versioned));

    expect(error.reason).toBe('UNSUPPORTED_FORMAT');
    expect(error.message).toContain(name);
  });

  it('rejects an empty object as EMPTY_FILE without any GET', async () => {
    serveObject(s3Mock, new Uint8Array());

    const error = await rejectionOf(validateObject(s3ObjectStore(client), versioned));

    expect(error.reason).toBe('EMPTY_FILE');
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('rejects 15 MiB + 1 byte as FILE_TOO_LARGE after only a HeadObject', async () => {
    serveObject(s3Mock, makePng(100, 100), { size: 15 * 1024 * 1024 + 1 });

    const error = await rejectionOf(validateObject(s3ObjectStore(client), versioned));

    expect(error.reason).toBe('FILE_TOO_LARGE');
    expect(s3Mock.calls()).toHaveLength(1);
    expect(s3Mock.commandCalls(HeadObjectCommand)).toHaveLength(1);
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('rejects a side of 79 px as DIMENSIONS_TOO_SMALL', async () => {
    serveObject(s3Mock, makePng(79, 300));

    await expect(rejectionOf(validateObject(s3ObjectStore(client), versioned))).resolves.toMatchObject({
      reason: 'DIMENSIONS_TOO_SMALL',
    });
  });

  it('rejects a side of 10001 px as DIMENSIONS_TOO_LARGE', async () => {
    serveObject(s3Mock, pngHeaderOnly(10_001, 100));

    await expect(rejectionOf(validateObject(s3ObjectStore(client), versioned))).resolves.toMatchObject({
      reason: 'DIMENSIONS_TOO_LARGE',
    });
  });

  it('rejects the real truncated.jpg as CORRUPT_IMAGE', async () => {
    serveObject(s3Mock, photo('truncated.jpg'));

    await expect(rejectionOf(validateObject(s3ObjectStore(client), versioned))).resolves.toMatchObject({
      reason: 'CORRUPT_IMAGE',
    });
  });

  it('rejects a truncated large PNG as CORRUPT_IMAGE (its suffix range has no IEND)', async () => {
    const astronaut = photo('astronaut.png');
    serveObject(s3Mock, astronaut.subarray(0, astronaut.length - 5000));

    const error = await rejectionOf(validateObject(s3ObjectStore(client), versioned));

    expect(error.reason).toBe('CORRUPT_IMAGE');
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(2);
  });

  it('rejects a truncated small PNG as CORRUPT_IMAGE', async () => {
    const png = makePng(120, 120);
    serveObject(s3Mock, png.subarray(0, png.length - 20));

    await expect(rejectionOf(validateObject(s3ObjectStore(client), versioned))).resolves.toMatchObject({
      reason: 'CORRUPT_IMAGE',
    });
  });

  it.each([
    ['NotFound', 404],
    ['NoSuchVersion', 404],
    ['PreconditionFailed', 412],
  ])('rejects as OBJECT_MISSING when HeadObject fails with %s', async (name, status) => {
    s3Mock.on(HeadObjectCommand).rejects(s3Error(name, status));

    const error = await rejectionOf(validateObject(s3ObjectStore(client), versioned));

    expect(error.reason).toBe('OBJECT_MISSING');
    expect(error.message).toContain(name);
  });

  it('rejects as OBJECT_MISSING when the version disappears between HeadObject and GET', async () => {
    s3Mock.on(HeadObjectCommand).resolves({ ContentLength: 5000 });
    s3Mock
      .on(GetObjectCommand)
      .rejects(new NoSuchKey({ message: 'gone', $metadata: { httpStatusCode: 404 } }));

    await expect(rejectionOf(validateObject(s3ObjectStore(client), versioned))).resolves.toMatchObject({
      reason: 'OBJECT_MISSING',
    });
  });

  it('passes other S3 errors through unchanged', async () => {
    const denied = s3Error('AccessDenied', 403);
    s3Mock.on(HeadObjectCommand).rejects(denied);

    await expect(validateObject(s3ObjectStore(client), versioned)).rejects.toBe(denied);
  });
});

/**
 * The same adapter against the local S3 (real HTTP, real ranges and conditions). The local S3 has
 * no versioning, so the versioned reads above stay on the mock; here reads pin to the ETag, and a
 * VersionId can only name a missing version.
 */
describe('s3ObjectStore on the local S3', () => {
  let local: { client: S3Client; close(): Promise<void> };

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 's3-object-store-'));
    const service = await createS3Service({ dataDir, buckets: ['uploads-bucket'] });
    const server = http.createServer(service.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const localClient = new S3Client({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    local = {
      client: localClient,
      close: async () => {
        localClient.destroy();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await service.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  });

  afterAll(async () => {
    await local.close();
  });

  async function upload(key: string, body: Uint8Array, contentType?: string): Promise<ObjectRef> {
    const put = await local.client.send(
      new PutObjectCommand({ Bucket: 'uploads-bucket', Key: key, Body: body, ContentType: contentType }),
    );
    return { ...unversioned, key, eTag: (put.ETag ?? '').replaceAll('"', ''), size: body.length };
  }

  it('heads a real object: its size and content type', async () => {
    const png = makePng(200, 150);
    const object = await upload('albums/café/small.png', png, 'image/png');

    await expect(s3ObjectStore(local.client).head(object)).resolves.toEqual({
      size: png.length,
      contentType: 'image/png',
    });
  });

  it('reads the ranges it asks for: a header range and a suffix range', async () => {
    const astronaut = photo('astronaut.png');
    const object = await upload('albums/astronaut.png', astronaut);
    const store = s3ObjectStore(local.client);

    expect(await store.readRange(object, `bytes=0-${HEADER_BYTES - 1}`)).toEqual(
      astronaut.subarray(0, HEADER_BYTES),
    );
    expect(await store.readRange(object, `bytes=-${TRAILER_BYTES}`)).toEqual(
      astronaut.subarray(astronaut.length - TRAILER_BYTES),
    );
    await expect(validateObject(store, object)).resolves.toMatchObject({ format: 'png', width: 512 });
  });

  it('rejects as OBJECT_MISSING when the object was replaced (its ETag no longer matches)', async () => {
    const object = await upload('albums/replaced.png', makePng(100, 100));
    await upload('albums/replaced.png', makePng(120, 120));

    const store = s3ObjectStore(local.client);
    for (const error of [
      await rejectionOf(store.readRange(object, 'bytes=0-9')),
      // A HEAD's 412 has no body, so the SDK names the error Unknown: the status decides.
      await rejectionOf(store.head(object)),
    ]) {
      expect(error.reason).toBe('OBJECT_MISSING');
      expect(error.message).toContain('PreconditionFailed');
    }
  });

  it('rejects as OBJECT_MISSING when the object was deleted', async () => {
    const object = await upload('albums/deleted.png', makePng(100, 100));
    await local.client.send(new DeleteObjectCommand({ Bucket: 'uploads-bucket', Key: object.key }));

    const store = s3ObjectStore(local.client);
    await expect(rejectionOf(store.head(object))).resolves.toMatchObject({ reason: 'OBJECT_MISSING' });
    await expect(rejectionOf(store.readRange(object, 'bytes=0-9'))).resolves.toMatchObject({
      reason: 'OBJECT_MISSING',
    });
  });

  it('rejects as OBJECT_MISSING when the version does not exist', async () => {
    const object = await upload('albums/versioned.png', makePng(100, 100));

    const error = await rejectionOf(
      s3ObjectStore(local.client).readRange({ ...object, versionId: 'no-such-version' }, 'bytes=0-9'),
    );

    expect(error.reason).toBe('OBJECT_MISSING');
    expect(error.message).toContain('NoSuchVersion');
  });
});
