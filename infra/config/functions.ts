/**
 * What each function is, and the environment it runs with: one table read by the CDK pipeline
 * stack and by the local cloud, so a function sees the same variables in both.
 */

import { LABELS_API_ENVIRONMENT } from '../../functions/api/environment';
import { APPLY_FLAGS_ENVIRONMENT } from '../../functions/apply-flags/environment';
import { CLAIM_IMAGE_ENVIRONMENT } from '../../functions/claim-image/environment';
import type { SmokePlan } from '../../functions/core/deployment-hooks/pre-traffic';
import { imageEventBusName } from '../../functions/core/image-events';
import { DEPLOYMENT_HOOKS_SERVICE, METRICS_NAMESPACE } from '../../functions/core/metrics';
import { COUNT_LABELS_ENVIRONMENT } from '../../functions/count-labels/environment';
import { DETECT_LABELS_ENVIRONMENT } from '../../functions/detect-labels/environment';
import { RECONCILE_OBJECT_ENVIRONMENT } from '../../functions/reconcile-object/environment';
import { RECORD_OUTCOME_ENVIRONMENT } from '../../functions/record-outcome/environment';
import { type EnvShape, type EnvVars, NO_ENVIRONMENT } from '../../functions/shared/env';
import { START_WORKFLOW_ENVIRONMENT } from '../../functions/start-workflow/environment';
import { STORE_LABELS_ENVIRONMENT } from '../../functions/store-labels/environment';
import { VALIDATE_FLAGS_ENVIRONMENT } from '../../functions/validate-flags/environment';
import type { LABEL_WORKFLOW_PLACEHOLDERS } from '../constructs/label-workflow';
import { flagsEnvironment } from './flags';
import type { Permission } from './permissions';
import type { StageConfig } from './stage-config';
import type { PipelineTiming } from './timing';

/** What every function's environment may be built from. */
export interface FunctionContext {
  config: StageConfig;
  timing: PipelineTiming;
  tableName: string;
}

/** Values only some functions need (made after them, or in another stack); a spec names its own. */
export interface ContextExtras {
  /** start-workflow: it is created after the state machine. */
  stateMachineArn: string;
  /** apply-flags: the start-workflow function's SQS event source mapping. */
  eventSourceMappingId: string;
  /** The labels API: the images bucket and the secret that signs its cursors. */
  bucketName: string;
  cursorSecretId: string;
  /** reconcile-object: where reprocessing work goes (the ingest queue). */
  ingestQueueUrl: string;
}

export type ContextNeed = keyof ContextExtras;
/** The context a spec's environment is built from: the common part and the extras it needs. */
export type ContextFor<Needs extends ContextNeed> = FunctionContext & Pick<ContextExtras, Needs>;

export interface FunctionSpec<Env extends EnvShape = EnvShape, Needs extends ContextNeed = ContextNeed> {
  /** Construct id in the pipeline stack. */
  id: string;
  /** Folder under functions/ with handler.ts; also the Powertools service name. */
  handlerDir: string;
  description: string;
  timeoutSeconds: (timing: PipelineTiming) => number;
  /** The variables its handler reads and validates at cold start (functions/<handlerDir>/environment.ts). */
  env: Env;
  /** The context extras its environment is built from (a build without them is a type error). */
  needs: readonly Needs[];
  /**
   * Its variables: each one `env` requires (a missing one is a type error), and shared ones
   * read by other modules (the feature flags' names).
   */
  environment: (context: ContextFor<Needs>) => EnvVars<Env> & Record<string, string>;
  /** What it may call, granted in this order by the house construct (least privilege). */
  permissions: readonly Permission[];
  /**
   * Lambda memory (MB), which also sets the function's CPU share. Measured peaks are in
   * bench/README.md (`npm run bench -- --only=memory`).
   */
  memoryMb: number;
  /** How its CodeDeploy pre-traffic hook smoke-tests a new version (functions/core/deployment-hooks/pre-traffic.ts). */
  smokePlan: SmokePlan;
  /** The ASL placeholder its live alias ARN fills, for workflow tasks. */
  placeholder?: (typeof LABEL_WORKFLOW_PLACEHOLDERS)[number];
}

