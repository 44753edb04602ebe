/**
 * API latency under load: `GET /images?label=` and `GET /images/{key}` through the local HTTP
 * API (route match, the JWT authorizer with a real token, the real API handler in a local
 * Lambda worker), loaded with autocannon, against the same DynamoDB Query and GetItem issued
 * directly (the domain query functions the handler calls) at the same concurrency for the same
 * time. Both loads run in a thread of their own (load-worker.ts), apart from the local cloud.
 * The table holds N labeled images, seeded straight into the local DynamoDB as the store step
 * writes them (the IMAGE record and one item per label), not pushed through the pipeline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type BatchWriteCommandInput, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWrite } from '../functions/adapters/dynamodb/batch-write';
import type { TableRef } from '../functions/adapters/dynamodb/table-ref';
import { SCOPES } from '../functions/core/api/route-table';
import {
  boundLabels,
  IMAGE_SK,
  type ImageItem,
  imagePk,
  imagesIndexAttributes,
  type LabelItem,
  labelItems,
  objectVersionOf,
} from '../functions/core/labels-table';
import type { Label, ObjectRef } from '../functions/core/workflow-schemas';
import { type LocalCloud, startLocalCloud } from '../local/cloud';
import { createFixedModel } from '../local/rekognition';
import { pathsOf, type Read } from './api-reads';
import type { LoadJob, LoadReply, Sample } from './load-worker';
import { credentials } from './local-credentials';
import { type Goal, percentile, round } from './stats';

/** Never called: the API routes do not detect. It keeps the CenterNet model from loading. */
export const noModel = createFixedModel([], 'bench-none-1.0');

/** The label on about half the images: `GET /images?label=person` has a deep result set. */
export const COMMON_LABEL = 'Person';

/** A Rekognition-like label pool (name, parents, category), besides the common label. */
const POOL: [name: string, parents: string[], category: string][] = [
  ['Human', [], 'Person Description'],
  ['Face', ['Person'], 'Person Description'],
  ['Smile', ['Face', 'Person'], 'Expressions and Emotions'],
  ['Clothing', [], 'Apparel and Accessories'],
  ['Shoe', ['Footwear', 'Clothing'], 'Apparel and Accessories'],
  ['Hat', ['Clothing'], 'Apparel and Accessories'],
  ['Glasses', ['Accessories'], 'Apparel and Accessories'],
  ['Outdoors', [], 'Nature and Outdoors'],
  ['Nature', [], 'Nature and Outdoors'],
  ['Tree', ['Plant'], 'Plants and Flowers'],
  ['Plant', [], 'Plants and Flowers'],
  ['Flower', ['Plant'], 'Plants and Flowers'],
  ['Grass', ['Plant'], 'Plants and Flowers'],
  ['Sky', [], 'Nature and Outdoors'],
  ['Cloud', ['Sky'], 'Nature and Outdoors'],
  ['Water', [], 'Nature and Outdoors'],
  ['Sea', ['Water'], 'Nature and Outdoors'],
  ['Beach', ['Coast', 'Nature'], 'Nature and Outdoors'],
  ['Mountain', ['Nature'], 'Nature and Outdoors'],
  ['Animal', [], 'Animals and Pets'],
  ['Dog', ['Canine', 'Mammal', 'Pet', 'Animal'], 'Animals and Pets'],
  ['Cat', ['Mammal', 'Pet', 'Animal'], 'Animals and Pets'],
  ['Bird', ['Animal'], 'Animals and Pets'],
  ['Horse', ['Mammal', 'Animal'], 'Animals and Pets'],
  ['Vehicle', ['Transportation'], 'Vehicles and Automotive'],
  ['Car', ['Vehicle', 'Transportation'], 'Vehicles and Automotive'],
  ['Bicycle', ['Vehicle', 'Transportation'], 'Vehicles and Automotive'],
  ['Motorcycle', ['Vehicle', 'Transportation'], 'Vehicles and Automotive'],
  ['Bus', ['Vehicle', 'Transportation'], 'Vehicles and Automotive'],
  ['Boat', ['Watercraft', 'Vehicle'], 'Vehicles and Automotive'],
  ['Airplane', ['Aircraft', 'Vehicle'], 'Vehicles and Automotive'],
  ['Road', [], 'Buildings and Architecture'],
  ['Building', [], 'Buildings and Architecture'],
  ['City', ['Urban'], 'Buildings and Architecture'],
  ['House', ['Building'], 'Buildings and Architecture'],
  ['Window', [], 'Buildings and Architecture'],
  ['Furniture', [], 'Home and Indoors'],
  ['Chair', ['Furniture'], 'Home and Indoors'],
  ['Table', ['Furniture'], 'Home and Indoors'],
  ['Indoors', [], 'Home and Indoors'],
  ['Room', ['Indoors'], 'Home and Indoors'],
  ['Food', [], 'Food and Beverage'],
  ['Fruit', ['Produce', 'Plant', 'Food'], 'Food and Beverage'],
  ['Cup', [], 'Food and Beverage'],
  ['Bottle', [], 'Food and Beverage'],
  ['Electronics', [], 'Technology and Computing'],
  ['Phone', ['Electronics'], 'Technology and Computing'],
  ['Computer', ['Electronics'], 'Technology and Computing'],
  ['Text', [], 'Text and Documents'],
];
const PERSON: [string, string[], string] = [COMMON_LABEL, [], 'Person Description'];

