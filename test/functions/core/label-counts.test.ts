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
  openShard,
  recordDeltas,
  SLOT_LEASE_SECONDS,
  type Slot,
  type WindowState,
} from '../../../functions/core/label-counts';

/** The slot and count items in memory, with the adapter's conditions; `crashAt` crashes a call. */
function memoryLedger() {
  const slots = new Map<number, Slot>();
  const labels = new Map<string, { name: string; imageCount: number; marks: Map<number, number> }>();
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
    async readSlots() {
      step('readSlots');
      return structuredClone([...slots.values()]);
    },
    async readSlot(slot) {
      step(`readSlot ${slot}`);
      return structuredClone(slots.get(slot));
    },
    async claimSlot(slot, shardId, previous, leaseUntil) {
      step(`claimSlot ${slot} ${shardId}`);
      const current = slots.get(slot);
      const unchanged = previous
        ? current?.owner === previous.owner && current?.leaseUntil === previous.leaseUntil && !current?.intent
        : current === undefined;
      if (!unchanged) return false;
      slots.set(slot, { slot, owner: shardId, leaseUntil, seq: current?.seq ?? 0 });
      return true;
    },
    async journal(slot, shardId, intent, leaseUntil) {
      step(`journal ${slot}`);
      const current = slots.get(slot);
      if (!current || current.owner !== shardId || current.intent || current.seq !== intent.seq - 1)
        return false;
      slots.set(slot, { ...current, seq: intent.seq, leaseUntil, intent: structuredClone(intent) });
      return true;
    },
    async applyDelta(name, delta, slot, seq) {
      step(`applyDelta ${name} ${delta}`);
      const item = labels.get(name.toLowerCase()) ?? {
        name,
        imageCount: 0,
        marks: new Map<number, number>(),
      };
      labels.set(name.toLowerCase(), item);
      if ((item.marks.get(slot) ?? 0) >= seq) return false;
      item.imageCount += delta;
      if (delta > 0) item.name = name;
      item.marks.set(slot, seq);
      return true;
    },
    async closeIntent(slot, intent) {
      step(`closeIntent ${slot}`);
      const current = slots.get(slot);
      if (current?.intent?.seq === intent.seq) {
        slots.set(slot, { ...current, intent: undefined, appliedUpTo: intent.upTo });
      }
    },
  };
  return {
    store,
    calls,
    slots,
    crashAt(call: string) {
      failAt = call;
    },
    counts: () =>
      Object.fromEntries(
        [...labels.values()]
          .filter((item) => item.imageCount !== 0)
          .map((item) => [item.name, item.imageCount]),
      ),
  };
}

const change = (sequenceNumber: string, oldNames: string[], newNames: string[]): CountedChange => ({
  sequenceNumber,
  oldNames,
  newNames,
});

const now = new Date('2026-12-04T00:00:00Z');
const nowSeconds = now.getTime() / 1000;
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);
const openWindow = (slot: number, floor?: string): WindowState => ({ slot, floor, deltas: {} });
const window = (slot: number, floor: string | undefined, ...changes: CountedChange[]) =>
  aggregate(openWindow(slot, floor), changes).state;

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
    let state = openWindow(0);
    ({ state } = aggregate(state, [change('1', [], ['Dog', 'Beach']), change('2', [], ['dog'])]));
    const { state: next, added } = aggregate(state, [change('3', ['Dog', 'Beach'], ['Beach'])]);

    expect(added).toBe(1);
    expect(next).toEqual({
      slot: 0,
      floor: undefined,
      lastSeq: '3',
      deltas: { dog: ['dog', 1], beach: ['Beach', 1] },
    });
  });

  it('skips records at or below the floor (counted by an earlier window) and repeated ones', () => {
    const first = aggregate(openWindow(0, '10'), [change('9', [], ['Old']), change('11', [], ['Dog'])]);
    const repeated = aggregate(first.state, [change('11', [], ['Dog']), change('12', [], ['Cat'])]);

    expect(first.added).toBe(1);
    expect(repeated.added).toBe(1);
    expect(repeated.state.deltas).toEqual({ dog: ['Dog', 1], cat: ['Cat', 1] });
  });

  it('does not change the state it is given', () => {
    const state = openWindow(0);
    aggregate(state, [change('1', [], ['Dog'])]);
    expect(state).toEqual({ slot: 0, floor: undefined, deltas: {} });
  });
});

