/**
 * The S3 URL signer with real S3 clients (presigning is local: no network): GET URLs byte for
 * byte the ones getSignedUrl makes, whatever the key, version, endpoint and credentials, only
 * faster; PUT URLs that S3 honours only with the signed type and length.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl, S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it, vi } from 'vitest';
import { s3UrlSigner } from '../../../functions/adapters/s3-presigner';
import { presignerClient } from '../../support/api';

const KEYS = [
  'a.png',
  'some dir/a+b.png',
  'uploads/00000000-0000-4000-8000-000000000000/My-Photo-1-.PNG',
  "it's (1)!*~.jpg",
  '100%/%20 literal.jpg',
  'ünïcödé/猫/😀.png',
  'a//double/slash.jpg',
  'trailing/',
  '=&?#[]@$,;:.jpg',
  'k'.repeat(1024),
];
const signingDate = new Date('2026-01-02T03:04:00Z');

const clients: [string, S3Client][] = [
  [
    'AWS, with a session token',
    new S3Client({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token/+=' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  ],
  [
    'a local endpoint, path style',
    new S3Client({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:4566',
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  ],
];

describe('downloadUrls', () => {
  it.each(clients)('makes the URLs getSignedUrl makes (%s)', async (_name, presigner) => {
    for (const bucket of [
      'images',
      'image-labeling-dev-images-123456789012-eu-west-1',
      'dotted.bucket.name',
    ]) {
      const sign = s3UrlSigner(presigner, bucket).downloadUrls({ expiresIn: 300, signingDate });
      for (const key of KEYS) {
        for (const versionId of [
          undefined,
          'v1',
          '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo',
          'null',
        ]) {
          const expected = await getSignedUrl(
            presigner,
            new GetObjectCommand({
              Bucket: bucket,
              Key: key,
              ...(versionId ? { VersionId: versionId } : {}),
            }),
            { expiresIn: 300, signingDate },
          );
          expect(await sign(key, versionId)).toBe(expected);
        }
      }
    }
  });

  it('runs the client middleware once for a page of 100, not once per URL', async () => {
    const [, presigner] = clients[0] ?? [];
    if (!presigner) throw new Error('no client');
    const stacks = vi.spyOn(presigner.middlewareStack, 'clone');
    const sign = s3UrlSigner(presigner, 'images').downloadUrls({ expiresIn: 300, signingDate });

    const page = await Promise.all(
      Array.from({ length: 100 }, (_, index) => sign(`uploads/${index}/photo.jpg`, 'v1')),
    );

    expect(new Set(page).size).toBe(100);
    expect(stacks).toHaveBeenCalledTimes(1);
    stacks.mockRestore();
  });

  it('signs nothing, not even the probe, until a URL is asked for', () => {
    const presigner = presignerClient();
    const stacks = vi.spyOn(presigner.middlewareStack, 'clone');
    s3UrlSigner(presigner, 'images').downloadUrls({ expiresIn: 300, signingDate });
    expect(stacks).not.toHaveBeenCalled();
  });

  it('probes the base URL once per signer, not once per response', async () => {
    const presigner = presignerClient();
    const stacks = vi.spyOn(presigner.middlewareStack, 'clone');
    const signer = s3UrlSigner(presigner, 'images');

    await signer.downloadUrls({ expiresIn: 300, signingDate })('a.png', 'v1');
    await signer.downloadUrls({ expiresIn: 300, signingDate: new Date('2026-01-02T03:05:00Z') })('b.png');

    expect(stacks).toHaveBeenCalledTimes(1);
    stacks.mockRestore();
  });

  it('signs a URL once per signing minute: a repeated read gets the same bytes without signing again', async () => {
    const presign = vi.spyOn(S3RequestPresigner.prototype, 'presign');
    const signer = s3UrlSigner(presignerClient(), 'images');
    const first = await signer.downloadUrls({ expiresIn: 300, signingDate })('a.png', 'v1');
    presign.mockClear();

    const again = await signer.downloadUrls({ expiresIn: 300, signingDate })('a.png', 'v1');
    const otherVersion = await signer.downloadUrls({ expiresIn: 300, signingDate })('a.png', 'v2');
    const nextMinute = await signer.downloadUrls({
      expiresIn: 300,
      signingDate: new Date('2026-01-02T03:05:00Z'),
    })('a.png', 'v1');

    expect(again).toBe(first);
    expect(otherVersion).not.toBe(first);
    expect(new URL(nextMinute).searchParams.get('X-Amz-Date')).toBe('20260102T030500Z');
    expect(presign).toHaveBeenCalledTimes(2);
    presign.mockRestore();
  });

  it('signs a GET of the version, at the signing date, for expiresIn, without checksum parameters', async () => {
    const sign = s3UrlSigner(presignerClient(), 'images').downloadUrls({ expiresIn: 240, signingDate });
    const url = new URL(await sign('a b/c+d.png', 'v1'));
    expect(`${url.host}${decodeURIComponent(url.pathname)}`).toBe(
      'images.s3.eu-west-1.amazonaws.com/a b/c+d.png',
    );
    expect(url.searchParams.get('versionId')).toBe('v1');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20260102T030400Z');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('240');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect([...url.searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
  });
});

describe('uploadUrl', () => {
  const content = { contentType: 'image/png', contentLength: 1234 };

  it('signs a PUT of the key with its type and length, for expiresIn, and no CRC32', async () => {
    const url = new URL(
      await s3UrlSigner(presignerClient(), 'images').uploadUrl('uploads/x/a.png', content, 300),
    );
    expect(`${url.host}${url.pathname}`).toBe('images.s3.eu-west-1.amazonaws.com/uploads/x/a.png');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    // aws/aws-sdk-js-v3#6994: a CRC32 of the empty body in the URL makes real S3 reject the upload.
    expect([...url.searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
  });

  it('the default presigning client would embed the empty-body CRC32 (why WHEN_REQUIRED matters)', async () => {
    const client = new S3Client({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    expect(await s3UrlSigner(client, 'images').uploadUrl('a.png', content, 300)).toContain(
      'x-amz-checksum-crc32=',
    );
  });
});
