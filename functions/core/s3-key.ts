/**
 * S3 event notifications carry object keys form-encoded (application/x-www-form-urlencoded):
 * a space arrives as `+`, a plus as `%2B`, non-ASCII as UTF-8 percent escapes. Decode once, at
 * the edge; everything after this works with the real key.
 */
export function decodeS3EventKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/**
 * S3 event sequencers are hexadecimal strings of varying length. S3's documentation: pad the
 * shorter one on the right with zeros, then compare as strings. Returns <0, 0 or >0.
 */
export function compareSequencers(a: string, b: string): number {
  const length = Math.max(a.length, b.length);
  const left = a.toUpperCase().padEnd(length, '0');
  const right = b.toUpperCase().padEnd(length, '0');
  return left < right ? -1 : left > right ? 1 : 0;
}

/** `{ versionId }` when S3 gave a real one: an unversioned bucket says `"null"` (or nothing). */
export function versionIdOf(versionId: string | undefined): { versionId?: string } {
  return versionId && versionId !== 'null' ? { versionId } : {};
}

/** An ETag without the quotes S3 puts around it in headers and API answers. */
export const bareETag = (eTag: string) => eTag.replace(/"/g, '');
