/**
 * Reconcile end to end through the local cloud: records lost or broken behind the pipeline's
 * back are found by `npm run reconcile` (scripts/reconcile.ts), put back on the ingest queue and
 * processed by the real workflow; a second pass finds nothing to do.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReconcileSummary } from '../../functions/core/reconcile';
import { type LocalCloud, startLocalCloud } from '../../local/cloud';
import { relabelTarget, runReconcile } from '../../scripts/reconcile';

const photo = (name: string) => readFileSync(new URL(`../fixtures/photos/${name}`, import.meta.url));
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

interface Record {
  status: string;
  objectVersion: string;
  sequencer: string;
  labelModelVersion?: string;
  updatedAt: string;
}

describe('reconcile through the local cloud', () => {
  let cloud: LocalCloud;
  let dataDir: string;
  let s3: S3Client;
  let db: DynamoDBDocumentClient;

  const uploads = {
    lost: 'reconcile/lost event.png',
    imageGone: 'reconcile/image-record-gone.png',
    failed: 'reconcile/failed.png',
    stale: 'reconcile/stale.jpg',
    fine: 'reconcile/fine.png',
    rejected: 'reconcile/notes.jpg',
  };

  const key = (image: string, sk: string) => ({ pk: `IMAGE#${image}`, sk });
  async function record(image: string): Promise<Record | undefined> {
    const result = await db.send(
      new GetCommand({ TableName: cloud.info.tableName, Key: key(image, 'IMAGE'), ConsistentRead: true }),
    );
    return result.Item as Record | undefined;
  }

  async function waitFor(images: string[], done: (item: Record | undefined) => boolean, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const items = await Promise.all(images.map(record));
      if (items.every(done)) return items;
      if (Date.now() > deadline) {
        throw new Error(`Records not as expected within ${timeoutMs} ms: ${JSON.stringify(items)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async function versionsFinal(images: string[]): Promise<boolean> {
    const statuses = await Promise.all(
      images.map(async (image) => {
        const current = await record(image);
        if (!current) return undefined;
        const version = await db.send(
          new GetCommand({
            TableName: cloud.info.tableName,
            Key: key(image, `VERSION#${current.objectVersion}`),
            ConsistentRead: true,
          }),
        );
        return version.Item?.status as string | undefined;
      }),
    );
    return statuses.every((status) => status === 'LABELED' || status === 'REJECTED');
  }

  const reconcile = (
    options: { target?: ReturnType<typeof relabelTarget> } = {},
  ): Promise<ReconcileSummary> =>
    runReconcile({
      bucket: cloud.info.bucket,
      tableName: cloud.info.tableName,
      queueUrl: cloud.info.queueUrl,
      endpoint: cloud.info.endpoints.aws,
      region: cloud.info.region,
      ...options,
    });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'local-reconcile-'));
    cloud = await startLocalCloud({
      dataDir,
      awsPort: 0,
      apiPort: 0,
      logs: 'silent',
      retryIntervalScale: 0.01,
      // A message that meets a live claim comes back in seconds, not 10 minutes.
      visibilityTimeoutSeconds: 3,
    });
    s3 = new S3Client({
      region: cloud.info.region,
      endpoint: cloud.info.endpoints.aws,
      credentials,
      forcePathStyle: true,
    });
    db = DynamoDBDocumentClient.from(
      new DynamoDBClient({ region: cloud.info.region, endpoint: cloud.info.endpoints.aws, credentials }),
    );
    const bodies: [string, Uint8Array | string, string][] = [
      [uploads.lost, photo('astronaut.png'), 'image/png'],
      [uploads.imageGone, photo('coffee.png'), 'image/png'],
      [uploads.failed, photo('chelsea.png'), 'image/png'],
      [uploads.stale, photo('rocket.jpg'), 'image/jpeg'],
      [uploads.fine, photo('brick.png'), 'image/png'],
      [uploads.rejected, 'not an image', 'image/jpeg'],
    ];
    for (const [name, body, contentType] of bodies) {
      await s3.send(
        new PutObjectCommand({ Bucket: cloud.info.bucket, Key: name, Body: body, ContentType: contentType }),
      );
    }
    await waitFor(
      Object.values(uploads),
      (item) => item?.status === 'LABELED' || item?.status === 'REJECTED',
    );
    // The image record is written before the run announces it and turns its version final
    // (functions/core/outcome.ts): wait for the versions too, or a reconcile may meet one in progress.
    const deadline = Date.now() + 30_000;
    while (!(await versionsFinal(Object.values(uploads)))) {
      if (Date.now() > deadline) throw new Error('Versions not final within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 180_000);

  afterAll(async () => {
    s3?.destroy();
    db?.destroy();
    await cloud?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds nothing to do when every upload has its final record', async () => {
    const calls = cloud.rekognition.stats().calls;
    const summary = await reconcile();
    expect(summary).toMatchObject({ scanned: 6, ok: 6, enqueued: 0 });
    expect(cloud.rekognition.stats().calls).toBe(calls);
  });

  it('repairs a lost event, a lost image record, a FAILED run and a stale record, calling Rekognition once for each', async () => {
    const table = cloud.info.tableName;
    const lost = await record(uploads.lost);
    const stale = await record(uploads.stale);
    if (!lost || !stale) throw new Error('expected records');
    // A lost S3 event: the object exists, the table knows nothing of it.
    await db.send(new DeleteCommand({ TableName: table, Key: key(uploads.lost, 'IMAGE') }));
    await db.send(
      new DeleteCommand({ TableName: table, Key: key(uploads.lost, `VERSION#${lost.objectVersion}`) }),
    );
    // Only the image record lost: its version is still LABELED, so the claim must be taken over.
    await db.send(new DeleteCommand({ TableName: table, Key: key(uploads.imageGone, 'IMAGE') }));
    // A run that ended FAILED (what remains of a failed Express execution).
    const failed = await record(uploads.failed);
    for (const sk of ['IMAGE', `VERSION#${failed?.objectVersion}`]) {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: key(uploads.failed, sk),
          UpdateExpression: 'SET #status = :failed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'FAILED' },
        }),
      );
    }
    // A record of an older object version (the newer version's event was lost).
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: key(uploads.stale, 'IMAGE'),
        UpdateExpression: 'SET objectVersion = :old, sequencer = :sequencer',
        ExpressionAttributeValues: { ':old': 'etag:0123456789abcdef', ':sequencer': '0055AED6DCD90281E5' },
      }),
    );
    const callsBefore = cloud.rekognition.stats().calls;

    // Two passes back to back: the second runs while the first's messages are still queued or running.
    const first = await reconcile();
    const second = await reconcile();

    expect(first).toMatchObject({ scanned: 6, ok: 2, missing: 2, failed: 1, stale: 1, enqueued: 4 });
    expect(second.scanned).toBe(6);
    const repaired = [uploads.lost, uploads.imageGone, uploads.failed, uploads.stale];
    const items = await waitFor(
      repaired,
      (item) =>
        item?.status === 'LABELED' &&
        item.objectVersion.startsWith('etag:') &&
        item.objectVersion !== 'etag:0123456789abcdef',
    );
    expect(items.map((item) => item?.status)).toEqual(['LABELED', 'LABELED', 'LABELED', 'LABELED']);
    // Let any message of the second pass finish, then count: once per repaired object, never twice.
    await waitForQueueToDrain();
    const settled = await reconcile();
    expect(settled).toMatchObject({ scanned: 6, ok: 6, enqueued: 0 });
    expect(cloud.rekognition.stats().calls - callsBefore).toBe(repaired.length);
    const [, , , staleNow] = items;
    expect(staleNow?.objectVersion).toBe(stale.objectVersion);
  });

  it('relabels records whose label settings differ from the target, and only those, once', async () => {
    const target = relabelTarget(
      'local',
      readFileSync(new URL('../../config/flags.json', import.meta.url), 'utf8'),
    );
    // The records were labeled with the local stage's settings: nothing is outdated.
    expect(await reconcile({ target })).toMatchObject({ outdated: 0, enqueued: 0 });
    // Pretend one image was labeled with another label model.
    await db.send(
      new UpdateCommand({
        TableName: cloud.info.tableName,
        Key: key(uploads.fine, 'IMAGE'),
        UpdateExpression: 'SET labelModelVersion = :old',
        ExpressionAttributeValues: { ':old': 'older-model-0.9' },
      }),
    );
    const before = await record(uploads.fine);
    const calls = cloud.rekognition.stats().calls;
    const model = (await record(uploads.lost))?.labelModelVersion;
    const relabel = { ...target, labelModelVersion: model };
    expect(await reconcile({ target: relabel })).toMatchObject({ outdated: 1, enqueued: 1 });
    expect(await reconcile({ target: relabel })).toMatchObject({ enqueued: expect.any(Number) });
    await waitFor(
      [uploads.fine],
      (item) => item?.labelModelVersion === model && item?.updatedAt !== before?.updatedAt,
    );
    await waitForQueueToDrain();
    expect(await reconcile({ target: relabel })).toMatchObject({ outdated: 0, enqueued: 0 });
    expect(cloud.rekognition.stats().calls - calls).toBe(1);
  });

  it('runs the reconcile-object function as the backfill map invokes it: a lost record goes back through the pipeline', async () => {
    const lost = await record(uploads.lost);
    if (!lost) throw new Error('expected a record');
    const table = cloud.info.tableName;
    await db.send(new DeleteCommand({ TableName: table, Key: key(uploads.lost, 'IMAGE') }));
    await db.send(
      new DeleteCommand({ TableName: table, Key: key(uploads.lost, `VERSION#${lost.objectVersion}`) }),
    );
    const item = (object: string) => ({ bucket: cloud.info.bucket, object: { Key: object }, options: {} });

    const repaired = await cloud.invoke('image-labeling-local-reconcile-object:live', item(uploads.lost));
    const fine = await cloud.invoke('image-labeling-local-reconcile-object', item(uploads.fine));

    expect(repaired).toEqual({ key: uploads.lost, status: 'missing', enqueued: true });
    expect(fine).toEqual({ key: uploads.fine, status: 'ok', enqueued: false });
    const [labeled] = await waitFor([uploads.lost], (found) => found?.status === 'LABELED');
    expect(labeled?.objectVersion).toBe(lost.objectVersion);
    await expect(cloud.invoke('image-labeling-local-nope', {})).rejects.toThrow('No local function');
  });

  /** Until the ingest queue holds no message, visible or in flight. */
  async function waitForQueueToDrain(timeoutMs = 30_000) {
    const sqs = new SQSClient({ region: cloud.info.region, endpoint: cloud.info.endpoints.aws, credentials });
    try {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: cloud.info.queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        const waiting =
          Number(Attributes.ApproximateNumberOfMessages ?? 0) +
          Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
        if (waiting === 0) return;
        if (Date.now() > deadline) throw new Error(`${waiting} messages still queued after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      sqs.destroy();
    }
  }
});
