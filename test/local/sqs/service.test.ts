import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueue, createSqsService, type Queue } from '../../../local/sqs';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqs-service-test-'));
let server: http.Server;
let client: SQSClient;
let dlq: Queue;
let jobs: Queue;

beforeAll(async () => {
  dlq = createQueue({ name: 'ingest-dlq', dir: root });
  jobs = createQueue({
    name: 'ingest',
    dir: root,
    visibilityTimeoutSeconds: 0,
    maxReceiveCount: 1,
    deadLetterQueue: dlq,
  });
  const service = createSqsService({ queues: [jobs, dlq] });
  server = http.createServer(service.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new SQSClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'anything', secretAccessKey: 'anything' },
  });
});

afterAll(async () => {
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  jobs.close();
  dlq.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('createSqsService with @aws-sdk/client-sqs', () => {
  it('resolves queue URLs and lists queues', async () => {
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: 'ingest' }));
    const { QueueUrls } = await client.send(new ListQueuesCommand({ QueueNamePrefix: 'ingest' }));

    expect(QueueUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/000000000000\/ingest$/);
    expect(QueueUrls).toHaveLength(2);
  });

  it('reports a missing queue as QueueDoesNotExist', async () => {
    const error = await client.send(new GetQueueUrlCommand({ QueueName: 'nope' })).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'QueueDoesNotExist', $metadata: { httpStatusCode: 400 } });
  });

  it('sends, receives (passing the SDK MD5 checks) and deletes a message', async () => {
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: 'ingest' }));
    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'héllo',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'photo' } },
      }),
    );
    const received = await client.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 30,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const message = received.Messages?.[0];
    await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message?.ReceiptHandle }));
    const after = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));

    expect(message).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'héllo',
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'photo' } },
      MD5OfMessageAttributes: sent.MD5OfMessageAttributes,
      Attributes: { ApproximateReceiveCount: '1' },
    });
    expect(after.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:ingest',
    });
    expect(JSON.parse(after.Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:ingest-dlq',
      maxReceiveCount: 1,
    });
  });

  it('redrives dead-letter messages with StartMessageMoveTask', async () => {
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: 'ingest' }));
    const { QueueUrl: dlqUrl } = await client.send(new GetQueueUrlCommand({ QueueName: 'ingest-dlq' }));
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'poison' }));
    await client.send(new ReceiveMessageCommand({ QueueUrl }));
    await client.send(new ReceiveMessageCommand({ QueueUrl })); // exceeds maxReceiveCount: moved to the DLQ
    const inDlq = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );

    const task = await client.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }));
    const back = await client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));

    expect(inDlq.Attributes?.ApproximateNumberOfMessages).toBe('1');
    expect(task.TaskHandle).toBeTruthy();
    expect(back.Messages?.map((m) => m.Body)).toEqual(['poison']);
  });

  it('rejects StartMessageMoveTask from a queue that is not a dead-letter queue', async () => {
    const error = await client
      .send(new StartMessageMoveTaskCommand({ SourceArn: jobs.arn }))
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'InvalidParameterValue' });
  });
});
