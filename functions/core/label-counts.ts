/**
 * Label counts (GET /labels), aggregated from the labels table's DynamoDB stream a few seconds
 * late, each change counted exactly once.
 *
 * The count of a label is the number of IMAGE records whose `labelNames` hold it (compared
 * case-insensitively). Every write of an IMAGE record (a label, a relabel, a REJECTED or FAILED
 * outcome, a deletion) is a stream record with the old and the new image, so the change it
 * makes to the counts is the diff of the two name lists (`recordDeltas`). count-labels receives
 * them in tumbling windows: within a window it only adds deltas into the window's state
 * (`aggregate`, no writes); the window's final invocation applies the sums, one write per label
 * touched (`applyWindow`). A burst of 100 images with 10 labels each then costs a few hundred
 * writes at most instead of a thousand, fewer the more the images share labels.
 *
 * Exactly once, without transactions (the local DynamoDB has none). Items, beside the counts:
 *   pk = LABELS  sk = LABEL#<name lower-cased>  imageCount, name, and w<slot>: the number of the
 *                                              last window of that slot added to this count
 *   pk = LABELS  sk = SLOT#<slot>               owner: the stream shard using the slot (leased);
 *                                              seq: windows journaled in the slot, ever;
 *                                              appliedUpTo: the owner's last sequence number
 *                                              counted; intent: a window's sums being applied
 * Each stream shard takes a slot when its first window opens (`openShard`). A window's sums are
 * journaled on the slot with the slot's next window number, then each is added with an ADD that
 * is conditional on the label's w<slot> being lower than that number and sets it, then the
 * intent is closed. A crash anywhere is rolled forward by the shard's next attempt: an ADD made
 * already fails its condition, so none counts twice, and no write is needed to clean up. Window
 * numbers only grow within a slot, whoever owns it, so shards never mistake each other's marks.
 *
 * Records delivered again (Lambda's stream delivery is at least once) are skipped by sequence
 * number: those at or below the shard's appliedUpTo when the window opened, or at or below the
 * window's own last record. Sequence numbers only increase within a shard; a split shard is a
 * new shard, and Lambda finishes a parent shard before its children. A slot whose owner has not
 * counted for SLOT_LEASE_SECONDS (longer than the stream keeps records, so nothing of the old
 * shard can be delivered again) goes to the next shard that needs one: label items carry about
 * as many marks as shards were active in that time.
 */
import { keyHash } from './labels-table';

/** One stream record of an IMAGE item, as far as counting needs it. */
export interface CountedChange {
  sequenceNumber: string;
  /** The label names before the write (none for an INSERT). */
  oldNames: readonly string[];
  /** The label names after the write (none for a REMOVE). */
  newNames: readonly string[];
}

/** A label's pending change: the name it is shown under and the sum of its +1 and -1. */
export type LabelDelta = readonly [name: string, delta: number];

/** The window's state between invocations (Lambda keeps it, at most 1 MB per shard). */
export interface WindowState {
  /** The slot the shard counts under. */
  slot: number;
  /** The shard's appliedUpTo when the window opened: records at or below it were counted. */
  floor?: string | undefined;
  /** The last sequence number added to `deltas`. */
  lastSeq?: string | undefined;
  /** By label name lower-cased. */
  deltas: Record<string, LabelDelta>;
}

/** A window's sums, journaled on the slot while they are applied. */
export interface WindowIntent {
  /** The slot's window number: every label it changes is marked with it. */
  seq: number;
  /** The last sequence number the sums include: the shard's appliedUpTo once applied. */
  upTo: string;
  deltas: LabelDelta[];
}

/** A slot item (seq 0 and nothing else before its first window). */
export interface Slot {
  slot: number;
  owner?: string | undefined;
  /** Epoch seconds. */
  leaseUntil?: number | undefined;
  seq: number;
  appliedUpTo?: string | undefined;
  intent?: WindowIntent | undefined;
}

