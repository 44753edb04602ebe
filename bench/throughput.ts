/**
 * Pipeline throughput through the local cloud: N uploads end to end (S3 -> SQS -> start
 * function -> Express workflow -> DynamoDB), once with a fast fake detector (the
 * orchestration's own ceiling) and once with the real local model, against the bare model
 * on the same images in the same run, half before the pipeline's run and half after. Each run
 * is warmed up first, as the bare model is; the end of each workflow is read from
 * start-workflow's log, so the bench itself adds no load. The model times itself, in its own
 * thread, so each run also tells how long the model took per image and how much of the run it
 * was busy: a slower model (sharing the cores) and a starved one read differently.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { IMAGE_SK, imagePk } from '../functions/core/labels-table';
import { startLocalCloud } from '../local/cloud';
import {
  createCenterNetModel,
  createFixedModel,
  type LabelModel,
  type ModelUsage,
} from '../local/rekognition';
import { credentials } from './local-credentials';
import { type Goal, median, round } from './stats';

const PHOTOS = ['astronaut.png', 'coffee.png', 'chelsea.png', 'rocket.jpg', 'brick.png'];

function photos(): { name: string; bytes: Buffer }[] {
  return PHOTOS.map((name) => ({
    name,
    bytes: readFileSync(join(import.meta.dirname, '..', 'test', 'fixtures', 'photos', name)),
  }));
}

/** Answers instantly with one "Person": what the pipeline costs without a model. */
const fakeModel = createFixedModel(
  [{ className: 'person', score: 0.9, box: { left: 0.1, top: 0.1, width: 0.5, height: 0.5 } }],
  'bench-fake-1.0',
);

export interface ThroughputRow {
  run: 'fake detector' | 'real model' | 'bare model';
  images: number;
  seconds: number;
  imagesPerSecond: number;
  medianLatencyMs?: number;
  /** CPU time of this whole process (every thread: emulators, functions, model) per image. */
  cpuMsPerImage: number;
  /**
   * The model's own time per image (decode and inference, timed in its thread, not counting
   * time queued): above the bare run's, the model ran slower, sharing the cores.
   */
  modelMsPerImage?: number;
  /** The model's time over the run's: below 1, the model waited for images. */
  modelBusyShare?: number;
}

/** The model's time per image and share of the run, from its usage before and after. */
function modelFigures(
  before: ModelUsage | undefined,
  after: ModelUsage | undefined,
  seconds: number,
): Pick<ThroughputRow, 'modelMsPerImage' | 'modelBusyShare'> {
  if (!(before && after) || after.inferences === before.inferences) return {};
  const ms = after.inferenceMs - before.inferenceMs;
  return {
    modelMsPerImage: round(ms / (after.inferences - before.inferences), 1),
    modelBusyShare: round(ms / (seconds * 1000), 2),
  };
}

/** What the functions did during a run: for the cost model. */
export interface RunProfile {
  /** Median duration of a warm invocation, per function. */
  medianDurationMs: Record<string, number>;
  invocations: Record<string, number>;
  /** Function log bytes (incl. EMF metrics and REPORT lines) per image. */
  functionLogBytesPerImage: number;
  /** Workflow execution history bytes per image (what level-ALL logging would ship). */
  workflowLogBytesPerImage: number;
}

/** CPU time (user + system, every thread of this process) since `since`, per image. */
function cpuMsPer(since: NodeJS.CpuUsage, images: number): number {
  const used = process.cpuUsage(since);
  return round((used.user + used.system) / 1000 / images, 1);
}

const WARM_UP_IMAGES = 4;

