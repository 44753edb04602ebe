/**
 * The label counts' protocol against an in-memory CountsStore that keeps DynamoDB's conditions:
 * a change is journaled before it is applied and only against the counts version it read,
 * each delta counts once per intent, and a crash anywhere is rolled forward by the next
 * reconcile. The same protocol on the local DynamoDB: test/functions/adapters/dynamodb/
 * label-counts.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  type CountIntent,
  type CountsState,
  type CountsStore,
  countDiff,
  countToken,
  reconcileLabelCounts,
} from '../../../functions/core/label-counts';

/** The labels table's count items in memory, with the adapter's conditions. */
function memoryCounts() {
  const images = new Map<string, string[]>();
  const countsItems = new Map<string, CountsState>();
  const labels = new Map<string, { imageCount: number; tokens: Set<string> }>();
  const log: string[] = [];
  const labelItem = (name: string) => {
    const item = labels.get(name.toLowerCase()) ?? { imageCount: 0, tokens: new Set<string>() };
    labels.set(name.toLowerCase(), item);
    return item;
  };
  const store: CountsStore = {
    async readLabelNames(key) {
      log.push(`readLabelNames ${key}`);
      return images.get(key);
    },
    async readCounts(key) {
      log.push(`readCounts ${key}`);
      return structuredClone(countsItems.get(key) ?? {});
    },
    async journal(key, intent, version) {
      log.push(`journal ${key} v${version}`);
      const item = countsItems.get(key) ?? {};
      if (item.countIntent || item.countsVersion !== version) return false;
      countsItems.set(key, { ...item, countIntent: structuredClone(intent) });
      return true;
    },
    async applyDelta(name, delta, token) {
      log.push(`applyDelta ${name} ${delta}`);
      const item = labelItem(name);
      if (item.tokens.has(token)) return false;
      item.imageCount += delta;
      item.tokens.add(token);
      return true;
    },
    async closeIntent(key, intent) {
      log.push(`closeIntent ${key}`);
      const item = countsItems.get(key) ?? {};
      if (item.countIntent?.id !== intent.id) return;
      countsItems.set(key, { countedLabels: intent.next, countsVersion: (item.countsVersion ?? 0) + 1 });
    },
    async forgetToken(name, token) {
      log.push(`forgetToken ${name}`);
      labelItem(name).tokens.delete(token);
    },
  };
  const counts = () =>
    Object.fromEntries(
      [...labels].filter(([, item]) => item.imageCount !== 0).map(([n, i]) => [n, i.imageCount]),
    );
  return { store, images, countsItems, labels, log, counts };
}

/** `store` whose every call after the first `calls` throws, as a crash half-way would. */
function crashingAfter(store: CountsStore, calls: number): CountsStore {
  let made = 0;
  const guard =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      ++made > calls ? Promise.reject(new Error('crash')) : call(...args);
  return {
    readLabelNames: guard(store.readLabelNames),
    readCounts: guard(store.readCounts),
    journal: guard(store.journal),
    applyDelta: guard(store.applyDelta),
    closeIntent: guard(store.closeIntent),
    forgetToken: guard(store.forgetToken),
  };
}

let ids = 0;
const newId = () => `intent-${++ids}`;

describe('countDiff', () => {
  it('compares names case-insensitively', () => {
    expect(countDiff(['Cat', 'Dog'], ['cat', 'Bird'])).toEqual({ add: ['Bird'], remove: ['Dog'] });
  });
});

