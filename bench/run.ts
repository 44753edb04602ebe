/**
 * `npm run bench`: measures cold start, DynamoDB cost per image, pipeline throughput, the
 * cost per million images and the web console's JavaScript; prints tables and writes the figures (with a `goals` array)
 * to bench/results/<date>-<host>.json.
 *
 *   npm run bench                 the full run (about 7 minutes on 2 cores)
 *   npm run bench -- --quick      fewer samples and images, for a smoke run
 *   npm run bench -- --only=cold,memory,dynamodb,throughput,api,cost,console
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../infra/app';
import { type ApiLatencyRow, runApiLatency } from './api-latency';
import { type ColdStartRow, runColdStart } from './cold-start';
import { type ConsoleBundleRow, runConsoleBundle } from './console-bundle';
import { costPerMillion, countLabelsCost } from './cost-model';
import { type DynamoRow, runDynamoDbCost } from './dynamodb-cost';
import { type FirstRequestRow, runFirstRequest } from './first-request';
import { type MemoryRow, runMemory } from './memory';
import { PRICES, PRICES_DATE, PRICES_REGION } from './prices';
import type { Goal } from './stats';
import { type RunProfile, runThroughput, type ThroughputRow } from './throughput';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: 'cold,memory,dynamodb,throughput,api,cost,console' },
  },
});
const SECTIONS = ['cold', 'memory', 'dynamodb', 'throughput', 'api', 'cost', 'console'];
const sections = new Set(values.only.split(','));
const unknown = [...sections].filter((section) => !SECTIONS.includes(section));
if (unknown.length > 0) {
  console.error(`Unknown section ${unknown.join(', ')}: choose from ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const quick = values.quick;

const report: string[] = [];

/** Prints a markdown table and keeps it for the report file. */
function table(title: string, rows: object[]): void {
  const lines = [`\n## ${title}\n`];
  // Every row's keys, in order of first appearance: a later row may have figures the first lacks.
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  if (columns.length > 0) {
    lines.push(`| ${columns.join(' | ')} |`, `| ${columns.map(() => '---').join(' | ')} |`);
    for (const row of rows) {
      lines.push(
        `| ${columns.map((column) => String((row as Record<string, unknown>)[column] ?? '')).join(' | ')} |`,
      );
    }
  }
  console.log(lines.join('\n'));
  report.push(...lines);
}

/** MemorySize of each function in the synthesized dev template (bundling skipped). */
function templateMemory(): Record<string, number> {
  const cdkJson = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const built = buildApp(
    new App({ context: { ...cdkJson.context, stage: 'dev', 'aws:cdk:bundling-stacks': [] } }),
  );
  const functions = Template.fromStack(built.pipeline).findResources('AWS::Lambda::Function');
  const memory: Record<string, number> = {};
  for (const fn of Object.values(functions) as {
    Properties: { Environment?: { Variables?: Record<string, string> }; MemorySize?: number };
  }[]) {
    const service = fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME;
    if (service) memory[service] = fn.Properties.MemorySize ?? 128;
  }
  return memory;
}

const goals: Goal[] = [];
const results: Record<string, unknown> = {};
const started = performance.now();

if (sections.has('cold')) {
  const cold = await runColdStart(quick ? 5 : 20);
  results.coldStart = cold.rows satisfies ColdStartRow[];
  goals.push(...cold.goals);
  table(
    `Cold start (bundle as CDK ships it; init = import + handler construction, median${cold.pinned ? ', on one CPU' : ''})`,
    cold.rows,
  );
  results.initProbes = cold.probes;
  table('Where init goes (each dependency alone, bundled the same way, median)', cold.probes);
}

if (sections.has('memory')) {
  const memory = await runMemory({ photoCopies: quick ? 2 : 30 });
  results.memory = memory.rows satisfies MemoryRow[];
  goals.push(...memory.goals);
  table(
    'Memory (peak RSS of each function while processing, bundles in processes of their own, as Lambda reports it)',
    memory.rows,
  );
}

let dynamo: DynamoRow[] = [];
if (sections.has('dynamodb')) {
  const ddb = await runDynamoDbCost();
  dynamo = ddb.rows;
  results.dynamodb = ddb.rows;
  goals.push(...ddb.goals);
  table('DynamoDB per labeled image (local DynamoDB counts)', ddb.rows);
}

let profile: RunProfile | undefined;
if (sections.has('throughput')) {
  const images = quick ? 30 : 200;
  const throughput = await runThroughput(images);
  profile = throughput.profile;
  results.throughput = throughput.rows satisfies ThroughputRow[];
  results.profile = throughput.profile;
  goals.push(...throughput.goals);
  table(`Pipeline throughput through the local cloud (${images} uploads in parallel)`, throughput.rows);
  table(
    'Function durations in that run (warm invocations, median)',
    Object.entries(profile.medianDurationMs).map(([name, ms]) => ({
      function: name,
      medianMs: ms,
      invocations: profile?.invocations[name],
    })),
  );
}

