/**
 * A local cloud for reliability scenarios, with the clients and checks they share: upload,
 * wait for every key's final record, count Rekognition calls and dead-lettered messages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { IMAGE_SK, imagePk } from '../functions/core/labels-table';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from '../local/cloud';
import { describeEvents, type EventCount, EventWatcher } from './events';

const credentials = { accessKeyId: 'reliability', secretAccessKey: 'reliability' };

export interface ImageRecord {
  status: 'LABELED' | 'REJECTED' | 'FAILED';
  objectVersion?: string;
  reason?: string;
  labels: { name: string }[];
}

export interface ScenarioResult {
  scenario: string;
  inputs: number;
  labeled: number;
  rejected: number;
  failed: number;
  rekognitionCalls: number;
  dlqMessages: number;
  lost: number;
  problems: string[];
  /** What was injected or observed, for the table. */
  notes?: string;
  /** The image events a subscribed queue received, against the final records (events.ts). */
  events?: string;
}

export class Harness {
  private constructor(
    readonly cloud: LocalCloud,
    readonly dataDir: string,
    readonly s3: S3Client,
    readonly db: DynamoDBDocumentClient,
    readonly sqs: SQSClient,
    /** A queue subscribed to every image event of the bus, as a consumer would. */
    readonly events: EventWatcher,
    private readonly ownsDir: boolean,
  ) {}

  static async start(options: LocalCloudOptions = {}): Promise<Harness> {
    const ownsDir = !options.dataDir;
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'reliability-'));
    const cloud = await startLocalCloud({
      awsPort: 0,
      apiPort: 0,
      logs: 'silent',
      retryIntervalScale: 0.01,
      ...options,
      dataDir,
    });
    const endpoint = cloud.info.endpoints.aws;
    const region = cloud.info.region;
    return new Harness(
      cloud,
      dataDir,
      // Bursts upload hundreds of objects at once.
      new S3Client({
        region,
        endpoint,
        credentials,
        forcePathStyle: true,
        requestHandler: { httpAgent: { maxSockets: 256 } },
      }),
      DynamoDBDocumentClient.from(new DynamoDBClient({ region, endpoint, credentials })),
      new SQSClient({ region, endpoint, credentials }),
      await EventWatcher.subscribe({ endpoint, region, busName: cloud.info.eventBus }),
      ownsDir,
    );
  }

  async upload(key: string, body: Uint8Array, contentType = 'application/octet-stream'): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.cloud.info.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
      }),
    );
  }

  async record(key: string): Promise<ImageRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.cloud.info.tableName,
        Key: { pk: imagePk(key), sk: IMAGE_SK },
        ConsistentRead: true,
      }),
    );
    return Item as ImageRecord | undefined;
  }

  /** Polls until every key has a final record (or the time is up); missing keys map to undefined. */
  async waitForFinal(keys: string[], timeoutMs: number): Promise<Map<string, ImageRecord | undefined>> {
    const results = new Map<string, ImageRecord | undefined>(keys.map((key) => [key, undefined]));
    const deadline = Date.now() + timeoutMs;
    let pending = [...keys];
    while (pending.length > 0 && Date.now() < deadline) {
      const found = await Promise.all(pending.map(async (key) => [key, await this.record(key)] as const));
      for (const [key, record] of found) if (record) results.set(key, record);
      pending = pending.filter((key) => !results.get(key));
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 150));
    }
    return results;
  }

  async deadLetterCount(): Promise<number> {
    const { Attributes = {} } = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.cloud.info.deadLetterQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  }

  /** Every DetectLabels request, throttled and failed ones included. */
  rekognitionCalls(): number {
    return this.cloud.rekognition.stats().calls;
  }

  /** DetectLabels requests that returned labels: the ones AWS bills. */
  rekognitionSuccesses(): number {
    return this.cloud.rekognition.stats().byOutcome.Success ?? 0;
  }

  /** Waits until the ingest queue is empty (nothing visible or in flight), or the time is up. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { Attributes = {} } = await this.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: this.cloud.info.queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      if (
        Number(Attributes.ApproximateNumberOfMessages ?? 0) +
          Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) ===
        0
      ) {
        return true;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return false;
  }

  async stop(): Promise<void> {
    this.s3.destroy();
    this.db.destroy();
    this.sqs.destroy();
    this.events.stop();
    await this.cloud.stop();
    if (this.ownsDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export function tally(
  scenario: string,
  records: Map<string, ImageRecord | undefined>,
  extra: Pick<ScenarioResult, 'rekognitionCalls' | 'dlqMessages'> & {
    problems?: string[];
    events?: EventCount;
  },
): ScenarioResult {
  const values = [...records.values()];
  const events = extra.events ? describeEvents(extra.events) : undefined;
  return {
    scenario,
    inputs: records.size,
    labeled: values.filter((record) => record?.status === 'LABELED').length,
    rejected: values.filter((record) => record?.status === 'REJECTED').length,
    failed: values.filter((record) => record?.status === 'FAILED').length,
    lost: values.filter((record) => !record).length,
    rekognitionCalls: extra.rekognitionCalls,
    dlqMessages: extra.dlqMessages,
    problems: [...(extra.problems ?? []), ...(events?.problems ?? [])],
    ...(events ? { events: events.notes } : {}),
  };
}