describe('openShard', () => {
  it('gives a new shard the first free slot, leased beyond the stream retention', async () => {
    const ledger = memoryLedger();

    await expect(openShard(ledger.store, 'shard-1', now)).resolves.toEqual({
      slot: 0,
      appliedUpTo: undefined,
      rolledForward: 0,
    });
    await expect(openShard(ledger.store, 'shard-2', now)).resolves.toMatchObject({ slot: 1 });
    await expect(openShard(ledger.store, 'shard-1', now)).resolves.toMatchObject({ slot: 0 });
    expect(ledger.slots.get(0)).toEqual({
      slot: 0,
      owner: 'shard-1',
      leaseUntil: nowSeconds + SLOT_LEASE_SECONDS,
      seq: 0,
    });
  });

  it("hands a slot whose shard stopped counting to a new shard, keeping the slot's window numbers", async () => {
    const ledger = memoryLedger();
    const { slot } = await openShard(ledger.store, 'old-shard', now);
    await applyWindow(ledger.store, 'old-shard', window(slot, undefined, change('1', [], ['Dog'])), now);

    const taken = await openShard(ledger.store, 'new-shard', later(SLOT_LEASE_SECONDS + 1));
    await applyWindow(
      ledger.store,
      'new-shard',
      window(taken.slot, undefined, change('7', [], ['Dog'])),
      later(SLOT_LEASE_SECONDS + 2),
    );

    expect(taken).toEqual({ slot: 0, appliedUpTo: undefined, rolledForward: 0 });
    expect(ledger.slots.get(0)).toMatchObject({ owner: 'new-shard', seq: 2, appliedUpTo: '7' });
    expect(ledger.counts()).toEqual({ Dog: 2 });
  });
});

