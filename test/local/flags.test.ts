/**
 * Feature flags end to end through the local cloud: the flags file is served by the local
 * AppConfigData endpoint, read by the real handlers, and applied to the event source mapping by
 * the real apply-flags function. Editing the file changes behaviour without a restart.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_SK, imagePk } from '../../functions/core/labels-table';
import { FLAGS_DOCUMENT_PATH, flagsVersionLabel } from '../../infra/config/flags';
import { type LocalCloud, startLocalCloud } from '../../local/cloud';

const photo = (name: string) => readFileSync(new URL(`../fixtures/photos/${name}`, import.meta.url));
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const FINAL = new Set(['LABELED', 'REJECTED', 'FAILED']);

interface ImageRecord {
  status: string;
  labels: { name: string; confidence: number }[];
  settings?: { minConfidence: number; maxLabels: number; flagsVersion?: string; flagsSource?: string };
}

interface FlagsDocument {
  version: string;
  values: {
    processing: { enabled: boolean };
    labelFilters: { enabled: boolean; minConfidence: number; maxLabels: number } & Record<string, unknown>;
  } & Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(200);
  }
  throw new Error(`Timed out waiting for ${what}`);
}

describe('feature flags in the local cloud', () => {
  let cloud: LocalCloud;
  let dataDir: string;
  let flagsFile: string;
  let s3: S3Client;
  let lambda: LambdaClient;
  let sqs: SQSClient;
  let db: DynamoDBDocumentClient;
  const base = JSON.parse(readFileSync(FLAGS_DOCUMENT_PATH, 'utf8')) as FlagsDocument;

  /** Writes the flags file with changes on top of the repository's document; returns its version label. */
  function writeFlags(change: (document: FlagsDocument) => void): string {
    const document = structuredClone(base);
    change(document);
    const text = `${JSON.stringify(document, null, 2)}\n`;
    writeFileSync(flagsFile, text);
    return flagsVersionLabel(text);
  }

  const labelFilters = (minConfidence: number) => (document: FlagsDocument) => {
    document.values.labelFilters = {
      ...document.values.labelFilters,
      enabled: true,
      minConfidence,
      maxLabels: 25,
    };
  };

  /** The image's record in the labels table (with the settings the run used), if any. */
  async function record(key: string): Promise<ImageRecord | undefined> {
    const { Item } = await db.send(
      new GetCommand({ TableName: cloud.info.tableName, Key: { pk: imagePk(key), sk: IMAGE_SK } }),
    );
    return Item as ImageRecord | undefined;
  }

  /** What the labels API says about the image: 404 or PENDING until it is processed. */
  async function apiStatus(key: string): Promise<{ http: number; status?: string }> {
    const token = await cloud.issuer.mint();
    const response = await fetch(`${cloud.info.endpoints.api}/images/${encodeURIComponent(key)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = response.ok ? ((await response.json()) as { status?: string }) : {};
    return { http: response.status, ...(body.status ? { status: body.status } : {}) };
  }

  const finalRecord = (key: string) =>
    until(`a final record for ${key}`, async () => {
      const item = await record(key);
      return item && FINAL.has(item.status) ? item : undefined;
    });

  async function upload(key: string, name: string) {
    await s3.send(
      new PutObjectCommand({
        Bucket: cloud.info.bucket,
        Key: key,
        Body: photo(name),
        ContentType: 'image/png',
      }),
    );
  }

  const mappingState = async () =>
    (await lambda.send(new GetEventSourceMappingCommand({ UUID: cloud.info.eventSourceMappingId }))).State;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'local-flags-'));
    flagsFile = join(dataDir, 'flags.json');
    writeFlags(labelFilters(50));
    cloud = await startLocalCloud({
      dataDir,
      awsPort: 0,
      apiPort: 0,
      logs: 'silent',
      retryIntervalScale: 0.01,
      flagsFile,
    });
    const client = { region: cloud.info.region, endpoint: cloud.info.endpoints.aws, credentials };
    s3 = new S3Client({ ...client, forcePathStyle: true });
    lambda = new LambdaClient(client);
    sqs = new SQSClient(client);
    db = DynamoDBDocumentClient.from(new DynamoDBClient(client));
  }, 120_000);

  afterAll(async () => {
    s3?.destroy();
    lambda?.destroy();
    sqs?.destroy();
    db?.destroy();
    await cloud?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('labels with the minConfidence of the file, and with fewer labels once it is raised', async () => {
    await upload('flags/coffee-50.png', 'coffee.png');
    const low = await finalRecord('flags/coffee-50.png');
    expect(low.status).toBe('LABELED');
    expect(low.settings).toMatchObject({ minConfidence: 50, flagsSource: 'appconfig' });
    expect(low.labels.map((label) => label.name)).toEqual(expect.arrayContaining(['Cup', 'Dining Table']));

    const version = writeFlags(labelFilters(80));
    // The functions cache flags for a second: upload until a run has used the new version.
    const high = await until('a run with the raised minConfidence', async () => {
      const key = `flags/coffee-80-${Date.now()}.png`;
      await upload(key, 'coffee.png');
      const result = await finalRecord(key);
      return result.settings?.flagsVersion === version ? result : undefined;
    });
    expect(high.status).toBe('LABELED');
    expect(high.settings).toMatchObject({
      minConfidence: 80,
      flagsVersion: version,
      flagsSource: 'appconfig',
    });
    expect(high.labels.length).toBeLessThan(low.labels.length);
    expect(high.labels.map((label) => label.name)).toContain('Cup');
    expect(high.labels.map((label) => label.name)).not.toContain('Dining Table');
    expect(Math.min(...high.labels.map((label) => label.confidence))).toBeGreaterThanOrEqual(80);
  }, 90_000);

  it('keeps an upload waiting in the queue while processing is off, and labels it once it is back on', async () => {
    writeFlags((document) => {
      labelFilters(50)(document);
      document.values.processing = { enabled: false };
    });
    await until('the event source mapping to be disabled', async () =>
      (await mappingState()) === 'Disabled' ? true : undefined,
    );
    const calls = cloud.rekognition.stats().calls;

    await upload('flags/paused.png', 'astronaut.png');
    // The message waits in the queue, visible (not received, so its receive count does not grow).
    await until('the upload to wait in the queue', async () => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: cloud.info.queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      return Number(Attributes?.ApproximateNumberOfMessages) >= 1 ? true : undefined;
    });
    expect(await record('flags/paused.png')).toBeUndefined();
    const waiting = await apiStatus('flags/paused.png');
    expect(waiting.http === 404 || waiting.status === 'PENDING').toBe(true);
    expect(cloud.rekognition.stats().calls).toBe(calls);

    writeFlags(labelFilters(50));
    await until('the event source mapping to be enabled', async () =>
      (await mappingState()) === 'Enabled' ? true : undefined,
    );
    const labeled = await finalRecord('flags/paused.png');
    expect(labeled.status).toBe('LABELED');
    expect(labeled.labels.map((label) => label.name)).toContain('Person');
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: cloud.info.deadLetterQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
  }, 90_000);
});