async function warmUp(
  bucket: string,
  s3: S3Client,
  images: { name: string; bytes: Buffer }[],
  finished: () => number,
): Promise<void> {
  await Promise.all(
    Array.from({ length: WARM_UP_IMAGES }, (_, index) => {
      const photo = images[index % images.length];
      if (!photo) return undefined;
      return s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: `warm-up/${index}/${photo.name}`, Body: photo.bytes }),
      );
    }),
  );
  const deadline = Date.now() + 2 * 60_000;
  while (finished() < WARM_UP_IMAGES) {
    if (Date.now() > deadline) throw new Error('the warm-up images did not finish within 2 minutes');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface PipelineResult {
  row: ThroughputRow;
  profile: RunProfile;
}

async function pipelineRun(
  label: ThroughputRow['run'],
  model: LabelModel,
  count: number,
): Promise<PipelineResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-cloud-'));
  const durations = new Map<string, number[]>();
  /**
   * When each key's workflow finished, from start-workflow's own log line: the bench does not
   * poll the table while it measures, which would compete with the pipeline for the same CPU.
   */
  const finishedAt = new Map<string, number>();
  let logBytes = 0;
  const onLog = (name: string, line: string) => {
    logBytes += Buffer.byteLength(line) + 1;
    if (line.includes('"Workflow finished"')) {
      const { key } = JSON.parse(line) as { key?: string };
      if (key && !finishedAt.has(key)) finishedAt.set(key, performance.now());
    }
    const report = /^REPORT .*\tDuration: ([\d.]+) ms/.exec(line);
    if (report && !line.includes('Init Duration')) {
      const short = name.replace(/^image-labeling-[a-z]+-/, '');
      durations.set(short, [...(durations.get(short) ?? []), Number(report[1])]);
    }
  };
  const cloud = await startLocalCloud({
    dataDir,
    awsPort: 0,
    apiPort: 0,
    logs: 'silent',
    onLog,
    model,
  });
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: cloud.info.endpoints.aws,
    credentials,
    forcePathStyle: true,
  });
  const ddb = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: 'us-east-1', endpoint: cloud.info.endpoints.aws, credentials }),
  );
  try {
    await cloud.rekognition.warmUp();
    const images = photos();
    // Warm up as the bare model is warmed up: a few images first, outside the measurement, so
    // both environments of each function have started (cold starts are measured on their own).
    await warmUp(cloud.info.bucket, s3, images, () => finishedAt.size);
    finishedAt.clear();
    durations.clear();
    logBytes = 0;
    const uploadedAt = new Map<string, number>();
    const cpu = process.cpuUsage();
    const used = model.usage?.();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const photo = images[index % images.length];
        if (!photo) return;
        const key = `bench/${index}/${photo.name}`;
        uploadedAt.set(key, performance.now());
        await s3.send(new PutObjectCommand({ Bucket: cloud.info.bucket, Key: key, Body: photo.bytes }));
      }),
    );
    const deadline = Date.now() + 8 * 60_000;
    while (finishedAt.size < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (Math.max(...finishedAt.values()) - started) / 1000;
    const cpuMsPerImage = cpuMsPer(cpu, count);
    const modelUse = modelFigures(used, model.usage?.(), seconds);
    // Then check, outside the measurement, that every image really has its final record.
    const missing: string[] = [];
    for (const key of uploadedAt.keys()) {
      const { Item } = await ddb.send(
        new GetCommand({ TableName: cloud.info.tableName, Key: { pk: imagePk(key), sk: IMAGE_SK } }),
      );
      if (!(finishedAt.has(key) && (Item?.status === 'LABELED' || Item?.status === 'REJECTED'))) {
        missing.push(key);
      }
    }
    if (missing.length > 0) {
      throw new Error(`${label}: ${missing.length} of ${count} images had no final record after 8 minutes`);
    }
    const latencies = [...uploadedAt].map(([key, at]) => (finishedAt.get(key) ?? at) - at);
    const workflowLogBytes = await historyBytes(cloud.info.endpoints.aws, cloud.info.stateMachineArn);
    return {
      row: {
        run: label,
        images: count,
        seconds: round(seconds, 2),
        imagesPerSecond: round(count / seconds, 2),
        medianLatencyMs: round(median(latencies)),
        cpuMsPerImage,
        ...modelUse,
      },
      profile: {
        medianDurationMs: Object.fromEntries(
          [...durations].map(([name, values]) => [name, round(median(values), 1)]),
        ),
        invocations: Object.fromEntries([...durations].map(([name, values]) => [name, values.length])),
        functionLogBytesPerImage: Math.round(logBytes / count),
        workflowLogBytesPerImage: workflowLogBytes,
      },
    };
  } finally {
    s3.destroy();
    ddb.destroy();
    await cloud.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** An event as level-ALL logging ships it without execution data (no inputs or outputs). */
function withoutData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutData);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !['input', 'output', 'inputDetails', 'outputDetails'].includes(key))
        .map(([key, inner]) => [key, withoutData(inner)]),
    );
  }
  return value;
}

