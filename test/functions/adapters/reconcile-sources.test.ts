/**
 * A reconcile's S3 and SQS sides against the local S3 and SQS endpoints: HeadObject gives the
 * current object (a key that is gone gives nothing), and the message lands on the ingest queue as
 * start-workflow reads it.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileDeps, s3HeadObject } from '../../../functions/adapters/reconcile-sources';
import { parseQueueMessage } from '../../../functions/core/ingest';
import { reconcileMessage } from '../../../functions/core/reconcile';
import type { WorkflowInput } from '../../../functions/core/workflow-schemas';
import { createQueue, createSqsService, type Queue } from '../../../local/sqs';
import { type Harness, removeDir, startS3 } from '../../local/s3/helpers';

let s3Harness: Harness;
let s3: S3Client;
const queueDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-sources-'));
let queue: Queue;
let sqsServer: http.Server;
let sqs: SQSClient;

beforeAll(async () => {
  s3Harness = await startS3({ buckets: ['images'] });
  s3 = s3Harness.client();
  queue = createQueue({ name: 'ingest', dir: queueDir });
  const service = createSqsService({ queues: [queue] });
  sqsServer = http.createServer(service.handler);
  await new Promise<void>((resolve) => sqsServer.listen(0, '127.0.0.1', resolve));
  sqs = new SQSClient({
    endpoint: `http://127.0.0.1:${(sqsServer.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  sqs?.destroy();
  if (sqsServer) await new Promise<void>((resolve) => sqsServer.close(() => resolve()));
  queue?.close();
  fs.rmSync(queueDir, { recursive: true, force: true });
  if (s3Harness) {
    await s3Harness.close();
    await removeDir(s3Harness.dataDir);
  }
});

describe('s3HeadObject', () => {
  it('gives the current object with its bare ETag and size (an unversioned bucket: no versionId)', async () => {
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'images', Key: 'albums/dog.jpg', Body: Buffer.alloc(7, 1) }),
    );

    const current = await s3HeadObject(s3)('images', 'albums/dog.jpg');

    expect(current).toEqual({
      bucket: 'images',
      key: 'albums/dog.jpg',
      eTag: put.ETag?.replaceAll('"', ''),
      size: 7,
    });
  });

  it('gives nothing for a key that is gone', async () => {
    expect(await s3HeadObject(s3)('images', 'albums/gone.jpg')).toBeUndefined();
  });
});

describe('reconcileDeps', () => {
  it('puts the reconcile message on the ingest queue, where it reads as a created event', async () => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'ingest' }));
    const input: WorkflowInput = {
      object: { bucket: 'images', key: 'albums/dog.jpg', eTag: 'e1', size: 7, sequencer: '0' },
      eventTime: '2026-03-01T10:00:00.000Z',
      reprocess: { ifAttempts: 2 },
    };
    const deps = reconcileDeps({
      s3,
      sqs,
      // Never read here: only the queue is.
      table: {
        db: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
        tableName: 'labels',
      },
      queueUrl: QueueUrl ?? '',
    });

    await deps.enqueue(reconcileMessage(input));

    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
    expect(Messages).toHaveLength(1);
    expect(parseQueueMessage(Messages?.[0]?.Body ?? '')).toEqual({
      kind: 'events',
      events: [{ kind: 'created', input }],
    });
  });
});
