/**
 * The API's reads against a real (local) DynamoDB, on records the store step wrote: the labels
 * index answers highest confidence first from the bound up and pages by LastEvaluatedKey, the
 * images index last updated first, and label counts match a name prefix case-insensitively.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { labelCountsLedger } from '../../../../functions/adapters/dynamodb/label-counts';
import {
  getImageRecord,
  queryImagesByLabel,
  queryLabelCounts,
  queryLatestImages,
} from '../../../../functions/adapters/dynamodb/labels-query';
import { writeImageRecord } from '../../../../functions/adapters/dynamodb/labels-store';
import { aggregate, applyWindow, openShard } from '../../../../functions/core/label-counts';
import { objectVersionOf } from '../../../../functions/core/labels-table';
import type { Label, ObjectRef } from '../../../../functions/core/workflow-schemas';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../../support/local-dynamodb';
import { label } from '../../../support/workflow';

let local: LocalDynamoDb;
let db: DynamoDBDocumentClient;
let tableName: string;

let sequence = 0;
async function store(key: string, minute: number, labels: Label[]) {
  const object: ObjectRef = {
    bucket: 'images',
    key,
    eTag: `e-${key}`,
    size: 10,
    sequencer: (++sequence).toString(16).padStart(8, '0').toUpperCase(),
  };
  await writeImageRecord(
    { db, tableName },
    {
      bucket: object.bucket,
      key,
      status: 'LABELED',
      objectVersion: objectVersionOf(object),
      eTag: object.eTag,
      sequencer: object.sequencer,
      size: object.size,
      labels,
      updatedAt: new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString(),
    },
    object,
  );
}

beforeAll(async () => {
  local = await startLocalDynamoDb({ dirPrefix: 'labels-query-' });
  db = local.db;
});

beforeEach(async () => {
  tableName = await local.freshTable();
  await store('a.jpg', 1, [label('Dog', 70), label('Ball', 95)]);
  await store('b.jpg', 2, [label('Dog', 99)]);
  await store('c.jpg', 3, [label('Dog', 85), label('Doghouse', 60)]);
});

afterAll(async () => {
  await local?.close();
});

describe('getImageRecord', () => {
  it('reads the IMAGE record of a key, and nothing for an unknown key', async () => {
    const record = await getImageRecord({ db, tableName }, 'a.jpg');
    expect(record?.key).toBe('a.jpg');
    expect(record?.labels.map((l) => l.name)).toEqual(['Dog', 'Ball']);
    expect(await getImageRecord({ db, tableName }, 'nope.jpg')).toBeUndefined();
  });
});

describe('queryImagesByLabel', () => {
  it('answers highest confidence first, from the minimum confidence up', async () => {
    const { hits, next } = await queryImagesByLabel(
      { db, tableName },
      { label: 'dog', minConfidence: 80, limit: 10 },
    );
    expect(hits.map((hit) => [hit.key, hit.confidence])).toEqual([
      ['b.jpg', 99],
      ['c.jpg', 85],
    ]);
    expect(hits[0]?.objectVersion).toBe('etag:e-b.jpg');
    expect(next).toBeUndefined();
  });

  it('pages from the position it handed out, without repeats', async () => {
    const table = { db, tableName };
    const first = await queryImagesByLabel(table, { label: 'Dog', minConfidence: 0, limit: 2 });
    expect(first.next).toBeDefined();
    const second = await queryImagesByLabel(table, {
      label: 'Dog',
      minConfidence: 0,
      limit: 2,
      after: first.next,
    });
    expect([...first.hits, ...second.hits].map((hit) => hit.key)).toEqual(['b.jpg', 'c.jpg', 'a.jpg']);
  });
});

describe('queryLatestImages', () => {
  it('lists every image last updated first, with its top labels, and pages', async () => {
    const table = { db, tableName };
    const first = await queryLatestImages(table, { limit: 2 });
    expect(first.images.map((image) => image.key)).toEqual(['c.jpg', 'b.jpg']);
    expect(first.images[0]?.topLabels).toEqual(['Dog', 'Doghouse']);
    const second = await queryLatestImages(table, { limit: 2, after: first.next });
    expect(second.images.map((image) => image.key)).toEqual(['a.jpg']);
  });
});

describe('queryLabelCounts', () => {
  it('counts the images carrying each label that starts with the prefix, any case', async () => {
    // What count-labels writes for the three records above, in one window of the table's stream.
    const ledger = labelCountsLedger({ db, tableName });
    const { slot } = await openShard(ledger, 'shard-1', new Date());
    const changes = [['Dog', 'Ball'], ['Dog'], ['Dog', 'Doghouse']].map((newNames, index) => ({
      sequenceNumber: String(index + 1),
      oldNames: [],
      newNames,
    }));
    await applyWindow(ledger, 'shard-1', aggregate({ slot, deltas: {} }, changes).state, new Date());

    expect(await queryLabelCounts({ db, tableName }, { prefix: 'DOG', limit: 10 })).toEqual([
      { name: 'Dog', imageCount: 3 },
      { name: 'Doghouse', imageCount: 1 },
    ]);
    expect(await queryLabelCounts({ db, tableName }, { prefix: '', limit: 1 })).toEqual([
      { name: 'Dog', imageCount: 3 },
    ]);
  });
});
