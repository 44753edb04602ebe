/**
 * Removes every record of an object key: its IMAGE record, VERSION#* processing records,
 * LABEL#* items (and so its entries in the labels index) and its COUNTS item, after taking
 * it out of the label counts. Used by DELETE /images/{key} and by the ingest path for S3
 * ObjectRemoved events (an object deleted any other way). Idempotent: running it twice, or
 * after a crash half-way, leaves the same result.
 *
 * The removal is announced (an `Image Deleted` event) after the labels go and before the IMAGE
 * item does: a crash in between leaves the IMAGE item, so the retry announces it again with the
 * same eventId, and nothing is removed unannounced. A second removal finds no IMAGE item and
 * announces nothing.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { buildImageEvent, type ImageEventPublisher } from '../core/image-events';
import { COUNTS_SK, IMAGE_SK, imagePk, versionSk } from '../core/labels-table';
import { compareSequencers } from '../core/s3-key';
import { reconcileLabelCounts } from './label-counts';
import { batchWrite, type TableRef } from './labels-store';

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

interface CurrentRecord {
  bucket?: string;
  sequencer?: string;
  versionId?: string;
  objectVersion?: string;
}

export type RemovalResult =
  | { outcome: 'REMOVED'; itemsDeleted: number; countDeltas: number }
  | { outcome: 'NEWER_RECORD_KEPT' | 'OLD_VERSION_ONLY'; itemsDeleted: number; countDeltas: 0 };

async function keysOf(table: TableRef, key: string): Promise<{ pk: string; sk: string }[]> {
  const keys: { pk: string; sk: string }[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.db.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': imagePk(key) },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) keys.push({ pk: String(item.pk), sk: String(item.sk) });
    start = page.LastEvaluatedKey;
  } while (start);
  return keys;
}

async function announceRemoval(
  announcer: RemovalAnnouncer,
  key: string,
  record: CurrentRecord,
): Promise<void> {
  if (!record.bucket || !record.objectVersion) return;
  const now = announcer.now?.() ?? new Date();
  await announcer.events.publish([
    buildImageEvent({
      bucket: record.bucket,
      key,
      versionId: record.versionId ?? null,
      objectVersion: record.objectVersion,
      status: 'DELETED',
      occurredAt: now.toISOString(),
    }),
  ]);
}

export async function removeImageRecords(
  table: TableRef,
  key: string,
  event: RemovalEvent,
  announcer: RemovalAnnouncer,
): Promise<RemovalResult> {
  const current = await table.db.send(
    new GetCommand({
      TableName: table.tableName,
      Key: { pk: imagePk(key), sk: IMAGE_SK },
      ProjectionExpression: '#bucket, sequencer, versionId, objectVersion',
      ExpressionAttributeNames: { '#bucket': 'bucket' },
      ConsistentRead: true,
    }),
  );
  const record = current.Item as CurrentRecord | undefined;
  if (record?.sequencer && event.sequencer && compareSequencers(record.sequencer, event.sequencer) > 0) {
    // The key was uploaded again after this deletion, and that upload is already recorded.
    return { outcome: 'NEWER_RECORD_KEPT', itemsDeleted: 0, countDeltas: 0 };
  }
  if (
    event.eventName === 'ObjectRemoved:Delete' &&
    event.versionId &&
    record?.versionId &&
    record.versionId !== event.versionId
  ) {
    // A noncurrent version was deleted for good: the current object and its record stay.
    await batchWrite(table, [
      { DeleteRequest: { Key: { pk: imagePk(key), sk: versionSk(event.versionId) } } },
    ]);
    return { outcome: 'OLD_VERSION_ONLY', itemsDeleted: 1, countDeltas: 0 };
  }

  // Out of the counts first: the COUNTS item remembers what to take back after a crash.
  const countDeltas = await reconcileLabelCounts(table, key, { target: [] });
  const keys = await keysOf(table, key);
  const last = new Set([IMAGE_SK, COUNTS_SK]);
  const first = keys.filter((item) => !last.has(item.sk));
  // Labels and versions first, the IMAGE and COUNTS items last: a retry still finds the key.
  const final = keys.filter((item) => last.has(item.sk)).sort((a) => (a.sk === IMAGE_SK ? -1 : 1));
  const remove = (group: { pk: string; sk: string }[]) =>
    group.length > 0
      ? batchWrite(
          table,
          group.map((item) => ({ DeleteRequest: { Key: item } })),
        )
      : undefined;
  await remove(first);
  if (record) await announceRemoval(announcer, key, record);
  await remove(final);
  return { outcome: 'REMOVED', itemsDeleted: keys.length, countDeltas };
}
