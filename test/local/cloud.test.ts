/**
 * End to end through the local cloud: the real handlers, the real ASL, the local label model.
 * Uploads go in through the S3 API exactly as a user's would; results come out of the API.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  }, 120_000);

  afterAll(async () => {
    s3?.destroy();
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
