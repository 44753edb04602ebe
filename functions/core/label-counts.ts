/**
 * Label counts (GET /labels), aggregated from the labels table's DynamoDB stream a few seconds
 * late, each change counted exactly once.
 *
 * The count of a label is the number of IMAGE records whose `labelNames` hold it (compared
 * case-insensitively). Every write of an IMAGE record (a label, a relabel, a REJECTED or FAILED
 * outcome, a deletion) is a stream record with the old and the new image, so the change it
 * makes to the counts is the diff of the two name lists (`recordDeltas`). The count-labels
 * function receives them in tumbling windows: within a window it only adds deltas into the
 * window's state (`aggregate`, no writes); the window's final invocation applies the sums, one
 * write per label touched (`applyWindow`). A burst of 100 images with 10 labels each then costs
 * a few dozen writes instead of a thousand.
 *
 * Exactly once, without transactions (the local DynamoDB has none), per stream shard:
 *   pk = LABELS  sk = SHARD#<shardId>   appliedUpTo: the last sequence number counted;
 *                                       intent: a window's sums being applied
 *   pk = LABELS  sk = LABEL#<name lower-cased>   imageCount, name, tokens (deltas in flight)
 * A window's sums are journaled on its shard item (only against the appliedUpTo it read), each
 * applied with an ADD that is conditional on the intent's token not being in the label item's
 * `tokens` set, then the intent is closed (appliedUpTo moves to its last sequence number) and
 * the tokens go. A crash anywhere is rolled forward by the next window of the shard. Records
 * delivered again (Lambda's stream delivery is at least once) are skipped by sequence number:
 * those at or below the shard's appliedUpTo when the window opened, or below the window's own
 * last record. Sequence numbers only increase within a shard; a split shard is a new shard with
 * its own ledger, and Lambda finishes a parent shard before its children.
 */
import { randomUUID } from 'node:crypto';
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
  /** The shard's appliedUpTo when the window opened: records at or below it were counted. */
  floor?: string | undefined;
  /** The last sequence number added to `deltas`. */
  lastSeq?: string | undefined;
  /** By label name lower-cased. */
  deltas: Record<string, LabelDelta>;
}

/** A window's sums, journaled on the shard item while they are applied. */
export interface WindowIntent {
  id: string;
  /** The last sequence number the sums include: the shard's appliedUpTo once applied. */
  upTo: string;
  deltas: LabelDelta[];
}

/** What the shard item holds (nothing before the shard's first window). */
export interface ShardLedger {
  appliedUpTo?: string | undefined;
  intent?: WindowIntent | undefined;
}

/** The conditional writes of the counts; each is atomic on its own item. */
export interface CountsLedgerStore {
  /** The shard item (consistent read). */
  readShard(shardId: string): Promise<ShardLedger>;
  /** Journals `intent` unless one is open or appliedUpTo is no longer `appliedUpTo`. False then. */
  journal(shardId: string, intent: WindowIntent, appliedUpTo: string | undefined): Promise<boolean>;
  /** Adds `delta` to the name's count unless `token` already did. False when it had. */
  applyDelta(name: string, delta: number, token: string): Promise<boolean>;
  /** Sets appliedUpTo to `intent.upTo` and removes the intent, if it is still the open one. */
  closeIntent(shardId: string, intent: WindowIntent): Promise<void>;
  /** Removes `token` from the name's count item. */
  forgetToken(name: string, token: string): Promise<void>;
}

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

/** An empty window state over the shard's ledger as read when the window opened. */
export function openWindow(appliedUpTo: string | undefined): WindowState {
  return { floor: appliedUpTo, deltas: {} };
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
  return { state: { floor: state.floor, lastSeq, deltas }, added };
}

/** The token a window's deltas carry: unique to the shard and the intent. */
export function windowToken(shardId: string, intent: Pick<WindowIntent, 'id'>): string {
  return `${keyHash(shardId)}#${intent.id}`;
}

/** Applies a journaled intent; safe to run any number of times. Returns the deltas applied. */
async function rollForward(store: CountsLedgerStore, shardId: string, intent: WindowIntent): Promise<number> {
  const token = windowToken(shardId, intent);
  let applied = 0;
  for (const [name, delta] of intent.deltas) if (await store.applyDelta(name, delta, token)) applied++;
  await store.closeIntent(shardId, intent);
  // Only after the intent is closed: a token removed earlier could let a replay count twice.
  for (const [name] of intent.deltas) await store.forgetToken(name, token);
  return applied;
}

/** Finishes a window left open by a crash, and returns where the shard's counts stand. */
export async function settleShard(
  store: CountsLedgerStore,
  shardId: string,
): Promise<{ appliedUpTo: string | undefined; rolledForward: number }> {
  let rolledForward = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const ledger = await store.readShard(shardId);
    if (!ledger.intent) return { appliedUpTo: ledger.appliedUpTo, rolledForward };
    rolledForward += await rollForward(store, shardId, ledger.intent);
  }
  throw new Error(
    `The label counts of shard ${shardId} stayed open after ${MAX_ROUNDS} attempts to close them.`,
  );
}

const MAX_ROUNDS = 5;

export interface WindowResult {
  /** Label counts changed by this call (a crashed window rolled forward included). */
  applied: number;
  /** The window had been counted already (a repeated final invocation). */
  alreadyCounted: boolean;
}

/**
 * Applies the window's sums once: journaled on the shard item against the appliedUpTo read,
 * then rolled forward. A repeated final invocation finds its window counted and changes nothing.
 */
export async function applyWindow(
  store: CountsLedgerStore,
  shardId: string,
  state: WindowState,
  newId: () => string = randomUUID,
): Promise<WindowResult> {
  let applied = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const settled = await settleShard(store, shardId);
    applied += settled.rolledForward;
    const { lastSeq } = state;
    if (lastSeq === undefined || !isAfter(lastSeq, settled.appliedUpTo)) {
      return { applied, alreadyCounted: lastSeq !== undefined };
    }
    const deltas = Object.values(state.deltas).filter(([, delta]) => delta !== 0);
    const intent: WindowIntent = { id: newId(), upTo: lastSeq, deltas };
    if (!(await store.journal(shardId, intent, settled.appliedUpTo))) continue; // look again
    applied += await rollForward(store, shardId, intent);
    return { applied, alreadyCounted: false };
  }
  throw new Error(
    `The label counts of shard ${shardId} could not be journaled after ${MAX_ROUNDS} attempts.`,
  );
}
