/**
 * Exact label counts (GET /labels) without transactions.
 *
 * Items:
 *   pk = LABELS        sk = LABEL#<name lower-cased>  imageCount, name, tokens (in-flight deltas)
 *   pk = IMAGE#<key>   sk = COUNTS                    countedLabels: the names the counts include
 *                                                     for this key; countIntent: a delta being applied;
 *                                                     countsVersion: how many deltas were applied
 *
 * After every write of an IMAGE record (and before a deletion) `reconcileLabelCounts` brings the
 * counts in line with the record's `labelNames`: it computes the diff between what is counted
 * and what the record says, journals it on the COUNTS item (`countIntent`, with a fresh id),
 * applies each +1/-1 with an ADD that is conditional on the intent's token not being in the
 * count item's `tokens` set (so a replayed delta is a no-op), then makes the intent the new
 * `countedLabels` and finally removes the tokens. A crash at any point is rolled forward by the
 * next reconcile of the key (a retried store step, a later version, a deletion): no delta is
 * applied twice or lost. Relabeling, processing twice and deleting all reduce to "make the
 * counts match the current record", which is idempotent.
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { COUNTS_SK, IMAGE_SK, imagePk, keyHash, LABEL_COUNTS_PK, labelCountSk } from '../core/labels-table';
import type { TableRef } from './labels-store';

/** The labels table (the same shape as labels-store's TableRef). */
export type CountsTable = TableRef;

export interface CountIntent {
  id: string;
  add: string[];
  remove: string[];
  next: string[];
}

interface CountsItem {
  countedLabels?: string[];
  /** How many intents have been closed: a change is journaled only against the version it read. */
  countsVersion?: number;
  countIntent?: CountIntent;
}

const MAX_ROUNDS = 5;

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

/** The diff between two sets of label names, compared case-insensitively. */
export function countDiff(counted: string[], target: string[]): { add: string[]; remove: string[] } {
  const lower = (names: string[]) => new Map(names.map((name) => [name.toLowerCase(), name]));
  const before = lower(counted);
  const after = lower(target);
  return {
    add: [...after].filter(([name]) => !before.has(name)).map(([, name]) => name),
    remove: [...before].filter(([name]) => !after.has(name)).map(([, name]) => name),
  };
}

async function applyDelta(table: CountsTable, name: string, delta: 1 | -1, token: string): Promise<boolean> {
  try {
    await table.db.send(
      new UpdateCommand({
        TableName: table.tableName,
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
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false; // applied before a crash: not again
    throw error;
  }
}

async function forgetToken(table: CountsTable, name: string, token: string): Promise<void> {
  await table.db.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: { pk: LABEL_COUNTS_PK, sk: labelCountSk(name) },
      UpdateExpression: 'DELETE tokens :token',
      ExpressionAttributeValues: { ':token': new Set([token]) },
    }),
  );
}

/** Applies a journaled intent; safe to run any number of times, by any caller. */
async function rollForward(table: CountsTable, key: string, intent: CountIntent): Promise<number> {
  const token = `${keyHash(key)}#${intent.id}`;
  let applied = 0;
  for (const name of intent.add) if (await applyDelta(table, name, 1, token)) applied++;
  for (const name of intent.remove) if (await applyDelta(table, name, -1, token)) applied++;
  try {
    await table.db.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: imagePk(key), sk: COUNTS_SK },
        UpdateExpression:
          'SET countedLabels = :next, countsVersion = if_not_exists(countsVersion, :zero) + :one REMOVE countIntent',
        ConditionExpression: 'countIntent.id = :id',
        ExpressionAttributeValues: { ':next': intent.next, ':id': intent.id, ':zero': 0, ':one': 1 },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error; // another caller finished it
  }
  // Only after the intent is closed: a token removed earlier could let a replay count twice.
  for (const name of [...intent.add, ...intent.remove]) await forgetToken(table, name, token);
  return applied;
}

/**
 * Makes the label counts include `key` exactly for the names its IMAGE record lists (or for
 * `options.target`, e.g. [] before a deletion). Returns the number of count deltas applied.
 */
export async function reconcileLabelCounts(
  table: CountsTable,
  key: string,
  options: { target?: string[] } = {},
): Promise<number> {
  let applied = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // The IMAGE record only matters when no target is given (a deletion gives []).
    const [image, counts] = await Promise.all([
      options.target
        ? undefined
        : table.db.send(
            new GetCommand({
              TableName: table.tableName,
              Key: { pk: imagePk(key), sk: IMAGE_SK },
              ProjectionExpression: 'labelNames',
              ConsistentRead: true,
            }),
          ),
      table.db.send(
        new GetCommand({
          TableName: table.tableName,
          Key: { pk: imagePk(key), sk: COUNTS_SK },
          ConsistentRead: true,
        }),
      ),
    ]);
    const state = (counts.Item ?? {}) as CountsItem;
    if (state.countIntent) {
      applied += await rollForward(table, key, state.countIntent);
      continue;
    }
    const target = options.target ?? (image?.Item?.labelNames as string[] | undefined) ?? [];
    const { add, remove } = countDiff(state.countedLabels ?? [], target);
    if (add.length === 0 && remove.length === 0) return applied;
    const intent: CountIntent = { id: randomUUID(), add, remove, next: target };
    // The diff holds only against the counted labels as read: a caller that read them, then
    // stalled while another finished the same change (the API's and the S3 event's removal of
    // one key race), must not journal it a second time.
    const version = state.countsVersion;
    try {
      await table.db.send(
        new UpdateCommand({
          TableName: table.tableName,
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
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      continue; // another caller changed the counts first: roll theirs forward, then look again
    }
    applied += await rollForward(table, key, intent);
    // Loop once more: the record may have changed while we counted.
  }
  return applied;
}
