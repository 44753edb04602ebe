import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { MalformedEventError } from '../../../functions/core/errors';
import { parseQueueMessage } from '../../../functions/core/ingest';
import {
  addToSummary,
  type CurrentObject,
  currentObjectOf,
  decide,
  emptySummary,
  type ImageRecordView,
  nextSequencer,
  type ReconcileDeps,
  reconcileMessage,
  reconcileObject,
  settingsDifferences,
  type VersionRecordView,
} from '../../../functions/core/reconcile';
import { RECONCILE_SOURCE, type ReconcileMessage } from '../../../functions/core/reconcile-message';
import { compareSequencers } from '../../../functions/core/s3-key';
import { WorkflowInputSchema } from '../../../functions/core/workflow-schemas';

const now = new Date('2026-03-01T10:00:00.000Z');
const nowEpoch = Math.floor(now.getTime() / 1000);
const object: CurrentObject = {
  bucket: 'images-bucket',
  key: 'holiday/beach.jpg',
  eTag: 'e2',
  versionId: 'v2',
  size: 5000,
};
const settings = { minConfidence: 70, maxLabels: 25 };
const labeled: ImageRecordView = {
  status: 'LABELED',
  objectVersion: 'v2',
  sequencer: '0055AED6DCD90281E5',
  labelModelVersion: '3.0',
  settings: { ...settings, flagsVersion: 'flags-abc', flagsSource: 'appconfig' },
};

describe('decide', () => {
  it('finds an object with a final, current record ok and enqueues nothing', () => {
    expect(decide(object, labeled, { status: 'LABELED', attempts: 1 }, { now })).toEqual({
      status: 'ok',
      detail: 'LABELED',
    });
    const rejected = { ...labeled, status: 'REJECTED' as const };
    expect(decide(object, rejected, { status: 'REJECTED', attempts: 1 }, { now }).status).toBe('ok');
  });

  it('processes an object without an image record (a lost event) with sequencer 0', () => {
    const decision = decide(object, undefined, undefined, { now });
    expect(decision.status).toBe('missing');
    expect(decision.input).toEqual({
      object: {
        bucket: 'images-bucket',
        key: 'holiday/beach.jpg',
        versionId: 'v2',
        eTag: 'e2',
        size: 5000,
        sequencer: '0',
      },
      eventTime: now.toISOString(),
    });
    expect(v.parse(WorkflowInputSchema, decision.input)).toEqual(decision.input);
  });

  it('takes over a version that is final but whose image record is gone, guarded by its attempts', () => {
    const decision = decide(object, undefined, { status: 'LABELED', attempts: 3 }, { now });
    expect(decision.status).toBe('missing');
    expect(decision.input?.reprocess).toEqual({ ifAttempts: 3 });
  });

  it('processes the current version when the record is of another one, with a sequencer that wins the store check', () => {
    const decision = decide(object, { ...labeled, objectVersion: 'v1' }, undefined, { now });
    expect(decision.status).toBe('stale');
    expect(decision.input?.object.sequencer).toBe('0055AED6DCD90281E6');
    expect(compareSequencers(decision.input?.object.sequencer ?? '', labeled.sequencer)).toBe(1);
    expect(decision.input?.reprocess).toBeUndefined();
  });

  it('keys an unversioned object by its ETag', () => {
    const { versionId: _unused, ...unversioned } = object;
    const decision = decide(unversioned, { ...labeled, objectVersion: 'etag:e1' }, undefined, { now });
    expect(decision.status).toBe('stale');
    expect(decide(unversioned, { ...labeled, objectVersion: 'etag:e2' }, undefined, { now }).status).toBe(
      'ok',
    );
  });

  it('processes a FAILED record again with its own sequencer and no take-over (the claim allows FAILED)', () => {
    const failed = { ...labeled, status: 'FAILED' as const };
    const decision = decide(object, failed, { status: 'FAILED', attempts: 2 }, { now });
    expect(decision.status).toBe('failed');
    expect(decision.input?.object.sequencer).toBe(labeled.sequencer);
    expect(decision.input?.reprocess).toBeUndefined();
  });

  it('leaves a version held by a live run alone, but not one whose lease ran out', () => {
    expect(
      decide(object, undefined, { status: 'IN_PROGRESS', attempts: 1, leaseUntil: nowEpoch + 60 }, { now })
        .status,
    ).toBe('in-progress');
    expect(
      decide(object, undefined, { status: 'IN_PROGRESS', attempts: 1, leaseUntil: nowEpoch - 1 }, { now })
        .status,
    ).toBe('missing');
  });

  it('relabels only when a target is given and the label model or the label settings differ', () => {
    const version = { status: 'LABELED' as const, attempts: 1 };
    expect(
      decide(object, labeled, version, { now, target: { labelModelVersion: '3.0', settings } }).status,
    ).toBe('ok');
    const model = decide(object, labeled, version, { now, target: { labelModelVersion: '4.0' } });
    expect(model).toMatchObject({
      status: 'outdated',
      detail: expect.stringContaining('labelModelVersion 3.0'),
    });
    expect(model.input?.reprocess).toEqual({ ifAttempts: 1 });
    expect(model.input?.object.sequencer).toBe(labeled.sequencer);
    const filters = decide(object, labeled, version, {
      now,
      target: { settings: { ...settings, excludeLabels: ['Person'] } },
    });
    expect(filters).toMatchObject({ status: 'outdated', detail: 'settings differ: excludeLabels' });
    // Without a target an older model is fine: relabeling costs Rekognition calls, so it is asked for.
    expect(decide(object, { ...labeled, labelModelVersion: '1.0' }, version, { now }).status).toBe('ok');
  });

  it('never relabels a REJECTED image and skips deployment smoke objects', () => {
    const rejected = { ...labeled, status: 'REJECTED' as const, settings: undefined };
    expect(decide(object, rejected, undefined, { now, target: { labelModelVersion: '9' } }).status).toBe(
      'ok',
    );
    expect(decide({ ...object, key: '_smoke/valid.png' }, undefined, undefined, { now }).status).toBe(
      'skipped',
    );
  });
});

