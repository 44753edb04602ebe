/**
 * Gives the IMAGE records written before the images index existed their entry in it (see
 * labels-table.ts). Run once after the index is added to a table that already holds images:
 * the local cloud does it when it migrates an older data dir; on AWS an operator runs it with
 * the table's name (every write since the index was added already carries the entry).
 *
 * A Scan of the IMAGE items that lack `gsi2pk`, then one conditional UpdateItem each: the
 * condition (still no entry, same updatedAt) leaves alone a record the pipeline rewrote in the
 * meantime, since that write brought its own entry. Idempotent: a second run finds nothing.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { IMAGE_SK, type ImageItem, imagesIndexAttributes } from '../../core/labels-table';
import type { TableRef } from './table-ref';

export interface BackfillResult {
  /** IMAGE records that lacked an entry. */
  found: number;
  /** Entries written (found minus records rewritten by the pipeline meanwhile). */
  indexed: number;
}

export async function backfillImagesIndex(
  { db, tableName }: TableRef,
  options: { segment?: number; totalSegments?: number } = {},
): Promise<BackfillResult> {
  const result: BackfillResult = { found: 0, indexed: 0 };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'sk = :image AND attribute_not_exists(gsi2pk)',
        ProjectionExpression: 'pk, sk, #key, labels, updatedAt',
        ExpressionAttributeNames: { '#key': 'key' },
        ExpressionAttributeValues: { ':image': IMAGE_SK },
        ExclusiveStartKey: start,
        ...(options.totalSegments
          ? { Segment: options.segment ?? 0, TotalSegments: options.totalSegments }
          : {}),
      }),
    );
    for (const item of (page.Items ?? []) as Pick<
      ImageItem,
      'pk' | 'sk' | 'key' | 'labels' | 'updatedAt'
    >[]) {
      result.found++;
      if (await addEntry({ db, tableName }, item)) result.indexed++;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return result;
}

async function addEntry(
  { db, tableName }: TableRef,
  item: Pick<ImageItem, 'pk' | 'sk' | 'key' | 'labels' | 'updatedAt'>,
): Promise<boolean> {
  const entry = imagesIndexAttributes({
    key: item.key,
    labels: item.labels ?? [],
    updatedAt: item.updatedAt,
  });
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET gsi2pk = :pk, gsi2sk = :sk, topLabels = :top',
        ConditionExpression: 'attribute_not_exists(gsi2pk) AND updatedAt = :seen',
        ExpressionAttributeValues: {
          ':pk': entry.gsi2pk,
          ':sk': entry.gsi2sk,
          ':top': entry.topLabels,
          ':seen': item.updatedAt,
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
