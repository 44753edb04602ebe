/**
 * The local S3's CORS, as S3 evaluates a bucket's CORS rules: the images bucket's rule
 * (IMAGES_BUCKET_CORS) for the console's origin, met the way the console meets it: a preflight
 * and a PUT to a presigned upload URL, a GET of a presigned image URL (with `versionId`).
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGES_BUCKET_CORS } from '../../../infra/config/console';
import { type Harness, removeDir, startS3 } from './helpers';

const CONSOLE = 'http://localhost:5173';
const OTHER = 'https://evil.example.com';
const PNG = Buffer.from('89504e470d0a1a0a', 'hex');

describe('the local S3 answers CORS from the bucket’s rules', () => {
  let s3: Harness;
  /** As the API function signs (functions/adapters/clients/s3.ts): no path-style flag, the IP endpoint. */
  let presigner: S3Client;

  beforeAll(async () => {
    s3 = await startS3({
      buckets: ['images', 'no-cors'],
      cors: { images: [{ ...IMAGES_BUCKET_CORS, allowedOrigins: [CONSOLE] }] },
    });
    presigner = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
  });

  afterAll(async () => {
    presigner.destroy();
    await s3.close();
    await removeDir(s3.dataDir);
  });

  const uploadUrl = (bucket = 'images', key = 'uploads/a b+c.png') =>
    getSignedUrl(presigner, new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: 'image/png' }), {
      expiresIn: 300,
    });
  const preflight = (url: string, origin: string | undefined, method = 'PUT', headers = 'content-type') =>
    fetch(url, {
      method: 'OPTIONS',
      headers: {
        ...(origin ? { origin } : {}),
        'access-control-request-method': method,
        ...(headers ? { 'access-control-request-headers': headers } : {}),
      },
    });
  const corsOf = (response: Response) =>
    Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));

  it('gets presigned URLs in path style on the endpoint', async () => {
    expect(await uploadUrl()).toMatch(new RegExp(`^${s3.endpoint}/images/uploads/a%20b%2Bc\\.png\\?X-Amz-`));
  });

  it('allows the console’s preflight for a presigned PUT with content-type', async () => {
    const response = await preflight(await uploadUrl(), CONSOLE);
    expect(response.status).toBe(200);
    expect(corsOf(response)).toEqual({
      'access-control-allow-origin': CONSOLE,
      'access-control-allow-methods': 'GET, HEAD, PUT',
      'access-control-allow-headers': 'content-type',
      'access-control-expose-headers': 'etag',
      'access-control-max-age': '3600',
      'access-control-allow-credentials': 'true',
    });
    expect(response.headers.get('vary')).toBe(
      'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    );
  });

  it('answers 403 when no rule matches the origin, the method or a header, or the bucket has no rules', async () => {
    const url = await uploadUrl();
    for (const response of [
      await preflight(url, OTHER),
      await preflight(url, CONSOLE, 'DELETE'),
      await preflight(url, CONSOLE, 'PUT', 'content-type,x-amz-meta-owner'),
      await preflight(await uploadUrl('no-cors'), CONSOLE),
    ]) {
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('<Code>AccessForbidden</Code>');
      expect(corsOf(response)).toEqual({});
    }
    const anonymous = await preflight(url, undefined);
    expect(anonymous.status).toBe(400);
  });

  it('adds CORS headers to the actual PUT and presigned GET for the console, and none for others', async () => {
    const put = await fetch(await uploadUrl(), {
      method: 'PUT',
      headers: { origin: CONSOLE, 'content-type': 'image/png' },
      body: PNG,
    });
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(corsOf(put)).toMatchObject({
      'access-control-allow-origin': CONSOLE,
      'access-control-expose-headers': 'etag',
    });

    // The API signs image URLs of the labeled version; an unversioned object's version is `null`.
    const imageUrl = await getSignedUrl(
      presigner,
      new GetObjectCommand({ Bucket: 'images', Key: 'uploads/a b+c.png', VersionId: 'null' }),
      { expiresIn: 300 },
    );
    const get = await fetch(imageUrl, { headers: { origin: CONSOLE } });
    expect(get.status).toBe(200);
    expect(Buffer.from(await get.arrayBuffer())).toEqual(PNG);
    expect(get.headers.get('access-control-allow-origin')).toBe(CONSOLE);

    const other = await fetch(imageUrl, { headers: { origin: OTHER } });
    expect(other.status).toBe(200);
    expect(corsOf(other)).toEqual({});
  });

  it('answers NoSuchVersion for a version the unversioned local bucket never had', async () => {
    const url = await getSignedUrl(
      presigner,
      new GetObjectCommand({ Bucket: 'images', Key: 'uploads/a b+c.png', VersionId: '3HL4kqtJlcpXroDTDmJ' }),
      { expiresIn: 300 },
    );
    const response = await fetch(url, { headers: { origin: CONSOLE } });
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('<Code>NoSuchVersion</Code>');
    // S3 adds the CORS headers to errors too: the console can read why.
    expect(response.headers.get('access-control-allow-origin')).toBe(CONSOLE);
  });
});
