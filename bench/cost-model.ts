/**
 * What a million labeled images cost on AWS, from the synthesized template (functions and
 * their memory, the workflow type and its happy path), measured request counts and
 * durations, and the dated price table in prices.ts. Compared with Rekognition's own price
 * and with the naive design (one S3-triggered function calling DetectLabels, then one
 * DynamoDB update per label).
 */
import { readFileSync } from 'node:fs';
import { WRITES_IN_FLIGHT } from '../functions/core/label-counts';
import { LABEL_IMAGE_ASL_PATH } from '../infra/config/timing';
import { WINDOW_IMAGES } from './label-count-window';
import { PRICES } from './prices';
import { type Goal, round } from './stats';

export interface CostInputs {
  /** MemorySize (MB) of each task function, from the template. */
  taskMemoryMb: Record<string, number>;
  startMemoryMb: number;
  /** Billed duration per invocation (ms) of each task function on AWS. */
  taskDurationMs: Record<string, number>;
  startDurationMsPerImage: number;
  /** Images per start-workflow invocation (SQS batch). */
  imagesPerBatch: number;
  dynamo: { wcu: number; rcu: number };
  naiveDynamo: { wcu: number };
  logBytesPerImage: number;
  naiveLogBytesPerImage: number;
  rekognitionLatencyMs: number;
  /** Measured init (cold start) per function, ms; billed since 2025-08-01 (see COLD_START_SHARE). */
  initMs: Record<string, number>;
  /** count-labels, per image: its share of a window's invocations and their billed time. */
  countLabels: { memoryMb: number; invocationsPerImage: number; msPerImage: number };
}

/**
 * Share of invocations that start a new execution environment. Lambda bills the INIT phase of
 * on-demand ZIP functions on managed runtimes since 2025-08-01, and AWS puts cold starts "under
 * 1% of invocations" in production workloads
 * (https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/).
 */
const COLD_START_SHARE = 0.01;

export interface CostLine {
  item: string;
  pipelineUsd: number;
  naiveUsd: number;
  note: string;
}

/**
 * count-labels' share per image, estimated for one window of WINDOW_IMAGES images: one batch
 * invocation (about 20 ms) and the final one, which reads its slot and writes `labelsTouched`
 * counts WRITES_IN_FLIGHT at a time, at about 10 ms a round of writes on AWS.
 */
export function countLabelsCost(memoryMb: number, labelsTouched: number): CostInputs['countLabels'] {
  const windowMs = 20 + 20 + Math.ceil(labelsTouched / WRITES_IN_FLIGHT) * 10;
  return { memoryMb, invocationsPerImage: 2 / WINDOW_IMAGES, msPerImage: windowMs / WINDOW_IMAGES };
}

/** States entered on the happy path (claim, choice, validate, detect, store, final Pass). */
export function happyPathStates(aslText = readFileSync(LABEL_IMAGE_ASL_PATH, 'utf8')): string[] {
  const asl = JSON.parse(aslText) as {
    StartAt: string;
    States: Record<string, { Next?: string; Default?: string; End?: boolean; Type: string }>;
  };
  const path: string[] = [];
  let name: string | undefined = asl.StartAt;
  while (name && path.length < 50) {
    path.push(name);
    const state: { Next?: string; Default?: string; End?: boolean; Type: string } | undefined =
      asl.States[name];
    name = state?.Type === 'Choice' ? state.Default : state?.Next;
  }
  return path;
}

/** Share of requests X-Ray's default sampling rule records at sustained volume. */
const XRAY_SAMPLED = 0.05;

/** Issue 14: everything but Rekognition costs at most 3% of Rekognition's price. */
const OVERHEAD_SHARE_TARGET = 3;

const gbSeconds = (memoryMb: number, ms: number) => (memoryMb / 1024) * (Math.ceil(ms) / 1000);

