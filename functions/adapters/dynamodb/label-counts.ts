/**
 * The label counts' conditional writes (functions/core/label-counts.ts) on the labels table: a
 * shard item per stream shard journals the window being applied, the LABELS items hold the
 * counts and the tokens of the deltas in flight.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CountsLedgerStore, ShardLedger, WindowIntent } from '../../core/label-counts';
import { LABEL_COUNTS_PK, labelCountSk, shardLedgerSk } from '../../core/labels-table';
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

const shardKey = (shardId: string) => ({ pk: LABEL_COUNTS_PK, sk: shardLedgerSk(shardId) });

/** Journals `intent` only against the appliedUpTo read (see core/label-counts.ts). */
function journalCommand(
  tableName: string,
  shardId: string,
  intent: WindowIntent,
  appliedUpTo: string | undefined,
) {
  return new UpdateCommand({
    TableName: tableName,
    Key: shardKey(shardId),
    UpdateExpression: 'SET intent = :intent, shardId = :shardId',
    ConditionExpression:
      appliedUpTo === undefined
        ? 'attribute_not_exists(intent) AND attribute_not_exists(appliedUpTo)'
        : 'attribute_not_exists(intent) AND appliedUpTo = :appliedUpTo',
    ExpressionAttributeValues: {
      ':intent': intent,
      ':shardId': shardId,
      ...(appliedUpTo === undefined ? {} : { ':appliedUpTo': appliedUpTo }),
    },
  });
}

/** Adds `delta` to a label's count, unless the token already applied it. */
function deltaCommand(tableName: string, name: string, delta: number, token: string) {
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

export function labelCountsLedger({ db, tableName }: TableRef): CountsLedgerStore {
  return {
    async readShard(shardId) {
      const shard = await db.send(
        new GetCommand({ TableName: tableName, Key: shardKey(shardId), ConsistentRead: true }),
      );
      const item = shard.Item ?? {};
      return { appliedUpTo: item.appliedUpTo, intent: item.intent } as ShardLedger;
    },
    journal: (shardId, intent, appliedUpTo) =>
      conditional(() => db.send(journalCommand(tableName, shardId, intent, appliedUpTo))),
    applyDelta: (name, delta, token) =>
      conditional(() => db.send(deltaCommand(tableName, name, delta, token))),
    async closeIntent(shardId, intent) {
      // A failed condition: the intent was closed already (an earlier attempt got this far).
      await conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: shardKey(shardId),
            UpdateExpression: 'SET appliedUpTo = :upTo REMOVE intent',
            ConditionExpression: 'intent.id = :id',
            ExpressionAttributeValues: { ':upTo': intent.upTo, ':id': intent.id },
          }),
        ),
      );
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
