import { describe, expect, it } from 'vitest';
import { HEADER_BYTES, TRAILER_BYTES } from '../../../functions/core/image-inspection';
import { type ObjectStore, validateObject } from '../../../functions/core/image-validation';
import type { ObjectRef } from '../../../functions/core/workflow-schemas';

const object: ObjectRef = { bucket: 'b', key: 'k.bin', eTag: 'e', size: 1, sequencer: '01' };

/** An in-memory object of `size` zero bytes that remembers the ranges read. */
function memoryStore(size: number): ObjectStore & { ranges: string[] } {
  const ranges: string[] = [];
  return {
    ranges,
    head: async () => ({ size, contentType: 'image/png' }),
    readRange: async (_object, range) => {
      ranges.push(range);
      return new Uint8Array(Math.min(size, HEADER_BYTES));
    },
  };
}

describe('validateObject', () => {
  it('reads a large object as a header range and a suffix range', async () => {
    const store = memoryStore(HEADER_BYTES * 4);

    await expect(validateObject(store, object)).rejects.toMatchObject({ name: 'ImageRejected' });
    expect(store.ranges).toEqual([`bytes=0-${HEADER_BYTES - 1}`, `bytes=-${TRAILER_BYTES}`]);
  });

  it('reads nothing from an empty object', async () => {
    const store = memoryStore(0);

    await expect(validateObject(store, object)).rejects.toMatchObject({ reason: 'EMPTY_FILE' });
    expect(store.ranges).toEqual([]);
  });
});