export function costPerMillion(inputs: CostInputs): {
  lines: CostLine[];
  goals: Goal[];
  transitions: number;
} {
  const million = 1e6;
  const states = happyPathStates();
  const taskNames = Object.keys(inputs.taskDurationMs);
  const lambdaInvocations =
    taskNames.length + 1 / inputs.imagesPerBatch + inputs.countLabels.invocationsPerImage;
  const lambdaGbs =
    taskNames.reduce(
      (sum, name) => sum + gbSeconds(inputs.taskMemoryMb[name] ?? 256, inputs.taskDurationMs[name] ?? 0),
      0,
    ) +
    gbSeconds(inputs.startMemoryMb, inputs.startDurationMsPerImage) +
    (inputs.countLabels.memoryMb / 1024) * (inputs.countLabels.msPerImage / 1000);
  // Cold starts: the measured init of each function invoked per image, on 1% of invocations.
  const initGbs =
    COLD_START_SHARE *
    ([...taskNames, 'start-workflow'] as string[]).reduce(
      (sum, name) =>
        sum +
        gbSeconds(
          name === 'start-workflow' ? inputs.startMemoryMb : (inputs.taskMemoryMb[name] ?? 256),
          inputs.initMs[name] ?? 0,
        ) *
          (name === 'start-workflow' ? 1 / inputs.imagesPerBatch : 1),
      0,
    );
  const workflowMs = Object.values(inputs.taskDurationMs).reduce((sum, ms) => sum + ms, 0) + 50;
  // Express bills the run's duration in 100 ms steps at 64 MB (the smallest memory chunk).
  const expressGbs = (64 / 1024) * (Math.ceil(workflowMs / 100) / 10);
  const naiveLambdaMs = inputs.rekognitionLatencyMs + 20 + 10 * 8; // call + put + ~10 label updates
  const lines: CostLine[] = [
    {
      item: 'Rekognition DetectLabels',
      pipelineUsd: PRICES.rekognitionImage.usd * million,
      naiveUsd: PRICES.rekognitionImage.usd * million,
      note: 'one call per object version (duplicates and retries reuse the recorded answer)',
    },
    {
      item: 'Step Functions (Express)',
      pipelineUsd: (PRICES.expressRequest.usd + expressGbs * PRICES.expressGbSecond.usd) * million,
      naiveUsd: 0,
      note: `1 request + ${round(expressGbs, 4)} GB-s per image; a Standard workflow would add ${states.length} transitions = $${round(states.length * PRICES.standardTransition.usd * million, 0)}`,
    },
    {
      item: 'Lambda (arm64)',
      pipelineUsd:
        (lambdaInvocations * PRICES.lambdaRequest.usd +
          (lambdaGbs + initGbs) * PRICES.lambdaArmGbSecond.usd) *
        million,
      naiveUsd:
        (PRICES.lambdaRequest.usd + gbSeconds(128, naiveLambdaMs) * PRICES.lambdaArmGbSecond.usd) * million,
      note: `${round(lambdaInvocations, 2)} invocations, ${round(lambdaGbs, 3)} GB-s per image (detect waits ${inputs.rekognitionLatencyMs} ms on Rekognition), ${Object.keys(inputs.initMs).length > 0 ? `plus INIT on ${COLD_START_SHARE * 100}% of invocations: $${round(initGbs * PRICES.lambdaArmGbSecond.usd * million, 2)}` : 'INIT not measured in this run (section cold)'}`,
    },
    {
      item: 'SQS',
      pipelineUsd: (1 + 2 / inputs.imagesPerBatch) * PRICES.sqsRequest.usd * million,
      naiveUsd: 0,
      note: 'S3 send + batched receive and delete (idle long polls are a fixed monthly cost, not counted)',
    },
    {
      item: 'DynamoDB (on demand)',
      pipelineUsd:
        (inputs.dynamo.wcu * PRICES.dynamoWriteUnit.usd + inputs.dynamo.rcu * PRICES.dynamoReadUnit.usd) *
        million,
      naiveUsd: inputs.naiveDynamo.wcu * PRICES.dynamoWriteUnit.usd * million,
      note: `${inputs.dynamo.wcu} WRU + ${inputs.dynamo.rcu} RRU per image with 10 labels (naive: ${inputs.naiveDynamo.wcu} WRU)`,
    },
    {
      item: 'S3 requests',
      pipelineUsd: (PRICES.s3Put.usd + 4 * PRICES.s3Get.usd) * million,
      naiveUsd: (PRICES.s3Put.usd + PRICES.s3Get.usd) * million,
      note: 'the upload PUT; HEAD + 2 ranged GETs to validate, 1 GET by Rekognition',
    },
    {
      item: 'CloudWatch Logs',
      pipelineUsd: (inputs.logBytesPerImage / 1e9) * PRICES.logsIngestGb.usd * million,
      naiveUsd: (inputs.naiveLogBytesPerImage / 1e9) * PRICES.logsIngestGb.usd * million,
      note: `${round(inputs.logBytesPerImage / 1024, 1)} KB of logs per image (functions, EMF metrics, workflow level ALL without execution data, as prod)`,
    },
    {
      item: 'X-Ray',
      // X-Ray's default sampling rule records the first request each second and 5% of the rest.
      pipelineUsd: XRAY_SAMPLED * (1 + 1 / inputs.imagesPerBatch) * PRICES.xrayTrace.usd * million,
      naiveUsd: XRAY_SAMPLED * PRICES.xrayTrace.usd * million,
      note: 'default sampling (1 request/s + 5%): at sustained volume about 5% of runs are traced',
    },
  ].map((line) => ({ ...line, pipelineUsd: round(line.pipelineUsd, 2), naiveUsd: round(line.naiveUsd, 2) }));
  const rekognition = lines[0]?.pipelineUsd ?? 1;
  const overhead = lines.slice(1).reduce((sum, line) => sum + line.pipelineUsd, 0);
  const share = round((overhead / rekognition) * 100, 1);
  return {
    lines,
    transitions: states.length,
    goals: [
      {
        name: 'everything but Rekognition, share of Rekognition price',
        value: share,
        target: OVERHEAD_SHARE_TARGET,
        unit: '%',
        met: share <= OVERHEAD_SHARE_TARGET,
      },
    ],
  };
}