describe('settingsDifferences', () => {
  it('ignores the order of filter lists, empty versus absent lists and the flags metadata', () => {
    expect(
      settingsDifferences(
        { ...settings, includeLabels: ['Cup', 'Dog'], excludeLabels: [], flagsVersion: 'x' },
        { ...settings, includeLabels: ['Dog', 'Cup'] },
      ),
    ).toEqual([]);
    expect(settingsDifferences(undefined, settings)).toEqual(['minConfidence', 'maxLabels']);
    expect(settingsDifferences({ minConfidence: 50, maxLabels: 25 }, settings)).toEqual(['minConfidence']);
  });
});

describe('nextSequencer', () => {
  it.each([
    ['0055AED6DCD90281E5', '0055AED6DCD90281E6'],
    ['00FF', '0100'],
    ['0', '1'],
    ['ff', 'FF1'],
  ])('after %s comes %s, which compares higher', (sequencer, next) => {
    expect(nextSequencer(sequencer)).toBe(next);
    expect(compareSequencers(next, sequencer)).toBe(1);
  });
});

describe('currentObjectOf', () => {
  it('strips the ETag quotes and drops the "null" version of an unversioned object', () => {
    expect(currentObjectOf('b', 'k', { ETag: '"abc"', VersionId: 'null', ContentLength: 7 })).toEqual({
      bucket: 'b',
      key: 'k',
      eTag: 'abc',
      size: 7,
    });
  });
});

