/**
 * End to end through the local cloud: the real handlers, the real ASL, the local label model.
 * Uploads go in through the S3 API exactly as a user's would; results come out of the API.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageEventDetail } from '../../functions/core/image-events';
import { type LocalCloud, startLocalCloud } from '../../local/cloud';

const photo = (name: string) => readFileSync(new URL(`../fixtures/photos/${name}`, import.meta.url));
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

interface ImageRecord {
  status: string;
  reason?: string;
  labels: { name: string; confidence: number; instances: unknown[] }[];
  image?: { width: number; height: number; format: string };
}

describe('the local cloud', () => {
  let cloud: LocalCloud;
  let dataDir: string;
  let s3: S3Client;
  let sqs: SQSClient;
  /** A queue that gets every image event of the bus, as docs/events.md shows a user. */
  let eventsQueueUrl: string;

  async function waitForRecord(key: string, timeoutMs = 45_000): Promise<ImageRecord> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const token = await cloud.issuer.mint();
      const response = await fetch(`${cloud.info.endpoints.api}/images/${encodeURIComponent(key)}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const record = response.status === 200 ? ((await response.json()) as ImageRecord) : undefined;
      // PENDING: uploaded, not processed yet.
      if (record && record.status !== 'PENDING') return record;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`No record for ${key} within ${timeoutMs} ms`);
  }

  /** Outputs of the succeeded runs for one key, once there are `count` of them. */
  async function waitForOutputs(key: string, count: number, timeoutMs = 30_000) {
    const sfn = new SFNClient({ region: cloud.info.region, endpoint: cloud.info.endpoints.aws, credentials });
    try {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const { executions = [] } = await sfn.send(
          new ListExecutionsCommand({
            stateMachineArn: cloud.info.stateMachineArn,
            statusFilter: 'SUCCEEDED',
          }),
        );
        const outputs = [];
        for (const execution of executions) {
          const described = await sfn.send(
            new DescribeExecutionCommand({ executionArn: execution.executionArn ?? '' }),
          );
          const output = JSON.parse(described.output ?? '{}') as { outcome?: string; key?: string };
          if (output.key === key) outputs.push(output);
        }
        if (outputs.length >= count) return outputs;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`Fewer than ${count} finished runs for ${key} within ${timeoutMs} ms`);
    } finally {
      sfn.destroy();
    }
  }

  async function upload(key: string, body: Uint8Array | string, contentType = 'image/png') {
    await s3.send(
      new PutObjectCommand({ Bucket: cloud.info.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'local-cloud-'));
    cloud = await startLocalCloud({
      dataDir,
      awsPort: 0,
      apiPort: 0,
      logs: 'silent',
      retryIntervalScale: 0.01,
    });
    s3 = new S3Client({
      region: cloud.info.region,
      endpoint: cloud.info.endpoints.aws,
      credentials,
      forcePathStyle: true,
    });
    const aws = { region: cloud.info.region, endpoint: cloud.info.endpoints.aws, credentials };
    sqs = new SQSClient(aws);
    const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: 'image-events' }));
    eventsQueueUrl = QueueUrl;
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const events = new EventBridgeClient(aws);
    const bus = 'image-labeling-local';
    await events.send(
      new PutRuleCommand({
        Name: 'all-images',
        EventBusName: bus,
        EventPattern: '{"source":["image-labeling"]}',
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'all-images',
        EventBusName: bus,
        Targets: [{ Id: 'q', Arn: Attributes.QueueArn }],
      }),
    );
    events.destroy();
  }, 120_000);

  afterAll(async () => {
    s3?.destroy();
    sqs?.destroy();
    await cloud?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('labels a person in astronaut.png uploaded under a key with a space and a plus', async () => {
    await upload('some dir/a+b.png', photo('astronaut.png'));
    const record = await waitForRecord('some dir/a+b.png');
    expect(record.status).toBe('LABELED');
    expect(record.image).toMatchObject({ format: 'png', width: 512, height: 512 });
    const person = record.labels.find((label) => label.name === 'Person');
    expect(person?.confidence).toBeGreaterThanOrEqual(50);
    expect(person?.instances.length).toBeGreaterThan(0);
  });

  it('labels a cup in coffee.png', async () => {
    await upload('photos/ünïcode/coffee.png', photo('coffee.png'));
    const record = await waitForRecord('photos/ünïcode/coffee.png');
    expect(record.status).toBe('LABELED');
    expect(record.labels.map((label) => label.name)).toContain('Cup');
  });

  it('rejects a truncated JPEG without calling Rekognition', async () => {
    const before = cloud.rekognition.stats().calls;
    await upload('broken/truncated.jpg', photo('truncated.jpg'), 'image/jpeg');
    const record = await waitForRecord('broken/truncated.jpg');
    expect(record).toMatchObject({ status: 'REJECTED', reason: 'CORRUPT_IMAGE' });
    expect(cloud.rekognition.stats().calls).toBe(before);
  });

  it('rejects a text file named .jpg', async () => {
    await upload('notes.jpg', 'this is not an image, just text\n', 'image/jpeg');
    const record = await waitForRecord('notes.jpg');
    expect(record).toMatchObject({ status: 'REJECTED', reason: 'UNSUPPORTED_FORMAT' });
  });

  it('retries when Rekognition throttles, and the execution history shows it', async () => {
    cloud.rekognition.faults.set({ throttleNext: 2 });
    await upload('throttled/cat.png', photo('chelsea.png'));
    const record = await waitForRecord('throttled/cat.png');
    expect(record.status).toBe('LABELED');

    const sfn = new SFNClient({
      region: cloud.info.region,
      endpoint: cloud.info.endpoints.aws,
      credentials,
      disableHostPrefix: true,
    });
    // The record is readable once stored; the run itself finishes a moment later.
    const findThrottledRun = async () => {
      const { executions = [] } = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: cloud.info.stateMachineArn, statusFilter: 'SUCCEEDED' }),
      );
      for (const execution of executions) {
        const history = await sfn.send(
          new GetExecutionHistoryCommand({ executionArn: execution.executionArn ?? '' }),
        );
        if (JSON.stringify(history.events).includes('RekognitionThrottled')) return history.events ?? [];
      }
      return undefined;
    };
    let events = await findThrottledRun();
    for (let attempt = 0; !events && attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      events = await findThrottledRun();
    }
    const failures = (events ?? []).filter(
      (event) =>
        (event.type === 'TaskFailed' || event.type === 'LambdaFunctionFailed') &&
        JSON.stringify(event).includes('RekognitionThrottled'),
    );
    expect(failures).toHaveLength(2);
    expect(events?.at(-1)?.type).toBe('ExecutionSucceeded');
    sfn.destroy();
  });

  it('does not call Rekognition again for the same object uploaded twice', async () => {
    await upload('twice.png', photo('astronaut.png'));
    await waitForRecord('twice.png');
    const calls = cloud.rekognition.stats().calls;
    await upload('twice.png', photo('astronaut.png'));
    // Same bytes, same ETag: the same object version. Its second run ends DUPLICATE.
    const outputs = await waitForOutputs('twice.png', 2);
    expect(outputs.map((output) => output.outcome).sort()).toEqual(['DUPLICATE', 'LABELED']);
    expect(cloud.rekognition.stats().calls).toBe(calls);
  });

  it('announces every final record exactly once on the bus, and a deletion too', async () => {
    const token = await cloud.issuer.mint();
    const deleted = await fetch(`${cloud.info.endpoints.api}/images/twice.png`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(deleted.status).toBe(204);

    const received: { type: string; detail: ImageEventDetail }[] = [];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !received.some((event) => event.type === 'Image Deleted')) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: eventsQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const message of Messages) {
        const envelope = JSON.parse(message.Body ?? '{}');
        received.push({ type: envelope['detail-type'], detail: envelope.detail });
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: eventsQueueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }

    // Delivery is at least once: the API's DELETE and the S3 ObjectRemoved event it causes both
    // remove the records, and may both announce the removal, with the same eventId. Consumers
    // deduplicate on it, and so does this test.
    const distinct = [...new Map(received.map((event) => [event.detail.eventId, event])).values()];
    // twice.png was uploaded twice with the same bytes: one version, one outcome, one event.
    expect(distinct.map((event) => `${event.type}: ${event.detail.key}`).sort()).toEqual([
      'Image Deleted: twice.png',
      'Image Labeled: photos/ünïcode/coffee.png',
      'Image Labeled: some dir/a+b.png',
      'Image Labeled: throttled/cat.png',
      'Image Labeled: twice.png',
      'Image Rejected: broken/truncated.jpg',
      'Image Rejected: notes.jpg',
    ]);
    // Only the deletion may repeat: every other outcome arrived once.
    const repeated = received.filter((event) => !distinct.includes(event));
    expect(repeated.every((event) => event.type === 'Image Deleted')).toBe(true);
    const rejected = received.find((event) => event.detail.key === 'notes.jpg')?.detail;
    expect(rejected).toMatchObject({ status: 'REJECTED', reason: 'UNSUPPORTED_FORMAT', labels: [] });
    const coffee = received.find((event) => event.detail.key === 'photos/ünïcode/coffee.png')?.detail;
    expect(coffee?.labels.map((label) => label.name)).toContain('Cup');
    expect(coffee).toMatchObject({ bucket: cloud.info.bucket, labelModelVersion: expect.any(String) });
  });

  it('keeps its data across a restart', async () => {
    await cloud.stop();
    cloud = await startLocalCloud({
      dataDir,
      awsPort: 0,
      apiPort: 0,
      logs: 'silent',
      retryIntervalScale: 0.01,
    });
    const record = await waitForRecord('some dir/a+b.png', 5_000);
    expect(record.status).toBe('LABELED');
  }, 60_000);
});
