/**
 * One count-labels invocation: the tumbling-window stream event it accepts, and what it does on
 * a window's first, middle and final invocation (the ledger in memory, as in label-counts.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { countWindow, parseCountWindow } from '../../../functions/core/count-window';
import { MalformedEventError } from '../../../functions/core/errors';
import type { CountsLedgerStore, Slot } from '../../../functions/core/label-counts';
import { countWindowEvent, imageStreamRecord } from '../../support/stream-events';

const record = imageStreamRecord;
const windowEvent = countWindowEvent;

/** One slot, owned by shardId-1 unless told otherwise, and the counts. */
function ledger(initial: Partial<Slot> = {}) {
  let slot: Slot | undefined = { slot: 0, owner: 'shardId-1', leaseUntil: 2e9, seq: 3, ...initial };
  const counts = new Map<string, number>();
  const store: CountsLedgerStore = {
    readSlots: async () => (slot ? [structuredClone(slot)] : []),
    readSlot: async () => structuredClone(slot),
    claimSlot: async (number, shardId, _previous, leaseUntil) => {
      slot = { slot: number, owner: shardId, leaseUntil, seq: slot?.seq ?? 0 };
      return true;
    },
    journal: async (_slot, _shardId, intent) => {
      if (!slot) return false;
      slot = { ...slot, seq: intent.seq, intent };
      return true;
    },
    applyDelta: async (name, delta) => {
      counts.set(name, (counts.get(name) ?? 0) + delta);
      return true;
    },
    closeIntent: async (_slot, intent) => {
      if (slot) slot = { ...slot, appliedUpTo: intent.upTo, intent: undefined };
    },
  };
  return { store, counts, slot: () => slot };
}

const now = new Date('2026-12-04T00:00:03Z');

describe('parseCountWindow', () => {
  it("reads each IMAGE record's label names before and after, in stream order", () => {
    const parsed = parseCountWindow(
      windowEvent(
        [
          record('100', 'INSERT', { new: ['Dog'] }),
          record('101', 'MODIFY', { old: ['Dog'], new: ['Cat'] }),
          record('102', 'REMOVE', { old: ['Cat'] }),
        ],
        {},
        false,
      ),
    );

    expect(parsed).toEqual({
      shardId: 'shardId-1',
      state: undefined,
      isFinal: false,
      changes: [
        { sequenceNumber: '100', oldNames: [], newNames: ['Dog'] },
        { sequenceNumber: '101', oldNames: ['Dog'], newNames: ['Cat'] },
        { sequenceNumber: '102', oldNames: ['Cat'], newNames: [] },
      ],
    });
  });

  it('leaves out records of other items (the event source filters them on AWS)', () => {
    const parsed = parseCountWindow(
      windowEvent([record('100', 'INSERT', { new: ['Dog'] }, 'LABEL#Dog')], {}, false),
    );
    expect(parsed.changes).toEqual([]);
  });

  it('keeps the state of a window under way', () => {
    const state = { slot: 2, lastSeq: '7', deltas: { dog: ['Dog', 2] } };
    expect(parseCountWindow(windowEvent([], state, true)).state).toEqual(state);
  });

  it.each([
    ['an SQS batch', { Records: [{ messageId: 'm1', body: '{}' }] }],
    [
      'a stream event without a tumbling window (no shard id)',
      { Records: [record('1', 'INSERT', { new: ['Dog'] })] },
    ],
    [
      'a sequence number that is not a number',
      windowEvent([record('1e5', 'INSERT', { new: ['Dog'] })], {}, false),
    ],
  ])('refuses %s as a MalformedEvent', (_what, event) => {
    expect(() => parseCountWindow(event)).toThrow(MalformedEventError);
  });
});

describe('countWindow', () => {
  it("opens a window at the shard's appliedUpTo and only sums until the final invocation", async () => {
    const { store, counts } = ledger({ appliedUpTo: '100' });
    const first = await countWindow(
      store,
      parseCountWindow(
        windowEvent(
          [record('100', 'INSERT', { new: ['Old'] }), record('101', 'INSERT', { new: ['Dog'] })],
          {},
          false,
        ),
      ),
      now,
    );

    expect(first).toEqual({
      state: { slot: 0, floor: '100', lastSeq: '101', deltas: { dog: ['Dog', 1] } },
      changesCounted: 1,
      countsWritten: 0,
      alreadyCounted: false,
    });
    expect(counts.size).toBe(0);
  });

  it('touches no item while a window has had no IMAGE change, even on its final invocation', async () => {
    const untouchable = new Proxy({} as CountsLedgerStore, {
      get: (_store, method) => () => Promise.reject(new Error(`${String(method)} called`)),
    });
    for (const isFinal of [false, true]) {
      const outcome = await countWindow(
        untouchable,
        parseCountWindow(windowEvent([record('7', 'INSERT', { new: ['Dog'] }, 'LABEL#Dog')], {}, isFinal)),
        now,
      );
      expect(outcome).toEqual({ state: {}, changesCounted: 0, countsWritten: 0, alreadyCounted: false });
    }
  });

  it('applies the sums on the final invocation and hands Lambda a fresh state', async () => {
    const { store, slot, counts } = ledger({ appliedUpTo: '100' });
    const state = { slot: 0, floor: '100', lastSeq: '101', deltas: { dog: ['Dog', 1] } };
    const final = await countWindow(
      store,
      parseCountWindow(
        windowEvent([record('102', 'MODIFY', { old: ['Dog'], new: ['Dog', 'Ball'] })], state, true),
      ),
      now,
    );

    expect(final).toEqual({ state: {}, changesCounted: 1, countsWritten: 2, alreadyCounted: false });
    expect(Object.fromEntries(counts)).toEqual({ Dog: 1, Ball: 1 });
    expect(slot()).toMatchObject({ seq: 4, appliedUpTo: '102' });
  });
});
