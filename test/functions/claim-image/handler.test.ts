import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext, stubHandlerEnv } from '../../support/lambda';
import { TABLE_NAME, workflowInput } from '../../support/workflow';

stubHandlerEnv({ LABELS_TABLE_NAME: TABLE_NAME, CLAIM_LEASE_SECONDS: '120' });
const { handler } = await import('../../../functions/claim-image/handler');

const dbMock = mockClient(DynamoDBDocumentClient);
const context = lambdaContext('claim-image');

beforeEach(() => {
  dbMock.reset();
});

describe('claim-image handler', () => {
  it('claims the object version in the configured table with the configured lease', async () => {
    dbMock.on(UpdateCommand).resolves({ Attributes: { attempts: 1 } });
    const before = Math.floor(Date.now() / 1000);

    const result = await handler(workflowInput, context);

    expect(result).toEqual({ status: 'CLAIMED', attempt: 1 });
    const input = dbMock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.TableName).toBe(TABLE_NAME);
    expect(input?.Key).toEqual({ pk: 'IMAGE#albums/summer 2024/dog.jpg', sk: 'VERSION#v2' });
    const values = input?.ExpressionAttributeValues ?? {};
    expect(values[':leaseUntil'] - values[':nowEpoch']).toBe(120);
    expect(values[':nowEpoch']).toBeGreaterThanOrEqual(before);
  });

  it('reports ALREADY_DONE for a version that is already labeled', async () => {
    dbMock
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    dbMock.on(GetCommand).resolves({ Item: { status: 'LABELED', attempts: 1 } });

    await expect(handler(workflowInput, context)).resolves.toEqual({ status: 'ALREADY_DONE', attempt: 1 });
  });

  it('surfaces a live claim as an error named ImageInProgress', async () => {
    dbMock
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    dbMock.on(GetCommand).resolves({ Item: { status: 'IN_PROGRESS', attempts: 1 } });

    await expect(handler(workflowInput, context)).rejects.toMatchObject({ name: 'ImageInProgress' });
  });

  it('rejects input that does not match the workflow schema as InvalidTaskInput', async () => {
    await expect(handler({ object: { key: 'x' } }, context)).rejects.toMatchObject({
      name: 'InvalidTaskInput',
    });
    expect(dbMock.calls()).toHaveLength(0);
  });
});

describe('claim-image module', () => {
  it('fails to load with ConfigurationError when CLAIM_LEASE_SECONDS is missing', async () => {
    vi.resetModules();
    vi.stubEnv('CLAIM_LEASE_SECONDS', undefined);

    await expect(import('../../../functions/claim-image/handler')).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringContaining('CLAIM_LEASE_SECONDS'),
    });
  });
});
