import { HeadObjectCommand, NotFound, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext, stubHandlerEnv } from '../../support/lambda';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/uploads';
stubHandlerEnv({
  LABELS_TABLE_NAME: 'labels-table',
  INGEST_QUEUE_URL: QUEUE_URL,
  MIN_CONFIDENCE: '70',
  MAX_LABELS: '25',
});
const { handler } = await import('../../../functions/reconcile-object/handler');

const dbMock = mockClient(DynamoDBDocumentClient);
const s3Mock = mockClient(S3Client);
const sqsMock = mockClient(SQSClient);
const context = lambdaContext('reconcile-object');

/** One child's input, as the backfill's ItemSelector builds it from a ListObjectsV2 item. */
const item = (key: string, options: Record<string, unknown> = { prefix: '', relabel: false }) => ({
  bucket: 'images-bucket',
  object: {
    Key: key,
    ETag: '"e1"',
    Size: 5000,
    LastModified: '2026-01-01T00:00:00Z',
    StorageClass: 'STANDARD',
  },
  options,
});

beforeEach(() => {
  dbMock.reset();
  s3Mock.reset();
  sqsMock.reset();
});

describe('reconcile-object handler', () => {
  it('puts an object without a record on the ingest queue as a reconcile message', async () => {
    s3Mock.on(HeadObjectCommand).resolves({ ETag: '"e1"', VersionId: 'v1', ContentLength: 5000 });
    dbMock.on(GetCommand).resolves({});
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm1' });

    const result = await handler(item('albums/dog.jpg'), context);

    expect(result).toEqual({ key: 'albums/dog.jpg', status: 'missing', enqueued: true });
    const sent = sqsMock.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.QueueUrl).toBe(QUEUE_URL);
    expect(JSON.parse(sent?.MessageBody ?? '{}')).toMatchObject({
      source: 'image-labeling.reconcile',
      input: {
        object: {
          bucket: 'images-bucket',
          key: 'albums/dog.jpg',
          versionId: 'v1',
          eTag: 'e1',
          sequencer: '0',
        },
      },
    });
  });

  it('sends nothing for an object with its final record, or one deleted since the listing', async () => {
    s3Mock.on(HeadObjectCommand).resolves({ ETag: '"e1"', VersionId: 'v1', ContentLength: 5000 });
    dbMock
      .on(GetCommand, { Key: { pk: 'IMAGE#a.jpg', sk: 'IMAGE' } })
      .resolves({ Item: { status: 'LABELED', objectVersion: 'v1', sequencer: '01' } })
      .on(GetCommand, { Key: { pk: 'IMAGE#a.jpg', sk: 'VERSION#v1' } })
      .resolves({ Item: { status: 'LABELED', attempts: 1 } });
    await expect(handler(item('a.jpg'), context)).resolves.toMatchObject({ status: 'ok', enqueued: false });

    s3Mock.on(HeadObjectCommand).rejects(new NotFound({ message: 'Not Found', $metadata: {} }));
    await expect(handler(item('gone.jpg'), context)).resolves.toMatchObject({
      status: 'skipped',
      enqueued: false,
    });
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('refuses an input that is not a listed object as InvalidTaskInput', async () => {
    await expect(handler({ bucket: 'images-bucket', object: {} }, context)).rejects.toMatchObject({
      name: 'InvalidTaskInput',
    });
  });
});