/** A small seeded PRNG (mulberry32): the same table on every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (random: () => number, length: number) =>
  Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');

/** One labeled image as the store step writes it: its IMAGE record and its label items. */
function seededImage(
  bucket: string,
  index: number,
  random: () => number,
): { key: string; items: (LabelItem | ImageItem)[] } {
  const key = `uploads/${hex(random, 8)}-${hex(random, 4)}-${hex(random, 4)}-${hex(random, 12)}/photo-${index}.jpg`;
  const object: ObjectRef = {
    bucket,
    key,
    versionId: hex(random, 32),
    eTag: hex(random, 32),
    size: 200_000 + Math.floor(random() * 3_000_000),
    sequencer: index.toString(16).toUpperCase().padStart(16, '0'),
  };
  const count = 3 + Math.floor(random() * 8); // 3 to 10 labels
  const picked = new Set<(typeof POOL)[number]>();
  if (random() < 0.5) picked.add(PERSON);
  while (picked.size < count) picked.add(POOL[Math.floor(random() * POOL.length)] ?? PERSON);
  const labels: Label[] = boundLabels(
    [...picked].map(([name, parents, category]) => ({
      name,
      confidence: 55 + random() * 44.9,
      parents,
      categories: [category],
      aliases: name === COMMON_LABEL ? ['Human'] : [],
      instances: Array.from({ length: parents.length > 0 ? Math.floor(random() * 3) : 0 }, () => ({
        confidence: 60 + random() * 39,
        box: {
          left: random() * 0.5,
          top: random() * 0.5,
          width: 0.1 + random() * 0.4,
          height: 0.1 + random() * 0.4,
        },
      })),
    })),
  );
  const width = 640 + Math.floor(random() * 3400);
  const record: ImageItem = {
    pk: imagePk(key),
    sk: IMAGE_SK,
    bucket: object.bucket,
    key,
    status: 'LABELED',
    objectVersion: objectVersionOf(object),
    versionId: object.versionId,
    eTag: object.eTag,
    sequencer: object.sequencer,
    size: object.size,
    image: { format: 'jpeg', width, height: Math.round(width * 0.75), size: object.size },
    labels,
    labelNames: labels.map((label) => label.name),
    labelModelVersion: 'bench-seed-1.0',
    settings: { minConfidence: 55, maxLabels: 50 },
    updatedAt: new Date(Date.UTC(2026, 0, 1) + index * 1000).toISOString(),
  };
  // With its images index entry, as the store step writes it.
  return { key, items: [...labelItems(object, labels), { ...record, ...imagesIndexAttributes(record) }] };
}

/**
 * Writes the images with parallel BatchWriteItem calls of 25 items (the store step's own
 * batchWrite). The local DynamoDB is one thread: more than a few calls in flight gain little.
 */
export async function seed(
  table: TableRef,
  bucket: string,
  images: number,
): Promise<{ keys: string[]; items: number; batchWrites: number; seconds: number }> {
  const random = prng(8);
  const keys: string[] = [];
  const requests: NonNullable<BatchWriteCommandInput['RequestItems']>[string] = [];
  for (let index = 0; index < images; index++) {
    const image = seededImage(bucket, index, random);
    keys.push(image.key);
    for (const item of image.items) requests.push({ PutRequest: { Item: item } });
  }
  const started = performance.now();
  let next = 0;
  let batchWrites = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < requests.length) {
        const chunk = requests.slice(next, next + 25);
        next += 25;
        const calls = await batchWrite(table, chunk);
        batchWrites += calls;
      }
    }),
  );
  return {
    keys,
    items: requests.length,
    batchWrites,
    seconds: round((performance.now() - started) / 1000, 1),
  };
}

export interface ApiLatencyRow {
  route: string;
  via: 'API' | 'direct DynamoDB';
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** API: non-2xx answers plus connection errors and timeouts; direct: failed calls. */
  errors: number;
}

/** The rounds of one side, as one row: their latencies pooled, their rates over their time. */
function row(route: string, via: ApiLatencyRow['via'], samples: Sample[]): ApiLatencyRow {
  const latencies = samples.flatMap((sample) => sample.latencies);
  const requests = samples.reduce((sum, sample) => sum + sample.requests, 0);
  const seconds = samples.reduce((sum, sample) => sum + sample.seconds, 0);
  return {
    route,
    via,
    requestsPerSecond: round(requests / seconds, 0),
    p50Ms: round(percentile(latencies, 50), 2),
    p99Ms: round(percentile(latencies, 99), 2),
    requests,
    errors: samples.reduce((sum, sample) => sum + sample.errors, 0),
  };
}

/**
 * The load generator's thread (bench/load-worker.ts): one for the whole section, so the direct
 * side's client and connections stay warm from round to round, as the API's function does.
 */
