import { SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext, sqsRecord, stubHandlerEnv } from '../../support/lambda';
import { S3_TEST_EVENT_BODY, s3EventBody, s3EventRecord } from '../../support/s3-events';

const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:label-image';
stubHandlerEnv({
  EVENT_BUS_NAME: 'image-labeling-test',
  STATE_MACHINE_ARN,
  LABELS_TABLE_NAME: 'labels-table',
});
const { handler } = await import('../../../functions/start-workflow/handler');

const sfnMock = mockClient(SFNClient);
const dbMock = mockClient(DynamoDBDocumentClient);
const context = lambdaContext('start-workflow');

/** Runs every workflow to SUCCEEDED, except for the keys in `failing`, which end FAILED. */
function workflowsEnd(failing: string[] = []) {
  sfnMock.on(StartSyncExecutionCommand).callsFake((input: { input: string; name: string }) => {
    const { object } = JSON.parse(input.input) as { object: { key: string } };
    return failing.includes(object.key)
      ? {
          executionArn: `arn:exec:${input.name}`,
          status: 'FAILED',
          error: 'ImageProcessingFailed',
          cause: 'The image could not be processed.',
        }
      : {
          executionArn: `arn:exec:${input.name}`,
          status: 'SUCCEEDED',
          output: JSON.stringify({ outcome: 'LABELED', key: object.key }),
        };
  });
}

const startedKeys = () =>
  sfnMock
    .commandCalls(StartSyncExecutionCommand)
    .map((call) => (JSON.parse(call.args[0].input.input ?? '{}') as { object: { key: string } }).object.key);

beforeEach(() => {
  sfnMock.reset();
  dbMock.reset();
});

describe('start-workflow handler', () => {
  it('reports exactly the message whose workflow failed', async () => {
    workflowsEnd(['b.jpg']);
    const event = {
      Records: [
        sqsRecord('m1', s3EventBody(s3EventRecord({ key: 'a.jpg' }))),
        sqsRecord('m2', s3EventBody(s3EventRecord({ key: 'b.jpg' }))),
        sqsRecord('m3', s3EventBody(s3EventRecord({ key: 'c.jpg' }))),
      ],
    };

    const response = await handler(event, context);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(startedKeys().sort()).toEqual(['a.jpg', 'b.jpg', 'c.jpg']);
    for (const call of sfnMock.commandCalls(StartSyncExecutionCommand)) {
      expect(call.args[0].input.stateMachineArn).toBe(STATE_MACHINE_ARN);
    }
  });

  it('starts ONE workflow for the same S3 event delivered three times, and all three succeed', async () => {
    workflowsEnd();
    const body = s3EventBody(s3EventRecord({ key: 'dup.jpg' }));
    const event = { Records: [sqsRecord('d1', body), sqsRecord('d2', body), sqsRecord('d3', body, 2)] };

    const response = await handler(event, context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(sfnMock.commandCalls(StartSyncExecutionCommand)).toHaveLength(1);
  });

  it('fails a malformed message without affecting the others', async () => {
    workflowsEnd();
    const event = {
      Records: [
        sqsRecord('ok1', s3EventBody(s3EventRecord({ key: 'one.jpg' }))),
        sqsRecord('bad', 'definitely not json'),
        sqsRecord('ok2', s3EventBody(s3EventRecord({ key: 'two.jpg' }))),
      ],
    };

    const response = await handler(event, context);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    expect(startedKeys().sort()).toEqual(['one.jpg', 'two.jpg']);
  });

  it('acknowledges the S3 test event without starting a workflow', async () => {
    workflowsEnd();
    const event = {
      Records: [
        sqsRecord('t1', S3_TEST_EVENT_BODY),
        sqsRecord('m1', s3EventBody(s3EventRecord({ key: 'x.png' }))),
      ],
    };

    const response = await handler(event, context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(startedKeys()).toEqual(['x.png']);
  });

  it('removes every record of a deleted object without starting a workflow', async () => {
    workflowsEnd();
    dbMock.on(GetCommand).resolves({});
    dbMock
      .on(QueryCommand)
      .resolves({ Items: [{ pk: 'IMAGE#albums/summer 2024/dog + cat.jpg', sk: 'IMAGE' }] });
    dbMock.on(BatchWriteCommand).resolves({});
    const event = {
      Records: [
        sqsRecord('r1', s3EventBody(s3EventRecord({ eventName: 'ObjectRemoved:Delete' }))),
        sqsRecord('m1', s3EventBody(s3EventRecord({ key: 'kept.png' }))),
      ],
    };

    const response = await handler(event, context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(startedKeys()).toEqual(['kept.png']);
    expect(dbMock.commandCalls(BatchWriteCommand)[0]?.args[0].input.RequestItems).toEqual({
      'labels-table': [
        { DeleteRequest: { Key: { pk: 'IMAGE#albums/summer 2024/dog + cat.jpg', sk: 'IMAGE' } } },
      ],
    });
  });

  it('starts the workflow with the decoded key and the version', async () => {
    workflowsEnd();
    const event = {
      Records: [
        sqsRecord('m1', s3EventBody(s3EventRecord({ key: 'caf%C3%A9/my+photo+%2B1.jpg', versionId: 'v9' }))),
      ],
    };

    await handler(event, context);

    const sent = sfnMock.commandCalls(StartSyncExecutionCommand)[0]?.args[0].input;
    expect(JSON.parse(sent?.input ?? '{}')).toMatchObject({
      object: { key: 'café/my photo +1.jpg', versionId: 'v9', bucket: 'uploads-bucket' },
    });
  });
});

describe('start-workflow module', () => {
  it('fails to load with ConfigurationError when STATE_MACHINE_ARN is missing', async () => {
    vi.resetModules();
    vi.stubEnv('STATE_MACHINE_ARN', undefined);

    await expect(import('../../../functions/start-workflow/handler')).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringContaining('STATE_MACHINE_ARN'),
    });
  });
});
