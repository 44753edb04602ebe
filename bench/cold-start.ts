/**
 * Cold start per function: the esbuild bundle CDK ships (same settings: BUNDLING), its size,
 * and its init time in a fresh Node process (import + handler construction, median of N),
 * against an empty handler bundled the same way, against the same handler with its packages
 * loaded unbundled from node_modules, and against the same handler using the Lambda runtime's
 * AWS SDK instead of its own (infra/config/bundling.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FUNCTIONS, type FunctionSpec, houseEnvironment } from '../infra/config/functions';
import { loadStageConfig } from '../infra/config/stage-config';
import { pipelineTiming } from '../infra/config/timing';
import { bundleHandler } from '../local/lambda/bundle';
import { type Goal, median, round } from './stats';

const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', '.out');

let pinned: string[] | undefined;

/**
 * The command prefix that pins a measured process to one CPU, where Linux's `taskset` can: on
 * this VM the two vCPUs ran at different speeds at times, and each process started on either at
 * random, so one function's samples fell into two groups about 30% apart and a median of 20
 * landed in either (bench/README.md). One CPU is also closer to a 256 MB Lambda function, which
 * gets a fraction of one vCPU. Elsewhere the processes run unpinned. Probed once, on first use.
 */
function pinnedPrefix(): string[] {
  if (pinned) return pinned;
  const probe = process.platform === 'linux' ? spawnSync('taskset', ['-c', '0', 'true']) : undefined;
  pinned = probe?.status === 0 ? ['taskset', '-c', String(availableParallelism() - 1)] : [];
  return pinned;
}

/** Import time of a module in a fresh process: the module's own measurement, not process start-up. */
function initTime(file: string, env: Record<string, string>): { ms: number; rssMb: number } {
  const script = `
    const t0 = performance.now();
    const mod = await import(${JSON.stringify(pathToFileURL(file).href)});
    if (typeof mod.handler !== 'function') throw new Error('no handler export');
    const ms = performance.now() - t0;
    console.log(JSON.stringify({ ms, rssMb: process.memoryUsage().rss / 1048576 }));`;
  const [command = process.execPath, ...prefix] = [...pinnedPrefix(), process.execPath];
  const result = spawnSync(command, [...prefix, '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`init of ${file} failed: ${result.stderr}`);
  const line = result.stdout.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(line) as { ms: number; rssMb: number };
}

/**
 * The AWS SDK packages a bundle holds, read from its source map's inputs (written beside it,
 * BUNDLING.sourceMap): what the function really calls, so the floor cannot drift from it.
 */
export function sdkClientPackages(bundle: string): string[] {
  const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] };
  const names = map.sources.flatMap((source) => {
    const found = /node_modules\/(@aws-sdk\/(?:client-[a-z0-9-]+|lib-dynamodb))\//.exec(source);
    return found?.[1] ? [found[1]] : [];
  });
  return [...new Set(names)].sort();
}

/**
 * A handler that holds only those SDK clients, each constructed once per module as the adapters
 * do, and does nothing else: the floor a function's init and bundle are measured against.
 */
async function floorSource(packages: string[]): Promise<string> {
  const lines: string[] = [];
  const built: string[] = [];
  for (const name of packages.filter((pkg) => pkg.startsWith('@aws-sdk/client-'))) {
    const exported = Object.keys(await import(name)).filter(
      (key) => key.endsWith('Client') && /^[A-Z]/.test(key),
    );
    if (exported.length !== 1) throw new Error(`${name}: no single client class (${exported})`);
    const [client] = exported;
    lines.push(`import { ${client} } from '${name}';`);
    built.push(
      client === 'DynamoDBClient' && packages.includes('@aws-sdk/lib-dynamodb')
        ? `DynamoDBDocumentClient.from(new ${client}({}))`
        : `new ${client}({})`,
    );
  }
  if (built.some((expr) => expr.startsWith('DynamoDBDocumentClient'))) {
    lines.push(`import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';`);
  }
  lines.push(`const clients = [${built.join(', ')}];`);
  lines.push('export const handler = async () => clients.length;');
  return `${lines.join('\n')}\n`;
}

/**
 * The init of a function and of its floor, median of `runs` each. They take turns, run after
 * run, so that a drift in the machine's speed (up to 25% over a day here) weighs on both alike
 * and leaves their ratio, the goal, alone.
 */
function initAgainstFloor(file: string, floorFile: string, env: Record<string, string>, runs: number) {
  const samples: { ms: number; rssMb: number }[] = [];
  const floorSamples: number[] = [];
  for (let run = 0; run < runs; run++) {
    samples.push(initTime(file, env));
    floorSamples.push(initTime(floorFile, env).ms);
  }
  return {
    initMs: median(samples.map((sample) => sample.ms)),
    floorMs: median(floorSamples),
    rssMb: median(samples.map((sample) => sample.rssMb)),
  };
}

