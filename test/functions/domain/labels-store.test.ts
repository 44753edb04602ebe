import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ImageInProgressError, LabelStoreThrottledError } from '../../../functions/core/errors';
import { type ImageItem, keyHash } from '../../../functions/core/labels-table';
import type { Label, ObjectRef } from '../../../functions/core/workflow-schemas';
import {
  batchWrite,
  cacheDetection,
  claimVersion,
  finishVersion,
  getCachedDetection,
  writeImageRecord,
} from '../../../functions/domain/labels-store';
import { label } from '../../support/workflow';

const dbMock = mockClient(DynamoDBDocumentClient);
const table = {
  db: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  tableName: 'labels-table',
};

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

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const throttled = () =>
  new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });

function imageOf(
  labels: Label[],
  overrides: Partial<ImageItem> = {},
): Omit<ImageItem, 'pk' | 'sk' | 'labelNames'> {
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

const detection = {
  labels: [label('Dog', 97.5)],
  labelModelVersion: '3.0',
  settings: { minConfidence: 70, maxLabels: 25 },
  detectedAt: now.toISOString(),
};

beforeEach(() => {
  dbMock.reset();
});

describe('claimVersion', () => {
  it('claims a new version with a conditional update and returns its attempt', async () => {
    dbMock.on(UpdateCommand).resolves({ Attributes: { attempts: 1, status: 'IN_PROGRESS' } });

    const result = await claimVersion(table, object, { now, leaseSeconds: 120 });

    expect(result).toEqual({ status: 'CLAIMED', attempt: 1 });
    expect(dbMock.commandCalls(GetCommand)).toHaveLength(0);
    const input = dbMock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      TableName: 'labels-table',
      Key: { pk: 'IMAGE#albums/beach.jpg', sk: 'VERSION#v2' },
      ReturnValues: 'ALL_NEW',
    });
    expect(input?.ExpressionAttributeValues).toMatchObject({
      ':inProgress': 'IN_PROGRESS',
      ':leaseUntil': nowEpoch + 120,
      ':nowEpoch': nowEpoch,
      ':objectKey': 'albums/beach.jpg',
    });
  });

  it('allows a new, FAILED or lease-expired version in its ConditionExpression', async () => {
    dbMock.on(UpdateCommand).resolves({ Attributes: { attempts: 3 } });

    const result = await claimVersion(table, object, { now, leaseSeconds: 60 });

    expect(result).toEqual({ status: 'CLAIMED', attempt: 3 });
    const input = dbMock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe(
      'attribute_not_exists(pk) OR #status = :failed OR (#status = :inProgress AND leaseUntil < :nowEpoch)',
    );
    expect(input?.ExpressionAttributeNames).toEqual({ '#status': 'status', '#key': 'key' });
    expect(input?.ExpressionAttributeValues).toMatchObject({
      ':failed': 'FAILED',
      ':inProgress': 'IN_PROGRESS',
    });
    expect(input?.UpdateExpression).toContain('attempts = if_not_exists(attempts, :zero) + :one');
  });

  it('keys an unversioned object by its ETag', async () => {
    dbMock.on(UpdateCommand).resolves({ Attributes: { attempts: 1 } });
    const { versionId: _unused, ...unversioned } = object;

    await claimVersion(table, unversioned, { now, leaseSeconds: 60 });

    expect(dbMock.commandCalls(UpdateCommand)[0]?.args[0].input.Key).toEqual({
      pk: 'IMAGE#albums/beach.jpg',
      sk: 'VERSION#etag:etag2',
    });
  });

  it.each(['LABELED', 'REJECTED'])(
    'returns ALREADY_DONE for a version already %s (condition failed, then a consistent read)',
    async (status) => {
      dbMock.on(UpdateCommand).rejects(conditionFailed());
      dbMock.on(GetCommand).resolves({ Item: { status, attempts: 2 } });

      const result = await claimVersion(table, object, { now, leaseSeconds: 60 });

      expect(result).toEqual({ status: 'ALREADY_DONE', attempt: 2 });
      expect(dbMock.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
        TableName: 'labels-table',
        Key: { pk: 'IMAGE#albums/beach.jpg', sk: 'VERSION#v2' },
        ConsistentRead: true,
      });
    },
  );

  it('throws ImageInProgress when another run holds a live claim', async () => {
    dbMock.on(UpdateCommand).rejects(conditionFailed());
    dbMock
      .on(GetCommand)
      .resolves({ Item: { status: 'IN_PROGRESS', leaseUntil: nowEpoch + 30, attempts: 1 } });

    const promise = claimVersion(table, object, { now, leaseSeconds: 60 });

    await expect(promise).rejects.toBeInstanceOf(ImageInProgressError);
    await expect(promise).rejects.toMatchObject({ name: 'ImageInProgress' });
  });

  it('maps DynamoDB throttling to LabelStoreThrottled', async () => {
    dbMock.on(UpdateCommand).rejects(throttled());

    await expect(claimVersion(table, object, { now, leaseSeconds: 60 })).rejects.toMatchObject({
      name: 'LabelStoreThrottled',
      message: expect.stringContaining('Rate exceeded'),
    });
  });

  it('passes other errors through unchanged', async () => {
    const boom = new Error('socket hang up');
    dbMock.on(UpdateCommand).rejects(boom);

    await expect(claimVersion(table, object, { now, leaseSeconds: 60 })).rejects.toBe(boom);
  });
});

