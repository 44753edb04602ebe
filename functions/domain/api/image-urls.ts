/**
 * Short-lived presigned GET URLs of images, so a browser shows the exact pixels the labels
 * (and their boxes) were computed on without the bucket ever being public. Presigning is local
 * CPU work: no call to S3, no matter how many items a page has.
 *
 * The URL pins the object version that was labeled (`versionId`), so an overwrite of the key
 * never pairs new pixels with old boxes; an unversioned object (or a PENDING one) gets the
 * current object. The signing time is rounded down to the minute: every URL of a response,
 * and of any response in the same minute, expires at the same instant (`imageUrlExpiresAt`),
 * and a repeated read returns identical URLs, which the browser's image cache reuses. A URL
 * is so valid for between `expiresSeconds - 60` and `expiresSeconds` seconds.
 *
 * Speed: `getSignedUrl` runs the client's whole middleware stack for every URL (2 to 4 ms
 * each here, so up to 400 ms for a page of 100). Only the bucket decides where its objects
 * live, so one `getSignedUrl` (of a probe key) shows the base URL and every image is then
 * signed by the SDK's own S3RequestPresigner over that base (about 0.1 ms each). The URLs are
 * the very ones `getSignedUrl` makes, byte for byte; a test holds them to it.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl, S3RequestPresigner } from '@aws-sdk/s3-request-presigner';

export const SIGNING_STEP_SECONDS = 60;
const PROBE_KEY = 'probe';

export interface ImageUrls {
  /** When every URL from this signer stops working (ISO 8601). */
  expiresAt: string;
  url(key: string, versionId?: string | undefined): Promise<string>;
}

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
  signOptions: { expiresIn: number; signingDate: Date },
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

export function imageUrls(options: {
  /** Built with checksums WHEN_REQUIRED (see functions/adapters/clients/s3.ts). */
  presigner: S3Client;
  bucket: string;
  expiresSeconds: number;
  now: Date;
}): ImageUrls {
  const stepMs = SIGNING_STEP_SECONDS * 1000;
  const signingDate = new Date(Math.floor(options.now.getTime() / stepMs) * stepMs);
  const signOptions = { expiresIn: options.expiresSeconds, signingDate };
  const sdkSigner: Signer = (key, versionId) =>
    getSignedUrl(
      options.presigner,
      new GetObjectCommand({
        Bucket: options.bucket,
        Key: key,
        ...(versionId ? { VersionId: versionId } : {}),
      }),
      signOptions,
    );
  let signer: Promise<Signer> | undefined;
  return {
    expiresAt: new Date(signingDate.getTime() + options.expiresSeconds * 1000).toISOString(),
    url: async (key, versionId) => {
      signer ??= fastSigner(options.presigner, options.bucket, signOptions).then((fast) => fast ?? sdkSigner);
      return (await signer)(key, versionId);
    },
  };
}

/**
 * The S3 version id behind a record's `objectVersion` (see objectVersionOf in labels-table):
 * the version id itself, or nothing for an unversioned object (`etag:<ETag>`).
 */
export function versionIdOfObjectVersion(objectVersion: string | undefined): string | undefined {
  return objectVersion && !objectVersion.startsWith('etag:') ? objectVersion : undefined;
}
