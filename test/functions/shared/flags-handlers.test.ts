/** The handlers that read flags, with AppConfig mocked: the kill switch and the label filters. */
import {
  AppConfigDataClient,
  GetLatestConfigurationCommand,
  StartConfigurationSessionCommand,
} from '@aws-sdk/client-appconfigdata';
import { DetectLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext, sqsRecord, stubHandlerEnv } from '../../support/lambda';
import { s3EventBody, s3EventRecord } from '../../support/s3-events';
import { claimedState, imageMetadata, TABLE_NAME } from '../../support/workflow';

stubHandlerEnv({
  EVENT_BUS_NAME: 'image-labeling-test',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:label-image',
  LABELS_TABLE_NAME: TABLE_NAME,
  MIN_CONFIDENCE: '70',
  MAX_LABELS: '25',
  FLAGS_APPLICATION: 'image-labeling-dev',
  FLAGS_ENVIRONMENT: 'dev',
  FLAGS_PROFILE: 'pipeline-flags',
  FLAGS_MAX_AGE_SECONDS: '5',
});
const start = await import('../../../functions/start-workflow/handler');
const detect = await import('../../../functions/detect-labels/handler');

const appConfigMock = mockClient(AppConfigDataClient);
const sfnMock = mockClient(SFNClient);
const dbMock = mockClient(DynamoDBDocumentClient);
const rekognitionMock = mockClient(RekognitionClient);
let clock = Date.parse('2030-01-01T00:00:00Z');

function flags(value: unknown) {
  appConfigMock.on(StartConfigurationSessionCommand).resolves({ InitialConfigurationToken: 't0' });
  appConfigMock.on(GetLatestConfigurationCommand).callsFake(() => ({
    Configuration: new TextEncoder().encode(JSON.stringify(value)),
    NextPollConfigurationToken: 't1',
  }));
}

beforeEach(() => {
  for (const mock of [appConfigMock, sfnMock, dbMock, rekognitionMock]) mock.reset();
  // Past the flags cache of the previous test.
  vi.useFakeTimers({ toFake: ['Date'] });
  clock += 60_000;
  vi.setSystemTime(clock);
});

afterAll(() => {
  vi.useRealTimers();
});

const batch = () => ({
  Records: [
    sqsRecord('m1', s3EventBody(s3EventRecord({ key: 'a.jpg' }))),
    sqsRecord('m2', s3EventBody(s3EventRecord({ key: 'b.jpg' }))),
  ],
});

describe('start-workflow with the processing kill switch', () => {
  it('off: starts no workflow and hands every message back to the queue', async () => {
    flags({ processing: { enabled: false } });

    const response = await start.handler(batch(), lambdaContext('start-workflow'));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }] });
    expect(sfnMock.commandCalls(StartSyncExecutionCommand)).toHaveLength(0);
  });

  it('on: runs the workflows as usual', async () => {
    flags({ processing: { enabled: true } });
    sfnMock.on(StartSyncExecutionCommand).resolves({ status: 'SUCCEEDED', output: '{"outcome":"LABELED"}' });

    const response = await start.handler(batch(), lambdaContext('start-workflow'));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(sfnMock.commandCalls(StartSyncExecutionCommand)).toHaveLength(2);
  });

  it('AppConfig unreachable: keeps processing (the safe default)', async () => {
    appConfigMock.on(StartConfigurationSessionCommand).rejects(new Error('connect ETIMEDOUT'));
    sfnMock.on(StartSyncExecutionCommand).resolves({ status: 'SUCCEEDED', output: '{"outcome":"LABELED"}' });

    const response = await start.handler(batch(), lambdaContext('start-workflow'));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(sfnMock.commandCalls(StartSyncExecutionCommand)).toHaveLength(2);
  });
});

describe('detect-labels with the labelFilters flag', () => {
  const state = { ...claimedState, image: imageMetadata };

  it('calls DetectLabels with the flag values and records them with the detection', async () => {
    flags({ labelFilters: { enabled: true, minConfidence: 90, maxLabels: 5, excludeLabels: ['Person'] } });
    dbMock.on(GetCommand).resolves({});
    dbMock.on(UpdateCommand).resolves({});
    rekognitionMock.on(DetectLabelsCommand).resolves({ Labels: [], LabelModelVersion: '3.0' });

    const result = await detect.handler(state, lambdaContext('detect-labels'));

    expect(rekognitionMock.commandCalls(DetectLabelsCommand)[0]?.args[0].input).toMatchObject({
      MinConfidence: 90,
      MaxLabels: 5,
      Settings: { GeneralLabels: { LabelExclusionFilters: ['Person'] } },
    });
    expect(result.settings).toMatchObject({
      minConfidence: 90,
      maxLabels: 5,
      excludeLabels: ['Person'],
      flagsSource: 'appconfig',
    });
    const recorded =
      dbMock.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues?.[':detection'];
    expect(recorded.settings).toEqual(result.settings);
  });

  it("uses the stage's settings when the flag is off, and says so in the record", async () => {
    flags({ labelFilters: { enabled: false } });
    dbMock.on(GetCommand).resolves({});
    dbMock.on(UpdateCommand).resolves({});
    rekognitionMock.on(DetectLabelsCommand).resolves({ Labels: [] });

    const result = await detect.handler(state, lambdaContext('detect-labels'));

    expect(rekognitionMock.commandCalls(DetectLabelsCommand)[0]?.args[0].input).not.toHaveProperty(
      'Settings',
    );
    expect(result.settings).toEqual({
      minConfidence: 70,
      maxLabels: 25,
      flagsVersion: 'unknown',
      flagsSource: 'appconfig',
    });
  });
});
