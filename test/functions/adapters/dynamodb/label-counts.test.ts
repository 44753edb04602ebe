/**
 * Label counts against a real (local) DynamoDB: relabeling, processing twice, deleting and
 * crashing at every step of a count update still leave exact counts.
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeImageRecords } from '../../../../functions/adapters/dynamodb/image-removal';
import { labelCountsStore } from '../../../../functions/adapters/dynamodb/label-counts';
import { writeImageRecord } from '../../../../functions/adapters/dynamodb/labels-store';
import type { TableRef } from '../../../../functions/adapters/dynamodb/table-ref';
import { reconcileLabelCounts } from '../../../../functions/core/label-counts';
import type { ObjectRef } from '../../../../functions/core/workflow-schemas';
import { ensureLabelsTable } from '../../../../local/dynamodb';
import { recordingPublisher } from '../../../support/image-events';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../../support/local-dynamodb';
import { label } from '../../../support/workflow';

const TABLE = 'labels';
const announcer = { events: recordingPublisher() };
let local: LocalDynamoDb;
let db: DynamoDBDocumentClient;

let sequence = 0;
const object = (key: string, version: string): ObjectRef => ({
  bucket: 'images',
  key,
  versionId: version,
  eTag: `e-${version}`,
  size: 10,
  sequencer: (++sequence).toString(16).padStart(8, '0').toUpperCase(),
});

const countsOn = (table: TableRef) => labelCountsStore(table);

async function store(table: TableRef, ref: ObjectRef, names: string[]) {
  await writeImageRecord(
    table,
    {
      bucket: ref.bucket,
      key: ref.key,
      status: 'LABELED',
      objectVersion: ref.versionId ?? '',
      versionId: ref.versionId,
      eTag: ref.eTag,
      sequencer: ref.sequencer,
      size: ref.size,
      labels: names.map((name) => label(name)),
      updatedAt: new Date().toISOString(),
    },
    ref,
  );
}

async function counts(): Promise<Record<string, number>> {
  const page = await db.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'LABELS' },
      ConsistentRead: true,
    }),
  );
  return Object.fromEntries(
    (page.Items ?? [])
      .filter((item) => Number(item.imageCount) !== 0)
      .map((item) => [String(item.name), Number(item.imageCount)]),
  );
}

/** A client whose n-th send (and every one after it) fails, as a crash half-way would. */
function crashingAfter(calls: number) {
  let sent = 0;
  const send = ((command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
    if (++sent > calls) return Promise.reject(new Error('crash'));
    return db.send(command as never);
  }) as DynamoDBDocumentClient['send'];
  return { db: { send } as DynamoDBDocumentClient, tableName: TABLE };
}

/**
 * A client that lets its first `calls` sends through, then holds the next one until `release`:
 * a caller that read the counts, then stalled while another finished the same change.
 */
function stallingAfter(calls: number) {
  let sent = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let stalled: () => void = () => undefined;
  const reachedGate = new Promise<void>((resolve) => {
    stalled = resolve;
  });
  const send = (async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
    if (++sent > calls) {
      stalled();
      await gate;
    }
    return db.send(command as never);
  }) as DynamoDBDocumentClient['send'];
  return { table: { db: { send } as DynamoDBDocumentClient, tableName: TABLE }, reachedGate, release };
}

beforeAll(async () => {
  local = await startLocalDynamoDb({ dirPrefix: 'label-counts-' });
  await ensureLabelsTable(local.client, TABLE);
  db = local.db;
});

afterAll(async () => {
  await local?.close();
});

