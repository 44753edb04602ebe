/**
 * What the workflow's writes of the labels table decide (the DynamoDB side is functions/
 * adapters/dynamodb/labels-store.ts): what a refused claim means, which items make a key's
 * current record, when an older version must not overwrite a newer one, and what a final
 * version keeps.
 *
 * The write order carries the guarantees (no transactions): an image's label items and its
 * IMAGE record are written first; the VERSION record turns final last, so a crash in between
 * leaves the version claimable again and the next run rewrites the same items (puts are
 * idempotent).
 */
import { ImageInProgressError } from './errors';
import {
  IMAGE_SK,
  type ImageItem,
  type ImagesIndexAttributes,
  imagePk,
  imagesIndexAttributes,
  type LabelItem,
  labelItems,
  objectVersionOf,
  type VersionStatus,
} from './labels-table';
import type { FinalRecord, WriteResult } from './outcome';
import { compareSequencers } from './s3-key';
import type { ClaimResult, Detection, ObjectRef } from './workflow-schemas';

/** The Rekognition answer as recorded on a version. */
export type CachedDetection = Omit<Detection, 'fromCache'>;

/** What a claim reads of a VERSION record. */
export interface VersionRecord {
  status?: VersionStatus | undefined;
  attempts?: number | undefined;
}

/** The claim was taken: `attempts` as the claim's write left it. */
export function claimed(attempts: unknown): ClaimResult {
  return { status: 'CLAIMED', attempt: Number(attempts ?? 1) };
}

/**
 * The claim's condition failed on `current`: a final version (LABELED, REJECTED) is
 * ALREADY_DONE, anything else is a live claim held by another run (ImageInProgress).
 */
export function claimRefused(current: VersionRecord | undefined, object: ObjectRef): ClaimResult {
  if (current?.status === 'LABELED' || current?.status === 'REJECTED') {
    return { status: 'ALREADY_DONE', attempt: Number(current.attempts ?? 1) };
  }
  throw new ImageInProgressError(
    `Object version ${objectVersionOf(object)} of "${object.key}" is being processed by another run.`,
  );
}

/** What a record write reads of the key's current IMAGE record. */
export type PreviousRecord = Pick<ImageItem, 'sequencer' | 'objectVersion' | 'labelNames'>;

/** An older version (by S3 sequencer) never overwrites a newer one; the same version may. */
export function isSuperseded(
  previous: PreviousRecord | undefined,
  image: Pick<FinalRecord, 'objectVersion'>,
  object: Pick<ObjectRef, 'sequencer'>,
): boolean {
  return (
    previous !== undefined &&
    previous.objectVersion !== image.objectVersion &&
    compareSequencers(previous.sequencer, object.sequencer) > 0
  );
}

export const SUPERSEDED: WriteResult = {
  superseded: true,
  labelsWritten: 0,
  staleLabelsDeleted: 0,
  writeRequests: 0,
};

/** The items that make `image` the key's current record. */
export interface RecordWrites {
  /** One item per label of the new version. */
  labels: LabelItem[];
  /** The previous version's label names that the new one lacks: their items go. */
  stale: string[];
  /** The IMAGE record, with its images index entry (newest first). */
  record: ImageItem & ImagesIndexAttributes;
}

/**
 * The new label items, the stale ones of the previous version (so a relabeled image leaves no
 * stale entries) and the IMAGE record listing exactly the new label names.
 */
export function recordWrites(
  image: FinalRecord,
  object: ObjectRef,
  previous: PreviousRecord | undefined,
): RecordWrites {
  const newNames = new Set(image.labels.map((label) => label.name));
  return {
    labels: labelItems(object, image.labels),
    stale: (previous?.labelNames ?? []).filter((name) => !newNames.has(name)),
    record: {
      ...image,
      pk: imagePk(object.key),
      sk: IMAGE_SK,
      labelNames: [...newNames],
      ...imagesIndexAttributes(image),
    },
  };
}

/**
 * LABELED and REJECTED drop the cached detection (it lives on in the IMAGE record); FAILED
 * keeps it, so the retry that follows does not call Rekognition.
 */
export function keepsDetection(status: Exclude<VersionStatus, 'IN_PROGRESS'>): boolean {
  return status === 'FAILED';
}
