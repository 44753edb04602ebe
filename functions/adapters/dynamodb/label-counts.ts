/**
 * The label counts' conditional writes (functions/core/label-counts.ts) on the labels table: a
 * slot item per stream shard at work journals the window being applied, the LABELS items hold
 * the counts and each slot's mark of the last window added.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CountsLedgerStore, Slot, WindowIntent } from '../../core/label-counts';
import { LABEL_COUNTS_PK, labelCountSk, SLOT_SK_PREFIX, slotSk } from '../../core/labels-table';
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

const slotKey = (slot: number) => ({ pk: LABEL_COUNTS_PK, sk: slotSk(slot) });
/** The attribute of a label item that holds a slot's mark. */
const markOf = (slot: number) => `w${slot}`;

function slotOf(item: Record<string, unknown>): Slot {
  return {
    slot: Number(item.slot),
    owner: item.owner as string | undefined,
    leaseUntil: item.leaseUntil as number | undefined,
    seq: Number(item.seq ?? 0),
    appliedUpTo: item.appliedUpTo as string | undefined,
    intent: item.intent as WindowIntent | undefined,
  };
}

/** Takes a slot that is still as read (or does not exist yet) and has no intent. */
function claimCommand(
  tableName: string,
  slot: number,
  shardId: string,
  previous: Slot | undefined,
  lease: number,
) {
  return new UpdateCommand({
    TableName: tableName,
    Key: slotKey(slot),
    UpdateExpression:
      'SET #owner = :owner, leaseUntil = :lease, slot = :slot, seq = if_not_exists(seq, :zero) REMOVE appliedUpTo',
    ConditionExpression: previous
      ? '#owner = :previousOwner AND leaseUntil = :previousLease AND attribute_not_exists(intent)'
      : 'attribute_not_exists(pk)',
    ExpressionAttributeNames: { '#owner': 'owner' },
    ExpressionAttributeValues: {
      ':owner': shardId,
      ':lease': lease,
      ':slot': slot,
      ':zero': 0,
      ...(previous ? { ':previousOwner': previous.owner, ':previousLease': previous.leaseUntil } : {}),
    },
  });
}

/** Journals a window on the shard's own slot, numbered one past the slot's last. */
function journalCommand(
  tableName: string,
  slot: number,
  shardId: string,
  intent: WindowIntent,
  lease: number,
) {
  return new UpdateCommand({
    TableName: tableName,
    Key: slotKey(slot),
    UpdateExpression: 'SET intent = :intent, seq = :seq, leaseUntil = :lease',
    ConditionExpression: '#owner = :owner AND attribute_not_exists(intent) AND seq = :previousSeq',
    ExpressionAttributeNames: { '#owner': 'owner' },
    ExpressionAttributeValues: {
      ':intent': intent,
      ':seq': intent.seq,
      ':previousSeq': intent.seq - 1,
      ':lease': lease,
      ':owner': shardId,
    },
  });
}

/** Adds `delta` to a label's count and marks it with the window, unless the mark is there already. */
function deltaCommand(tableName: string, name: string, delta: number, slot: number, seq: number) {
  return new UpdateCommand({
    TableName: tableName,
    Key: { pk: LABEL_COUNTS_PK, sk: labelCountSk(name) },
    UpdateExpression: `SET #mark = :seq${delta > 0 ? ', #name = :name' : ''} ADD imageCount :delta`,
    ConditionExpression: 'attribute_not_exists(#mark) OR #mark < :seq',
    ExpressionAttributeNames: { '#mark': markOf(slot), ...(delta > 0 ? { '#name': 'name' } : {}) },
    ExpressionAttributeValues: { ':seq': seq, ':delta': delta, ...(delta > 0 ? { ':name': name } : {}) },
  });
}

export function labelCountsLedger({ db, tableName }: TableRef): CountsLedgerStore {
  return {
    async readSlots() {
      const slots: Slot[] = [];
      const pages = paginateQuery(
        { client: db },
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': LABEL_COUNTS_PK, ':prefix': SLOT_SK_PREFIX },
          ConsistentRead: true,
        },
      );
      for await (const page of pages) slots.push(...(page.Items ?? []).map(slotOf));
      return slots;
    },
    async readSlot(slot) {
      const result = await db.send(
        new GetCommand({ TableName: tableName, Key: slotKey(slot), ConsistentRead: true }),
      );
      return result.Item ? slotOf(result.Item) : undefined;
    },
    claimSlot: (slot, shardId, previous, leaseUntil) =>
      conditional(() => db.send(claimCommand(tableName, slot, shardId, previous, leaseUntil))),
    journal: (slot, shardId, intent, leaseUntil) =>
      conditional(() => db.send(journalCommand(tableName, slot, shardId, intent, leaseUntil))),
    applyDelta: (name, delta, slot, seq) =>
      conditional(() => db.send(deltaCommand(tableName, name, delta, slot, seq))),
    async closeIntent(slot, intent) {
      // A failed condition: the intent was closed already (an earlier attempt got this far).
      await conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: slotKey(slot),
            UpdateExpression: 'SET appliedUpTo = :upTo REMOVE intent',
            ConditionExpression: 'intent.seq = :seq',
            ExpressionAttributeValues: { ':upTo': intent.upTo, ':seq': intent.seq },
          }),
        ),
      );
    },
  };
}