function startLoadThread(): { run: (job: LoadJob) => Promise<Sample>; stop: () => Promise<number> } {
  // Through the tsx bootstrap that TypeScript worker entries need (local/ts-worker.mjs).
  const worker = new Worker(new URL('../local/ts-worker.mjs', import.meta.url), {
    workerData: { tsEntry: new URL('./load-worker.ts', import.meta.url).href },
  });
  const pending = new Map<number, { resolve: (sample: Sample) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  worker.on('message', (reply: LoadReply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if ('sample' in reply) waiting?.resolve(reply.sample);
    else waiting?.reject(new Error(reply.error));
  });
  worker.on('error', (error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  });
  return {
    run: (job) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, job });
      }),
    stop: () => worker.terminate(),
  };
}

export async function runApiLatency(options: {
  images: number;
  /** Per round and side. */
  durationSeconds: number;
  rounds: number;
  connections: number;
}): Promise<{
  rows: ApiLatencyRow[];
  goals: Goal[];
  seed: { images: number; items: number; batchWrites: number; seconds: number };
}> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-api-'));
  let cloud: LocalCloud | undefined;
  let db: DynamoDBDocumentClient | undefined;
  const loadThread = startLoadThread();
  try {
    cloud = await startLocalCloud({ dataDir, awsPort: 0, apiPort: 0, logs: 'silent', model: noModel });
    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: cloud.info.endpoints.aws,
      credentials,
    });
    // As the function's client (functions/adapters/clients/dynamodb.ts) marshals.
    db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const table: TableRef = { db, tableName: cloud.info.tableName };
    const seeded = await seed(table, cloud.info.bucket, options.images);
    const keys = seeded.keys;
    const token = await cloud.issuer.mint({ scopes: [SCOPES.read] });
    const label = COMMON_LABEL.toLowerCase();
    // The query the handler issues for its path: the defaults of its parameters, no cursor.
    const byLabel: Read = { kind: 'label', label, minConfidence: 0, limit: 25 };
    const byKey: Read = { kind: 'key', keys };
    const listPath = pathsOf(byLabel)();
    const keyPath = pathsOf(byKey);

    // Warm up both API workers (their cold start is not what this measures) and check the answers.
    const api = cloud.info.endpoints.api;
    const get = async (path: string) => {
      const response = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    for (let pass = 0; pass < 3; pass++) {
      const answers = await Promise.all([
        ...Array.from({ length: options.connections }, () => get(listPath)),
        ...Array.from({ length: options.connections }, () => get(keyPath())),
      ]);
      for (const answer of answers) {
        if (answer.status !== 200)
          throw new Error(`warm-up: the API answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      }
    }
    const list = await get(listPath);
    if (!Array.isArray(list.body.items) || list.body.items.length !== byLabel.limit || !list.body.nextCursor)
      throw new Error(`warm-up: ${listPath} did not answer a full page with a next cursor`);
    const one = await get(keyPath());
    if (one.body.status !== 'LABELED')
      throw new Error(`warm-up: GET /images/{key} answered ${JSON.stringify(one.body)}`);
    const aws = { endpoint: cloud.info.endpoints.aws, tableName: cloud.info.tableName };
    // The direct side warms its connections too.
    await loadThread.run({ side: 'warm-direct', ...aws, read: byLabel, connections: options.connections });

    const load = { durationSeconds: options.durationSeconds, connections: options.connections };
    const routes = [
      { route: `GET /images?label=${label}`, read: byLabel },
      { route: 'GET /images/{key}', read: byKey },
    ];
    // Both sides take turns, round after round, so that a change in the machine's load during
    // the section weighs on both alike; each side's rounds are pooled into one row.
    const samples = new Map<string, Sample[]>();
    for (let pass = 0; pass < options.rounds; pass++) {
      for (const { route, read } of routes) {
        for (const via of ['API', 'direct DynamoDB'] as const) {
          const job: LoadJob =
            via === 'API'
              ? { side: 'api', route, url: api, token, read, ...load }
              : { side: 'direct', route, ...aws, read, ...load };
          const id = `${route}|${via}`;
          samples.set(id, [...(samples.get(id) ?? []), await loadThread.run(job)]);
        }
      }
    }
    const rows = [...samples].map(([id, taken]) => {
      const [route = '', via] = id.split('|') as [string, ApiLatencyRow['via']];
      return row(route, via, taken);
    });
    const goals: Goal[] = routes.map(({ route }) => {
      const viaApi = rows.find((r) => r.route === route && r.via === 'API');
      const direct = rows.find((r) => r.route === route && r.via === 'direct DynamoDB');
      const ratio = round((viaApi?.p99Ms ?? 0) / Math.max(direct?.p99Ms ?? 0, 0.01), 2);
      return {
        name: `API p99 vs direct query: ${route}`,
        value: ratio,
        target: 1.5,
        unit: 'x',
        met: ratio <= 1.5,
      };
    });
    return {
      rows,
      goals,
      seed: {
        images: options.images,
        items: seeded.items,
        batchWrites: seeded.batchWrites,
        seconds: seeded.seconds,
      },
    };
  } finally {
    await loadThread.stop();
    db?.destroy();
    await cloud?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
