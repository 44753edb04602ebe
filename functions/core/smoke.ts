/**
 * Deployment smoke tests write their objects under one reserved prefix of the images bucket.
 * S3 event notifications cannot exclude a prefix, so the ingest ignores these keys: a smoke
 * object is checked by the hook that wrote it, never labeled as a user's image.
 */
export const SMOKE_PREFIX = '_smoke/';

export function isSmokeKey(key: string): boolean {
  return key.startsWith(SMOKE_PREFIX);
}
