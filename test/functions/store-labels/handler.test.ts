import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext, stubHandlerEnv } from '../../support/lambda';
import { claimedState, detection, imageMetadata, TABLE_NAME } from '../../support/workflow';

stubHandlerEnv({ EVENT_BUS_NAME: 'image-labeling-test', LABELS_TABLE_NAME: TABLE_NAME });
const { handler } = await import('../../../functions/store-labels/handler');

const dbMock = mockClient(DynamoDBDocumentClient);
const eventsMock = mockClient(EventBridgeClient);
const context = lambdaContext('store-labels');
const state = { ...claimedState, image: imageMetadata, detection };

beforeEach(() => {
  dbMock.reset();
  eventsMock.reset();
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

/** The image events the handler put on the bus. */
const published = () =>
  eventsMock.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);

describe('store-labels handler', () => {
  it('writes the labels and a LABELED image record, then finishes the version', async () => {
    dbMock
      .on(GetCommand)
      .resolves({ Item: { sequencer: '0055AED6DCD90281E5', objectVersion: 'v1', labelNames: ['Cat'] } });
    dbMock.on(BatchWriteCommand).resolves({});
    dbMock.on(UpdateCommand).resolves({});

    const result = await handler(state, context);

    expect(result).toEqual({ superseded: false, labelsWritten: 2, staleLabelsDeleted: 1, writeRequests: 1 });
    const requests =
      dbMock.commandCalls(BatchWriteCommand)[0]?.args[0].input.RequestItems?.[TABLE_NAME] ?? [];
    expect(requests.map((request) => request.PutRequest?.Item?.sk ?? request.DeleteRequest?.Key?.sk)).toEqual(
      ['LABEL#Dog', 'LABEL#Beach', 'LABEL#Cat', 'IMAGE'],
    );
    expect(requests.at(-1)?.PutRequest?.Item).toMatchObject({
      status: 'LABELED',
      objectVersion: 'v2',
      image: imageMetadata,
      labels: detection.labels,
      labelNames: ['Dog', 'Beach'],
      labelModelVersion: '3.0',
      settings: { minConfidence: 70, maxLabels: 25 },
    });
    // The label-count updates (label-counts.ts) come first; the version turns final last.
    const finish = dbMock.commandCalls(UpdateCommand).at(-1)?.args[0].input;
    expect(finish?.Key).toEqual({ pk: 'IMAGE#albums/summer 2024/dog.jpg', sk: 'VERSION#v2' });
    expect(finish?.ExpressionAttributeValues).toMatchObject({ ':status': 'LABELED' });
    expect(finish?.UpdateExpression).toContain('REMOVE detection');
  });

  it('leaves a newer version in place and marks this one superseded', async () => {
    dbMock
      .on(GetCommand)
      .resolves({ Item: { sequencer: '0055AED6DCD90281F0', objectVersion: 'v3', labelNames: [] } });
    dbMock.on(UpdateCommand).resolves({});

    const result = await handler(state, context);

    expect(result).toMatchObject({ superseded: true, labelsWritten: 0 });
    expect(dbMock.commandCalls(BatchWriteCommand)).toHaveLength(0);
    expect(dbMock.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':status': 'LABELED',
      ':superseded': true,
    });
  });

  it('announces the labeled image on the bus before the version turns final', async () => {
    dbMock.on(GetCommand).resolves({});
    dbMock.on(BatchWriteCommand).resolves({});
    let finishedBeforePublish = false;
    dbMock.on(UpdateCommand).callsFake(async (input: { Key?: { sk?: string } }) => {
      if (input.Key?.sk === 'VERSION#v2' && published().length === 0) finishedBeforePublish = true;
      return {};
    });

    await handler(state, context);

    expect(finishedBeforePublish).toBe(false);
    const [entry, ...more] = published();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      EventBusName: 'image-labeling-test',
      Source: 'image-labeling',
      DetailType: 'Image Labeled',
    });
    expect(JSON.parse(entry?.Detail ?? '{}')).toMatchObject({
      key: 'albums/summer 2024/dog.jpg',
      objectVersion: 'v2',
      status: 'LABELED',
      labels: [
        { name: 'Dog', confidence: expect.any(Number) },
        { name: 'Beach', confidence: expect.any(Number) },
      ],
      labelModelVersion: '3.0',
      eventId: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('announces nothing for a version superseded by a newer upload', async () => {
    dbMock
      .on(GetCommand)
      .resolves({ Item: { sequencer: '0055AED6DCD90281F0', objectVersion: 'v3', labelNames: [] } });
    dbMock.on(UpdateCommand).resolves({});

    await handler(state, context);

    expect(published()).toEqual([]);
  });

  it('fails with ImageEventsUnavailable, leaving the version unfinished, when the bus refuses the event', async () => {
    dbMock.on(GetCommand).resolves({});
    dbMock.on(BatchWriteCommand).resolves({});
    dbMock.on(UpdateCommand).resolves({});
    eventsMock.on(PutEventsCommand).rejects(new Error('Service unavailable'));

    await expect(handler(state, context)).rejects.toMatchObject({ name: 'ImageEventsUnavailable' });
    const finish = dbMock
      .commandCalls(UpdateCommand)
      .filter((call) => call.args[0].input.Key?.sk === 'VERSION#v2');
    expect(finish).toEqual([]);
  });

  it('does not finish the version when the label writes fail', async () => {
    dbMock.on(GetCommand).resolves({});
    dbMock
      .on(BatchWriteCommand)
      .rejects(
        Object.assign(new Error('Throughput exceeded'), { name: 'ProvisionedThroughputExceededException' }),
      );

    await expect(handler(state, context)).rejects.toMatchObject({ name: 'LabelStoreThrottled' });
    expect(dbMock.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('requires the detection in its input', async () => {
    await expect(handler({ ...claimedState, image: imageMetadata }, context)).rejects.toMatchObject({
      name: 'InvalidTaskInput',
    });
  });
});

describe('store-labels module', () => {
  it('fails to load with ConfigurationError when LABELS_TABLE_NAME is missing', async () => {
    vi.resetModules();
    vi.stubEnv('LABELS_TABLE_NAME', undefined);

    await expect(import('../../../functions/store-labels/handler')).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringContaining('LABELS_TABLE_NAME'),
    });
  });
});