export interface ColdStartRow {
  function: string;
  bundleKb: number;
  initMs: number;
  /** The SDK-only floor: the clients this function's bundle holds, and nothing else. */
  sdkClients: string;
  floorKb: number;
  floorInitMs: number;
  initVsFloor: number;
  bundleVsFloor: number;
  /** The same function with the X-Ray SDK's tracing on (dev's `tracing: xray-sdk`). */
  xraySdkKb: number;
  xraySdkInitMs: number;
  emptyInitMs: number;
  unbundledInitMs: number;
  /** The same function with the Lambda runtime's AWS SDK instead of its own. */
  runtimeSdkKb: number;
  runtimeSdkInitMs: number;
  ratioToEmpty: number;
  initRssMb: number;
}

/** functions/core/workflow-schemas.ts's WorkflowInputSchema in zod/mini, for the validation probes. */
const WORKFLOW_INPUT_ZOD = `const ObjectRefSchema = z.object({
  bucket: z.string().check(z.minLength(3), z.maxLength(63)),
  key: z.string().check(z.minLength(1), z.maxLength(1024)),
  versionId: z.optional(z.string().check(z.minLength(1))),
  eTag: z.string().check(z.minLength(1)),
  size: z.int().check(z.nonnegative()),
  sequencer: z.string().check(z.regex(/^[0-9A-Fa-f]+$/)),
});
const WorkflowInputSchema = z.object({
  object: ObjectRefSchema,
  eventTime: z.string(),
  reprocess: z.optional(z.object({ ifAttempts: z.int().check(z.nonnegative()) })),
});`;

/** zod/mini as the functions loaded it until they moved to valibot: with its English messages. */
const ZOD_MINI = `import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
z.config(en());`;

