import { describe, expect, it } from 'vitest';
import { DEFAULT_FLAGS, type Flags } from '../../../functions/core/flags';
import {
  applyIngestFlags,
  type IngestMapping,
  type MappingView,
  pausedBatch,
} from '../../../functions/core/ingest-flags';

/** An in-memory event source mapping that records every update. */
function fakeMapping(view: MappingView) {
  const updates: { enabled: boolean; maxConcurrency: number }[] = [];
  const mapping: IngestMapping = {
    read: async () => ({ ...view }),
    update: async (change) => {
      updates.push(change);
    },
  };
  return { mapping, updates };
}

const flags = (change: Partial<Flags>): Flags => ({
  source: 'appconfig',
  version: 'v1',
  processing: true,
  ...change,
});

describe('the kill switch and throttle on the event source mapping', () => {
  it('disables an enabled mapping when processing is off, keeping the stage concurrency', async () => {
    const { mapping, updates } = fakeMapping({ state: 'Enabled', maxConcurrency: 5 });

    const change = await applyIngestFlags(mapping, flags({ processing: false }), 5);

    expect(change).toEqual({
      action: 'updated',
      enabled: false,
      maxConcurrency: 5,
      previous: { state: 'Enabled', maxConcurrency: 5 },
    });
    expect(updates).toEqual([{ enabled: false, maxConcurrency: 5 }]);
  });

  it('enables a disabled mapping when processing is back on, with the throttle of the flag', async () => {
    const { mapping, updates } = fakeMapping({ state: 'Disabled', maxConcurrency: 5 });

    await applyIngestFlags(mapping, flags({ maxConcurrency: 3 }), 5);

    expect(updates).toEqual([{ enabled: true, maxConcurrency: 3 }]);
  });

  it('sets the concurrency of a mapping that has none yet', async () => {
    const { mapping, updates } = fakeMapping({ state: 'Enabled' });

    const change = await applyIngestFlags(mapping, flags({}), 4);

    expect(change).toMatchObject({ action: 'updated', previous: { state: 'Enabled' } });
    expect(updates).toEqual([{ enabled: true, maxConcurrency: 4 }]);
  });

  it('changes nothing when the mapping already matches the flags', async () => {
    const { mapping, updates } = fakeMapping({ state: 'Disabling', maxConcurrency: 5 });

    expect(await applyIngestFlags(mapping, flags({ processing: false }), 5)).toEqual({
      action: 'unchanged',
      enabled: false,
      maxConcurrency: 5,
    });
    expect(updates).toEqual([]);
  });

  it('leaves the mapping alone on safe defaults: AppConfig down must not restart a paused pipeline', async () => {
    const read = { called: false };
    const mapping: IngestMapping = {
      read: async () => {
        read.called = true;
        return { state: 'Disabled' };
      },
      update: async () => {
        throw new Error('must not update');
      },
    };

    expect(await applyIngestFlags(mapping, DEFAULT_FLAGS, 5)).toMatchObject({ action: 'skipped' });
    expect(read.called).toBe(false);
  });

  it.each(['Updating', 'Creating', 'Unknown'])('waits while the mapping is %s', async (state) => {
    const { mapping, updates } = fakeMapping({ state, maxConcurrency: 5 });

    expect(await applyIngestFlags(mapping, flags({ processing: false }), 5)).toEqual({
      action: 'skipped',
      reason: `mapping is ${state}`,
    });
    expect(updates).toEqual([]);
  });

  it('hands a whole batch back when paused', () => {
    expect(pausedBatch([{ messageId: 'm1' }, { messageId: 'm2' }])).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }],
    });
  });
});