describe('getCachedDetection and cacheDetection', () => {
  it('reads the recorded detection with a consistent, projected read', async () => {
    dbMock.on(GetCommand).resolves({ Item: { detection } });

    await expect(getCachedDetection(table, object)).resolves.toEqual(detection);
    expect(dbMock.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: 'labels-table',
      Key: { pk: 'IMAGE#albums/beach.jpg', sk: 'VERSION#v2' },
      ProjectionExpression: 'detection',
      ConsistentRead: true,
    });
  });

  it('returns undefined when nothing is recorded', async () => {
    dbMock.on(GetCommand).resolves({});

    await expect(getCachedDetection(table, object)).resolves.toBeUndefined();
  });

  it('records the detection on the version item', async () => {
    dbMock.on(UpdateCommand).resolves({});

    await cacheDetection(table, object, detection);

    expect(dbMock.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
      TableName: 'labels-table',
      Key: { pk: 'IMAGE#albums/beach.jpg', sk: 'VERSION#v2' },
      UpdateExpression: 'SET detection = :detection',
      ExpressionAttributeValues: { ':detection': detection },
    });
  });
});

describe('writeImageRecord', () => {
  it('puts the label items and the IMAGE record, and deletes the stale labels of the previous version', async () => {
    dbMock.on(GetCommand).resolves({
      Item: { sequencer: '0055AED6DCD90281E5', objectVersion: 'v1', labelNames: ['Dog', 'Cat', 'Sofa'] },
    });
    dbMock.on(BatchWriteCommand).resolves({});

    const result = await writeImageRecord(table, imageOf([label('Dog', 97.5), label('Beach', 88)]), object);

    expect(result).toEqual({ superseded: false, labelsWritten: 2, staleLabelsDeleted: 2, writeRequests: 1 });
    expect(dbMock.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      Key: { pk: 'IMAGE#albums/beach.jpg', sk: 'IMAGE' },
      ConsistentRead: true,
    });
    const hash = keyHash(object.key);
    expect(dbMock.commandCalls(BatchWriteCommand)[0]?.args[0].input).toEqual({
      RequestItems: {
        'labels-table': [
          {
            PutRequest: {
              Item: {
                pk: 'IMAGE#albums/beach.jpg',
                sk: 'LABEL#Dog',
                gsi1pk: 'LABEL#dog',
                gsi1sk: `097.500#${hash}`,
                key: 'albums/beach.jpg',
                name: 'Dog',
                confidence: 97.5,
                objectVersion: 'v2',
              },
            },
          },
          {
            PutRequest: {
              Item: {
                pk: 'IMAGE#albums/beach.jpg',
                sk: 'LABEL#Beach',
                gsi1pk: 'LABEL#beach',
                gsi1sk: `088.000#${hash}`,
                key: 'albums/beach.jpg',
                name: 'Beach',
                confidence: 88,
                objectVersion: 'v2',
              },
            },
          },
          { DeleteRequest: { Key: { pk: 'IMAGE#albums/beach.jpg', sk: 'LABEL#Cat' } } },
          { DeleteRequest: { Key: { pk: 'IMAGE#albums/beach.jpg', sk: 'LABEL#Sofa' } } },
          {
            PutRequest: {
              Item: {
                ...imageOf([label('Dog', 97.5), label('Beach', 88)]),
                pk: 'IMAGE#albums/beach.jpg',
                sk: 'IMAGE',
                labelNames: ['Dog', 'Beach'],
                // Its entry in the images index: last updated first, top label names.
                gsi2pk: 'IMAGES',
                gsi2sk: `${now.toISOString()}#${hash}`,
                topLabels: ['Dog', 'Beach'],
              },
            },
          },
        ],
      },
    });
  });

  it('writes in chunks of 25: 60 labels and the record take 3 BatchWrite calls', async () => {
    dbMock.on(GetCommand).resolves({});
    dbMock.on(BatchWriteCommand).resolves({});
    const labels = Array.from({ length: 60 }, (_, i) => label(`Label ${i}`, 50 + i / 2));

    const result = await writeImageRecord(table, imageOf(labels), object);

    const calls = dbMock.commandCalls(BatchWriteCommand);
    expect(calls.map((call) => call.args[0].input.RequestItems?.['labels-table']?.length)).toEqual([
      25, 25, 11,
    ]);
    expect(result).toEqual({ superseded: false, labelsWritten: 60, staleLabelsDeleted: 0, writeRequests: 3 });
    // The IMAGE record goes last.
    const last = calls[2]?.args[0].input.RequestItems?.['labels-table']?.at(-1);
    expect(last?.PutRequest?.Item).toMatchObject({ sk: 'IMAGE', status: 'LABELED' });
  });

  it('changes nothing when a newer sequencer is already recorded', async () => {
    dbMock.on(GetCommand).resolves({
      Item: { sequencer: '0055AED6DCD90281E7', objectVersion: 'v3', labelNames: ['Cat'] },
    });

    const result = await writeImageRecord(table, imageOf([label('Dog')]), object);

    expect(result).toEqual({ superseded: true, labelsWritten: 0, staleLabelsDeleted: 0, writeRequests: 0 });
    expect(dbMock.commandCalls(BatchWriteCommand)).toHaveLength(0);
    expect(dbMock.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('rewrites the same version even when its recorded sequencer compares higher', async () => {
    dbMock.on(GetCommand).resolves({
      Item: { sequencer: '0055AED6DCD90281E7', objectVersion: 'v2', labelNames: ['Dog'] },
    });
    dbMock.on(BatchWriteCommand).resolves({});

    const result = await writeImageRecord(table, imageOf([label('Dog')]), object);

    expect(result.superseded).toBe(false);
    expect(dbMock.commandCalls(BatchWriteCommand)).toHaveLength(1);
  });

  it('maps a throttled read to LabelStoreThrottled', async () => {
    dbMock.on(GetCommand).rejects(throttled());

    await expect(writeImageRecord(table, imageOf([label('Dog')]), object)).rejects.toBeInstanceOf(
      LabelStoreThrottledError,
    );
  });
});

describe('batchWrite', () => {
  const put = (n: number) => ({ PutRequest: { Item: { pk: `p${n}`, sk: 's' } } });
  const noSleep = async (_ms: number) => {};

  it('retries unprocessed items until they are written', async () => {
    const sleep = vi.fn(noSleep);
    dbMock
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { 'labels-table': [put(2)] } })
      .resolves({});

    const calls = await batchWrite(table, [put(1), put(2), put(3)], sleep);

    expect(calls).toBe(2);
    expect(sleep).toHaveBeenCalledTimes(1);
    expect(dbMock.commandCalls(BatchWriteCommand)[1]?.args[0].input.RequestItems).toEqual({
      'labels-table': [put(2)],
    });
  });

  it('throws LabelStoreThrottled when items stay unprocessed after its retries', async () => {
    dbMock.on(BatchWriteCommand).resolves({ UnprocessedItems: { 'labels-table': [put(1)] } });
    const sleep = vi.fn(noSleep);

    const promise = batchWrite(table, [put(1)], sleep);

    await expect(promise).rejects.toBeInstanceOf(LabelStoreThrottledError);
    await expect(promise).rejects.toThrow(/1 label writes stayed unprocessed after 5 retries/);
    expect(dbMock.commandCalls(BatchWriteCommand)).toHaveLength(6);
    expect(sleep).toHaveBeenCalledTimes(5);
  });

  it('maps a ProvisionedThroughputExceededException to LabelStoreThrottled', async () => {
    dbMock.on(BatchWriteCommand).rejects(throttled());

    await expect(batchWrite(table, [put(1)], noSleep)).rejects.toMatchObject({ name: 'LabelStoreThrottled' });
  });

  it('makes no call for no requests', async () => {
    await expect(batchWrite(table, [], noSleep)).resolves.toBe(0);
    expect(dbMock.calls()).toHaveLength(0);
  });
});