/** Checks a spec against its own environment shape and needs (a plain object literal would not). */
const defineFunction = <Env extends EnvShape, Needs extends ContextNeed = never>(
  spec: FunctionSpec<Env, Needs>,
) => spec;

const READS_ANY_UPLOAD = 'Reads any object of the images bucket: uploads may use any key.';

const taskTimeout = (timing: PipelineTiming) => timing.taskFunctionTimeoutSeconds;
const table = ({ tableName }: FunctionContext) => ({ LABELS_TABLE_NAME: tableName });
/** The functions that record a final outcome or remove an image publish it on the stage's bus. */
const events = ({ config }: FunctionContext) => ({ EVENT_BUS_NAME: imageEventBusName(config.stage) });
const tableAndEvents = (context: FunctionContext) => ({ ...table(context), ...events(context) });

export const FUNCTIONS = {
  claim: defineFunction({
    id: 'ClaimImage',
    handlerDir: 'claim-image',
    description: 'Takes the idempotency claim on one S3 object version.',
    timeoutSeconds: taskTimeout,
    memoryMb: 256,
    smokePlan: 'task-input',
    env: CLAIM_IMAGE_ENVIRONMENT,
    needs: [],
    environment: (context) => ({
      ...table(context),
      CLAIM_LEASE_SECONDS: String(context.timing.claimLeaseSeconds),
    }),
    permissions: [{ on: 'table', actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem'] }],
    placeholder: 'ClaimImageFunctionArn',
  }),
  validate: defineFunction({
    id: 'ValidateImage',
    handlerDir: 'validate-image',
    description: 'Checks size, format and dimensions of an upload before Rekognition is called.',
    timeoutSeconds: taskTimeout,
    memoryMb: 256,
    smokePlan: 'validate-image',
    env: NO_ENVIRONMENT,
    needs: [],
    environment: () => ({}),
    permissions: [{ on: 'images', actions: ['s3:GetObject', 's3:GetObjectVersion'], why: READS_ANY_UPLOAD }],
    placeholder: 'ValidateImageFunctionArn',
  }),
  detect: defineFunction({
    id: 'DetectLabels',
    handlerDir: 'detect-labels',
    description: 'Calls Rekognition DetectLabels once per object version.',
    timeoutSeconds: taskTimeout,
    memoryMb: 256,
    smokePlan: 'task-input',
    env: DETECT_LABELS_ENVIRONMENT,
    needs: [],
    environment: (context) => ({
      ...table(context),
      MIN_CONFIDENCE: String(context.config.labels.minConfidence),
      MAX_LABELS: String(context.config.labels.maxLabels),
      ...flagsEnvironment(context.config),
    }),
    permissions: [
      { on: 'table', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
      { on: 'images', actions: ['s3:GetObject', 's3:GetObjectVersion'], why: READS_ANY_UPLOAD },
      // Rekognition reads the object with the caller's permissions.
      { on: 'rekognition' },
    ],
    placeholder: 'DetectLabelsFunctionArn',
  }),
  store: defineFunction({
    id: 'StoreLabels',
    handlerDir: 'store-labels',
    description: 'Writes an image record and its label index entries.',
    timeoutSeconds: taskTimeout,
    memoryMb: 256,
    smokePlan: 'task-input',
    env: STORE_LABELS_ENVIRONMENT,
    needs: [],
    environment: tableAndEvents,
    permissions: [
      { on: 'table', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'] },
    ],
    placeholder: 'StoreLabelsFunctionArn',
  }),
  record: defineFunction({
    id: 'RecordOutcome',
    handlerDir: 'record-outcome',
    description: 'Records a REJECTED or FAILED outcome for an image.',
    timeoutSeconds: taskTimeout,
    memoryMb: 256,
    smokePlan: 'task-input',
    env: RECORD_OUTCOME_ENVIRONMENT,
    needs: [],
    environment: tableAndEvents,
    permissions: [
      { on: 'table', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'] },
    ],
    placeholder: 'RecordOutcomeFunctionArn',
  }),
  countLabels: defineFunction({
    id: 'CountLabels',
    handlerDir: 'count-labels',
    description: "Keeps the label counts from the labels table's stream, in tumbling windows.",
    timeoutSeconds: () => 30,
    memoryMb: 256,
    smokePlan: 'stream-window',
    env: COUNT_LABELS_ENVIRONMENT,
    needs: [],
    environment: table,
    // The stream's read permissions come with its event source (infra/stacks/pipeline-stack.ts).
    permissions: [{ on: 'table', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] }],
  }),
  start: defineFunction({
    id: 'StartWorkflow',
    handlerDir: 'start-workflow',
    description: 'Consumes S3 upload events from SQS and runs the workflow for each object version.',
    timeoutSeconds: (timing) => timing.startFunctionTimeoutSeconds,
    memoryMb: 256,
    smokePlan: 'queue-batch',
    env: START_WORKFLOW_ENVIRONMENT,
    needs: ['stateMachineArn'],
    // The table too: S3 ObjectRemoved events remove the records of a deleted object.
    environment: (context) => ({
      STATE_MACHINE_ARN: context.stateMachineArn,
      ...tableAndEvents(context),
      ...flagsEnvironment(context.config),
    }),
    permissions: [
      { on: 'workflow' },
      // S3 ObjectRemoved events: the records of a deleted object go (a Query of its items).
      {
        on: 'table',
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem'],
      },
    ],
  }),
  applyFlags: defineFunction({
    id: 'ApplyFlags',
    handlerDir: 'apply-flags',
    description: 'Applies the processing (kill switch) and ingestThrottle flags to the ingest event source.',
    timeoutSeconds: () => 30,
    memoryMb: 256,
    smokePlan: 'scheduled',
    env: APPLY_FLAGS_ENVIRONMENT,
    needs: ['eventSourceMappingId'],
    environment: (context) => ({
      ...flagsEnvironment(context.config),
      EVENT_SOURCE_MAPPING_ID: context.eventSourceMappingId,
      DEFAULT_MAX_CONCURRENCY: String(context.config.ingest.maxConcurrency),
    }),
    permissions: [],
  }),
  validateFlags: defineFunction({
    id: 'ValidateFlags',
    handlerDir: 'validate-flags',
    description:
      'AppConfig validator of the flags profile: refuses a flags document the functions would reject or that is unsafe.',
    // AppConfig gives a validator 15 s, start-up included.
    timeoutSeconds: () => 10,
    memoryMb: 256,
    smokePlan: 'flags-validator',
    // The ingestThrottle flag may lower the stage's ingest concurrency, never raise it.
    env: VALIDATE_FLAGS_ENVIRONMENT,
    needs: [],
    environment: ({ config }) => ({ MAX_INGEST_CONCURRENCY: String(config.ingest.maxConcurrency) }),
    permissions: [],
  }),
  api: defineFunction({
    id: 'LabelsApi',
    handlerDir: 'api',
    description: 'The labels API: images by key or label, label counts, presigned uploads, deletion.',
    timeoutSeconds: () => 10,
    memoryMb: 256,
    smokePlan: 'http-openapi',
    env: LABELS_API_ENVIRONMENT,
    needs: ['bucketName', 'cursorSecretId'],
    environment: (context) => ({
      ...tableAndEvents(context),
      IMAGES_BUCKET: context.bucketName,
      CURSOR_SECRET_ID: context.cursorSecretId,
      UPLOAD_URL_EXPIRES_SECONDS: '300',
      // The image URLs of GET /images and /images/{key}: 240 to 300 s (image-urls.ts).
      IMAGE_URL_EXPIRES_SECONDS: '300',
    }),
    permissions: [
      { on: 'cursorSecret' },
      {
        on: 'table',
        actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'],
      },
      { on: 'tableIndexes' },
      // HeadObject (PENDING) and DeleteObject on any key; GetObject(Version) also signs the image
      // URLs of the answers (a pinned version needs GetObjectVersion).
      {
        on: 'images',
        actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:DeleteObject'],
        why: 'Reads (HEAD, signed GET) and deletes any image: the API takes any key.',
      },
      { on: 'imagesList' },
      { on: 'uploads', why: 'Signs uploads to fresh keys under uploads/ only.' },
    ],
  }),
  reconcileObject: defineFunction({
    id: 'ReconcileObject',
    handlerDir: 'reconcile-object',
    description: 'Backfill: puts an object without a current, final record back on the ingest queue.',
    timeoutSeconds: () => 30,
    memoryMb: 256,
    smokePlan: 'task-input',
    env: RECONCILE_OBJECT_ENVIRONMENT,
    needs: ['ingestQueueUrl'],
    // The label settings and flags too: a relabel compares records with what detect-labels uses now.
    environment: (context) => ({
      ...table(context),
      INGEST_QUEUE_URL: context.ingestQueueUrl,
      MIN_CONFIDENCE: String(context.config.labels.minConfidence),
      MAX_LABELS: String(context.config.labels.maxLabels),
      ...flagsEnvironment(context.config),
    }),
    permissions: [
      // HeadObject (s3:GetObject), the two records, and one message on the ingest queue.
      {
        on: 'images',
        actions: ['s3:GetObject'],
        why: 'HeadObject of any object of the images bucket: uploads may use any key.',
      },
      { on: 'table', actions: ['dynamodb:GetItem'] },
      { on: 'ingestQueue' },
    ],
  }),
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;

/** The extras argument of a builder: required, with exactly those extras, when a spec needs some. */
export type ExtrasArg<Needs extends ContextNeed> = [Needs] extends [never]
  ? []
  : [extras: Pick<ContextExtras, Needs>];

/** A spec's variables, from the common context and the extras it needs. */
export function environmentOf<Needs extends ContextNeed>(
  spec: FunctionSpec<EnvShape, Needs>,
  context: FunctionContext,
  ...[extras]: ExtrasArg<Needs>
): Record<string, string> {
  // ExtrasArg holds the extras exactly when the spec needs some; TypeScript cannot narrow a
  // conditional tuple by `Needs`, hence the one cast.
  return spec.environment({ ...context, ...(extras as Pick<ContextExtras, Needs>) });
}

/** The alias every caller invokes, and CodeDeploy shifts (its rollback alarms watch it too). */
export const ALIAS_NAME = 'live';

/** Source-mapped stack traces (where the stage wants them), the tracing mode (functions/shared/tracing.ts), and Powertools under a service name. */
function powertoolsEnvironment(service: string, config: StageConfig): Record<string, string> {
  return {
    ...(config.sourceMapStackTraces ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
    TRACING_MODE: config.tracing,
    POWERTOOLS_SERVICE_NAME: service,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: config.functionLogLevel,
  };
}

/** Variables every function gets from the house construct. */
export function houseEnvironment(spec: FunctionSpec, config: StageConfig): Record<string, string> {
  return powertoolsEnvironment(spec.handlerDir, config);
}

/** The hooks' Lambda memory (MB); measured with the functions' (bench/README.md). */
export const DEPLOYMENT_HOOKS_MEMORY_MB = 256;
/**
 * The hooks' timeouts: a pre-traffic hook invokes one version; the post-traffic hook runs two
 * workflows in parallel, each at most the workflow's own timeout (90 s).
 */
export const DEPLOYMENT_HOOK_TIMEOUT_SECONDS = { 'pre-traffic': 120, 'post-traffic': 300 } as const;

/** Variables every deployment hook gets (the house ones, under the hooks' service name). */
export function hookEnvironment(config: StageConfig): Record<string, string> {
  return powertoolsEnvironment(DEPLOYMENT_HOOKS_SERVICE, config);
}
