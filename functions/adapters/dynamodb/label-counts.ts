/**
 * The label counts' conditional writes (functions/core/label-counts.ts) on the labels table: the
 * COUNTS item of a key journals the intent, the LABELS items hold the counts and the tokens of
 * the deltas in flight.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CountIntent, CountsState, CountsStore } from '../../core/label-counts';
import { COUNTS_SK, IMAGE_SK, imagePk, LABEL_COUNTS_PK, labelCountSk } from '../../core/labels-table';
import type { TableRef } from './table-ref';

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

/** False when the write's condition failed; any other error is thrown. */
async function conditional(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Journals `intent` only against the counts version read (see core/label-counts.ts). */
function journalCommand(tableName: string, key: string, intent: CountIntent, version: number | undefined) {
  return new UpdateCommand({
    TableName: tableName,
    Key: { pk: imagePk(key), sk: COUNTS_SK },
    UpdateExpression: 'SET countIntent = :intent, #key = :key',
    ConditionExpression:
      version === undefined
        ? 'attribute_not_exists(countIntent) AND attribute_not_exists(countsVersion)'
        : 'attribute_not_exists(countIntent) AND countsVersion = :version',
    ExpressionAttributeNames: { '#key': 'key' },
    ExpressionAttributeValues: {
      ':intent': intent,
      ':key': key,
      ...(version === undefined ? {} : { ':version': version }),
    },
  });
}

/** +1 or -1 on a label's count, unless the token already applied it. */
function deltaCommand(tableName: string, name: string, delta: 1 | -1, token: string) {
  return new UpdateCommand({
    TableName: tableName,
    Key: { pk: LABEL_COUNTS_PK, sk: labelCountSk(name) },
    UpdateExpression:
      delta > 0
        ? 'SET #name = :name ADD imageCount :delta, tokens :token'
        : 'ADD imageCount :delta, tokens :token',
    ConditionExpression: 'attribute_not_exists(tokens) OR NOT contains(tokens, :tokenValue)',
    ExpressionAttributeNames: delta > 0 ? { '#name': 'name' } : undefined,
    ExpressionAttributeValues: {
      ...(delta > 0 ? { ':name': name } : {}),
      ':delta': delta,
      ':token': new Set([token]),
      ':tokenValue': token,
    },
  });
}

/** Closes `intent` if it is still the open one. */
function closeCommand(tableName: string, key: string, intent: CountIntent) {
  return new UpdateCommand({
    TableName: tableName,
    Key: { pk: imagePk(key), sk: COUNTS_SK },
    UpdateExpression:
      'SET countedLabels = :next, countsVersion = if_not_exists(countsVersion, :zero) + :one REMOVE countIntent',
    ConditionExpression: 'countIntent.id = :id',
    ExpressionAttributeValues: { ':next': intent.next, ':id': intent.id, ':zero': 0, ':one': 1 },
  });
}

export function labelCountsStore({ db, tableName }: TableRef): CountsStore {
  return {
    async readLabelNames(key) {
      const image = await db.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: imagePk(key), sk: IMAGE_SK },
          ProjectionExpression: 'labelNames',
          ConsistentRead: true,
        }),
      );
      return image.Item?.labelNames as string[] | undefined;
    },
    async readCounts(key) {
      const counts = await db.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: imagePk(key), sk: COUNTS_SK },
          ConsistentRead: true,
        }),
      );
      return (counts.Item ?? {}) as CountsState;
    },
    journal: (key, intent, version) =>
      conditional(() => db.send(journalCommand(tableName, key, intent, version))),
    applyDelta: (name, delta, token) =>
      conditional(() => db.send(deltaCommand(tableName, name, delta, token))),
    async closeIntent(key, intent) {
      // A failed condition: another caller closed it.
      await conditional(() => db.send(closeCommand(tableName, key, intent)));
    },
    async forgetToken(name, token) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: LABEL_COUNTS_PK, sk: labelCountSk(name) },
          UpdateExpression: 'DELETE tokens :token',
          ExpressionAttributeValues: { ':token': new Set([token]) },
        }),
      );
    },
  };
}
