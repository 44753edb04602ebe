/**
 * The label counts' ledger on the local DynamoDB: the conditions core/label-counts.ts relies on
 * hold on a real table, and GET /labels (queryLabelCounts) reads what a window wrote, never the
 * slot items beside the counts.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { labelCountsLedger } from '../../../../functions/adapters/dynamodb/label-counts';
import { queryLabelCounts } from '../../../../functions/adapters/dynamodb/labels-query';
import type { TableRef } from '../../../../functions/adapters/dynamodb/table-ref';
import {
  aggregate,
  applyWindow,
  type CountedChange,
  openShard,
  SLOT_LEASE_SECONDS,
} from '../../../../functions/core/label-counts';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../../support/local-dynamodb';

let local: LocalDynamoDb;
let table: TableRef;

beforeAll(async () => {
  local = await startLocalDynamoDb({ dirPrefix: 'label-counts-' });
});

beforeEach(async () => {
  table = { db: local.db, tableName: await local.freshTable() };
});

afterAll(async () => {
  await local?.close();
});

const now = new Date('2026-12-04T00:00:00Z');
const nowSeconds = now.getTime() / 1000;

const window = (slot: number, floor: string | undefined, ...changes: [string, string[], string[]][]) =>
  aggregate(
    { slot, floor, deltas: {} },
    changes.map(
      ([sequenceNumber, oldNames, newNames]): CountedChange => ({ sequenceNumber, oldNames, newNames }),
    ),
  ).state;

const counts = async () =>
  Object.fromEntries(
    (await queryLabelCounts(table, { prefix: '', limit: 100 })).map((count) => [
      count.name,
      count.imageCount,
    ]),
  );

async function labelsItem(sk: string) {
  const result = await local.db.send(
    new GetCommand({ TableName: table.tableName, Key: { pk: 'LABELS', sk }, ConsistentRead: true }),
  );
  return result.Item;
}

describe('labelCountsLedger', () => {
  it("claims a slot, applies a window's sums with the slot's mark, and records how far the shard is counted", async () => {
    const ledger = labelCountsLedger(table);
    const { slot } = await openShard(ledger, 'shard-1', now);
    const state = window(
      slot,
      undefined,
      ['1', [], ['Dog', 'Beach']],
      ['2', [], ['dog']],
      ['3', ['Beach'], []],
    );

    await expect(applyWindow(ledger, 'shard-1', state, now)).resolves.toEqual({
      applied: 1,
      alreadyCounted: false,
    });

    expect(await counts()).toEqual({ dog: 2 });
    expect(await labelsItem('LABEL#dog')).toEqual({
      pk: 'LABELS',
      sk: 'LABEL#dog',
      name: 'dog',
      imageCount: 2,
      w0: 1,
    });
    expect(await labelsItem('SLOT#0000')).toEqual({
      pk: 'LABELS',
      sk: 'SLOT#0000',
      slot: 0,
      owner: 'shard-1',
      leaseUntil: nowSeconds + SLOT_LEASE_SECONDS,
      seq: 1,
      appliedUpTo: '3',
    });
  });

  it('counts a repeated final invocation once, and a later window on top', async () => {
    const ledger = labelCountsLedger(table);
    const { slot } = await openShard(ledger, 'shard-1', now);
    const first = window(slot, undefined, ['1', [], ['Dog']]);
    await applyWindow(ledger, 'shard-1', first, now);
    await applyWindow(ledger, 'shard-1', first, now);
    const { appliedUpTo } = await openShard(ledger, 'shard-1', now);
    await applyWindow(
      ledger,
      'shard-1',
      window(slot, appliedUpTo, ['1', [], ['Dog']], ['2', [], ['Dog', 'Cat']]),
      now,
    );

    expect(await counts()).toEqual({ Dog: 2, Cat: 1 });
  });

  it("refuses a delta the slot's window already made, a second journal, and a claim of a slot that changed", async () => {
    const ledger = labelCountsLedger(table);
    await expect(ledger.claimSlot(0, 'shard-1', undefined, nowSeconds + 60)).resolves.toBe(true);
    await expect(ledger.claimSlot(0, 'shard-2', undefined, nowSeconds + 60)).resolves.toBe(false);
    const intent = { seq: 1, upTo: '5', deltas: [['Dog', 1] as const] };
    await expect(ledger.journal(0, 'shard-2', intent, nowSeconds + 60)).resolves.toBe(false);
    await expect(ledger.journal(0, 'shard-1', intent, nowSeconds + 60)).resolves.toBe(true);
    await expect(ledger.journal(0, 'shard-1', { ...intent, seq: 2 }, nowSeconds + 60)).resolves.toBe(false);

    await expect(ledger.applyDelta('Dog', 1, 0, 1)).resolves.toBe(true);
    await expect(ledger.applyDelta('Dog', 1, 0, 1)).resolves.toBe(false);
    await expect(ledger.applyDelta('Dog', 1, 1, 1)).resolves.toBe(true); // another slot's window
    await ledger.closeIntent(0, intent);

    const slot = await ledger.readSlot(0);
    expect(slot).toMatchObject({ seq: 1, appliedUpTo: '5', intent: undefined });
    await expect(
      ledger.claimSlot(0, 'shard-3', { ...(slot ?? { slot: 0, seq: 0 }), leaseUntil: 1 }, 2),
    ).resolves.toBe(false);
    await expect(ledger.claimSlot(0, 'shard-3', slot, nowSeconds + 120)).resolves.toBe(true);
    expect(await ledger.readSlot(0)).toEqual({
      slot: 0,
      owner: 'shard-3',
      leaseUntil: nowSeconds + 120,
      seq: 1,
      appliedUpTo: undefined,
      intent: undefined,
    });
    expect(await counts()).toEqual({ Dog: 2 });
  });

  it('keeps slot items out of GET /labels, whatever the prefix', async () => {
    const ledger = labelCountsLedger(table);
    const { slot } = await openShard(ledger, 'S', now);
    await applyWindow(ledger, 'S', window(slot, undefined, ['1', [], ['Sand']]), now);

    expect(await queryLabelCounts(table, { prefix: 's', limit: 10 })).toEqual([
      { name: 'Sand', imageCount: 1 },
    ]);
  });
});
