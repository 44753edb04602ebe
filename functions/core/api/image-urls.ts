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
 * The signing itself is functions/adapters/s3-presigner.ts.
 */
import type { UrlSigner } from './ports';

export const SIGNING_STEP_SECONDS = 60;

export interface ImageUrls {
  /** When every URL from this signer stops working (ISO 8601). */
  expiresAt: string;
  url(key: string, versionId?: string | undefined): Promise<string>;
}

export function imageUrls(signer: UrlSigner, options: { expiresSeconds: number; now: Date }): ImageUrls {
  const stepMs = SIGNING_STEP_SECONDS * 1000;
  const signingDate = new Date(Math.floor(options.now.getTime() / stepMs) * stepMs);
  const sign = signer.downloadUrls({ expiresIn: options.expiresSeconds, signingDate });
  return {
    expiresAt: new Date(signingDate.getTime() + options.expiresSeconds * 1000).toISOString(),
    url: (key, versionId) => sign(key, versionId),
  };
}

/**
 * The S3 version id behind a record's `objectVersion` (see objectVersionOf in labels-table):
 * the version id itself, or nothing for an unversioned object (`etag:<ETag>`).
 */
export function versionIdOfObjectVersion(objectVersion: string | undefined): string | undefined {
  return objectVersion && !objectVersion.startsWith('etag:') ? objectVersion : undefined;
}
