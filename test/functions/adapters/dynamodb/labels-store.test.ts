/**
 * The workflow's reads and writes of the labels table against a real (local) DynamoDB: the
 * claim admits one run per version, the detection cache, the current record with no stale
 * labels and no older version over a newer one, and the final version record. Throttling, which
 * the local DynamoDB cannot produce, is in throttle.test.ts and batch-write.test.ts.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  cacheDetection,
  claimVersion,
  finishVersion,
  getCachedDetection,
  writeImageRecord,
} from '../../../../functions/adapters/dynamodb/labels-store';
import type { TableRef } from '../../../../functions/adapters/dynamodb/table-ref';
import { ImageInProgressError } from '../../../../functions/core/errors';
import { keyHash } from '../../../../functions/core/labels-table';
import type { FinalRecord } from '../../../../functions/core/outcome';
import type { Label, ObjectRef } from '../../../../functions/core/workflow-schemas';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../../support/local-dynamodb';
import { label } from '../../../support/workflow';

let local: LocalDynamoDb;
let db: DynamoDBDocumentClient;
let table: TableRef;

const object: ObjectRef = {
  bucket: 'uploads-bucket',
  key: 'albums/beach.jpg',
  versionId: 'v2',
  eTag: 'etag2',
  size: 5000,
  sequencer: '0055AED6DCD90281E6',
};
const now = new Date('2024-06-01T12:00:00.000Z');
const nowEpoch = Math.floor(now.getTime() / 1000);
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

const detection = {
  labels: [label('Dog', 97.5)],
  labelModelVersion: '3.0',
  settings: { minConfidence: 70, maxLabels: 25 },
  detectedAt: now.toISOString(),
};

function imageOf(labels: Label[], overrides: Partial<FinalRecord> = {}): FinalRecord {
  return {
    bucket: object.bucket,
    key: object.key,
    status: 'LABELED',
    objectVersion: 'v2',
    versionId: 'v2',
    eTag: object.eTag,
    sequencer: object.sequencer,
    size: object.size,
    labels,
    updatedAt: now.toISOString(),
    ...overrides,
  };
}

async function item(sk: string): Promise<Record<string, unknown> | undefined> {
  const result = await db.send(
    new GetCommand({
      TableName: table.tableName,
      Key: { pk: `IMAGE#${object.key}`, sk },
      ConsistentRead: true,
    }),
  );
  return result.Item;
}

async function sortKeys(): Promise<string[]> {
  const result = await db.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `IMAGE#${object.key}` },
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []).map((found) => String(found.sk)).sort();
}

beforeAll(async () => {
  local = await startLocalDynamoDb({ dirPrefix: 'labels-store-' });
  db = local.db;
});

beforeEach(async () => {
  table = { db, tableName: await local.freshTable() };
});

afterAll(async () => {
  await local?.close();
});

describe('claimVersion', () => {
  it('claims a new version: IN_PROGRESS under a lease, attempt 1', async () => {
    await expect(claimVersion(table, object, { now, leaseSeconds: 120 })).resolves.toEqual({
      status: 'CLAIMED',
      attempt: 1,
    });

    expect(await item('VERSION#v2')).toEqual({
      pk: 'IMAGE#albums/beach.jpg',
      sk: 'VERSION#v2',
      key: 'albums/beach.jpg',
      status: 'IN_PROGRESS',
      leaseUntil: nowEpoch + 120,
      claimedAt: now.toISOString(),
      attempts: 1,
    });
  });

  it('refuses a second claim while the first one is live (ImageInProgress)', async () => {
    await claimVersion(table, object, { now, leaseSeconds: 120 });

    const second = claimVersion(table, object, { now: later(119), leaseSeconds: 120 });

    await expect(second).rejects.toBeInstanceOf(ImageInProgressError);
    await expect(second).rejects.toMatchObject({ name: 'ImageInProgress' });
  });

  it('takes over a claim whose lease ran out (a crashed run), as attempt 2', async () => {
    await claimVersion(table, object, { now, leaseSeconds: 120 });

    await expect(claimVersion(table, object, { now: later(121), leaseSeconds: 120 })).resolves.toEqual({
      status: 'CLAIMED',
      attempt: 2,
    });
  });

  it('claims a FAILED version again', async () => {
    await claimVersion(table, object, { now, leaseSeconds: 120 });
    await finishVersion(table, object, 'FAILED', { now });

    await expect(claimVersion(table, object, { now, leaseSeconds: 120 })).resolves.toEqual({
      status: 'CLAIMED',
      attempt: 2,
    });
  });

  it.each(['LABELED', 'REJECTED'] as const)(
    'reports a version already %s as ALREADY_DONE',
    async (status) => {
      await claimVersion(table, object, { now, leaseSeconds: 120 });
      await finishVersion(table, object, 'FAILED', { now });
      await claimVersion(table, object, { now, leaseSeconds: 120 });
      await finishVersion(table, object, status, { now });

      await expect(claimVersion(table, object, { now: later(600), leaseSeconds: 120 })).resolves.toEqual({
        status: 'ALREADY_DONE',
        attempt: 2,
      });
      expect(await item('VERSION#v2')).toMatchObject({ status, attempts: 2 });
    },
  );

  it("takes over a final version for a reconcile's reprocess only while its attempts are the ones it saw", async () => {
    await claimVersion(table, object, { now, leaseSeconds: 120 });
    await finishVersion(table, object, 'LABELED', { now });

    await expect(
      claimVersion(table, object, { now, leaseSeconds: 120, reprocess: { ifAttempts: 2 } }),
    ).resolves.toEqual({ status: 'ALREADY_DONE', attempt: 1 });
    await expect(
      claimVersion(table, object, { now, leaseSeconds: 120, reprocess: { ifAttempts: 1 } }),
    ).resolves.toEqual({ status: 'CLAIMED', attempt: 2 });
  });

  it('keys an unversioned object by its ETag', async () => {
    const { versionId: _unused, ...unversioned } = object;

    await claimVersion(table, unversioned, { now, leaseSeconds: 60 });

    expect(await sortKeys()).toEqual(['VERSION#etag:etag2']);
  });
});

describe('getCachedDetection and cacheDetection', () => {
  it('returns undefined when nothing is recorded', async () => {
    await claimVersion(table, object, { now, leaseSeconds: 60 });

    await expect(getCachedDetection(table, object)).resolves.toBeUndefined();
  });

  it('records the detection on the version item and reads it back', async () => {
    await claimVersion(table, object, { now, leaseSeconds: 60 });

    await cacheDetection(table, object, detection);

    await expect(getCachedDetection(table, object)).resolves.toEqual(detection);
    expect(await item('VERSION#v2')).toMatchObject({ status: 'IN_PROGRESS', detection });
  });
});

describe('writeImageRecord', () => {
  const previousVersion = { ...object, versionId: 'v1', eTag: 'etag1', sequencer: '0055AED6DCD90281E5' };
  const previousImage = imageOf([label('Dog'), label('Cat'), label('Sofa')], {
    objectVersion: 'v1',
    versionId: 'v1',
    eTag: 'etag1',
    sequencer: previousVersion.sequencer,
  });

  it('puts the label items and the IMAGE record, and deletes the stale labels of the previous version', async () => {
    await writeImageRecord(table, previousImage, previousVersion);
    const image = imageOf([label('Dog', 97.5), label('Beach', 88)]);

    const result = await writeImageRecord(table, image, object);

    expect(result).toEqual({ superseded: false, labelsWritten: 2, staleLabelsDeleted: 2, writeRequests: 1 });
    expect(await sortKeys()).toEqual(['IMAGE', 'LABEL#Beach', 'LABEL#Dog']);
    const hash = keyHash(object.key);
    expect(await item('LABEL#Dog')).toEqual({
      pk: 'IMAGE#albums/beach.jpg',
      sk: 'LABEL#Dog',
      gsi1pk: 'LABEL#dog',
      gsi1sk: `097.500#${hash}`,
      key: 'albums/beach.jpg',
      name: 'Dog',
      confidence: 97.5,
      objectVersion: 'v2',
    });
    expect(await item('IMAGE')).toEqual({
      ...image,
      pk: 'IMAGE#albums/beach.jpg',
      sk: 'IMAGE',
      labelNames: ['Dog', 'Beach'],
      gsi2pk: 'IMAGES',
      gsi2sk: `${now.toISOString()}#${hash}`,
      topLabels: ['Dog', 'Beach'],
    });
    // The label counts follow from the table's stream (core/label-counts.ts), not from here.
    expect(await item('COUNTS')).toBeUndefined();
  });

  it('writes in chunks of 25: 60 labels and the record take 3 BatchWrite calls', async () => {
    const labels = Array.from({ length: 60 }, (_, i) => label(`Label ${i}`, 50 + i / 2));

    const result = await writeImageRecord(table, imageOf(labels), object);

    expect(result).toEqual({ superseded: false, labelsWritten: 60, staleLabelsDeleted: 0, writeRequests: 3 });
    expect(await sortKeys()).toHaveLength(61); // 60 labels and the IMAGE record
    expect(await item('IMAGE')).toMatchObject({ status: 'LABELED', labelNames: labels.map((l) => l.name) });
  });

  it('changes nothing when a newer sequencer is already recorded', async () => {
    const newer = { ...object, versionId: 'v3', sequencer: '0055AED6DCD90281E7' };
    await writeImageRecord(
      table,
      imageOf([label('Cat')], { objectVersion: 'v3', versionId: 'v3', sequencer: newer.sequencer }),
      newer,
    );

    const result = await writeImageRecord(table, imageOf([label('Dog')]), object);

    expect(result).toEqual({ superseded: true, labelsWritten: 0, staleLabelsDeleted: 0, writeRequests: 0 });
    expect(await sortKeys()).toEqual(['IMAGE', 'LABEL#Cat']);
    expect(await item('IMAGE')).toMatchObject({ objectVersion: 'v3', labelNames: ['Cat'] });
  });

  it('rewrites the same version even when its recorded sequencer compares higher', async () => {
    await writeImageRecord(table, imageOf([label('Cat')], { sequencer: '0055AED6DCD90281E7' }), {
      ...object,
      sequencer: '0055AED6DCD90281E7',
    });

    const result = await writeImageRecord(table, imageOf([label('Dog')]), object);

    expect(result).toMatchObject({ superseded: false, labelsWritten: 1, staleLabelsDeleted: 1 });
    expect(await sortKeys()).toEqual(['IMAGE', 'LABEL#Dog']);
  });
});

describe('finishVersion', () => {
  beforeEach(async () => {
    await claimVersion(table, object, { now, leaseSeconds: 60 });
    await cacheDetection(table, object, detection);
  });

  it('marks a LABELED version final and drops its cached detection', async () => {
    await finishVersion(table, object, 'LABELED', { now: later(5) });

    const version = await item('VERSION#v2');
    expect(version).toMatchObject({
      status: 'LABELED',
      finishedAt: later(5).toISOString(),
      key: object.key,
      leaseUntil: 0,
    });
    expect(version).not.toHaveProperty('detection');
    expect(version).not.toHaveProperty('superseded');
  });

  it('keeps the cached detection of a FAILED version and records its error', async () => {
    const error = { name: 'LabelStoreThrottled', message: 'slow down' };

    await finishVersion(table, object, 'FAILED', { now, error });

    expect(await item('VERSION#v2')).toMatchObject({ status: 'FAILED', lastError: error, detection });
  });

  it('drops the detection of a REJECTED version and flags a superseded one', async () => {
    await finishVersion(table, object, 'REJECTED', { now, superseded: true });

    const version = await item('VERSION#v2');
    expect(version).toMatchObject({ status: 'REJECTED', superseded: true });
    expect(version).not.toHaveProperty('detection');
  });
});
