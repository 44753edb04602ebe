/**
 * The ImageBucket of the labels API (functions/core/api/ports.ts): HeadObject and DeleteObject on S3.
 *
 * The client comes from a function, called on first use: only a key without a record (HEAD) and
 * a deletion need it, so most execution environments never build it (the API's URL signing has
 * a client of its own).
 */
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ImageBucket } from '../core/api/ports';

const isNotFound = (error: unknown) =>
  (error as Error).name === 'NotFound' ||
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

export function s3ImageBucket(client: () => S3Client, bucket: string): ImageBucket {
  return {
    async exists(key) {
      try {
        await client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
    async remove(key) {
      await client().send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
}
