/**
 * Typed, validated stage configuration. `cdk synth -c stage=prod` picks one; a typo or an
 * out-of-range value fails at synth with a message naming the field, never at deploy time.
 */
import { z } from 'zod';
import { TRACING_MODES } from '../../functions/shared/tracing-mode';
import { localConsoleOrigin } from './console';
import { AlarmsConfigSchema, DeliveryConfigSchema, STAGE_ALARMS, STAGE_DELIVERY } from './delivery-config';
import { FlagsConfigSchema, STAGE_FLAGS } from './flags';

/** CloudWatch Logs accepts only these retention periods. */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const StageConfigSchema = z
  .object({
    stage: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,15}$/, 'lower-case letters, digits and dashes, 2-16 characters'),
    env: z
      .object({
        account: z
          .string()
          .regex(/^\d{12}$/)
          .optional(),
        region: z
          .string()
          .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
          .optional(),
      })
      .default({}),
    /** destroy: `cdk destroy` removes buckets and tables (with their data); retain keeps them. */
    removalPolicy: z.enum(['destroy', 'retain']),
    deletionProtection: z.boolean(),
    logRetentionDays: z
      .number()
      .int()
      .refine((days) => (RETENTION_DAYS as readonly number[]).includes(days), {
        message: `must be one of ${RETENTION_DAYS.join(', ')}`,
      }),
    functionLogLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
    /** Where the functions' AWS SDK comes from: their bundle or the runtime (infra/config/bundling.ts). */
    awsSdk: z.enum(['bundled', 'runtime']).default('bundled'),
    /**
     * How the functions trace (functions/shared/tracing.ts). Both keep Lambda active tracing, so
     * every invocation is a segment of its workflow's or request's trace. `xray-sdk` adds the
     * Powertools Tracer: a subsegment per AWS call, for tens of milliseconds of init and 120 KB
     * of bundle (bench/README.md); `active` leaves the X-Ray SDK out of the bundles.
     */
    tracing: z.enum(TRACING_MODES).default('active'),
    /**
     * Whether Node maps stack traces through the bundles' source maps (`--enable-source-maps`):
     * readable traces in logged errors, for about 25 ms of every cold start (the map is parsed
     * at load; bench/README.md). Without it, a trace names minified positions, which the
     * `.map` beside each bundle in cdk.out still resolves.
     */
    sourceMapStackTraces: z.boolean().default(false),
    /** Step Functions execution logging: ALL records every state's input and output. */
    workflowLogLevel: z.enum(['ALL', 'ERROR', 'FATAL']),
    /**
     * Whether workflow logs carry each state's input and output (object keys, labels). Useful
     * to debug; in prod it is off: it is most of the log volume (cost) and it copies user data.
     */
    workflowLogIncludesData: z.boolean(),
    labels: z.object({
      minConfidence: z.number().min(0).max(100),
      maxLabels: z.number().int().min(1).max(100),
    }),
    ingest: z.object({
      batchSize: z.number().int().min(1).max(10),
      maxBatchingWindowSeconds: z.number().int().min(0).max(300),
      /** Caps concurrent workflow runs, and so Rekognition calls: size it to your TPS quota. */
      maxConcurrency: z.number().int().min(2).max(1000),
      maxReceiveCount: z.number().int().min(1).max(1000),
    }),
    images: z.object({
      noncurrentVersionExpirationDays: z.number().int().min(1).max(3650),
    }),
    /**
     * The label counts (GET /labels), kept from the labels table's stream by count-labels in
     * tumbling windows (functions/core/label-counts.ts): a count lags its images by about one
     * window. Longer windows write less (one write per label touched per window).
     */
    labelCounts: z
      .object({
        windowSeconds: z.number().int().min(1).max(900),
        batchSize: z.number().int().min(1).max(10_000),
      })
      .default({ windowSeconds: 5, batchSize: 100 }),
    /**
     * The labels API: stage throttling (requests per second, burst) and CORS origins of browser
     * clients other than the web console (the console's own origins are added to them).
     */
    api: z.object({
      throttlingRateLimit: z.number().int().min(1).max(10_000),
      throttlingBurstLimit: z.number().int().min(1).max(5_000),
      corsOrigins: z.array(z.url({ protocol: /^https?$/ }).or(z.literal('*'))).max(20),
    }),
    /**
     * The web console (infra/constructs/web-console.ts): origins besides its CloudFront domain
     * that may sign in with its app client and call the API and the images bucket from a browser,
     * e.g. the local console (`npm start` serves it on localhost:5173) against a dev stage.
     */
    console: z
      .object({ extraOrigins: z.array(z.url({ protocol: /^https?$/ })).max(10) })
      .default({ extraOrigins: [] }),
    /** CodeDeploy traffic shifting and rollback alarms (infra/config/delivery-config.ts). */
    delivery: DeliveryConfigSchema,
    /** Operational alarms and where they go (infra/config/delivery-config.ts). */
    alarms: AlarmsConfigSchema,
    /** Feature flags in AppConfig: rollout, cache, kill-switch period (infra/config/flags.ts). */
    flags: FlagsConfigSchema,
    /**
     * The backfill state machine (infra/constructs/backfill-workflow.ts): child executions at once.
     * Each puts at most one object on the ingest queue, whose event source then caps the
     * Rekognition calls; sized to the Rekognition TPS quota so a backfill never queues work much
     * faster than Rekognition can take it.
     */
    backfill: z
      .object({
        maxConcurrency: z.number().int().min(1).max(1000),
        toleratedFailurePercentage: z.number().min(0).max(100),
      })
      .default({ maxConcurrency: 5, toleratedFailurePercentage: 5 }),
  })
  .strict();