/** Where init time goes: each dependency alone, in a handler bundled like the real ones. */
const PROBES: Record<string, string> = {
  'AWS SDK DynamoDB document client': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
export const handler = async () => DynamoDBDocumentClient.from(new DynamoDBClient({}));`,
  'AWS SDK S3 client': `import { S3Client } from '@aws-sdk/client-s3';
export const handler = async () => new S3Client({});`,
  'Powertools Logger and Metrics': `import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
export const handler = async () => [new Logger(), new Metrics()];`,
  'Powertools Tracer (X-Ray SDK)': `import { Tracer } from '@aws-lambda-powertools/tracer';
export const handler = async () => new Tracer();`,
  // The tracing lever: esbuild inlines a dynamic import but defers evaluating it (lazy __esm).
  'Powertools Tracer, imported only when called': `export const handler = async () =>
  new (await import('@aws-lambda-powertools/tracer')).Tracer();`,
  'zod (classic)': `import * as z from 'zod';
export const handler = async () => z.object({ key: z.string().min(1) });`,
  'zod/mini with English messages': `${ZOD_MINI}
export const handler = async () => z.object({ key: z.string().check(z.minLength(1)) });`,
  // The validation lever: the workflow's input built at init, as the functions build their
  // schemas: with valibot (what the functions use) and with zod/mini (what they used).
  'valibot, the workflow input schema built at init': `import * as v from 'valibot';
import { WorkflowInputSchema } from ${JSON.stringify(join(ROOT, 'functions', 'core', 'workflow-schemas'))};
export const handler = async (event) => v.parse(WorkflowInputSchema, event);`,
  'zod/mini, the same schema built at init': `${ZOD_MINI}
${WORKFLOW_INPUT_ZOD}
export const handler = async (event) => WorkflowInputSchema.parse(event);`,
  '@middy/core': `import middy from '@middy/core';
export const handler = middy(async () => ({}));`,
};

export interface InitProbeRow {
  dependency: string;
  bundleKb: number;
  initMs: number;
}

async function runProbes(runs: number, env: Record<string, string>): Promise<InitProbeRow[]> {
  const rows: InitProbeRow[] = [];
  for (const [dependency, source] of Object.entries(PROBES)) {
    const dir = join(OUT, 'probes', dependency.replace(/[^A-Za-z0-9]+/g, '-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'handler.ts'), `${source}\n`);
    const size = await bundleHandler(join(dir, 'handler.ts'), join(dir, 'index.mjs'));
    const ms = median(Array.from({ length: runs }, () => initTime(join(dir, 'index.mjs'), env).ms));
    rows.push({ dependency, bundleKb: round(size / 1024), initMs: round(ms) });
  }
  return rows;
}

export async function runColdStart(
  runs = 20,
): Promise<{ rows: ColdStartRow[]; probes: InitProbeRow[]; goals: Goal[]; pinned: boolean }> {
  mkdirSync(OUT, { recursive: true });
  // What ships to production: prod's tracing mode and SDK source (dev adds the X-Ray SDK).
  const config = loadStageConfig('prod');
  const timing = pipelineTiming();
  const lambdaEnv = {
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    POWERTOOLS_TRACE_ENABLED: 'false',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const emptyFile = join(OUT, 'empty', 'index.mjs');
  await bundleHandler(join(ROOT, 'bench', 'empty-handler.ts'), emptyFile);
  const emptyInit = median(Array.from({ length: runs }, () => initTime(emptyFile, lambdaEnv).ms));

  const rows: ColdStartRow[] = [];
  for (const spec of Object.values(FUNCTIONS) as FunctionSpec[]) {
    const entry = join(ROOT, 'functions', spec.handlerDir, 'handler.ts');
    const bundled = join(OUT, spec.handlerDir, 'index.mjs');
    // Inside the project, so that `packages: external` resolves from its node_modules.
    const unbundled = join(OUT, `${spec.handlerDir}-unbundled`, 'index.mjs');
    const size = await bundleHandler(entry, bundled, { awsSdk: config.awsSdk, tracing: config.tracing });
    // The tracing lever: the same function with the X-Ray SDK's tracing on (tracing.ts).
    const xraySdk = join(OUT, `${spec.handlerDir}-xray-sdk`, 'index.mjs');
    const xraySdkSize = await bundleHandler(entry, xraySdk, { awsSdk: config.awsSdk, tracing: 'xray-sdk' });
    await bundleHandler(entry, unbundled, { packages: 'external' });
    const runtimeSdk = join(OUT, `${spec.handlerDir}-runtime-sdk`, 'index.mjs');
    const runtimeSdkSize = await bundleHandler(entry, runtimeSdk, {
      awsSdk: 'runtime',
      tracing: config.tracing,
    });
    const env = {
      ...lambdaEnv,
      ...houseEnvironment(spec, config),
      ...spec.environment({
        config,
        timing,
        tableName: 'bench-table',
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:bench',
        eventSourceMappingId: '00000000-0000-0000-0000-000000000000',
        bucketName: 'bench-bucket',
        cursorSecretId: 'bench-cursor-secret',
        ingestQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench',
      }),
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
    const xraySdkMs = median(
      Array.from({ length: runs }, () => initTime(xraySdk, { ...env, TRACING_MODE: 'xray-sdk' }).ms),
    );
    const unbundledMs = median(Array.from({ length: runs }, () => initTime(unbundled, env).ms));
    const runtimeSdkMs = median(Array.from({ length: runs }, () => initTime(runtimeSdk, env).ms));
    const clients = sdkClientPackages(bundled);
    const floorDir = join(OUT, `${spec.handlerDir}-sdk-floor`);
    mkdirSync(floorDir, { recursive: true });
    writeFileSync(join(floorDir, 'handler.ts'), await floorSource(clients));
    const floorFile = join(floorDir, 'index.mjs');
    const floorSize = await bundleHandler(join(floorDir, 'handler.ts'), floorFile, {
      awsSdk: config.awsSdk,
    });
    const { initMs, floorMs, rssMb } = initAgainstFloor(bundled, floorFile, env, runs);
    rows.push({
      function: spec.handlerDir,
      bundleKb: round(size / 1024),
      initMs: round(initMs),
      sdkClients: clients.map((name) => name.replace('@aws-sdk/', '')).join(' '),
      floorKb: round(floorSize / 1024),
      floorInitMs: round(floorMs),
      initVsFloor: round(initMs / floorMs, 2),
      bundleVsFloor: round(size / floorSize, 2),
      xraySdkKb: round(xraySdkSize / 1024),
      xraySdkInitMs: round(xraySdkMs),
      emptyInitMs: round(emptyInit),
      unbundledInitMs: round(unbundledMs),
      runtimeSdkKb: round(runtimeSdkSize / 1024),
      runtimeSdkInitMs: round(runtimeSdkMs),
      ratioToEmpty: round(initMs / emptyInit, 2),
      initRssMb: round(rssMb),
    });
  }
  // A function that calls no AWS service (validate-flags) has an empty floor: no goal to meet.
  const withFloor = rows.filter((row) => row.sdkClients !== '');
  const goals: Goal[] = [
    ...withFloor.map((row) => ({
      name: `init vs its SDK-only floor: ${row.function}`,
      value: row.initVsFloor,
      target: 1.25,
      unit: 'x',
      met: row.initVsFloor <= 1.25,
    })),
    ...withFloor.map((row) => ({
      name: `bundle vs its SDK-only floor: ${row.function}`,
      value: row.bundleVsFloor,
      target: 1.5,
      unit: 'x',
      met: row.bundleVsFloor <= 1.5,
    })),
  ];
  return { rows, probes: await runProbes(runs, lambdaEnv), goals, pinned: pinnedPrefix().length > 0 };
}
