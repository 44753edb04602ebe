/**
 * What the label counts cost per image: one tumbling window of count-labels (functions/core/
 * label-counts.ts) over WINDOW_IMAGES new images, run with the real ledger on the local
 * DynamoDB, its write units divided by the images.
 *
 * The images' labels decide how many counts a window touches. They are drawn here from a
 * 1,000-name vocabulary with Zipf-distributed frequencies (exponent 1, seeded, so every run
 * draws the same): a few names on many images (Person, Outdoors), a long tail on few. Real
 * Rekognition labels are more concentrated than that (it returns a label's parents with it, so
 * Dog brings Animal, Pet, Mammal), which makes this an upper bound for typical photos. With 10
 * labels an image, 100 images touch about 360 names.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { labelCountsLedger } from '../functions/adapters/dynamodb/label-counts';
import { aggregate, applyWindow, openShard } from '../functions/core/label-counts';

/** Images per window: prod's 5 s window with 20 workflows at once, at about one image a second each. */
export const WINDOW_IMAGES = 100;
const VOCABULARY = 1000;

/** mulberry32: a small seeded generator, so every run draws the same labels. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `images` label sets of `perImage` distinct names each, Zipf-distributed over the vocabulary. */
export function zipfLabelSets(images: number, perImage: number, seed = 14): string[][] {
  const random = seeded(seed);
  const weights = Array.from({ length: VOCABULARY }, (_, rank) => 1 / (rank + 1));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const draw = () => {
    let point = random() * total;
    for (let rank = 0; rank < VOCABULARY; rank++) {
      point -= weights[rank] ?? 0;
      if (point <= 0) return `Label ${rank}`;
    }
    return `Label ${VOCABULARY - 1}`;
  };
  return Array.from({ length: images }, () => {
    const names = new Set<string>();
    while (names.size < Math.min(perImage, VOCABULARY)) names.add(draw());
    return [...names];
  });
}

export interface WindowCost {
  /** Distinct label names the window's images carry (one count write each). */
  labelsTouched: number;
}

/**
 * Counts WINDOW_IMAGES new images of `perImage` labels in one window on `tableName`, through
 * `db` (whose client the caller meters).
 */
export async function countOneWindow(
  db: DynamoDBDocumentClient,
  tableName: string,
  perImage: number,
  shardId: string,
): Promise<WindowCost> {
  const ledger = labelCountsLedger({ db, tableName });
  const now = new Date();
  const sets = zipfLabelSets(WINDOW_IMAGES, perImage);
  const opened = await openShard(ledger, shardId, now);
  const { state } = aggregate(
    { slot: opened.slot, floor: opened.appliedUpTo, deltas: {} },
    sets.map((newNames, index) => ({
      sequenceNumber: String(1000 + index),
      oldNames: [],
      newNames,
    })),
  );
  await applyWindow(ledger, shardId, state, now);
  return { labelsTouched: new Set(sets.flat()).size };
}