describe('applyWindow', () => {
  async function opened(ledger: ReturnType<typeof memoryLedger>, shardId = 'shard-1') {
    return (await openShard(ledger.store, shardId, now)).slot;
  }

  it("writes each label's sum once, and moves the shard's appliedUpTo to the window's last record", async () => {
    const ledger = memoryLedger();
    const slot = await opened(ledger);
    const state = window(slot, undefined, change('1', [], ['Dog', 'Beach']), change('2', [], ['Dog']));

    const result = await applyWindow(ledger.store, 'shard-1', state, now);

    expect(result).toEqual({ applied: 2, alreadyCounted: false });
    expect(ledger.counts()).toEqual({ Dog: 2, Beach: 1 });
    expect(ledger.slots.get(slot)).toMatchObject({ seq: 1, appliedUpTo: '2', intent: undefined });
    // One write per label, no clean-up writes.
    expect(ledger.calls.filter((call) => /^(journal|applyDelta|closeIntent)/.test(call))).toEqual([
      'journal 0',
      'applyDelta Dog 2',
      'applyDelta Beach 1',
      'closeIntent 0',
    ]);
  });

  it('writes nothing for a label whose changes cancel out in the window', async () => {
    const ledger = memoryLedger();
    const slot = await opened(ledger);
    const state = window(
      slot,
      undefined,
      change('1', [], ['Dog', 'Cat']),
      change('2', ['Dog', 'Cat'], ['Cat']),
    );

    await applyWindow(ledger.store, 'shard-1', state, now);

    expect(ledger.calls.filter((call) => call.startsWith('applyDelta'))).toEqual(['applyDelta Cat 1']);
  });

  it('changes nothing when the final invocation is delivered again', async () => {
    const ledger = memoryLedger();
    const state = window(await opened(ledger), undefined, change('1', [], ['Dog']));
    await applyWindow(ledger.store, 'shard-1', state, now);

    await expect(applyWindow(ledger.store, 'shard-1', state, now)).resolves.toEqual({
      applied: 0,
      alreadyCounted: true,
    });
    expect(ledger.counts()).toEqual({ Dog: 1 });
  });

  it.each(['applyDelta Beach', 'closeIntent'])(
    'counts exactly once when it crashes at %s and the window is delivered again',
    async (crashAt) => {
      const ledger = memoryLedger();
      const state = window(await opened(ledger), undefined, change('1', [], ['Dog', 'Beach']));
      ledger.crashAt(crashAt);
      await expect(applyWindow(ledger.store, 'shard-1', state, now)).rejects.toThrow('crash');

      await applyWindow(ledger.store, 'shard-1', state, now);

      expect(ledger.counts()).toEqual({ Dog: 1, Beach: 1 });
      expect(ledger.slots.get(0)).toMatchObject({ seq: 1, appliedUpTo: '1', intent: undefined });
    },
  );

  it("rolls forward a crashed window when the shard's next window opens", async () => {
    const ledger = memoryLedger();
    const slot = await opened(ledger);
    ledger.crashAt('applyDelta Beach');
    await expect(
      applyWindow(ledger.store, 'shard-1', window(slot, undefined, change('1', [], ['Dog', 'Beach'])), now),
    ).rejects.toThrow('crash');

    const reopened = await openShard(ledger.store, 'shard-1', now);
    const next = window(
      slot,
      reopened.appliedUpTo,
      change('1', [], ['Dog', 'Beach']),
      change('2', ['Dog'], []),
    );
    await applyWindow(ledger.store, 'shard-1', next, now);

    expect(reopened).toEqual({ slot, appliedUpTo: '1', rolledForward: 1 });
    expect(ledger.counts()).toEqual({ Beach: 1 });
  });

  it('finishes the crashed window of a shard that never came back before taking its slot', async () => {
    const ledger = memoryLedger();
    const slot = await opened(ledger, 'gone');
    ledger.crashAt('applyDelta Beach');
    await expect(
      applyWindow(ledger.store, 'gone', window(slot, undefined, change('1', [], ['Dog', 'Beach'])), now),
    ).rejects.toThrow('crash');

    const taken = await openShard(ledger.store, 'next', later(SLOT_LEASE_SECONDS + 1));

    expect(taken).toEqual({ slot, appliedUpTo: undefined, rolledForward: 1 });
    expect(ledger.counts()).toEqual({ Dog: 1, Beach: 1 });
  });

  it('keeps shards apart: a crash in one never makes another count twice', async () => {
    const ledger = memoryLedger();
    const one = await opened(ledger, 'shard-1');
    const two = await opened(ledger, 'shard-2');
    ledger.crashAt('applyDelta Cat');
    await expect(
      applyWindow(ledger.store, 'shard-1', window(one, undefined, change('5', [], ['Dog', 'Cat'])), now),
    ).rejects.toThrow('crash');
    // Another shard marks Dog with its own slot's window number meanwhile.
    await applyWindow(ledger.store, 'shard-2', window(two, undefined, change('3', [], ['Dog'])), now);

    await applyWindow(ledger.store, 'shard-1', window(one, undefined, change('5', [], ['Dog', 'Cat'])), now);

    expect(ledger.counts()).toEqual({ Dog: 2, Cat: 1 });
  });

  it('counts under a new slot when its lease ran out and another shard took the slot mid-window', async () => {
    const ledger = memoryLedger();
    const slot = await opened(ledger, 'stalled');
    const late = later(SLOT_LEASE_SECONDS + 1);
    await openShard(ledger.store, 'other', late);

    await applyWindow(ledger.store, 'stalled', window(slot, undefined, change('1', [], ['Dog'])), late);

    expect(ledger.counts()).toEqual({ Dog: 1 });
    expect(ledger.slots.get(0)).toMatchObject({ owner: 'other' });
    expect(ledger.slots.get(1)).toMatchObject({ owner: 'stalled', seq: 1, appliedUpTo: '1' });
  });

  it('writes nothing for a window without records', async () => {
    const ledger = memoryLedger();
    const slot = await opened(ledger);
    await expect(applyWindow(ledger.store, 'shard-1', openWindow(slot), now)).resolves.toEqual({
      applied: 0,
      alreadyCounted: false,
    });
    expect(ledger.calls).toEqual(['readSlots', 'claimSlot 0 shard-1', 'readSlot 0']);
  });
});
