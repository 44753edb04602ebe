/**
 * Removes every record of an object key from the labels table, in the order and scope decided
 * in functions/core/image-removal.ts.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  type CurrentRecord,
  type RemovalAnnouncer,
  type RemovalEvent,
  type RemovalResult,
  removalEvent,
  removalOrder,
  removalScope,
} from '../../core/image-removal';
import { IMAGE_SK, imagePk, versionSk } from '../../core/labels-table';
import { batchWrite } from './batch-write';
import type { TableRef } from './table-ref';

export type { RemovalAnnouncer, RemovalEvent, RemovalResult } from '../../core/image-removal';

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

async function deleteAll(table: TableRef, keys: { pk: string; sk: string }[]): Promise<void> {
  if (keys.length > 0)
    await batchWrite(
      table,
      keys.map((item) => ({ DeleteRequest: { Key: item } })),
    );
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
  const scope = removalScope(record, event);
  if (scope === 'NEWER_RECORD_KEPT') return { outcome: scope, itemsDeleted: 0 };
  if (scope === 'OLD_VERSION_ONLY') {
    await deleteAll(table, [{ pk: imagePk(key), sk: versionSk(event.versionId ?? '') }]);
    return { outcome: scope, itemsDeleted: 1 };
  }

  // The IMAGE item goes last; its deletion takes the key out of the label counts (the stream).
  const keys = await keysOf(table, key);
  const { first, last } = removalOrder(keys);
  await deleteAll(table, first);
  const announced = record && removalEvent(key, record, announcer.now?.() ?? new Date());
  if (announced) await announcer.events.publish([announced]);
  await deleteAll(table, last);
  return { outcome: 'REMOVED', itemsDeleted: keys.length };
}