describe('the reconcile message on the ingest queue', () => {
  it('parses as a created event carrying the workflow input, reprocess included', () => {
    const input = decide(object, undefined, { status: 'LABELED', attempts: 2 }, { now }).input;
    if (!input) throw new Error('expected an input');
    const parsed = parseQueueMessage(JSON.stringify(reconcileMessage(input)));
    expect(parsed).toEqual({ kind: 'events', events: [{ kind: 'created', input }] });
  });

  it('rejects a malformed reconcile message as MalformedEvent, naming the problem', () => {
    const body = JSON.stringify({ source: RECONCILE_SOURCE, input: { object: { key: 'x' } } });
    expect(() => parseQueueMessage(body)).toThrow(MalformedEventError);
    expect(() => parseQueueMessage(body)).toThrow(/reconcile message is not valid/);
    expect(() => parseQueueMessage(JSON.stringify({ source: 'someone.else', input: {} }))).toThrow(
      MalformedEventError,
    );
  });

  it('ignores a smoke key, as for S3 events', () => {
    const input = decide(object, undefined, undefined, { now }).input;
    if (!input) throw new Error('expected an input');
    const smoke = { ...input, object: { ...input.object, key: '_smoke/valid.png' } };
    expect(parseQueueMessage(JSON.stringify(reconcileMessage(smoke)))).toEqual({
      kind: 'events',
      events: [{ kind: 'ignored', eventName: 'Reconcile', key: '_smoke/valid.png' }],
    });
  });
});

/** The object, its records and the queue, in memory; `log` is every read and send, in order. */
function fakeDeps(
  head: CurrentObject | undefined,
  records: { image?: ImageRecordView; versions?: Record<string, VersionRecordView> } = {},
) {
  const log: string[] = [];
  const sent: ReconcileMessage[] = [];
  const deps: ReconcileDeps = {
    headObject: async (bucket, key) => {
      log.push(`head ${bucket}/${key}`);
      return head;
    },
    versionRecord: async (key, objectVersion) => {
      log.push(`version ${key}#${objectVersion}`);
      return records.versions?.[objectVersion];
    },
    imageRecord: async (key) => {
      log.push(`image ${key}`);
      return records.image;
    },
    enqueue: async (message) => {
      log.push('enqueue');
      sent.push(message);
    },
  };
  return { deps, log, sent };
}

describe('reconcileObject', () => {
  it('reads the object, then the version record, then the image record, and enqueues a missing object', async () => {
    const { deps, log, sent } = fakeDeps(object);
    const result = await reconcileObject(deps, 'images-bucket', object.key, { now: () => now });
    expect(result).toMatchObject({ key: object.key, status: 'missing', enqueued: true });
    // The version before the image record: a run that ends between the two reads is seen as done.
    expect(log).toEqual([
      'head images-bucket/holiday/beach.jpg',
      'version holiday/beach.jpg#v2',
      'image holiday/beach.jpg',
      'enqueue',
    ]);
    expect(sent).toEqual([{ source: RECONCILE_SOURCE, input: result.input }]);
  });

  it('sends nothing in a dry run or for an ok object, and skips an object that is gone', async () => {
    const dry = fakeDeps(object);
    expect(await reconcileObject(dry.deps, 'images-bucket', object.key, { dryRun: true })).toMatchObject({
      status: 'missing',
      enqueued: false,
    });
    expect(dry.sent).toEqual([]);

    const ok = fakeDeps(object, { image: labeled, versions: { v2: { status: 'LABELED', attempts: 1 } } });
    expect((await reconcileObject(ok.deps, 'images-bucket', object.key)).status).toBe('ok');
    expect(ok.sent).toEqual([]);

    const gone = fakeDeps(undefined);
    expect(await reconcileObject(gone.deps, 'images-bucket', object.key)).toMatchObject({
      status: 'skipped',
      detail: 'the object is gone',
      enqueued: false,
    });
    expect(gone.log).toEqual(['head images-bucket/holiday/beach.jpg']);
  });

  it('does not even look at a deployment smoke object', async () => {
    const { deps, log } = fakeDeps(object);
    expect((await reconcileObject(deps, 'images-bucket', '_smoke/valid.png')).status).toBe('skipped');
    expect(log).toEqual([]);
  });
});

describe('the summary', () => {
  it('counts each status and the messages sent', () => {
    const summary = emptySummary();
    addToSummary(summary, { key: 'a', status: 'ok', detail: '', enqueued: false });
    addToSummary(summary, { key: 'b', status: 'missing', detail: '', enqueued: true });
    addToSummary(summary, { key: 'c', status: 'failed', detail: '', enqueued: true });
    expect(summary).toMatchObject({ scanned: 3, ok: 1, missing: 1, failed: 1, stale: 0, enqueued: 2 });
  });
});