describe('label counts', () => {
  const table = () => ({ db, tableName: TABLE });

  it('count each image once, follow a relabel, ignore a second processing, and drop a deletion', async () => {
    await store(table(), object('one.png', 'v1'), ['Cat', 'Sofa']);
    await store(table(), object('two.png', 'v1'), ['Cat']);
    expect(await counts()).toEqual({ Cat: 2, Sofa: 1 });

    const again = object('one.png', 'v1');
    await store(table(), again, ['Cat', 'Sofa']);
    await store(table(), again, ['Cat', 'Sofa']);
    expect(await counts()).toEqual({ Cat: 2, Sofa: 1 });

    await store(table(), object('one.png', 'v2'), ['Dog', 'Sofa']);
    expect(await counts()).toEqual({ Cat: 1, Sofa: 1, Dog: 1 });

    await removeImageRecords(table(), 'one.png', {}, announcer);
    await removeImageRecords(table(), 'one.png', {}, announcer);
    expect(await counts()).toEqual({ Cat: 1 });
    await removeImageRecords(table(), 'two.png', {}, announcer);
    expect(await counts()).toEqual({});
  });

  it('stays exact when a store crashes after any number of calls and is retried', async () => {
    for (let crashAt = 0; crashAt < 30; crashAt++) {
      const key = `crash-${crashAt}.png`;
      await store(table(), object(key, 'v1'), ['Crash', 'Old']);
      const relabel = object(key, 'v2');
      await store(crashingAfter(crashAt), relabel, ['Crash', 'New']).catch(() => undefined);
      await store(table(), relabel, ['Crash', 'New']);
      const now = await counts();
      expect([crashAt, now.Crash, now.Old, now.New]).toEqual([crashAt, crashAt + 1, undefined, crashAt + 1]);
    }
  });

  it('counts a deletion once when two removals of the key race (the API and the S3 event)', async () => {
    await store(table(), object('race-kept.png', 'v1'), ['Raced']);
    await store(table(), object('race-gone.png', 'v1'), ['Raced']);
    expect((await counts()).Raced).toBe(2);
    // The S3 event's removal reads the counts, then stalls before it journals its change...
    const late = stallingAfter(1);
    const lateRemoval = reconcileLabelCounts(countsOn(late.table), 'race-gone.png', { target: [] });
    await late.reachedGate;
    // ...while the API's removal of the same key runs to the end.
    await reconcileLabelCounts(countsOn(table()), 'race-gone.png', { target: [] });
    expect((await counts()).Raced).toBe(1);
    late.release();
    await lateRemoval;
    expect((await counts()).Raced).toBe(1);
  });

  it('stays exact when a deletion crashes half-way and is retried', async () => {
    const before = await counts();
    for (let crashAt = 0; crashAt < 20; crashAt++) {
      const key = `gone-${crashAt}.png`;
      await store(table(), object(key, 'v1'), ['Gone']);
      await removeImageRecords(crashingAfter(crashAt), key, {}, announcer).catch(() => undefined);
      await removeImageRecords(table(), key, {}, announcer);
      expect([crashAt, (await counts()).Gone]).toEqual([crashAt, undefined]);
      // Announced at least once, and every announcement of it carries the same eventId.
      const announced = announcer.events.events.filter((event) => event.detail.key === key);
      expect(new Set(announced.map((event) => event.detail.eventId)).size).toBe(1);
    }
    expect(await counts()).toEqual(before);
  });

  it('keeps a newer upload on a late removal event, and drops only an old version deleted for good', async () => {
    const removal = object('kept.png', 'v1');
    await store(table(), object('kept.png', 'v2'), ['Kept']);
    await expect(
      removeImageRecords(
        table(),
        'kept.png',
        {
          eventName: 'ObjectRemoved:DeleteMarkerCreated',
          sequencer: removal.sequencer,
        },
        announcer,
      ),
    ).resolves.toMatchObject({ outcome: 'NEWER_RECORD_KEPT' });
    await expect(
      removeImageRecords(
        table(),
        'kept.png',
        { eventName: 'ObjectRemoved:Delete', versionId: 'v1' },
        announcer,
      ),
    ).resolves.toMatchObject({ outcome: 'OLD_VERSION_ONLY' });
    expect((await counts()).Kept).toBe(1);
    await expect(
      removeImageRecords(
        table(),
        'kept.png',
        { eventName: 'ObjectRemoved:Delete', versionId: 'v2' },
        announcer,
      ),
    ).resolves.toMatchObject({ outcome: 'REMOVED', itemsDeleted: 3 });
    expect((await counts()).Kept).toBeUndefined();
  });

  it('a reconcile with nothing to change writes nothing', async () => {
    await store(table(), object('still.png', 'v1'), ['Still']);
    expect(await reconcileLabelCounts(countsOn(table()), 'still.png')).toBe(0);
  });
});