describe('reconcileLabelCounts', () => {
  it('counts what the IMAGE record lists, follows a relabel and applies nothing the second time', async () => {
    const memory = memoryCounts();
    memory.images.set('a.jpg', ['Cat', 'Sofa']);
    await expect(reconcileLabelCounts(memory.store, 'a.jpg', { newId })).resolves.toBe(2);
    memory.images.set('a.jpg', ['Dog', 'Sofa']);
    await expect(reconcileLabelCounts(memory.store, 'a.jpg', { newId })).resolves.toBe(2);
    await expect(reconcileLabelCounts(memory.store, 'a.jpg', { newId })).resolves.toBe(0);

    expect(memory.counts()).toEqual({ dog: 1, sofa: 1 });
    expect(memory.countsItems.get('a.jpg')).toEqual({ countedLabels: ['Dog', 'Sofa'], countsVersion: 2 });
  });

  it('takes a given target instead of reading the IMAGE record (a deletion gives [])', async () => {
    const memory = memoryCounts();
    memory.images.set('a.jpg', ['Cat']);
    await reconcileLabelCounts(memory.store, 'a.jpg', { newId });
    memory.log.length = 0;

    await expect(reconcileLabelCounts(memory.store, 'a.jpg', { target: [], newId })).resolves.toBe(1);

    expect(memory.counts()).toEqual({});
    expect(memory.log.filter((call) => call.startsWith('readLabelNames'))).toEqual([]);
  });

  it('journals the change, applies it, closes it, and only then forgets its tokens', async () => {
    const memory = memoryCounts();
    memory.images.set('a.jpg', ['Cat', 'Dog']);

    await reconcileLabelCounts(memory.store, 'a.jpg', { newId });

    expect(memory.log).toEqual([
      'readLabelNames a.jpg',
      'readCounts a.jpg',
      'journal a.jpg vundefined',
      'applyDelta Cat 1',
      'applyDelta Dog 1',
      'closeIntent a.jpg',
      'forgetToken Cat',
      'forgetToken Dog',
      'readLabelNames a.jpg',
      'readCounts a.jpg',
    ]);
    expect([...memory.labels.values()].map((item) => item.tokens.size)).toEqual([0, 0]);
  });

  it('rolls an intent left open by a crashed caller forward without applying a delta twice', async () => {
    const memory = memoryCounts();
    const open: CountIntent = { id: 'crashed', add: ['Cat', 'Dog'], remove: [], next: ['Cat', 'Dog'] };
    memory.countsItems.set('a.jpg', { countIntent: open });
    // The crashed caller applied Cat before it stopped.
    await memory.store.applyDelta('Cat', 1, countToken('a.jpg', open));
    memory.images.set('a.jpg', ['Cat', 'Dog']);

    await expect(reconcileLabelCounts(memory.store, 'a.jpg', { newId })).resolves.toBe(1);

    expect(memory.counts()).toEqual({ cat: 1, dog: 1 });
    expect(memory.countsItems.get('a.jpg')).toEqual({ countedLabels: ['Cat', 'Dog'], countsVersion: 1 });
  });

  it('stays exact when a reconcile crashes after any number of calls and is retried', async () => {
    for (let crashAt = 0; crashAt < 16; crashAt++) {
      const memory = memoryCounts();
      memory.images.set('a.jpg', ['Cat', 'Old']);
      await reconcileLabelCounts(memory.store, 'a.jpg', { newId });
      memory.images.set('a.jpg', ['Cat', 'New']);

      await reconcileLabelCounts(crashingAfter(memory.store, crashAt), 'a.jpg', { newId }).catch(() => 0);
      await reconcileLabelCounts(memory.store, 'a.jpg', { newId });

      expect([crashAt, memory.counts()]).toEqual([crashAt, { cat: 1, new: 1 }]);
    }
  });

  it('journals a change only against the counts version it read, so two racing removals decrement once', async () => {
    const memory = memoryCounts();
    memory.images.set('a.jpg', ['Raced']);
    memory.images.set('b.jpg', ['Raced']);
    await reconcileLabelCounts(memory.store, 'a.jpg', { newId });
    await reconcileLabelCounts(memory.store, 'b.jpg', { newId });
    // The late remover reads the counts; the other removal runs to the end before it goes on.
    let raced = false;
    const late: CountsStore = {
      ...memory.store,
      async readCounts(key) {
        const read = await memory.store.readCounts(key);
        if (!raced) {
          raced = true;
          await reconcileLabelCounts(memory.store, 'b.jpg', { target: [], newId });
        }
        return read;
      },
    };

    await expect(reconcileLabelCounts(late, 'b.jpg', { target: [], newId })).resolves.toBe(0);

    expect(raced).toBe(true);
    expect(memory.counts()).toEqual({ raced: 1 });
    expect(memory.log.filter((call) => call === 'journal b.jpg v1')).toHaveLength(2);
  });
});