/** The conditional writes of the counts; each is atomic on its own item. */
export interface CountsLedgerStore {
  /** Every slot item (consistent read). */
  readSlots(): Promise<Slot[]>;
  /** One slot item (consistent read); undefined when there is none. */
  readSlot(slot: number): Promise<Slot | undefined>;
  /**
   * Makes `shardId` the owner of `slot`, if the slot is still as `previous` (undefined: it does
   * not exist yet) and has no intent. Clears appliedUpTo, keeps seq. False when it changed.
   */
  claimSlot(slot: number, shardId: string, previous: Slot | undefined, leaseUntil: number): Promise<boolean>;
  /** Journals `intent` if the slot is still `shardId`'s, has no intent and its seq is `intent.seq - 1`. */
  journal(slot: number, shardId: string, intent: WindowIntent, leaseUntil: number): Promise<boolean>;
  /** Adds `delta` to the name's count unless the slot's mark there is `seq` or higher. False then. */
  applyDelta(name: string, delta: number, slot: number, seq: number): Promise<boolean>;
  /** Sets appliedUpTo to `intent.upTo` and removes the intent, if it is still the open one. */
  closeIntent(slot: number, intent: WindowIntent): Promise<void>;
}

/** How long a slot stays with a shard that stopped counting: beyond the stream's 24-hour retention. */
export const SLOT_LEASE_SECONDS = 48 * 3600;
const MAX_ROUNDS = 5;

