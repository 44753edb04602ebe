/**
 * The label counts from the stream: what one IMAGE write changes, how a window sums its batches
 * and skips records counted already, and how a window's sums are applied exactly once per shard
 * against an in-memory ledger that keeps DynamoDB's conditions (crashes included). The same
 * ledger on the local DynamoDB: test/functions/adapters/dynamodb/label-counts.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  aggregate,
  applyWindow,
  type CountedChange,
  type CountsLedgerStore,
  compareSequence,
  openWindow,
  recordDeltas,
  type ShardLedger,
  settleShard,
  type WindowState,
} from '../../../functions/core/label-counts';

/** The shard and count items in memory, with the adapter's conditions; `failAt` crashes a call. */
function memoryLedger() {
  const shards = new Map<string, ShardLedger>();
  const labels = new Map<string, { name: string; imageCount: number; tokens: Set<string> }>();
  const calls: string[] = [];
  let failAt: string | undefined;
  const step = (call: string) => {
    calls.push(call);
    if (failAt && call.startsWith(failAt)) {
      failAt = undefined;
      throw new Error(`crash at ${call}`);
    }
  };
  const store: CountsLedgerStore = {
    async readShard(shardId) {
      step(`readShard ${shardId}`);
      return structuredClone(shards.get(shardId) ?? {});
    },
    async journal(shardId, intent, appliedUpTo) {
      step(`journal ${shardId}`);
      const shard = shards.get(shardId) ?? {};
      if (shard.intent || shard.appliedUpTo !== appliedUpTo) return false;
      shards.set(shardId, { ...shard, intent: structuredClone(intent) });
      return true;
    },
    async applyDelta(name, delta, token) {
      step(`applyDelta ${name} ${delta}`);
      const item = labels.get(name.toLowerCase()) ?? { name, imageCount: 0, tokens: new Set<string>() };
      labels.set(name.toLowerCase(), item);
      if (item.tokens.has(token)) return false;
      item.imageCount += delta;
      if (delta > 0) item.name = name;
      item.tokens.add(token);
      return true;
    },
    async closeIntent(shardId, intent) {
      step(`closeIntent ${shardId}`);
      const shard = shards.get(shardId) ?? {};
      if (shard.intent?.id === intent.id) shards.set(shardId, { appliedUpTo: intent.upTo });
    },
    async forgetToken(name, token) {
      step(`forgetToken ${name}`);
      labels.get(name.toLowerCase())?.tokens.delete(token);
    },
  };
  return {
    store,
    calls,
    shards,
    crashAt(call: string) {
      failAt = call;
    },
    counts: () =>
      Object.fromEntries(
        [...labels.values()]
          .filter((item) => item.imageCount !== 0)
          .map((item) => [item.name, item.imageCount]),
      ),
    tokensLeft: () => [...labels.values()].reduce((sum, item) => sum + item.tokens.size, 0),
  };
}

const change = (sequenceNumber: string, oldNames: string[], newNames: string[]): CountedChange => ({
  sequenceNumber,
  oldNames,
  newNames,
});

const ids = () => {
  let next = 0;
  return () => `intent-${++next}`;
};

describe('recordDeltas', () => {
  it('counts every label of a new record once', () => {
    expect([...recordDeltas(change('1', [], ['Dog', 'Beach']))]).toEqual([
      ['dog', ['Dog', 1]],
      ['beach', ['Beach', 1]],
    ]);
  });

  it('changes only the labels a relabel adds or drops, whatever their case', () => {
    expect([...recordDeltas(change('2', ['Dog', 'beach'], ['Beach', 'Sand']))]).toEqual([
      ['sand', ['Sand', 1]],
      ['dog', ['Dog', -1]],
    ]);
  });

  it('takes every label back when the record goes (a deletion) or loses its labels (FAILED)', () => {
    expect([...recordDeltas(change('3', ['Dog'], []))]).toEqual([['dog', ['Dog', -1]]]);
  });
});

describe('compareSequence', () => {
  it('orders sequence numbers as numbers, beyond what a double holds exactly', () => {
    expect(compareSequence('9', '10')).toBe(-1);
    expect(compareSequence('100000000000000000000001', '100000000000000000000000')).toBe(1);
    expect(compareSequence('42', '42')).toBe(0);
  });
});

