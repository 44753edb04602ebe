import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext, stubHandlerEnv } from '../../support/lambda';
import { claimedState, imageMetadata, TABLE_NAME } from '../../support/workflow';

stubHandlerEnv({ EVENT_BUS_NAME: 'image-labeling-test', LABELS_TABLE_NAME: TABLE_NAME });
const { handler } = await import('../../../functions/record-outcome/handler');

const dbMock = mockClient(DynamoDBDocumentClient);
const eventsMock = mockClient(EventBridgeClient);
const context = lambdaContext('record-outcome');

/** What a Catch puts at $.error for a Lambda task error. */
function lambdaError(errorType: string, errorMessage: string) {
  return {
    Error: errorType,
    Cause: JSON.stringify({
      errorType,
      errorMessage,
      trace: [`${errorType}: ${errorMessage}`, '    at x (index.mjs:1:1)'],
    }),
  };
}

const imageRecord = () =>
  dbMock.commandCalls(BatchWriteCommand)[0]?.args[0].input.RequestItems?.[TABLE_NAME]?.at(-1)?.PutRequest
    ?.Item;
const finishInput = () => dbMock.commandCalls(UpdateCommand)[0]?.args[0].input;
/** The image events the handler put on the bus, their detail parsed. */
const published = () =>
  eventsMock
    .commandCalls(PutEventsCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => ({ detailType: entry.DetailType, detail: JSON.parse(entry.Detail ?? '{}') }));