export type StageConfig = z.infer<typeof StageConfigSchema>;

export const STAGES = {
  dev: {
    stage: 'dev',
    removalPolicy: 'destroy',
    deletionProtection: false,
    logRetentionDays: 14,
    functionLogLevel: 'DEBUG',
    // Subsegments per AWS call where latency is investigated; prod keeps its cold starts short.
    tracing: 'xray-sdk',
    sourceMapStackTraces: true,
    workflowLogLevel: 'ALL',
    workflowLogIncludesData: true,
    labels: { minConfidence: 70, maxLabels: 25 },
    ingest: { batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 5, maxReceiveCount: 5 },
    images: { noncurrentVersionExpirationDays: 7 },
    labelCounts: { windowSeconds: 5, batchSize: 100 },
    api: { throttlingRateLimit: 50, throttlingBurstLimit: 100, corsOrigins: [] },
    console: { extraOrigins: [localConsoleOrigin()] },
    delivery: STAGE_DELIVERY.dev,
    alarms: STAGE_ALARMS.dev,
    flags: STAGE_FLAGS.dev,
    backfill: { maxConcurrency: 5, toleratedFailurePercentage: 5 },
  },
  prod: {
    stage: 'prod',
    removalPolicy: 'retain',
    deletionProtection: true,
    logRetentionDays: 90,
    functionLogLevel: 'INFO',
    tracing: 'active',
    sourceMapStackTraces: false,
    workflowLogLevel: 'ALL',
    workflowLogIncludesData: false,
    labels: { minConfidence: 75, maxLabels: 25 },
    ingest: { batchSize: 10, maxBatchingWindowSeconds: 2, maxConcurrency: 20, maxReceiveCount: 5 },
    images: { noncurrentVersionExpirationDays: 30 },
    labelCounts: { windowSeconds: 5, batchSize: 100 },
    api: { throttlingRateLimit: 200, throttlingBurstLimit: 400, corsOrigins: [] },
    console: { extraOrigins: [] },
    delivery: STAGE_DELIVERY.prod,
    alarms: STAGE_ALARMS.prod,
    flags: STAGE_FLAGS.prod,
    backfill: { maxConcurrency: 20, toleratedFailurePercentage: 5 },
  },
  /** The local cloud (`npm start`): its label model scores lower than Rekognition (see docs/local-cloud.md). */
  local: {
    stage: 'local',
    removalPolicy: 'destroy',
    deletionProtection: false,
    logRetentionDays: 1,
    functionLogLevel: 'INFO',
    tracing: 'active',
    sourceMapStackTraces: true,
    workflowLogLevel: 'ALL',
    workflowLogIncludesData: true,
    labels: { minConfidence: 50, maxLabels: 25 },
    ingest: { batchSize: 10, maxBatchingWindowSeconds: 0, maxConcurrency: 2, maxReceiveCount: 5 },
    images: { noncurrentVersionExpirationDays: 1 },
    // Short windows: tests and the console see counts about a second after an image.
    labelCounts: { windowSeconds: 1, batchSize: 100 },
    api: { throttlingRateLimit: 1000, throttlingBurstLimit: 2000, corsOrigins: [] },
    // The local console's origin is added at run time (its port may be chosen then).
    console: { extraOrigins: [] },
    delivery: STAGE_DELIVERY.local,
    alarms: STAGE_ALARMS.local,
    flags: STAGE_FLAGS.local,
    backfill: { maxConcurrency: 2, toleratedFailurePercentage: 5 },
  },
} as const satisfies Record<string, z.input<typeof StageConfigSchema>>;

export type StageName = keyof typeof STAGES;

/** Resolves and validates a stage by name, with overrides (from CDK context) merged on top. */
export function loadStageConfig(name: unknown, overrides: Record<string, unknown> = {}): StageConfig {
  if (typeof name !== 'string' || !(name in STAGES)) {
    throw new Error(
      `Unknown stage ${JSON.stringify(name)}: use -c stage=<${Object.keys(STAGES).join('|')}>.`,
    );
  }
  const base = STAGES[name as StageName];
  const result = StageConfigSchema.safeParse({ ...base, ...overrides });
  if (!result.success) {
    throw new Error(`Invalid configuration for stage "${name}":\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}

/**
 * The images bucket has a predictable name (so users know where to upload, and the pipeline
 * stack can reference it without a cross-stack export): <project>-<stage>-images-<account>-<region>.
 */
export function imagesBucketName(config: StageConfig, account: string, region: string): string {
  return `image-labeling-${config.stage}-images-${account}-${region}`;
}
