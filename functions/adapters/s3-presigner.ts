/**
 * The UrlSigner of the labels API (functions/core/api/ports.ts): presigned PUT URLs of uploads
 * and GET URLs of images, signed locally (no call to S3). What is signed, for how long and
 * from when is decided in functions/core/api/image-urls.ts and routes.ts.
 *
 * Speed: `getSignedUrl` runs the client's whole middleware stack for every URL (2 to 4 ms
 * each here, so up to 400 ms for a page of 100). Only the bucket decides where its objects
 * live, so one `getSignedUrl` (of a probe key) shows the base URL and every image is then
 * signed by the SDK's own S3RequestPresigner over that base (about 0.1 ms each). The URLs are
 * the very ones `getSignedUrl` makes, byte for byte; a test holds them to it.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl, S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import type { SignOptions, UrlSigner } from '../core/api/ports';

const PROBE_KEY = 'probe';

/** RFC 3986 escaping, as the SDK does for paths and query strings. */
const uriEscape = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
/** An object key as a URL path: each segment escaped, the slashes kept. */
const keyPath = (key: string) => key.split('/').map(uriEscape).join('/');

type Signer = (key: string, versionId: string | undefined) => Promise<string>;

/** Signs over the base URL that a real getSignedUrl of the probe key shows; undefined if it cannot tell. */
async function fastSigner(
  presigner: S3Client,
  bucket: string,
  signOptions: SignOptions,
): Promise<Signer | undefined> {
  const probe = new URL(
    await getSignedUrl(presigner, new GetObjectCommand({ Bucket: bucket, Key: PROBE_KEY }), signOptions),
  );
  if (!probe.pathname.endsWith(`/${PROBE_KEY}`)) return undefined;
  const basePath = probe.pathname.slice(0, -PROBE_KEY.length);
  const region = probe.searchParams.get('X-Amz-Credential')?.split('/')[2];
  if (!region) return undefined;
  const signer = new S3RequestPresigner({ ...presigner.config });
  return async (key, versionId) => {
    const signed = await signer.presign(
      {
        method: 'GET',
        protocol: probe.protocol,
        hostname: probe.hostname,
        ...(probe.port ? { port: Number(probe.port) } : {}),
        path: `${basePath}${keyPath(key)}`,
        query: { ...(versionId ? { versionId } : {}), 'x-id': 'GetObject' },
        headers: {},
      },
      { ...signOptions, signingRegion: region, signingService: 's3' },
    );
    const query = Object.entries(signed.query ?? {})
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, value]) => `${uriEscape(name)}=${uriEscape(String(value))}`)
      .join('&');
    return `${probe.protocol}//${probe.host}${signed.path}?${query}`;
  };
}

/**
 * @param presigner Built with checksums WHEN_REQUIRED (see functions/adapters/clients/s3.ts):
 * the default client would put the empty body's CRC32 into every upload URL.
 */
export function s3UrlSigner(presigner: S3Client, bucket: string): UrlSigner {
  return {
    // Content-Type and Content-Length are signed: S3 refuses a PUT with another type or size.
    uploadUrl: (key, content, expiresIn) =>
      getSignedUrl(
        presigner,
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          ContentType: content.contentType,
          ContentLength: content.contentLength,
        }),
        { expiresIn, signableHeaders: new Set(['content-type', 'content-length']) },
      ),
    downloadUrls(signOptions) {
      const sdkSigner: Signer = (key, versionId) =>
        getSignedUrl(
          presigner,
          new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
          signOptions,
        );
      // Probed on the first URL, not before: an answer without images signs nothing.
      let signer: Promise<Signer> | undefined;
      return async (key, versionId) => {
        signer ??= fastSigner(presigner, bucket, signOptions).then((fast) => fast ?? sdkSigner);
        return (await signer)(key, versionId);
      };
    },
  };
}
