/**
 * The label counts' ledger on the local DynamoDB: the conditions core/label-counts.ts relies on
 * hold on a real table, and GET /labels (queryLabelCounts) reads what a window wrote, never the
 * shard items beside the counts.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { labelCountsLedger } from '../../../../functions/adapters/dynamodb/label-counts';
import { queryLabelCounts } from '../../../../functions/adapters/dynamodb/labels-query';
import type { TableRef } from '../../../../functions/adapters/dynamodb/table-ref';
import { aggregate, applyWindow, openWindow, settleShard } from '../../../../functions/core/label-counts';
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

const window = (floor: string | undefined, ...changes: [string, string[], string[]][]) =>
  aggregate(
    openWindow(floor),
    changes.map(([sequenceNumber, oldNames, newNames]) => ({ sequenceNumber, oldNames, newNames })),
  ).state;

const counts = async () =>
  Object.fromEntries(
    (await queryLabelCounts(table, { prefix: '', limit: 100 })).map((count) => [
      count.name,
      count.imageCount,
    ]),
  );

async function labelItem(lower: string) {
  const result = await local.db.send(
    new GetCommand({
      TableName: table.tableName,
      Key: { pk: 'LABELS', sk: `LABEL#${lower}` },
      ConsistentRead: true,
    }),
  );
  return result.Item;
}

describe('labelCountsLedger', () => {
  it("applies a window's sums and records how far the shard is counted", async () => {
    const ledger = labelCountsLedger(table);
    const state = window(undefined, ['1', [], ['Dog', 'Beach']], ['2', [], ['dog']], ['3', ['Beach'], []]);

    await expect(applyWindow(ledger, 'shard-1', state)).resolves.toEqual({
      applied: 1,
      alreadyCounted: false,
    });

    expect(await counts()).toEqual({ dog: 2 });
    expect(await ledger.readShard('shard-1')).toEqual({ appliedUpTo: '3', intent: undefined });
    // The tokens went once the window closed.
    expect(await labelItem('dog')).toEqual({ pk: 'LABELS', sk: 'LABEL#dog', name: 'dog', imageCount: 2 });
  });

  it('counts a repeated final invocation once, and a later window on top', async () => {
    const ledger = labelCountsLedger(table);
    const first = window(undefined, ['1', [], ['Dog']]);
    await applyWindow(ledger, 'shard-1', first);
    await applyWindow(ledger, 'shard-1', first);
    const { appliedUpTo } = await settleShard(ledger, 'shard-1');
    await applyWindow(ledger, 'shard-1', window(appliedUpTo, ['1', [], ['Dog']], ['2', [], ['Dog', 'Cat']]));

    expect(await counts()).toEqual({ Dog: 2, Cat: 1 });
  });

  it('refuses a second journal while a window is open, and an ADD its token already made', async () => {
    const ledger = labelCountsLedger(table);
    const intent = { id: 'w1', upTo: '5', deltas: [['Dog', 1] as const] };
    await expect(ledger.journal('shard-1', { ...intent, deltas: [['Dog', 1]] }, undefined)).resolves.toBe(
      true,
    );
    await expect(ledger.journal('shard-1', { ...intent, id: 'w2', deltas: [] }, undefined)).resolves.toBe(
      false,
    );
    await expect(ledger.applyDelta('Dog', 1, 'token-w1')).resolves.toBe(true);
    await expect(ledger.applyDelta('Dog', 1, 'token-w1')).resolves.toBe(false);

    await ledger.closeIntent('shard-1', { ...intent, deltas: [['Dog', 1]] });
    await expect(ledger.journal('shard-1', { ...intent, id: 'w3', deltas: [] }, undefined)).resolves.toBe(
      false,
    );
    await expect(ledger.journal('shard-1', { ...intent, id: 'w3', deltas: [] }, '5')).resolves.toBe(true);
    expect(await counts()).toEqual({ Dog: 1 });
  });

  it('keeps shard items out of GET /labels, whatever the prefix', async () => {
    const ledger = labelCountsLedger(table);
    await applyWindow(ledger, 'S', window(undefined, ['1', [], ['Sand']]));

    expect(await queryLabelCounts(table, { prefix: 's', limit: 10 })).toEqual([
      { name: 'Sand', imageCount: 1 },
    ]);
  });
});