/** Orders stream sequence numbers (decimal strings of up to 40 digits). */
export function compareSequence(a: string, b: string): number {
  const left = BigInt(a);
  const right = BigInt(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

const isAfter = (sequence: string, mark: string | undefined) =>
  mark === undefined || compareSequence(sequence, mark) > 0;

/** The +1 and -1 one IMAGE write makes, by label name lower-cased (unchanged names cancel). */
export function recordDeltas(change: Pick<CountedChange, 'oldNames' | 'newNames'>): Map<string, LabelDelta> {
  const byLower = (names: readonly string[]) => new Map(names.map((name) => [name.toLowerCase(), name]));
  const before = byLower(change.oldNames);
  const after = byLower(change.newNames);
  const deltas = new Map<string, LabelDelta>();
  for (const [lower, name] of after) if (!before.has(lower)) deltas.set(lower, [name, 1]);
  for (const [lower, name] of before) if (!after.has(lower)) deltas.set(lower, [name, -1]);
  return deltas;
}

/**
 * Adds a batch's changes to the window's sums, skipping records counted already (at or below
 * the floor, or at or below the window's last record: a delivery repeated). Pure: returns the
 * new state and how many changes it added.
 */
export function aggregate(
  state: WindowState,
  changes: readonly CountedChange[],
): { state: WindowState; added: number } {
  const deltas = { ...state.deltas };
  let lastSeq = state.lastSeq;
  let added = 0;
  for (const change of changes) {
    if (!isAfter(change.sequenceNumber, state.floor) || !isAfter(change.sequenceNumber, lastSeq)) continue;
    lastSeq = change.sequenceNumber;
    added++;
    for (const [lower, [name, delta]] of recordDeltas(change)) {
      const [shownAs, sum] = deltas[lower] ?? [name, 0];
      // An added label's spelling wins: it is the one the images now carry.
      deltas[lower] = [delta > 0 ? name : shownAs, sum + delta];
    }
  }
  return { state: { ...state, lastSeq, deltas }, added };
}

/** A shortened shard id for logs and marks (shard ids run to 60 characters). */
const shardTag = (shardId: string) => keyHash(shardId).slice(0, 8);

/** Count writes in flight at once: a window may touch hundreds of labels, each its own item. */
export const WRITES_IN_FLIGHT = 16;

/** Applies a journaled intent; safe to run any number of times. Returns the deltas applied. */
async function rollForward(store: CountsLedgerStore, slot: number, intent: WindowIntent): Promise<number> {
  let applied = 0;
  // Each delta is conditional on its own item, so their order does not matter.
  for (let start = 0; start < intent.deltas.length; start += WRITES_IN_FLIGHT) {
    const chunk = intent.deltas.slice(start, start + WRITES_IN_FLIGHT);
    const results = await Promise.all(
      chunk.map(([name, delta]) => store.applyDelta(name, delta, slot, intent.seq)),
    );
    applied += results.filter(Boolean).length;
  }
  // Only once every delta is in: a crash before leaves the intent open, to be rolled forward.
  await store.closeIntent(slot, intent);
  return applied;
}

export interface OpenedShard {
  slot: number;
  /** How far the shard is counted (undefined for a shard new to its slot). */
  appliedUpTo: string | undefined;
  /** Deltas of a window left open by a crash, applied now. */
  rolledForward: number;
}

/** The slot a shard may take: a new one, or one whose owner's lease ran out (its work finished first). */
function freeSlot(slots: readonly Slot[], nowSeconds: number): { slot: number; previous: Slot | undefined } {
  const expired = slots.find((slot) => (slot.leaseUntil ?? 0) < nowSeconds);
  if (expired) return { slot: expired.slot, previous: expired };
  const used = new Set(slots.map((slot) => slot.slot));
  let next = 0;
  while (used.has(next)) next++;
  return { slot: next, previous: undefined };
}

/**
 * Opens a window of `shardId`: finds its slot or takes one, finishes whatever a crash left open
 * there, and returns how far the shard is counted.
 */
export async function openShard(store: CountsLedgerStore, shardId: string, now: Date): Promise<OpenedShard> {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  let rolledForward = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const slots = await store.readSlots();
    const mine = slots.find((slot) => slot.owner === shardId);
    // Our own crashed window, or one whose shard never came back: finish it before going on.
    const open = mine ?? slots.find((slot) => slot.intent && (slot.leaseUntil ?? 0) < nowSeconds);
    if (open?.intent) {
      rolledForward += await rollForward(store, open.slot, open.intent);
      continue;
    }
    if (mine) return { slot: mine.slot, appliedUpTo: mine.appliedUpTo, rolledForward };
    const { slot, previous } = freeSlot(slots, nowSeconds);
    if (await store.claimSlot(slot, shardId, previous, nowSeconds + SLOT_LEASE_SECONDS)) {
      return { slot, appliedUpTo: undefined, rolledForward };
    }
  }
  throw new Error(`No label counts slot for shard ${shardTag(shardId)} after ${MAX_ROUNDS} attempts.`);
}

export interface WindowResult {
  /** Label counts changed by this call (a crashed window rolled forward included). */
  applied: number;
  /** The window had been counted already (a repeated final invocation). */
  alreadyCounted: boolean;
}

/**
 * Applies the window's sums once: journaled on the shard's slot with the slot's next window
 * number, then rolled forward. A repeated final invocation finds its window counted already.
 */
export async function applyWindow(
  store: CountsLedgerStore,
  shardId: string,
  state: WindowState,
  now: Date,
): Promise<WindowResult> {
  let applied = 0;
  let slotNumber = state.slot;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const slot = await store.readSlot(slotNumber);
    if (slot?.owner !== shardId) {
      // The shard's lease ran out while this window was open (48 h without counting) and another
      // shard took the slot: the sums still hold, so they go on under a slot of its own.
      const reopened = await openShard(store, shardId, now);
      applied += reopened.rolledForward;
      slotNumber = reopened.slot;
      continue;
    }
    if (slot.intent) {
      applied += await rollForward(store, slot.slot, slot.intent);
      continue;
    }
    const { lastSeq } = state;
    if (lastSeq === undefined || !isAfter(lastSeq, slot.appliedUpTo)) {
      return { applied, alreadyCounted: lastSeq !== undefined };
    }
    const deltas = Object.values(state.deltas).filter(([, delta]) => delta !== 0);
    const intent: WindowIntent = { seq: slot.seq + 1, upTo: lastSeq, deltas };
    const leaseUntil = Math.floor(now.getTime() / 1000) + SLOT_LEASE_SECONDS;
    if (!(await store.journal(slot.slot, shardId, intent, leaseUntil))) continue; // look again
    applied += await rollForward(store, slot.slot, intent);
    return { applied, alreadyCounted: false };
  }
  throw new Error(
    `The label counts of shard ${shardTag(shardId)} could not be journaled after ${MAX_ROUNDS} attempts.`,
  );
}
