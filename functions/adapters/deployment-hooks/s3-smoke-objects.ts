/** The smoke objects in the images bucket: PutObject and DeleteObject of exactly their versions. */
import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  SMOKE_KEYS,
  type SmokeObjectStore,
  type SmokeObjects,
  smokeBodies,
  smokeSequencer,
} from '../../core/deployment-hooks/smoke-objects';
import { SmokeTestFailedError } from '../../core/errors';
import { bareETag, versionIdOf } from '../../core/s3-key';
import type { ObjectRef } from '../../core/workflow-schemas';

/** Writes both smoke objects, with bytes unique to this run, so no run finds them already done. */
export async function putSmokeObjects(client: S3Client, bucket: string, now: Date): Promise<SmokeObjects> {
  const sequencer = smokeSequencer(now);
  const put = async (key: string, body: Buffer, contentType: string): Promise<ObjectRef> => {
    const result = await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
    );
    if (!result.ETag) throw new SmokeTestFailedError(`PutObject of ${key} returned no ETag.`);
    return {
      bucket,
      key,
      ...versionIdOf(result.VersionId),
      eTag: bareETag(result.ETag),
      size: body.length,
      sequencer,
    };
  };
  const bodies = smokeBodies(`${now.toISOString()} ${randomUUID()}`);
  const [valid, invalid] = await Promise.all([
    put(SMOKE_KEYS.valid, bodies.png, 'image/png'),
    put(SMOKE_KEYS.invalid, bodies.invalid, 'text/plain'),
  ]);
  return { valid, invalid };
}

/** Removes exactly the versions this run wrote (best effort: the bucket expires old versions). */
export async function deleteSmokeObjects(client: S3Client, objects: SmokeObjects): Promise<void> {
  await Promise.allSettled(
    [objects.valid, objects.invalid].map((object) =>
      client.send(
        new DeleteObjectCommand({
          Bucket: object.bucket,
          Key: object.key,
          ...(object.versionId ? { VersionId: object.versionId } : {}),
        }),
      ),
    ),
  );
}

export function s3SmokeObjects(client: S3Client, bucket: string): SmokeObjectStore {
  return {
    put: (now) => putSmokeObjects(client, bucket, now),
    remove: (objects) => deleteSmokeObjects(client, objects),
  };
}
