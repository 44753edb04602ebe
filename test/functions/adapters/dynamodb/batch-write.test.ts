/**
 * batchWrite's retries of unprocessed items. SDK mocks here: the local DynamoDB never leaves
 * items unprocessed nor throttles (its chunks of 25 are in labels-store.test.ts).
 */
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { batchWrite } from '../../../../functions/adapters/dynamodb/batch-write';
import { LabelStoreThrottledError } from '../../../../functions/core/errors';

const table = {
  db: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  tableName: 'labels-table',
};
const dbMock = mockClient(table.db);

const put = (n: number) => ({ PutRequest: { Item: { pk: `p${n}`, sk: 's' } } });
const noSleep = async (_ms: number) => {};

beforeEach(() => {
  dbMock.reset();
});

describe('batchWrite', () => {
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
    dbMock
      .on(BatchWriteCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} }));

    await expect(batchWrite(table, [put(1)], noSleep)).rejects.toMatchObject({ name: 'LabelStoreThrottled' });
  });

  it('makes no call for no requests', async () => {
    await expect(batchWrite(table, [], noSleep)).resolves.toBe(0);
    expect(dbMock.calls()).toHaveLength(0);
  });
});