describe('aggregate', () => {
  it('sums the changes of a window by label, in stream order', () => {
    let state: WindowState = openWindow(undefined);
    ({ state } = aggregate(state, [change('1', [], ['Dog', 'Beach']), change('2', [], ['dog'])]));
    const { state: next, added } = aggregate(state, [change('3', ['Dog', 'Beach'], ['Beach'])]);

    expect(added).toBe(1);
    expect(next).toEqual({
      floor: undefined,
      lastSeq: '3',
      deltas: { dog: ['dog', 1], beach: ['Beach', 1] },
    });
  });

  it('skips records at or below the floor (counted by an earlier window) and repeated ones', () => {
    const state = openWindow('10');
    const first = aggregate(state, [change('9', [], ['Old']), change('11', [], ['Dog'])]);
    const repeated = aggregate(first.state, [change('11', [], ['Dog']), change('12', [], ['Cat'])]);

    expect(first.added).toBe(1);
    expect(repeated.added).toBe(1);
    expect(repeated.state.deltas).toEqual({ dog: ['Dog', 1], cat: ['Cat', 1] });
  });

  it('does not change the state it is given', () => {
    const state = openWindow(undefined);
    aggregate(state, [change('1', [], ['Dog'])]);
    expect(state).toEqual({ floor: undefined, deltas: {} });
  });
});

describe('applyWindow', () => {
  const window = (floor: string | undefined, ...changes: CountedChange[]) =>
    aggregate(openWindow(floor), changes).state;

  it("writes each label's sum once, and moves the shard's appliedUpTo to the window's last record", async () => {
    const ledger = memoryLedger();
    const state = window(undefined, change('1', [], ['Dog', 'Beach']), change('2', [], ['Dog']));

    const result = await applyWindow(ledger.store, 'shard-1', state, ids());

    expect(result).toEqual({ applied: 2, alreadyCounted: false });
    expect(ledger.counts()).toEqual({ Dog: 2, Beach: 1 });
    expect(ledger.shards.get('shard-1')).toEqual({ appliedUpTo: '2' });
    expect(ledger.tokensLeft()).toBe(0);
  });

  it('writes nothing for a label whose changes cancel out in the window', async () => {
    const ledger = memoryLedger();
    const state = window(undefined, change('1', [], ['Dog', 'Cat']), change('2', ['Dog', 'Cat'], ['Cat']));

    await applyWindow(ledger.store, 'shard-1', state, ids());

    expect(ledger.calls.filter((call) => call.startsWith('applyDelta'))).toEqual(['applyDelta Cat 1']);
  });

  it('changes nothing when the final invocation is delivered again', async () => {
    const ledger = memoryLedger();
    const state = window(undefined, change('1', [], ['Dog']));
    await applyWindow(ledger.store, 'shard-1', state, ids());

    await expect(applyWindow(ledger.store, 'shard-1', state, ids())).resolves.toEqual({
      applied: 0,
      alreadyCounted: true,
    });
    expect(ledger.counts()).toEqual({ Dog: 1 });
  });

  it.each(['applyDelta Beach', 'closeIntent', 'forgetToken Dog'])(
    'counts exactly once when it crashes at %s and the window is delivered again',
    async (crashAt) => {
      const ledger = memoryLedger();
      const state = window(undefined, change('1', [], ['Dog', 'Beach']));
      ledger.crashAt(crashAt);
      await expect(applyWindow(ledger.store, 'shard-1', state, ids())).rejects.toThrow('crash');

      await applyWindow(ledger.store, 'shard-1', state, ids());

      expect(ledger.counts()).toEqual({ Dog: 1, Beach: 1 });
      expect(ledger.shards.get('shard-1')).toEqual({ appliedUpTo: '1' });
    },
  );

  it("rolls forward a crashed window when the shard's next window opens", async () => {
    const ledger = memoryLedger();
    ledger.crashAt('applyDelta Beach');
    await expect(
      applyWindow(ledger.store, 'shard-1', window(undefined, change('1', [], ['Dog', 'Beach'])), ids()),
    ).rejects.toThrow('crash');

    const settled = await settleShard(ledger.store, 'shard-1');
    const next = window(settled.appliedUpTo, change('1', [], ['Dog', 'Beach']), change('2', ['Dog'], []));
    await applyWindow(ledger.store, 'shard-1', next, ids());

    expect(settled).toEqual({ appliedUpTo: '1', rolledForward: 1 });
    expect(ledger.counts()).toEqual({ Beach: 1 });
  });

  it('keeps shards apart: each has its own ledger', async () => {
    const ledger = memoryLedger();
    await applyWindow(ledger.store, 'shard-1', window(undefined, change('5', [], ['Dog'])), ids());
    await applyWindow(ledger.store, 'shard-2', window(undefined, change('3', [], ['Dog'])), ids());

    expect(ledger.counts()).toEqual({ Dog: 2 });
    expect(ledger.shards.get('shard-2')).toEqual({ appliedUpTo: '3' });
  });

  it('writes nothing for a window without records', async () => {
    const ledger = memoryLedger();
    await expect(applyWindow(ledger.store, 'shard-1', openWindow(undefined), ids())).resolves.toEqual({
      applied: 0,
      alreadyCounted: false,
    });
    expect(ledger.calls).toEqual(['readShard shard-1']);
  });
});