if (sections.has('api')) {
  const images = quick ? 1000 : 10000;
  const load = quick ? { durationSeconds: 3, rounds: 1 } : { durationSeconds: 5, rounds: 3 };
  const api = await runApiLatency({ images, ...load, connections: 10 });
  results.apiLatency = { rows: api.rows satisfies ApiLatencyRow[], seed: api.seed };
  goals.push(...api.goals);
  table(
    `API latency under load (${images} labeled images, seeded in ${api.seed.seconds} s; 10 connections; ${load.rounds} rounds of ${load.durationSeconds} s per row, taking turns)`,
    api.rows,
  );
  const coldStarts = quick ? 1 : 5;
  const firstRequest = await runFirstRequest({ images: 1000, coldStarts });
  results.apiFirstRequest = firstRequest satisfies FirstRequestRow[];
  table(
    `API first request after a cold start (GET /images?label=person, 1000 labeled images; the shipped bundle in a process of its own, local stage settings; median of ${coldStarts} cold starts)`,
    firstRequest,
  );
}

if (sections.has('cost')) {
  const memory = templateMemory();
  const local = profile?.medianDurationMs ?? {};
  const rekognitionLatencyMs = 500; // assumed on AWS: the local model's time is not Rekognition's
  const pipelineRow = dynamo.find((row) => row.design === 'pipeline' && row.labels === 10);
  const naiveRow = dynamo.find((row) => row.design === 'naive' && row.labels === 10);
  const task = (name: string) => Math.max(local[name] ?? 20, 1);
  const cost = costPerMillion({
    taskMemoryMb: memory,
    startMemoryMb: memory['start-workflow'] ?? 256,
    taskDurationMs: {
      'claim-image': task('claim-image'),
      'validate-image': task('validate-image'),
      // Its local time includes the local model; on AWS it waits for Rekognition instead.
      'detect-labels': task('claim-image') * 2 + rekognitionLatencyMs,
      'store-labels': task('store-labels'),
    },
    startDurationMsPerImage: task('claim-image'),
    imagesPerBatch: 5,
    // Plus the detection cache write and reads (1 WRU for a small answer, 2 RRU for the cache and current-record reads).
    dynamo: { wcu: (pipelineRow?.wcu ?? 14) + 1, rcu: (pipelineRow?.rcu ?? 1) + 1 },
    naiveDynamo: { wcu: naiveRow?.wcu ?? 13 },
    logBytesPerImage:
      (profile?.functionLogBytesPerImage ?? 4000) + (profile?.workflowLogBytesPerImage ?? 20000),
    naiveLogBytesPerImage: 1500,
    rekognitionLatencyMs,
    countLabels: countLabelsCost(memory['count-labels'] ?? 256, pipelineRow?.labelsTouchedPerWindow ?? 360),
    initMs: Object.fromEntries(
      ((results.coldStart as ColdStartRow[] | undefined) ?? []).map((row) => [row.function, row.initMs]),
    ),
  });
  results.cost = {
    ...cost,
    prices: PRICES,
    pricesDate: PRICES_DATE,
    region: PRICES_REGION,
    memoryMb: memory,
  };
  goals.push(...cost.goals);
  table(`Cost per million images on AWS (${PRICES_REGION}, list prices of ${PRICES_DATE}, USD)`, [
    ...cost.lines,
    {
      item: 'total',
      pipelineUsd: Number(cost.lines.reduce((sum, line) => sum + line.pipelineUsd, 0).toFixed(2)),
      naiveUsd: Number(cost.lines.reduce((sum, line) => sum + line.naiveUsd, 0).toFixed(2)),
      note: '',
    },
  ]);
}

if (sections.has('console')) {
  const bundle = await runConsoleBundle();
  results.consoleBundle = bundle.rows satisfies ConsoleBundleRow[];
  goals.push(...bundle.goals);
  table('Web console JavaScript (what a browser downloads, built as `npm run build` builds it)', bundle.rows);
}

table('Goals', goals);
const machine = {
  host: os.hostname(),
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  memoryGb: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
};
const date = new Date().toISOString().slice(0, 10);
const output = {
  date,
  machine,
  quick,
  seconds: Math.round((performance.now() - started) / 1000),
  ...results,
  goals,
};
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${date}-${machine.host.replace(/[^A-Za-z0-9-]/g, '_')}${quick ? '-quick' : ''}.json`);
writeFileSync(file, `${JSON.stringify(output, null, 2)}\n`);
writeFileSync(
  file.replace(/\.json$/, '.md'),
  `# Benchmark ${date} on ${machine.host}\n\n${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node.js ${machine.node} (${machine.platform}).\nReproduce: \`npm run bench\`.\n${report.join('\n')}\n`,
);
console.log(
  `\nWrote ${file} (${output.seconds} s). Goals met: ${goals.filter((goal) => goal.met).length}/${goals.length}.`,
);
