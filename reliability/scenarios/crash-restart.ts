/**
 * Kill the local cloud (SIGKILL, no clean shutdown) in the middle of a burst, start it again on
 * the same data, and every upload accepted before the kill is processed: the queue is a durable
 * journal, in-flight messages come back after their visibility timeout, and the claims of the
 * killed runs expire after their lease. The label counts converge too: the table's stream is
 * durable, and a window cut off by the kill is delivered again from its checkpoint.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { IMAGE_SK, imagePk } from '../../functions/core/labels-table';
import { readStackInfo } from '../../local/stack-info';
import { photo } from '../../test/support/images';
import { EventWatcher } from '../events';
import { type ImageRecord, type ScenarioResult, tally } from '../harness';
import { countsProblems, waitForCountsToConverge } from '../label-counts';

const ROOT = join(import.meta.dirname, '..', '..');
const credentials = { accessKeyId: 'reliability', secretAccessKey: 'reliability' };
const PHOTOS = ['astronaut.png', 'coffee.png', 'chelsea.png', 'rocket.jpg'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `npm start` as a separate process, so it can be killed like a crashing machine. */
async function startProcess(
  dataDir: string,
  awsPort: number,
  apiPort: number,
  visibility: number,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'local', 'main.ts'), '--json-logs'], {
    cwd: ROOT,
    env: {
      ...process.env,
      LOCAL_DATA_DIR: dataDir,
      LOCAL_AWS_PORT: String(awsPort),
      LOCAL_API_PORT: String(apiPort),
      LOCAL_VISIBILITY_TIMEOUT_SECONDS: String(visibility),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the local cloud did not start within 60 s')), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ctrl-C stops it')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`the local cloud exited with ${code}`)));
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

export async function crashRestart(uploads = 60): Promise<ScenarioResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'reliability-crash-'));
  const [awsPort, apiPort] = [await freePort(), await freePort()];
  // In-flight messages of the killed process come back after this; it must outlast the claim
  // lease (120 s, as on AWS), as the 600 s AWS visibility timeout does.
  const visibility = 130;
  let child = await startProcess(dataDir, awsPort, apiPort, visibility);
  const info = readStackInfo(dataDir);
  const endpoint = info.endpoints.aws;
  const s3 = new S3Client({ region: info.region, endpoint, credentials, forcePathStyle: true });
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: info.region, endpoint, credentials }));
  const sqs = new SQSClient({ region: info.region, endpoint, credentials });
  // The queue and its rule are durable: events published before the kill wait in the queue.
  const events = await EventWatcher.subscribe({
    endpoint,
    region: info.region,
    busName: info.eventBus,
  });
  const record = async (key: string) =>
    (await db.send(new GetCommand({ TableName: info.tableName, Key: { pk: imagePk(key), sk: IMAGE_SK } })))
      .Item as ImageRecord | undefined;
  try {
    const keys = Array.from(
      { length: uploads },
      (_, index) => `crash/${index}/${PHOTOS[index % PHOTOS.length]}`,
    );
    await Promise.all(
      keys.map((key, index) =>
        s3.send(
          new PutObjectCommand({
            Bucket: info.bucket,
            Key: key,
            Body: photo(PHOTOS[index % PHOTOS.length] ?? 'coffee.png'),
          }),
        ),
      ),
    );
    // Kill it once some, but not all, images are done.
    let done = 0;
    while (done < uploads / 4) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      done = (await Promise.all(keys.map(record))).filter(Boolean).length;
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const doneAtKill = done;

    child = await startProcess(dataDir, awsPort, apiPort, visibility);
    const deadline = Date.now() + (visibility + 120) * 1000;
    let records = new Map<string, ImageRecord | undefined>();
    while (Date.now() < deadline) {
      records = new Map(await Promise.all(keys.map(async (key) => [key, await record(key)] as const)));
      if ([...records.values()].every(Boolean)) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: info.deadLetterQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    const photosNotLabeled = [...records.values()].some((r) => r && r.status !== 'LABELED');
    const counts = await waitForCountsToConverge(db, info.tableName, 30_000);
    return {
      ...tally(`crash and restart (SIGKILL during ${uploads} uploads)`, records, {
        rekognitionCalls: Number.NaN,
        dlqMessages: Number(Attributes.ApproximateNumberOfMessages ?? 0),
        problems: [
          ...(photosNotLabeled ? ['a photo did not end LABELED'] : []),
          ...countsProblems(counts, 'within 30 s of the last record'),
        ],
        events: await events.collect(records, 60_000),
      }),
      notes: `${doneAtKill} of ${uploads} done when killed; the rest finished after the restart; label counts matched the records ${counts.seconds.toFixed(1)} s after the last one`,
    };
  } finally {
    child.kill('SIGTERM');
    s3.destroy();
    db.destroy();
    sqs.destroy();
    events.stop();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
