/**
 * Image URLs: byte for byte the URLs getSignedUrl makes, whatever the key, version, endpoint
 * and credentials, only faster.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it, vi } from 'vitest';
import { imageUrls, versionIdOfObjectVersion } from '../../../functions/domain/api/image-urls';

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
const now = new Date('2026-01-02T03:04:05Z');

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

describe('imageUrls', () => {
  it.each(clients)('makes the URLs getSignedUrl makes (%s)', async (_name, presigner) => {
    for (const bucket of [
      'images',
      'image-labeling-dev-images-123456789012-eu-west-1',
      'dotted.bucket.name',
    ]) {
      const urls = imageUrls({ presigner, bucket, expiresSeconds: 300, now });
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
            { expiresIn: 300, signingDate: new Date('2026-01-02T03:04:00Z') },
          );
          expect(await urls.url(key, versionId)).toBe(expected);
        }
      }
    }
  });

  it('runs the client middleware once for a page of 100, not once per URL', async () => {
    const [, presigner] = clients[0] ?? [];
    if (!presigner) throw new Error('no client');
    const stacks = vi.spyOn(presigner.middlewareStack, 'clone');
    const urls = imageUrls({ presigner, bucket: 'images', expiresSeconds: 300, now });

    const page = await Promise.all(
      Array.from({ length: 100 }, (_, index) => urls.url(`uploads/${index}/photo.jpg`, 'v1')),
    );

    expect(new Set(page).size).toBe(100);
    expect(stacks).toHaveBeenCalledTimes(1);
    stacks.mockRestore();
  });

  it('reads the version id out of objectVersion, none for an unversioned object', () => {
    expect(versionIdOfObjectVersion('3HL4kqtJlcpX')).toBe('3HL4kqtJlcpX');
    expect(versionIdOfObjectVersion('etag:abc')).toBeUndefined();
    expect(versionIdOfObjectVersion(undefined)).toBeUndefined();
  });
});