/**
 * Mean history size of the finished executions (a sample of up to 20), without states'
 * inputs and outputs: what prod's logging (level ALL, no execution data) ships.
 */
async function historyBytes(endpoint: string, stateMachineArn: string): Promise<number> {
  const sfn = new SFNClient({ region: 'us-east-1', endpoint, credentials });
  try {
    const { executions = [] } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 20 }),
    );
    const sizes = await Promise.all(
      executions.map(async (execution) => {
        const history = await sfn.send(
          new GetExecutionHistoryCommand({ executionArn: execution.executionArn ?? '' }),
        );
        return (history.events ?? []).reduce(
          (sum, event) => sum + Buffer.byteLength(JSON.stringify(withoutData(event))),
          0,
        );
      }),
    );
    return Math.round(sizes.reduce((sum, size) => sum + size, 0) / Math.max(1, sizes.length));
  } finally {
    sfn.destroy();
  }
}

/** The bare model on images `from` to `to` of the mix, one after another: its time and CPU. */
async function bareModelPart(
  model: LabelModel,
  images: { name: string; bytes: Buffer }[],
  from: number,
  to: number,
) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let index = from; index < to; index++) {
    const photo = images[index % images.length];
    if (photo) await model.detect(photo.bytes);
  }
  const { user, system } = process.cpuUsage(cpu);
  return { seconds: (performance.now() - started) / 1000, cpuMs: (user + system) / 1000 };
}

/**
 * The pipeline with the real model, between the two halves of the bare model's run: the
 * machine's speed drifts (the bare model alone ran 5.4 to 7.2 images/s within ten minutes here),
 * and a bare run timed only before or after the pipeline's would carry that drift into the
 * ratio; split around it, the drift weighs on both sides alike.
 */
async function realAgainstBare(count: number): Promise<{ real: PipelineResult; bare: ThroughputRow }> {
  const bareModel = createCenterNetModel();
  try {
    await bareModel.warmUp();
    // The bare model answers nothing during the pipeline's run: its usage spans both halves.
    const used = bareModel.usage?.();
    const half = Math.floor(count / 2);
    const images = photos();
    const first = await bareModelPart(bareModel, images, 0, half);
    // The cloud's own model, created here so that its usage can be read.
    const real = await pipelineRun('real model', createCenterNetModel(), count);
    const second = await bareModelPart(bareModel, images, half, count);
    const seconds = first.seconds + second.seconds;
    const bare: ThroughputRow = {
      run: 'bare model',
      images: count,
      seconds: round(seconds, 2),
      imagesPerSecond: round(count / seconds, 2),
      cpuMsPerImage: round((first.cpuMs + second.cpuMs) / count, 1),
      ...modelFigures(used, bareModel.usage?.(), seconds),
    };
    return { real, bare };
  } finally {
    await bareModel.close();
  }
}

export async function runThroughput(
  count = 200,
): Promise<{ rows: ThroughputRow[]; goals: Goal[]; profile: RunProfile }> {
  const fake = await pipelineRun('fake detector', fakeModel, count);
  const { real, bare } = await realAgainstBare(count);
  const ratio = round(real.row.imagesPerSecond / bare.imagesPerSecond, 2);
  return {
    profile: real.profile,
    rows: [fake.row, real.row, bare],
    goals: [
      {
        name: 'end-to-end throughput vs bare model',
        value: ratio,
        target: 0.95,
        unit: 'x',
        met: ratio >= 0.95,
      },
    ],
  };
}
