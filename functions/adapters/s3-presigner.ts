/**
 * The UrlSigner of the labels API (functions/core/api/ports.ts): presigned PUT URLs of uploads
 * and GET URLs of images, signed locally (no call to S3). What is signed, for how long and
 * from when is decided in functions/core/api/image-urls.ts and routes.ts.
 *
 * Speed: `getSignedUrl` runs the client's whole middleware stack for every URL (2 to 4 ms
 * each here, so up to 400 ms for a page of 100). Only the bucket decides where its objects
 * live, so one `getSignedUrl` (of a probe key, once per execution environment) shows the base
 * URL and every image is then signed by the SDK's own S3RequestPresigner over that base (about
 * 0.1 ms each), and kept for the rest of its signing minute. The URLs are the very ones
 * `getSignedUrl` makes, byte for byte; a test holds them to it.
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

/** Where the bucket's objects live, as a real getSignedUrl of the probe key shows it. */
interface SigningBase {
  url: URL;
  basePath: string;
  region: string;
  presigner: S3RequestPresigner;
}

/** Probes the base URL once; undefined if it cannot tell (then every URL goes through getSignedUrl). */
async function probeBase(presigner: S3Client, bucket: string): Promise<SigningBase | undefined> {
  const url = new URL(
    await getSignedUrl(presigner, new GetObjectCommand({ Bucket: bucket, Key: PROBE_KEY }), {
      expiresIn: 60,
    }),
  );
  if (!url.pathname.endsWith(`/${PROBE_KEY}`)) return undefined;
  const region = url.searchParams.get('X-Amz-Credential')?.split('/')[2];
  if (!region) return undefined;
  const basePath = url.pathname.slice(0, -PROBE_KEY.length);
  return { url, basePath, region, presigner: new S3RequestPresigner({ ...presigner.config }) };
}

/** Signs over the probed base URL with the SDK's own S3RequestPresigner. */
function fastSigner(base: SigningBase, signOptions: SignOptions): Signer {
  const { url: probe, basePath, region } = base;
  return async (key, versionId) => {
    const signed = await base.presigner.presign(
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

/** At most this many URLs are kept (those of the current signing date only). */
const MAX_CACHED_URLS = 10_000;

/**
 * The URLs of one signing date. A URL is a pure function of the signing date, the expiry, the
 * key, the version and the credentials (fixed for an execution environment's life), so a read
 * repeated within the same signing minute (a refreshed page, a list then its image) gets the
 * same bytes without signing again.
 */
function urlCache() {
  let date = Number.NaN;
  const urls = new Map<string, Promise<string>>();
  return (options: SignOptions, key: string, versionId: string | undefined, sign: Signer) => {
    if (options.signingDate.getTime() !== date || urls.size >= MAX_CACHED_URLS) {
      urls.clear();
      date = options.signingDate.getTime();
    }
    const id = `${options.expiresIn}|${versionId ?? ''}|${key}`;
    let url = urls.get(id);
    if (!url) {
      url = sign(key, versionId);
      urls.set(id, url);
      url.catch(() => urls.delete(id));
    }
    return url;
  };
}

/**
 * @param presigner Built with checksums WHEN_REQUIRED (see functions/adapters/clients/s3.ts):
 * the default client would put the empty body's CRC32 into every upload URL.
 */
export function s3UrlSigner(presigner: S3Client, bucket: string): UrlSigner {
  let base: Promise<SigningBase | undefined> | undefined;
  const cached = urlCache();
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
      let signer: Promise<Signer> | undefined;
      return (key, versionId) =>
        cached(signOptions, key, versionId, async (k, v) => {
          // Probed on the first URL, not before: an answer without images signs nothing.
          base ??= probeBase(presigner, bucket);
          signer ??= base.then((found) => (found ? fastSigner(found, signOptions) : sdkSigner));
          return (await signer)(k, v);
        });
    },
  };
}
