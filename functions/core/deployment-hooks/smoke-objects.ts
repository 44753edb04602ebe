/**
 * The objects the deployment hooks write to the images bucket: a tiny valid PNG and a text file,
 * both with bytes unique to each run, under the reserved smoke prefix (core/smoke.ts).
 */
import { crc32 } from 'node:zlib';
import { SMOKE_PREFIX } from '../smoke';
import type { ObjectRef } from '../workflow-schemas';

/** An 80 x 80 px RGB gradient: the smallest size the validator (and Rekognition) accepts. */
export const SMOKE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAFAAAABQCAIAAAABc2X6AAAA6ElEQVR4AeXBARHAQBADITob4S+9Qg4+XkRERERERERERERERERERERERERERERERERERERERERERERERERERExOmZwyOWVyyuSUySmTUyanTE6ZnDI5ZXLK5JTJKZNTJqdMTpmcMjllcsrklMkpk1Mmp0xOmZwyOWVyyuSUySmTUyanTE6ZnDI5ZXLK5JTJKZNTJqdMTpmcMjllcsrklMkpk1Mmp0xOmZwyOWVyyuSUySmTUyanTE6ZnDI5ZXLK5JTJKZNTJqdMTpmcMjllcsrklMkpk1Mmp0xOmZwyOWVyyuSUySmTU37nPQOYaKhHFQAAAABJRU5ErkJggg==',
  'base64',
);
export const SMOKE_INVALID = Buffer.from('This is a deployment smoke test, not an image.\n');

/**
 * The smoke objects' bodies for one run, unique to it: SMOKE_PNG with a tEXt chunk after its
 * header, and SMOKE_INVALID with a line. A versioned bucket gives every put a new version
 * anyway; unique bytes also give it a new ETag, so that a run is never taken for a duplicate
 * where versions are not kept (the local cloud's S3, a bucket with versioning suspended).
 */
export function smokeBodies(stamp: string): { png: Buffer; invalid: Buffer } {
  const text = Buffer.from(`Comment\0deployment smoke test ${stamp}`, 'latin1');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(text.length);
  const typeAndData = Buffer.concat([Buffer.from('tEXt', 'ascii'), text]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  // Signature (8) + IHDR chunk (4 + 4 + 13 + 4): the text chunk goes right after.
  const headerEnd = 33;
  return {
    png: Buffer.concat([
      SMOKE_PNG.subarray(0, headerEnd),
      length,
      typeAndData,
      crc,
      SMOKE_PNG.subarray(headerEnd),
    ]),
    invalid: Buffer.concat([SMOKE_INVALID, Buffer.from(`${stamp}\n`)]),
  };
}
export const SMOKE_KEYS = { valid: `${SMOKE_PREFIX}valid.png`, invalid: `${SMOKE_PREFIX}invalid.txt` };

/**
 * The smoke objects' sequencer: the clock, in S3's hexadecimal form. Only the hooks write these
 * keys, and the ingest ignores their events.
 */
export function smokeSequencer(now: Date): string {
  return now.getTime().toString(16).toUpperCase().padStart(18, '0');
}

export interface SmokeObjects {
  valid: ObjectRef;
  invalid: ObjectRef;
}

/** Where the hooks write their smoke objects (functions/adapters/s3-smoke-objects.ts). */
export interface SmokeObjectStore {
  /** Writes both objects with bytes unique to this run (smokeBodies). */
  put(now: Date): Promise<SmokeObjects>;
  /** Removes exactly the versions `put` wrote (best effort). */
  remove(objects: SmokeObjects): Promise<void>;
}

/** Writes the smoke objects, lends them to `use`, and removes them whatever `use` does. */
export async function withSmokeObjects<T>(
  store: SmokeObjectStore,
  now: Date,
  use: (objects: SmokeObjects) => Promise<T>,
): Promise<T> {
  const objects = await store.put(now);
  try {
    return await use(objects);
  } finally {
    await store.remove(objects);
  }
}
