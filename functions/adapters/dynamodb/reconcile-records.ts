/**
 * The record reads of a reconcile (functions/core/reconcile.ts): one GetItem each, strongly
 * consistent, projected to the fields a decision reads.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { IMAGE_SK, imagePk, versionSk } from '../../core/labels-table';
import type { ImageRecordView, ReconcileSources, VersionRecordView } from '../../core/reconcile';
import type { TableRef } from './table-ref';

export function reconcileRecords(table: TableRef): Pick<ReconcileSources, 'versionRecord' | 'imageRecord'> {
  const { db, tableName } = table;
  return {
    versionRecord: async (key, objectVersion) => {
      const { Item } = await db.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: imagePk(key), sk: versionSk(objectVersion) },
          ProjectionExpression: '#status, attempts, leaseUntil',
          ExpressionAttributeNames: { '#status': 'status' },
          ConsistentRead: true,
        }),
      );
      return Item as VersionRecordView | undefined;
    },
    imageRecord: async (key) => {
      const { Item } = await db.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: imagePk(key), sk: IMAGE_SK },
          ProjectionExpression: '#status, objectVersion, sequencer, labelModelVersion, settings',
          ExpressionAttributeNames: { '#status': 'status' },
          ConsistentRead: true,
        }),
      );
      return Item as ImageRecordView | undefined;
    },
  };
}
