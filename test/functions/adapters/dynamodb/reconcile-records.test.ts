/**
 * A reconcile's record reads against a real (local) DynamoDB, on records the workflow's own
 * writes left: each read gives the fields a decision reads, and nothing when there is no record;
 * a decision to relabel carries the attempts that let its claim take the version over once.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  claimVersion,
  finishVersion,
  writeImageRecord,
} from '../../../../functions/adapters/dynamodb/labels-store';
import { reconcileRecords } from '../../../../functions/adapters/dynamodb/reconcile-records';
import type { TableRef } from '../../../../functions/adapters/dynamodb/table-ref';
import { type CurrentObject, reconcileObject } from '../../../../functions/core/reconcile';
import type { ReconcileMessage } from '../../../../functions/core/reconcile-message';
import type { ObjectRef, WorkflowInput } from '../../../../functions/core/workflow-schemas';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../../support/local-dynamodb';
import { label } from '../../../support/workflow';

let local: LocalDynamoDb;
let table: TableRef;

const current: CurrentObject = {
  bucket: 'images-bucket',
  key: 'holiday/beach.jpg',
  eTag: 'e2',
  versionId: 'v2',
  size: 5000,
};
const object: ObjectRef = { ...current, sequencer: '0055AED6DCD90281E5' };
const now = new Date('2026-03-01T10:00:00.000Z');
const nowEpoch = Math.floor(now.getTime() / 1000);

/** What a workflow run leaves for a labeled image: the claim, the IMAGE record, the final version. */
async function labelOnce() {
  await claimVersion(table, object, { now, leaseSeconds: 120 });
  await writeImageRecord(
    table,
    {
      bucket: object.bucket,
      key: object.key,
      status: 'LABELED',
      objectVersion: 'v2',
      versionId: 'v2',
      eTag: object.eTag,
      sequencer: object.sequencer,
      size: object.size,
      labels: [label('Dog', 97.5)],
      labelModelVersion: '3.0',
      settings: { minConfidence: 70, maxLabels: 25 },
      updatedAt: now.toISOString(),
    },
    object,
  );
  await finishVersion(table, object, 'LABELED', { now });
}

beforeAll(async () => {
  local = await startLocalDynamoDb({ dirPrefix: 'reconcile-records-' });
});

beforeEach(async () => {
  table = { db: local.db, tableName: await local.freshTable() };
});

afterAll(async () => {
  await local?.close();
});

describe('reconcileRecords', () => {
  it('reads nothing for a key without records', async () => {
    const records = reconcileRecords(table);

    expect(await records.versionRecord(object.key, 'v2')).toBeUndefined();
    expect(await records.imageRecord(object.key)).toBeUndefined();
  });

  it("reads a live claim's status, attempts and lease, and nothing of another version", async () => {
    await claimVersion(table, object, { now, leaseSeconds: 120 });
    const records = reconcileRecords(table);

    expect(await records.versionRecord(object.key, 'v2')).toEqual({
      status: 'IN_PROGRESS',
      attempts: 1,
      leaseUntil: nowEpoch + 120,
    });
    expect(await records.versionRecord(object.key, 'v1')).toBeUndefined();
  });

  it('reads the fields of a labeled image a decision compares, not its labels', async () => {
    await labelOnce();
    const records = reconcileRecords(table);

    expect(await records.imageRecord(object.key)).toEqual({
      status: 'LABELED',
      objectVersion: 'v2',
      sequencer: object.sequencer,
      labelModelVersion: '3.0',
      settings: { minConfidence: 70, maxLabels: 25 },
    });
    expect(await records.versionRecord(object.key, 'v2')).toMatchObject({ status: 'LABELED', attempts: 1 });
  });
});

describe('a reconcile over the recorded state', () => {
  function deps() {
    const sent: ReconcileMessage[] = [];
    return {
      sent,
      value: {
        headObject: async () => current,
        ...reconcileRecords(table),
        enqueue: async (message: ReconcileMessage) => {
          sent.push(message);
        },
      },
    };
  }

  it('finds a labeled image ok, and leaves a version held by a live run alone', async () => {
    await labelOnce();
    const labeled = deps();
    expect(
      await reconcileObject(labeled.value, current.bucket, current.key, { now: () => now }),
    ).toMatchObject({
      status: 'ok',
      enqueued: false,
    });

    await claimVersion(table, { ...object, versionId: 'v3' }, { now, leaseSeconds: 120 });
    const held = deps();
    const v3 = { ...current, versionId: 'v3' };
    held.value.headObject = async () => v3;
    expect(await reconcileObject(held.value, current.bucket, current.key, { now: () => now })).toMatchObject({
      status: 'in-progress',
      enqueued: false,
    });
  });

  it('relabels an outdated image once: its claim takes the version over, a second one finds it taken', async () => {
    await labelOnce();
    const first = deps();
    const second = deps();
    const options = { now: () => now, target: { labelModelVersion: '4.0' } };
    await reconcileObject(first.value, current.bucket, current.key, options);
    await reconcileObject(second.value, current.bucket, current.key, options);
    const [a, b] = [first.sent[0]?.input, second.sent[0]?.input];
    expect(a?.reprocess).toEqual({ ifAttempts: 1 });
    expect(b?.reprocess).toEqual({ ifAttempts: 1 });

    const claim = (input: WorkflowInput | undefined) =>
      claimVersion(table, object, { now, leaseSeconds: 120, reprocess: input?.reprocess });
    await expect(claim(a)).resolves.toEqual({ status: 'CLAIMED', attempt: 2 });
    await expect(claim(b)).rejects.toMatchObject({ name: 'ImageInProgress' });
    await finishVersion(table, object, 'LABELED', { now });
    await expect(claim(b)).resolves.toEqual({ status: 'ALREADY_DONE', attempt: 2 });
  });
});

// The local DynamoDB is always consistent, so only the request can show the reads ask for it.
describe('reconcileRecords requests', () => {
  it('reads strongly consistently', async () => {
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const dbMock = mockClient(client);
    dbMock.on(GetCommand).resolves({});
    const records = reconcileRecords({ db: client, tableName: 'labels' });

    await records.versionRecord(object.key, 'v2');
    await records.imageRecord(object.key);

    const reads = dbMock.commandCalls(GetCommand).map((call) => call.args[0].input);
    expect(reads.map((read) => read.ConsistentRead)).toEqual([true, true]);
    dbMock.restore();
  });
});
