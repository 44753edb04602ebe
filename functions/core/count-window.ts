/**
 * One invocation of count-labels: a batch of the labels table's stream records in a tumbling
 * window (Lambda's DynamoDB stream event with TumblingWindowInSeconds set), validated here, and
 * what the invocation does with it (core/label-counts.ts holds the counting itself).
 *
 * The event carries the window's state as the previous invocation returned it (`{}` when the
 * window opens), the shard id (only tumbling-window events have it, which is why the mapping
 * uses one) and, on the window's last invocation, isFinalInvokeForWindow.
 */

import * as v from 'valibot';
import { MalformedEventError } from './errors';
import {
  aggregate,
  applyWindow,
  type CountedChange,
  type CountsLedgerStore,
  openShard,
  type WindowState,
} from './label-counts';
import { IMAGE_SK } from './labels-table';
import { int, issueLines } from './validation';

/** A DynamoDB stream sequence number: digits. */
const sequence = v.pipe(v.string(), v.regex(/^\d{1,40}$/));
/** The label names of an IMAGE item in DynamoDB JSON: `{ L: [{ S: name }, ...] }`. */
const LabelNamesSchema = v.optional(v.object({ L: v.array(v.object({ S: v.string() })) }));

const StreamRecordSchema = v.object({
  eventName: v.picklist(['INSERT', 'MODIFY', 'REMOVE']),
  dynamodb: v.object({
    Keys: v.object({ sk: v.object({ S: v.string() }) }),
    SequenceNumber: sequence,
    OldImage: v.optional(v.object({ labelNames: LabelNamesSchema })),
    NewImage: v.optional(v.object({ labelNames: LabelNamesSchema })),
  }),
});

const DeltaSchema = v.strictTuple([v.string(), int]);

const WindowStateSchema = v.object({
  slot: v.pipe(int, v.minValue(0)),
  floor: v.optional(sequence),
  lastSeq: v.optional(sequence),
  deltas: v.record(v.string(), DeltaSchema),
});

export const CountWindowEventSchema = v.object({
  Records: v.array(StreamRecordSchema),
  shardId: v.pipe(v.string(), v.minLength(1)),
  /** `{}` when the window opens. */
  state: v.optional(v.union([WindowStateSchema, v.strictObject({})])),
  window: v.object({ start: v.string(), end: v.string() }),
  isFinalInvokeForWindow: v.boolean(),
  isWindowTerminatedEarly: v.optional(v.boolean()),
});

export interface CountWindow {
  shardId: string;
  /** The window's state so far; undefined when the window opens. */
  state: WindowState | undefined;
  /** The batch's IMAGE changes, in stream order (other items' records are left out). */
  changes: CountedChange[];
  isFinal: boolean;
}

const names = (image: { labelNames?: { L: { S: string }[] } | undefined } | undefined) =>
  image?.labelNames?.L.map((name) => name.S) ?? [];

/** Validates the event; a malformed one is a MalformedEvent (Lambda retries it, then gives up). */
export function parseCountWindow(event: unknown): CountWindow {
  const result = v.safeParse(CountWindowEventSchema, event);
  if (!result.success) {
    throw new MalformedEventError(
      `Not a tumbling-window stream event: ${issueLines(result.issues).slice(0, 5).join('; ')}`,
    );
  }
  const { Records, shardId, state, isFinalInvokeForWindow } = result.output;
  return {
    shardId,
    state: state && 'deltas' in state ? (state as WindowState) : undefined,
    changes: Records.filter((record) => record.dynamodb.Keys.sk.S === IMAGE_SK).map((record) => ({
      sequenceNumber: record.dynamodb.SequenceNumber,
      oldNames: names(record.dynamodb.OldImage),
      newNames: names(record.dynamodb.NewImage),
    })),
    isFinal: isFinalInvokeForWindow,
  };
}

export interface WindowOutcome {
  /** What Lambda hands the window's next invocation (`{}` after the final one). */
  state: WindowState | Record<string, never>;
  /** IMAGE changes added to the window's sums by this invocation. */
  changesCounted: number;
  /** Label counts written (on the final invocation, or when a crashed window was rolled forward). */
  countsWritten: number;
  /** The final invocation found its window counted already (a repeated delivery). */
  alreadyCounted: boolean;
}

/**
 * Adds the batch to the window's sums; on the final invocation, applies them. A window opens
 * at its first IMAGE change, on the shard's slot (taken now if it has none), after finishing
 * whatever a crash left open; until then it touches no item.
 */
export async function countWindow(
  store: CountsLedgerStore,
  window: CountWindow,
  now: Date,
): Promise<WindowOutcome> {
  let countsWritten = 0;
  let state = window.state;
  if (!state && window.changes.length === 0) {
    // Nothing counted in this window yet, and nothing to count: the shard's slot is not needed.
    return { state: {}, changesCounted: 0, countsWritten: 0, alreadyCounted: false };
  }
  if (!state) {
    const opened = await openShard(store, window.shardId, now);
    countsWritten += opened.rolledForward;
    state = { slot: opened.slot, floor: opened.appliedUpTo, deltas: {} };
  }
  const { state: next, added: changesCounted } = aggregate(state, window.changes);
  if (!window.isFinal) {
    return { state: next, changesCounted, countsWritten, alreadyCounted: false };
  }
  const result = await applyWindow(store, window.shardId, next, now);
  return {
    state: {},
    changesCounted,
    countsWritten: countsWritten + result.applied,
    alreadyCounted: result.alreadyCounted,
  };
}
