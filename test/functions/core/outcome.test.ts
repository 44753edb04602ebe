/**
 * How a run ends a version: record, then announce, then finish, so a crash anywhere leaves the
 * version claimable and the retry announces the same event; a superseded version is finished
 * without an announcement.
 */
import { describe, expect, it } from 'vitest';
import {
  type FinalRecord,
  type OutcomeStore,
  recordFinalOutcome,
  type WriteResult,
} from '../../../functions/core/outcome';
import type { ObjectRef } from '../../../functions/core/workflow-schemas';
import { recordingPublisher } from '../../support/image-events';

const object: ObjectRef = { bucket: 'images', key: 'a.jpg', eTag: 'e1', size: 10, sequencer: '0A' };
const record: FinalRecord = {
  bucket: 'images',
  key: 'a.jpg',
  status: 'LABELED',
  objectVersion: 'etag:e1',
  eTag: 'e1',
  sequencer: '0A',
  size: 10,
  labels: [{ name: 'Dog', confidence: 90, parents: [], categories: [], aliases: [], instances: [] }],
  updatedAt: '2026-01-01T10:00:00.000Z',
};
const now = new Date('2026-01-01T10:00:01.000Z');

/** An in-memory store that logs each call into `log` (shared with the publisher's log). */
function fakeStore(log: string[], superseded: boolean, failFinish = false) {
  const finished: Parameters<OutcomeStore['finishVersion']>[] = [];
  const store: OutcomeStore = {
    async writeImageRecord(written): Promise<WriteResult> {
      log.push(`write ${written.status}`);
      return { superseded, labelsWritten: superseded ? 0 : 1, staleLabelsDeleted: 0, writeRequests: 1 };
    },
    async finishVersion(...args) {
      log.push(`finish ${args[1]}`);
      if (failFinish) throw new Error('crash');
      finished.push(args);
    },
  };
  return { store, finished };
}

function loggingPublisher(log: string[]) {
  const publisher = recordingPublisher();
  return {
    publisher,
    events: {
      async publish(batch: Parameters<typeof publisher.publish>[0]) {
        log.push('publish');
        await publisher.publish(batch);
      },
    },
  };
}

describe('recordFinalOutcome', () => {
  it('writes the record, announces it, then finishes the version', async () => {
    const log: string[] = [];
    const { store, finished } = fakeStore(log, false);
    const { publisher, events } = loggingPublisher(log);

    const result = await recordFinalOutcome({ store, events }, record, object, now);

    expect(log).toEqual(['write LABELED', 'publish', 'finish LABELED']);
    expect(result.superseded).toBe(false);
    expect(publisher.events).toHaveLength(1);
    expect(publisher.events[0]).toMatchObject({
      detail: { key: 'a.jpg', status: 'LABELED', objectVersion: 'etag:e1' },
    });
    expect(finished[0]?.[2]).toEqual({ now, error: undefined, superseded: false });
  });

  it('finishes a superseded version without announcing it', async () => {
    const log: string[] = [];
    const { store, finished } = fakeStore(log, true);
    const { publisher, events } = loggingPublisher(log);

    const result = await recordFinalOutcome({ store, events }, record, object, now);

    expect(result.superseded).toBe(true);
    expect(log).toEqual(['write LABELED', 'finish LABELED']);
    expect(publisher.events).toEqual([]);
    expect(finished[0]?.[2]).toMatchObject({ superseded: true });
  });

  it('passes a failed run its error, and a retry after a crash announces the same event', async () => {
    const failed: FinalRecord = {
      ...record,
      status: 'FAILED',
      labels: [],
      error: { name: 'E', message: 'm' },
    };
    const log: string[] = [];
    const crashing = fakeStore(log, false, true);
    const { publisher, events } = loggingPublisher(log);

    await expect(recordFinalOutcome({ store: crashing.store, events }, failed, object, now)).rejects.toThrow(
      'crash',
    );
    const retry = fakeStore(log, false);
    await recordFinalOutcome({ store: retry.store, events }, failed, object, now);

    expect(publisher.events).toHaveLength(2);
    expect(publisher.events[1]).toEqual(publisher.events[0]);
    expect(retry.finished[0]?.[2]).toEqual({ now, error: { name: 'E', message: 'm' }, superseded: false });
  });
});