describe('finishVersion', () => {
  it('marks a LABELED version final and drops its cached detection', async () => {
    dbMock.on(UpdateCommand).resolves({});

    await finishVersion(table, object, 'LABELED', { now });

    const input = dbMock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.Key).toEqual({ pk: 'IMAGE#albums/beach.jpg', sk: 'VERSION#v2' });
    expect(input?.UpdateExpression).toBe(
      'SET #status = :status, finishedAt = :now, #key = :objectKey, leaseUntil = :zero REMOVE detection',
    );
    expect(input?.ExpressionAttributeValues).toEqual({
      ':status': 'LABELED',
      ':now': now.toISOString(),
      ':objectKey': object.key,
      ':zero': 0,
    });
  });

  it('keeps the cached detection of a FAILED version and records its error', async () => {
    dbMock.on(UpdateCommand).resolves({});
    const error = { name: 'LabelStoreThrottled', message: 'slow down' };

    await finishVersion(table, object, 'FAILED', { now, error });

    const input = dbMock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.UpdateExpression).not.toContain('REMOVE');
    expect(input?.UpdateExpression).toContain('lastError = :error');
    expect(input?.ExpressionAttributeValues).toMatchObject({ ':status': 'FAILED', ':error': error });
  });

  it('drops the detection of a REJECTED version and flags a superseded one', async () => {
    dbMock.on(UpdateCommand).resolves({});

    await finishVersion(table, object, 'REJECTED', { now, superseded: true });

    const input = dbMock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.UpdateExpression).toMatch(/superseded = :superseded REMOVE detection$/);
    expect(input?.ExpressionAttributeValues).toMatchObject({ ':superseded': true });
  });
});
