import { describe, expect, it } from 'vitest';
import { postTrafficChecks } from '../../../../functions/core/deployment-hooks/post-traffic';
import {
  SMOKE_KEYS,
  type SmokeObjectStore,
  type SmokeObjects,
} from '../../../../functions/core/deployment-hooks/smoke-objects';

const now = new Date('2026-12-01T10:00:00.000Z');
const ref = (key: string) => ({ bucket: 'b', key, eTag: 'e', size: 1, sequencer: '01' });

/** An in-memory store that remembers what is still there. */
function memoryStore(): SmokeObjectStore & { present: Set<string> } {
  const present = new Set<string>();
  return {
    present,
    async put() {
      present.add(SMOKE_KEYS.valid).add(SMOKE_KEYS.invalid);
      return { valid: ref(SMOKE_KEYS.valid), invalid: ref(SMOKE_KEYS.invalid) };
    },
    async remove(objects: SmokeObjects) {
      present.delete(objects.valid.key);
      present.delete(objects.invalid.key);
    },
  };
}

describe('postTrafficChecks', () => {
  it('passes when the valid image is LABELED and the invalid file REJECTED, and removes both', async () => {
    const store = memoryStore();

    const results = await postTrafficChecks({
      smokeObjects: store,
      now,
      runWorkflow: async ({ object }) => ({
        executionArn: `arn:${object.key}`,
        outcome: object.key === SMOKE_KEYS.valid ? 'LABELED' : 'REJECTED',
      }),
    });

    expect(results.map((result) => result.ok)).toEqual([true, true]);
    expect(store.present.size).toBe(0);
  });

  it('fails a check whose run throws or ends otherwise, and still removes the objects', async () => {
    const store = memoryStore();

    const results = await postTrafficChecks({
      smokeObjects: store,
      now,
      runWorkflow: async ({ object }) => {
        if (object.key === SMOKE_KEYS.valid) throw new Error('execution FAILED');
        return { executionArn: 'arn:x', outcome: 'LABELED' };
      },
    });

    expect(results).toEqual([
      { check: 'labels a valid image', ok: false, detail: 'execution FAILED' },
      { check: 'rejects an invalid file', ok: false, detail: 'arn:x ended LABELED' },
    ]);
    expect(store.present.size).toBe(0);
  });
});
