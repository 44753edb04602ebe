/** The ObjectStore reads of core/image-validation.ts: HeadObject and ranged GetObject on S3. */
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ImageRejectedError } from '../core/errors';
import type { ObjectStore } from '../core/image-validation';
import type { ObjectRef } from '../core/workflow-schemas';

const MISSING = new Set(['NotFound', 'NoSuchKey', 'NoSuchVersion', 'PreconditionFailed']);
/** IfMatch failed: the object was replaced. A HEAD's 412 has no body, so the SDK names it `Unknown`. */
const PRECONDITION_FAILED = 412;

function isMissing(error: Error): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return MISSING.has(error.name) || status === PRECONDITION_FAILED;
}

/** Pins every read to the version the event announced (or, unversioned, to its ETag). */
function versionSelector(object: ObjectRef) {
  return object.versionId ? { VersionId: object.versionId } : { IfMatch: `"${object.eTag}"` };
}

/** S3's "that version is gone" errors as the workflow's OBJECT_MISSING rejection. */
function missingAsRejection(error: unknown): unknown {
  if (error instanceof Error && isMissing(error)) {
    const name = error.name === 'Unknown' ? 'PreconditionFailed' : error.name;
    return new ImageRejectedError(
      'OBJECT_MISSING',
      `The object version no longer exists (${name}); it was deleted or replaced before processing.`,
    );
  }
  return error;
}

async function orMissing<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw missingAsRejection(error);
  }
}

export function s3ObjectStore(client: S3Client): ObjectStore {
  return {
    async head(object) {
      const head = await orMissing(() =>
        client.send(
          new HeadObjectCommand({ Bucket: object.bucket, Key: object.key, ...versionSelector(object) }),
        ),
      );
      return { size: head.ContentLength ?? 0, contentType: head.ContentType };
    },
    async readRange(object, range) {
      const response = await orMissing(() =>
        client.send(
          new GetObjectCommand({
            Bucket: object.bucket,
            Key: object.key,
            Range: range,
            ...versionSelector(object),
          }),
        ),
      );
      return response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
    },
  };
}
