/**
 * Removes every record of an object key: its IMAGE record, VERSION#* processing records,
 * LABEL#* items (and so its entries in the labels index) and its COUNTS item, after taking
 * it out of the label counts. Used by DELETE /images/{key} and by the ingest path for S3
 * ObjectRemoved events (an object deleted any other way). Idempotent: running it twice, or
 * after a crash half-way, leaves the same result.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { compareSequencers } from '../shared/s3-key';
import { reconcileLabelCounts } from './label-counts';
import { batchWrite, type TableRef } from './labels-store';
import { COUNTS_SK, IMAGE_SK, imagePk, versionSk } from './labels-table';

export interface RemovalEvent {
  /** The S3 event's sequencer: a record of a later upload of the same key is kept. */
  sequencer?: string | undefined;
  /** The removed version; for a permanent deletion of an older version only its record goes. */
  versionId?: string | undefined;
  /** `ObjectRemoved:Delete` (a version or an unversioned object) or `ObjectRemoved:DeleteMarkerCreated`. */
  eventName?: string | undefined;
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

export async function removeImageRecords(
  table: TableRef,
  key: string,
  event: RemovalEvent = {},
): Promise<RemovalResult> {
  const current = await table.db.send(
    new GetCommand({
      TableName: table.tableName,
      Key: { pk: imagePk(key), sk: IMAGE_SK },
      ProjectionExpression: 'sequencer, versionId',
      ConsistentRead: true,
    }),
  );
  const record = current.Item as { sequencer?: string; versionId?: string } | undefined;
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
  for (const group of [first, final]) {
    if (group.length > 0)
      await batchWrite(
        table,
        group.map((item) => ({ DeleteRequest: { Key: item } })),
      );
  }
  return { outcome: 'REMOVED', itemsDeleted: keys.length, countDeltas };
}
