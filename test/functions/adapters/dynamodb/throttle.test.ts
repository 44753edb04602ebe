/**
 * DynamoDB throttling becomes LabelStoreThrottled, the error the state machine retries; any
 * other error passes through. The labels-store cases use an SDK mock: the local DynamoDB
 * cannot throttle.
 */
import {
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { claimVersion, writeImageRecord } from '../../../../functions/adapters/dynamodb/labels-store';
import { throttleAware } from '../../../../functions/adapters/dynamodb/throttle';
import { LabelStoreThrottledError } from '../../../../functions/core/errors';
import type { ObjectRef } from '../../../../functions/core/workflow-schemas';
import { label } from '../../../support/workflow';

const throttled = () =>
  new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });

describe('throttleAware', () => {
  it.each([
    ['ProvisionedThroughputExceededException', throttled()],
    ['ThrottlingException', new ThrottlingException({ message: 'Rate exceeded', $metadata: {} })],
    ['RequestLimitExceeded', Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' })],
  ])('maps %s to LabelStoreThrottled, keeping its message', async (_name, error) => {
    const promise = throttleAware(() => Promise.reject(error));

    await expect(promise).rejects.toBeInstanceOf(LabelStoreThrottledError);
    await expect(promise).rejects.toThrow('DynamoDB throttled the labels table: Rate exceeded');
  });

  it('passes other errors through unchanged, and results too', async () => {
    const boom = new Error('socket hang up');

    await expect(throttleAware(() => Promise.reject(boom))).rejects.toBe(boom);
    await expect(throttleAware(async () => 42)).resolves.toBe(42);
  });
});

describe('labels-store on a throttled table', () => {
  const table = {
    db: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    tableName: 'labels-table',
  };
  const dbMock = mockClient(table.db);
  const object: ObjectRef = {
    bucket: 'b',
    key: 'a.jpg',
    versionId: 'v1',
    eTag: 'e',
    size: 1,
    sequencer: '0A',
  };
  const now = new Date('2024-06-01T12:00:00.000Z');

  beforeEach(() => {
    dbMock.reset();
  });

  it('maps a throttled claim to LabelStoreThrottled', async () => {
    dbMock.on(UpdateCommand).rejects(throttled());

    await expect(claimVersion(table, object, { now, leaseSeconds: 60 })).rejects.toMatchObject({
      name: 'LabelStoreThrottled',
      message: expect.stringContaining('Rate exceeded'),
    });
  });

  it("passes a claim's other errors through unchanged", async () => {
    const boom = new Error('socket hang up');
    dbMock.on(UpdateCommand).rejects(boom);

    await expect(claimVersion(table, object, { now, leaseSeconds: 60 })).rejects.toBe(boom);
  });

  it("maps a record write's throttled read to LabelStoreThrottled", async () => {
    dbMock.on(GetCommand).rejects(throttled());
    const record = {
      bucket: 'b',
      key: 'a.jpg',
      status: 'LABELED' as const,
      objectVersion: 'v1',
      eTag: 'e',
      sequencer: '0A',
      size: 1,
      labels: [label('Dog')],
      updatedAt: now.toISOString(),
    };

    await expect(writeImageRecord(table, record, object)).rejects.toBeInstanceOf(LabelStoreThrottledError);
  });
});
