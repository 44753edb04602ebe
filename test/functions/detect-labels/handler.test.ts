import { DetectLabelsCommand, RekognitionClient, ThrottlingException } from '@aws-sdk/client-rekognition';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext, stubHandlerEnv } from '../../support/lambda';
import { claimedState, detection, imageMetadata, TABLE_NAME } from '../../support/workflow';

stubHandlerEnv({ LABELS_TABLE_NAME: TABLE_NAME, MIN_CONFIDENCE: '70', MAX_LABELS: '25' });
const { handler } = await import('../../../functions/detect-labels/handler');

const dbMock = mockClient(DynamoDBDocumentClient);
const rekognitionMock = mockClient(RekognitionClient);
const context = lambdaContext('detect-labels');
const state = { ...claimedState, image: imageMetadata };
const { fromCache: _unused, ...recorded } = detection;

beforeEach(() => {
  dbMock.reset();
  rekognitionMock.reset();
});

describe('detect-labels handler', () => {
  it('uses the recorded answer on a cache hit and does NOT call Rekognition', async () => {
    dbMock.on(GetCommand).resolves({ Item: { detection: recorded } });

    const result = await handler(state, context);

    expect(result).toEqual({ ...recorded, fromCache: true });
    expect(rekognitionMock.calls()).toHaveLength(0);
    expect(dbMock.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(dbMock.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      TableName: TABLE_NAME,
      Key: { pk: 'IMAGE#albums/summer 2024/dog.jpg', sk: 'VERSION#v2' },
    });
  });

  it('on a cache miss calls Rekognition once and records the answer before returning it', async () => {
    dbMock.on(GetCommand).resolves({});
    dbMock.on(UpdateCommand).resolves({});
    rekognitionMock.on(DetectLabelsCommand).resolves({
      LabelModelVersion: '3.0',
      Labels: [{ Name: 'Dog', Confidence: 97.5, Parents: [{ Name: 'Animal' }], Categories: [], Aliases: [] }],
    });

    const result = await handler(state, context);

    expect(rekognitionMock.commandCalls(DetectLabelsCommand)).toHaveLength(1);
    expect(rekognitionMock.commandCalls(DetectLabelsCommand)[0]?.args[0].input).toEqual({
      Image: { S3Object: { Bucket: 'uploads-bucket', Name: 'albums/summer 2024/dog.jpg', Version: 'v2' } },
      MinConfidence: 70,
      MaxLabels: 25,
    });
    expect(result).toMatchObject({
      fromCache: false,
      labelModelVersion: '3.0',
      settings: { minConfidence: 70, maxLabels: 25 },
      labels: [
        { name: 'Dog', confidence: 97.5, parents: ['Animal'], categories: [], aliases: [], instances: [] },
      ],
    });
    const updates = dbMock.commandCalls(UpdateCommand);
    expect(updates).toHaveLength(1);
    const { fromCache: _fromCache, ...answer } = result;
    expect(updates[0]?.args[0].input).toMatchObject({
      TableName: TABLE_NAME,
      Key: { pk: 'IMAGE#albums/summer 2024/dog.jpg', sk: 'VERSION#v2' },
      UpdateExpression: 'SET detection = :detection',
      ExpressionAttributeValues: { ':detection': answer },
    });
  });

  it('does not return an answer it could not record', async () => {
    dbMock.on(GetCommand).resolves({});
    dbMock
      .on(UpdateCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    rekognitionMock.on(DetectLabelsCommand).resolves({ Labels: [] });

    await expect(handler(state, context)).rejects.toMatchObject({ name: 'LabelStoreThrottled' });
  });

  it('surfaces Rekognition throttling as an error named RekognitionThrottled, recording nothing', async () => {
    dbMock.on(GetCommand).resolves({});
    rekognitionMock
      .on(DetectLabelsCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));

    await expect(handler(state, context)).rejects.toMatchObject({ name: 'RekognitionThrottled' });
    expect(dbMock.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('requires the image metadata from ValidateImage in its input', async () => {
    await expect(handler(claimedState, context)).rejects.toMatchObject({ name: 'InvalidTaskInput' });
    expect(rekognitionMock.calls()).toHaveLength(0);
  });
});

describe('detect-labels module', () => {
  it('fails to load with ConfigurationError when MAX_LABELS is missing', async () => {
    vi.resetModules();
    vi.stubEnv('MAX_LABELS', undefined);

    await expect(import('../../../functions/detect-labels/handler')).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringContaining('MAX_LABELS'),
    });
  });
});
