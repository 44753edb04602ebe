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
 *
 * The conditional writes are behind CountsStore (functions/adapters/dynamodb/label-counts.ts on
 * the labels table); the order of the steps and what each one journals are decided here.
 */
import { randomUUID } from 'node:crypto';
import { keyHash } from './labels-table';

export interface CountIntent {
  id: string;
  add: string[];
  remove: string[];
  next: string[];
}

/** What the key's COUNTS item holds (nothing before its first count). */
export interface CountsState {
  countedLabels?: string[];
  /** How many intents have been closed: a change is journaled only against the version it read. */
  countsVersion?: number;
  countIntent?: CountIntent;
}

/** The conditional writes of the label counts; each is atomic on its own item. */
export interface CountsStore {
  /** The label names of the key's IMAGE record (consistent read); undefined without one. */
  readLabelNames(key: string): Promise<string[] | undefined>;
  /** The key's COUNTS item (consistent read). */
  readCounts(key: string): Promise<CountsState>;
  /**
   * Journals `intent` unless an intent is open or `countsVersion` is no longer `version` (or,
   * for `version` undefined, exists). False when that condition failed.
   */
  journal(key: string, intent: CountIntent, version: number | undefined): Promise<boolean>;
  /** Adds `delta` to the name's count unless `token` already did. False when it had. */
  applyDelta(name: string, delta: 1 | -1, token: string): Promise<boolean>;
  /**
   * Makes `intent.next` the counted labels, bumps countsVersion and removes the intent, if
   * `intent` is still the open one (otherwise another caller closed it: nothing happens).
   */
  closeIntent(key: string, intent: CountIntent): Promise<void>;
  /** Removes `token` from the name's count item. */
  forgetToken(name: string, token: string): Promise<void>;
}

const MAX_ROUNDS = 5;

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

/** The token an intent's deltas carry: unique to the key and the intent. */
export function countToken(key: string, intent: Pick<CountIntent, 'id'>): string {
  return `${keyHash(key)}#${intent.id}`;
}

/** Applies a journaled intent; safe to run any number of times, by any caller. */
async function rollForward(store: CountsStore, key: string, intent: CountIntent): Promise<number> {
  const token = countToken(key, intent);
  let applied = 0;
  for (const name of intent.add) if (await store.applyDelta(name, 1, token)) applied++;
  for (const name of intent.remove) if (await store.applyDelta(name, -1, token)) applied++;
  await store.closeIntent(key, intent);
  // Only after the intent is closed: a token removed earlier could let a replay count twice.
  for (const name of [...intent.add, ...intent.remove]) await store.forgetToken(name, token);
  return applied;
}

/**
 * Makes the label counts include `key` exactly for the names its IMAGE record lists (or for
 * `options.target`, e.g. [] before a deletion). Returns the number of count deltas applied.
 */
export async function reconcileLabelCounts(
  store: CountsStore,
  key: string,
  options: { target?: string[]; newId?: () => string } = {},
): Promise<number> {
  const newId = options.newId ?? randomUUID;
  let applied = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // The IMAGE record only matters when no target is given (a deletion gives []).
    const [labelNames, state] = await Promise.all([
      options.target ? undefined : store.readLabelNames(key),
      store.readCounts(key),
    ]);
    if (state.countIntent) {
      applied += await rollForward(store, key, state.countIntent);
      continue;
    }
    const target = options.target ?? labelNames ?? [];
    const { add, remove } = countDiff(state.countedLabels ?? [], target);
    if (add.length === 0 && remove.length === 0) return applied;
    const intent: CountIntent = { id: newId(), add, remove, next: target };
    // The diff holds only against the counted labels as read: a caller that read them, then
    // stalled while another finished the same change (the API's and the S3 event's removal of
    // one key race), must not journal it a second time.
    if (!(await store.journal(key, intent, state.countsVersion))) {
      continue; // another caller changed the counts first: roll theirs forward, then look again
    }
    applied += await rollForward(store, key, intent);
    // Loop once more: the record may have changed while we counted.
  }
  return applied;
}