beforeEach(() => {
  dbMock.reset();
  dbMock.on(GetCommand).resolves({});
  dbMock.on(BatchWriteCommand).resolves({});
  dbMock.on(UpdateCommand).resolves({});
  eventsMock.reset();
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

describe('record-outcome handler', () => {
  it('records REJECTED with the reason and detail parsed from the Step Functions Cause', async () => {
    const event = {
      outcome: 'REJECTED',
      state: {
        ...claimedState,
        error: lambdaError(
          'ImageRejected',
          'UNSUPPORTED_FORMAT: The object is GIF, not a JPEG or PNG image.',
        ),
      },
    };

    const result = await handler(event, context);

    expect(result).toEqual({
      outcome: 'REJECTED',
      reason: 'UNSUPPORTED_FORMAT',
      superseded: false,
      recorded: true,
    });
    expect(imageRecord()).toMatchObject({
      pk: 'IMAGE#albums/summer 2024/dog.jpg',
      sk: 'IMAGE',
      status: 'REJECTED',
      reason: 'UNSUPPORTED_FORMAT',
      detail: 'The object is GIF, not a JPEG or PNG image.',
      labels: [],
      labelNames: [],
      size: claimedState.object.size,
    });
    expect(imageRecord()?.error).toBeUndefined();
    expect(published()).toEqual([
      {
        detailType: 'Image Rejected',
        detail: expect.objectContaining({
          status: 'REJECTED',
          reason: 'UNSUPPORTED_FORMAT',
          labels: [],
          error: null,
        }),
      },
    ]);
    expect(finishInput()?.ExpressionAttributeValues).toMatchObject({ ':status': 'REJECTED' });
    expect(finishInput()?.UpdateExpression).toContain('REMOVE detection');
  });

  it('records FAILED with the error name and message, keeping the cached detection', async () => {
    const event = {
      outcome: 'FAILED',
      state: {
        ...claimedState,
        image: imageMetadata,
        error: lambdaError(
          'RekognitionThrottled',
          'Rekognition throttled DetectLabels (ThrottlingException): Rate exceeded',
        ),
      },
    };

    const result = await handler(event, context);

    expect(result).toEqual({ outcome: 'FAILED', reason: null, superseded: false, recorded: true });
    const error = {
      name: 'RekognitionThrottled',
      message: 'Rekognition throttled DetectLabels (ThrottlingException): Rate exceeded',
    };
    expect(imageRecord()).toMatchObject({
      status: 'FAILED',
      error,
      image: imageMetadata,
      size: imageMetadata.size,
    });
    expect(imageRecord()?.reason).toBeUndefined();
    expect(published()).toEqual([
      {
        detailType: 'Image Failed',
        detail: expect.objectContaining({ status: 'FAILED', error, reason: null }),
      },
    ]);
    expect(finishInput()?.ExpressionAttributeValues).toMatchObject({ ':status': 'FAILED', ':error': error });
    expect(finishInput()?.UpdateExpression).not.toContain('REMOVE');
  });

  it('deletes the label items of the previous version', async () => {
    dbMock
      .on(GetCommand)
      .resolves({ Item: { sequencer: '0055AED6DCD90281E5', objectVersion: 'v1', labelNames: ['Dog'] } });
    const event = {
      outcome: 'REJECTED',
      state: { ...claimedState, error: lambdaError('ImageRejected', 'CORRUPT_IMAGE: truncated') },
    };

    await handler(event, context);

    const requests = dbMock.commandCalls(BatchWriteCommand)[0]?.args[0].input.RequestItems?.[TABLE_NAME];
    expect(requests?.[0]).toEqual({
      DeleteRequest: { Key: { pk: 'IMAGE#albums/summer 2024/dog.jpg', sk: 'LABEL#Dog' } },
    });
  });

  it('records FAILED with a plain-text States.* cause', async () => {
    const event = {
      outcome: 'FAILED',
      state: {
        ...claimedState,
        error: { Error: 'States.Timeout', Cause: 'Task timed out after 30 seconds' },
      },
    };

    await handler(event, context);

    expect(imageRecord()?.error).toEqual({
      name: 'States.Timeout',
      message: 'Task timed out after 30 seconds',
    });
  });

  it('leaves the records alone when the claim step itself failed (the run never held the version)', async () => {
    const { claim: _unused, ...unclaimed } = claimedState;
    const event = {
      outcome: 'FAILED',
      state: {
        ...unclaimed,
        error: lambdaError('LabelStoreThrottled', 'DynamoDB throttled the labels table'),
      },
    };

    const result = await handler(event, context);

    expect(result).toEqual({ outcome: 'FAILED', reason: null, superseded: false, recorded: false });
    expect(dbMock.calls()).toHaveLength(0);
    expect(published()).toEqual([]);
  });

  it('marks a superseded version without touching the newer record', async () => {
    dbMock
      .on(GetCommand)
      .resolves({ Item: { sequencer: '0055AED6DCD90281F0', objectVersion: 'v3', labelNames: ['Cat'] } });
    const event = {
      outcome: 'REJECTED',
      state: {
        ...claimedState,
        error: lambdaError('ImageRejected', 'EMPTY_FILE: The object is empty (0 bytes).'),
      },
    };

    const result = await handler(event, context);

    expect(result).toEqual({ outcome: 'REJECTED', reason: 'EMPTY_FILE', superseded: true, recorded: true });
    expect(dbMock.commandCalls(BatchWriteCommand)).toHaveLength(0);
    expect(finishInput()?.ExpressionAttributeValues).toMatchObject({
      ':status': 'REJECTED',
      ':superseded': true,
    });
  });

  it('rejects an unknown outcome as InvalidTaskInput', async () => {
    const event = { outcome: 'LABELED', state: { ...claimedState, error: { Error: 'x' } } };

    await expect(handler(event, context)).rejects.toMatchObject({ name: 'InvalidTaskInput' });
    expect(dbMock.calls()).toHaveLength(0);
  });
});

describe('record-outcome module', () => {
  it('fails to load with ConfigurationError when LABELS_TABLE_NAME is missing', async () => {
    vi.resetModules();
    vi.stubEnv('LABELS_TABLE_NAME', undefined);

    await expect(import('../../../functions/record-outcome/handler')).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringContaining('LABELS_TABLE_NAME'),
    });
  });
});
