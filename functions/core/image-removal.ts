/**
 * What removing an object key does (the DynamoDB side is functions/adapters/dynamodb/
 * image-removal.ts): every record of the key goes, its IMAGE record, VERSION#* processing
 * records and LABEL#* items (and so its entries in the labels index). Deleting the IMAGE record
 * takes the key out of the label counts: the table's stream carries its label names to
 * count-labels (core/label-counts.ts). Used by DELETE /images/{key} and by the ingest path for S3
 * ObjectRemoved events. Idempotent: running it twice, or after a crash half-way, leaves the same
 * result.
 *
 * The removal is announced (an `Image Deleted` event) after the labels go and before the IMAGE
 * item does: a crash in between leaves the IMAGE item, so the retry announces it again with the
 * same eventId, and nothing is removed unannounced. A second removal finds no IMAGE item and
 * announces nothing.
 */
import { buildImageEvent, type ImageEvent, type ImageEventPublisher } from './image-events';
import { IMAGE_SK } from './labels-table';
import { compareSequencers } from './s3-key';

export interface RemovalEvent {
  /** The S3 event's sequencer: a record of a later upload of the same key is kept. */
  sequencer?: string | undefined;
  /** The removed version; for a permanent deletion of an older version only its record goes. */
  versionId?: string | undefined;
  /** `ObjectRemoved:Delete` (a version or an unversioned object) or `ObjectRemoved:DeleteMarkerCreated`. */
  eventName?: string | undefined;
}

/** Where a removal is announced, and its clock. */
export interface RemovalAnnouncer {
  events: ImageEventPublisher;
  now?: () => Date;
}

/** What the removal reads of the key's IMAGE record. */
export interface CurrentRecord {
  bucket?: string;
  sequencer?: string;
  versionId?: string;
  objectVersion?: string;
}

export type RemovalResult =
  | { outcome: 'REMOVED'; itemsDeleted: number }
  | { outcome: 'NEWER_RECORD_KEPT' | 'OLD_VERSION_ONLY'; itemsDeleted: number };

/** How much of the key a removal event takes away, given its current IMAGE record. */
export function removalScope(
  record: CurrentRecord | undefined,
  event: RemovalEvent,
): 'NEWER_RECORD_KEPT' | 'OLD_VERSION_ONLY' | 'ALL' {
  if (record?.sequencer && event.sequencer && compareSequencers(record.sequencer, event.sequencer) > 0) {
    // The key was uploaded again after this deletion, and that upload is already recorded.
    return 'NEWER_RECORD_KEPT';
  }
  if (
    event.eventName === 'ObjectRemoved:Delete' &&
    event.versionId &&
    record?.versionId &&
    record.versionId !== event.versionId
  ) {
    // A noncurrent version was deleted for good: the current object and its record stay.
    return 'OLD_VERSION_ONLY';
  }
  return 'ALL';
}

type ItemKey = { pk: string; sk: string };

/**
 * The key's items in two groups: labels, versions (and the per-key COUNTS item that synchronous
 * counting left before counts came from the stream) first, the IMAGE item last, so a retry after
 * a crash still finds the key.
 */
export function removalOrder(keys: ItemKey[]): { first: ItemKey[]; last: ItemKey[] } {
  return {
    first: keys.filter((item) => item.sk !== IMAGE_SK),
    last: keys.filter((item) => item.sk === IMAGE_SK),
  };
}

/** The `Image Deleted` event for a recorded image; none for a record without its version. */
export function removalEvent(key: string, record: CurrentRecord, now: Date): ImageEvent | undefined {
  if (!record.bucket || !record.objectVersion) return undefined;
  return buildImageEvent({
    bucket: record.bucket,
    key,
    versionId: record.versionId ?? null,
    objectVersion: record.objectVersion,
    status: 'DELETED',
    occurredAt: now.toISOString(),
  });
}
