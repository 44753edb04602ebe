import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createQueue, createSqsService, type Queue, type SqsService } from '../../../local/sqs';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqs-user-queues-test-'));
let dirs = 0;

/** An SQS service with one queue of its own (the pipeline's) and room for users' queues. */
async function start(dir: string) {
  const own = createQueue({ name: 'pipeline', dir });
  const service = createSqsService({ queues: [own], dir, region: 'us-east-1', accountId: '000000000000' });
  const server = http.createServer(service.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new SQSClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const stop = async () => {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    service.close();
    own.close();
  };
  return { client, service, own, stop };
}

let cloud: { client: SQSClient; service: SqsService; own: Queue; stop: () => Promise<void> };
let dir: string;

beforeEach(async () => {
  dir = path.join(root, String(++dirs));
  cloud = await start(dir);
});
afterEach(() => cloud.stop());
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const attributesOf = async (client: SQSClient, QueueUrl: string) =>
  (await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes ?? {};

describe('queues created with CreateQueue', () => {
  it('are listed, found by name, carry messages and report their ARN and message count', async () => {
    const { QueueUrl } = await cloud.client.send(new CreateQueueCommand({ QueueName: 'watch-events' }));
    await cloud.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));

    const { QueueUrls } = await cloud.client.send(new ListQueuesCommand({}));
    const found = await cloud.client.send(new GetQueueUrlCommand({ QueueName: 'watch-events' }));
    const attributes = await attributesOf(cloud.client, QueueUrl ?? '');

    expect(QueueUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/000000000000\/watch-events$/);
    expect(QueueUrls).toEqual(expect.arrayContaining([QueueUrl, expect.stringMatching(/\/pipeline$/)]));
    expect(found.QueueUrl).toBe(QueueUrl);
    expect(attributes).toMatchObject({
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:watch-events',
      ApproximateNumberOfMessages: '1',
    });
    expect(cloud.service.queueByArn('arn:aws:sqs:us-east-1:000000000000:watch-events')?.name).toBe(
      'watch-events',
    );
  });

  it('is idempotent with the same attributes and refuses different ones', async () => {
    const first = await cloud.client.send(
      new CreateQueueCommand({ QueueName: 'q', Attributes: { VisibilityTimeout: '5' } }),
    );
    const again = await cloud.client.send(
      new CreateQueueCommand({ QueueName: 'q', Attributes: { VisibilityTimeout: '5' } }),
    );
    const conflict = await cloud.client
      .send(new CreateQueueCommand({ QueueName: 'q', Attributes: { VisibilityTimeout: '6' } }))
      .catch((error: unknown) => error);

    expect(again.QueueUrl).toBe(first.QueueUrl);
    expect(conflict).toMatchObject({
      name: 'QueueNameExists',
      message: expect.stringContaining('VisibilityTimeout'),
    });
    expect(await attributesOf(cloud.client, first.QueueUrl ?? '')).toMatchObject({ VisibilityTimeout: '5' });
  });

  it('refuses FIFO queues, bad names, unknown attributes and bad values with SQS errors', async () => {
    const attempt = (QueueName: string, Attributes?: Record<string, string>) =>
      cloud.client.send(new CreateQueueCommand({ QueueName, Attributes })).catch((error: unknown) => error);

    expect(await attempt('events.fifo')).toMatchObject({ name: 'InvalidParameterValue' });
    expect(await attempt('has space')).toMatchObject({ name: 'InvalidParameterValue' });
    expect(await attempt('q', { Colour: 'blue' })).toMatchObject({ name: 'InvalidAttributeName' });
    expect(await attempt('q', { VisibilityTimeout: '-1' })).toMatchObject({ name: 'InvalidAttributeValue' });
  });

  it('move a message received too often to the dead-letter queue their RedrivePolicy names', async () => {
    const dlq = await cloud.client.send(new CreateQueueCommand({ QueueName: 'events-dlq' }));
    const { QueueUrl } = await cloud.client.send(
      new CreateQueueCommand({
        QueueName: 'events',
        Attributes: {
          VisibilityTimeout: '0',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:events-dlq',
            maxReceiveCount: 1,
          }),
        },
      }),
    );
    await cloud.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'poison' }));

    await cloud.client.send(new ReceiveMessageCommand({ QueueUrl }));
    const second = await cloud.client.send(new ReceiveMessageCommand({ QueueUrl }));

    expect(second.Messages).toBeUndefined();
    expect(await attributesOf(cloud.client, dlq.QueueUrl ?? '')).toMatchObject({
      ApproximateNumberOfMessages: '1',
    });
    const missing = await cloud.client
      .send(
        new CreateQueueCommand({
          QueueName: 'orphan',
          Attributes: {
            RedrivePolicy:
              '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:nope","maxReceiveCount":1}',
          },
        }),
      )
      .catch((error: unknown) => error);
    expect(missing).toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('does not exist'),
    });
  });

  it('are deleted with their messages by DeleteQueue; the pipeline queue and a queue in use as DLQ are not', async () => {
    const { QueueUrl } = await cloud.client.send(new CreateQueueCommand({ QueueName: 'temporary' }));
    await cloud.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'bye' }));
    const pipelineUrl = (await cloud.client.send(new GetQueueUrlCommand({ QueueName: 'pipeline' }))).QueueUrl;

    await cloud.client.send(new DeleteQueueCommand({ QueueUrl }));
    const gone = await cloud.client
      .send(new GetQueueUrlCommand({ QueueName: 'temporary' }))
      .catch((error: unknown) => error);
    const refused = await cloud.client
      .send(new DeleteQueueCommand({ QueueUrl: pipelineUrl }))
      .catch((error: unknown) => error);

    expect(gone).toMatchObject({ name: 'QueueDoesNotExist' });
    expect(fs.existsSync(path.join(dir, 'temporary.journal'))).toBe(false);
    expect(refused).toMatchObject({ name: 'UnsupportedOperation' });
    await cloud.client.send(new CreateQueueCommand({ QueueName: 'temporary' }));
    const recreated = await cloud.client.send(new GetQueueUrlCommand({ QueueName: 'temporary' }));
    expect(await attributesOf(cloud.client, recreated.QueueUrl ?? '')).toMatchObject({
      ApproximateNumberOfMessages: '0',
    });
  });

  it('survive a restart of the service, with their attributes and messages', async () => {
    const { QueueUrl } = await cloud.client.send(
      new CreateQueueCommand({ QueueName: 'kept', Attributes: { VisibilityTimeout: '7' } }),
    );
    await cloud.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'still here' }));
    await cloud.stop();

    cloud = await start(dir);
    const found = await cloud.client.send(new GetQueueUrlCommand({ QueueName: 'kept' }));
    const received = await cloud.client.send(new ReceiveMessageCommand({ QueueUrl: found.QueueUrl }));

    expect(received.Messages?.map((m) => m.Body)).toEqual(['still here']);
    expect(await attributesOf(cloud.client, found.QueueUrl ?? '')).toMatchObject({ VisibilityTimeout: '7' });
  });

  it('refuse to start from a damaged list of queues, naming the file', () => {
    const damaged = path.join(root, 'damaged');
    fs.mkdirSync(damaged);
    fs.writeFileSync(path.join(damaged, 'queues.json'), '{"version": 1, "queu');

    expect(() => createSqsService({ queues: [], dir: damaged })).toThrow(
      /damaged\/queues\.json: the list of queues/,
    );
  });
});
