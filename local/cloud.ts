/**
 * The local cloud: the whole pipeline on one machine, offline. One edge port serves S3, SQS,
 * DynamoDB, Step Functions, Rekognition and EventBridge; the real handler modules run in isolated workers
 * with the environment CDK gives them, and the real ASL runs on a local engine.
 *
 *   upload -> local S3 -> S3 event -> durable SQS queue -> event source mapping
 *          -> start-workflow -> StartSyncExecution -> claim, validate, detect, store
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { imageEventBusName } from '../functions/domain/image-events';
import { LABELS_TABLE_SCHEMA } from '../functions/domain/labels-table';
import type { AwsSdkSource } from '../infra/config/bundling';
import { IMAGES_BUCKET_CORS } from '../infra/config/console';
import { labelWorkflowName } from '../infra/config/delivery-config';
import { FLAGS_DOCUMENT_PATH, flagsNames } from '../infra/config/flags';
import {
  DEPLOYMENT_HOOK_TIMEOUT_SECONDS,
  DEPLOYMENT_HOOKS_MEMORY_MB,
  FUNCTIONS,
  type FunctionContext,
  hookEnvironment,
  houseEnvironment,
} from '../infra/config/functions';
import { loadStageConfig } from '../infra/config/stage-config';
import { LABEL_IMAGE_ASL_PATH, pipelineTiming } from '../infra/config/timing';
import { createLocalApi, createSecretsManagerService, persistentSecret } from './api';
import { createAppConfigDataService } from './appconfig';
import type { LocalIssuer } from './auth';
import { type CodeDeployService, createCodeDeployService } from './codedeploy';
import { createDynamoDbService, ensureLabelsTable } from './dynamodb';
import { createEdgeRouter } from './edge';
import { createEventBridgeService } from './eventbridge';
import { createLocalFunction, formatLogLine, type LocalFunction } from './lambda';
import { createLambdaApi, parseFunctionName } from './lambda/api';
import { BUNDLE_CACHE_DIR, bundleHandler } from './lambda/bundle';
import {
  createManagedEventSourceMapping,
  type ManagedEventSourceMapping,
} from './lambda/event-source-mappings';
import { startSchedule } from './lambda/schedule';
import { createRekognitionService, type LabelModel, type RekognitionService } from './rekognition';
import { createS3Service } from './s3';
import { close, listen } from './servers';
import { createQueue, createSqsService } from './sqs';
import { localDataDir, writeStackInfo } from './stack-info';
import { createStepFunctionsService, substituteDefinition } from './stepfunctions';
import { openWebHosts } from './web-hosts';

export const REGION = 'us-east-1';
export const ACCOUNT_ID = '000000000000';
const ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');

export interface LocalCloudOptions {
  host?: string;
  /** Edge port for every AWS service (0 = a free port). Default 4566. */
  awsPort?: number;
  /** Labels API port (0 = a free port). Default 3000. */
  apiPort?: number;
  /** The sign-in service's port (local/auth; 0 = a free port). Default 0; `npm start` uses 3001. */
  authPort?: number;
  /** The console's port (local/console; 0 = a free port). Default 0; `npm start` uses 5173. */
  consolePort?: number;
  /** Lifetime of the access and ID tokens the sign-in service issues. Default 3600 s. */
  accessTokenTtlSeconds?: number;
  /** Where data persists between runs. Default `.local` in the project. */
  dataDir?: string;
  /** Start from empty storage. */
  clean?: boolean;
  /** Function and service logs: readable lines, raw JSON, or none. */
  logs?: 'pretty' | 'json' | 'silent';
  /** Scales Step Functions retry waits (tests use a small value). Default 1. */
  retryIntervalScale?: number;
  /** A label model other than the bundled CenterNet one (tests may inject one). */
  model?: LabelModel;
  /** Also receives every raw function log line (the benchmark measures durations and log volume). */
  onLog?: (functionName: string, line: string) => void;
  /** The visibility timeout of the ingest queue; default: the same as on AWS. */
  visibilityTimeoutSeconds?: number;
  /** The feature flags document served by the local AppConfig; default config/flags.json. */
  flagsFile?: string;
  /** Fault injection from the start (also changeable while running: LocalCloud.faults). */
  faults?: Partial<FaultSwitches>;
  /**
   * `thread` (default): every function runs from its TypeScript source in worker threads.
   * `process`: every function runs the bundle CDK would ship, each environment a child
   * process of its own, and REPORT lines carry "Max Memory Used" as on Lambda.
   */
  isolation?: 'thread' | 'process';
}

/**
 * The local cloud's fault switches (`npm start -- --faults ...`, see README). Rekognition's
 * own switches (throttling, internal errors) are in `LocalCloud.rekognition.faults`.
 */
export interface FaultSwitches {
  /** S3 delivers every event this many times at once (S3 is at-least-once). Default 1. */
  duplicateEvents: number;
  /** Probability 0..1 that a DynamoDB write is throttled. */
  dynamoWriteThrottleRate: number;
  /** Probability 0..1 that detect-labels dies right after Rekognition answered. */
  crashAfterRekognitionRate: number;
  /** The next N detect-labels invocations die right after Rekognition answered (deterministic). */
  crashAfterRekognitionNext: number;
}

export interface StackInfo {
  region: string;
  accountId: string;
  /** `auth`: the sign-in service (issuer, OpenID Connect endpoints); `console`: the web console. */
  endpoints: { aws: string; api: string; auth: string; console: string };
  bucket: string;
  tableName: string;
  labelsIndex: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  stateMachineArn: string;
  /** The bus image events are published on (docs/events.md). */
  eventBus: string;
  eventSourceMappingId: string;
  functions: Record<string, string>;
  /** The CodeDeploy hooks' function names: pre-traffic by target function (handlerDir), post-traffic. */
  deploymentHooks: { preTraffic: Record<string, string>; postTraffic: string };
  dataDir: string;
}

export interface LocalCloud {
  info: StackInfo;
  /** The sign-in service's issuer: `issuer.mint()` is a machine token the API accepts. */
  issuer: LocalIssuer;
  rekognition: RekognitionService;
  /**
   * Invokes a function by name or ARN (`live` alias or none), as `lambda:Invoke` would, for
   * functions that nothing local triggers (reconcile-object, the backfill's child task).
   */
  invoke(functionName: string, event: unknown): Promise<unknown>;
  /** What the local CodeDeploy received from the deployment hooks. */
  codedeploy: Pick<CodeDeployService, 'reports'>;
  faults: {
    set(switches: Partial<FaultSwitches>): void;
    stats(): { throttledDynamoWrites: number; crashesInjected: number };
  };
  stop(): Promise<void>;
}

/** Every function module, relative to functions/ and without its extension. */
const FUNCTION_MODULES = [
  ...Object.values(FUNCTIONS).map(({ handlerDir }) => `${handlerDir}/handler`),
  'deployment-hooks/pre-traffic',
  'deployment-hooks/post-traffic',
];

/**
 * Where each function's code comes from: its TypeScript source (thread isolation), or the
 * bundle CDK would ship, built now (process isolation).
 */
async function functionEntries(
  isolation: 'thread' | 'process',
  awsSdk: AwsSdkSource,
): Promise<(module: string) => string> {
  const source = (module: string) => join(ROOT, 'functions', `${module}.ts`);
  if (isolation === 'thread') return source;
  const bundled = (module: string) => join(BUNDLE_CACHE_DIR, module, 'index.mjs');
  await Promise.all(
    FUNCTION_MODULES.map((module) => bundleHandler(source(module), bundled(module), { awsSdk })),
  );
  return bundled;
}

function checkSwitches(switches: FaultSwitches): FaultSwitches {
  const rate = (value: number, name: string) => {
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be between 0 and 1, not ${value}`);
  };
  rate(switches.dynamoWriteThrottleRate, 'dynamoWriteThrottleRate');
  rate(switches.crashAfterRekognitionRate, 'crashAfterRekognitionRate');
  if (!(Number.isInteger(switches.crashAfterRekognitionNext) && switches.crashAfterRekognitionNext >= 0)) {
    throw new RangeError(
      `crashAfterRekognitionNext must be a whole number, not ${switches.crashAfterRekognitionNext}`,
    );
  }
  if (
    !(
      Number.isInteger(switches.duplicateEvents) &&
      switches.duplicateEvents >= 1 &&
      switches.duplicateEvents <= 10
    )
  ) {
    throw new RangeError(
      `duplicateEvents must be a whole number from 1 to 10, not ${switches.duplicateEvents}`,
    );
  }
  return switches;
}

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = localDataDir(options.dataDir);
  if (options.clean) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const log = options.logs ?? 'pretty';
  const switches: FaultSwitches = checkSwitches({
    duplicateEvents: 1,
    dynamoWriteThrottleRate: 0,
    crashAfterRekognitionRate: 0,
    crashAfterRekognitionNext: 0,
    ...options.faults,
  });
  const config = loadStageConfig('local');
  const timing = pipelineTiming();
  const names = {
    bucket: `image-labeling-${config.stage}-images`,
    table: `image-labeling-${config.stage}-labels`,
    queue: `image-labeling-${config.stage}-uploads`,
    deadLetterQueue: `image-labeling-${config.stage}-uploads-dlq`,
    stateMachine: labelWorkflowName(config.stage),
  };

  // Bind both ports first: everything below needs the edge's address.
  const edge = http.createServer();
  const api = http.createServer();
  const awsPort = await listen(edge, host, options.awsPort ?? 4566);
  const apiPort = await listen(api, host, options.apiPort ?? 3000);
  const awsEndpoint = `http://${host}:${awsPort}`;
  const apiEndpoint = `http://${host}:${apiPort}`;

  const stoppers: (() => Promise<void> | void)[] = [];
  try {
    // The sign-in service and the console host (local/web-hosts.ts).
    const web = await openWebHosts({
      host,
      authPort: options.authPort ?? 0,
      consolePort: options.consolePort ?? 0,
      dataDir,
      ...(options.accessTokenTtlSeconds ? { accessTokenTtlSeconds: options.accessTokenTtlSeconds } : {}),
    });
    stoppers.push(() => web.close());
    // Queues and S3 first: an upload accepted by S3 is a message in the durable queue.
    const deadLetterQueue = createQueue({
      name: names.deadLetterQueue,
      dir: join(dataDir, 'sqs'),
      region: REGION,
      accountId: ACCOUNT_ID,
    });
    const queue = createQueue({
      name: names.queue,
      dir: join(dataDir, 'sqs'),
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? timing.queueVisibilityTimeoutSeconds,
      maxReceiveCount: config.ingest.maxReceiveCount,
      deadLetterQueue,
      region: REGION,
      accountId: ACCOUNT_ID,
    });
    stoppers.push(
      () => queue.close(),
      () => deadLetterQueue.close(),
    );

    const s3 = await createS3Service({
      dataDir: join(dataDir, 's3'),
      buckets: [names.bucket],
      region: REGION,
      // The images bucket's CORS rule, as CDK configures it for the console's origins.
      cors: { [names.bucket]: [{ ...IMAGES_BUCKET_CORS, allowedOrigins: [web.consoleOrigin] }] },
      // The bucket notification CDK configures: every ObjectCreated and ObjectRemoved event.
      onObjectEvent: (record) => {
        if (record.s3.bucket.name === names.bucket && /^Object(Created|Removed):/.test(record.eventName)) {
          const body = JSON.stringify({ Records: [record] });
          for (let copy = 0; copy < switches.duplicateEvents; copy++) queue.sendMessage(body);
        }
      },
    });
    stoppers.push(() => s3.close());

    const dynamodb = await createDynamoDbService({
      path: join(dataDir, 'dynamodb'),
      faults: { writeThrottleRate: switches.dynamoWriteThrottleRate },
    });
    stoppers.push(() => dynamodb.close());

    const rekognition = createRekognitionService({
      readObject: (bucket, key, versionId) => s3.readObject(bucket, key, versionId),
      ...(options.model ? { model: options.model } : {}),
    });
    stoppers.push(() => rekognition.close());

    // The functions, each in its own workers, with the environment CDK gives it.
    const functionEnvironment = {
      AWS_ENDPOINT_URL: awsEndpoint,
      // StartSyncExecution goes to a `sync-` host prefix; *.localhost resolves to loopback in
      // the local workers (see local/lambda/localhost-dns.ts).
      AWS_ENDPOINT_URL_SFN: `http://sfn.localhost:${awsPort}`,
      // X-Ray is not emulated.
      POWERTOOLS_TRACE_ENABLED: 'false',
      // Lambda runs Node.js 24; this warning is about the Node.js 20 that may run the local cloud.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const print =
      log === 'silent'
        ? () => undefined
        : (name: string, line: string) =>
            process.stdout.write(`${formatLogLine(name, line, { json: log === 'json' })}\n`);
    const onLog = (name: string, line: string) => {
      options.onLog?.(name, line);
      print(name, line);
    };
    // The console, built meanwhile if its sources changed (never rejects: a failed build is
    // logged and served as a 503); awaited before the stack is ready.
    const consoleServed = web.serveConsole({
      apiUrl: apiEndpoint,
      imagesOrigin: awsEndpoint,
      stage: config.stage,
      log: (line) => print('console', line),
    });
    const functions = new Map<string, LocalFunction>();
    const isolation = options.isolation ?? 'thread';
    const entryOf = await functionEntries(isolation, config.awsSdk);
    const register = (
      name: string,
      module: string,
      settings: { memoryMb: number; timeoutSeconds: number; environment: Record<string, string> },
      logLine: typeof onLog = onLog,
    ) => {
      const fn = createLocalFunction({
        name,
        entry: entryOf(module),
        isolation,
        memorySize: settings.memoryMb,
        environment: { ...settings.environment, ...functionEnvironment },
        timeoutSeconds: settings.timeoutSeconds,
        region: REGION,
        accountId: ACCOUNT_ID,
        logFormat: 'JSON',
        onLog: logLine,
      });
      functions.set(fn.name, fn);
      stoppers.push(() => fn.close());
      return fn;
    };
    const make = (
      spec: (typeof FUNCTIONS)[keyof typeof FUNCTIONS],
      context: FunctionContext,
      logLine: typeof onLog = onLog,
    ) =>
      register(
        `image-labeling-${config.stage}-${spec.handlerDir}`,
        `${spec.handlerDir}/handler`,
        {
          memoryMb: spec.memoryMb,
          timeoutSeconds: spec.timeoutSeconds(timing),
          environment: { ...houseEnvironment(spec, config), ...spec.environment(context) },
        },
        logLine,
      );
    /**
     * Invokes a function by name or ARN, with or without a qualifier: callers use the live
     * alias, hooks a version, and locally every qualifier is the one version there is.
     */
    const invoke = (functionName: string, payload: unknown): Promise<unknown> => {
      const fn = functions.get(parseFunctionName(functionName).name);
      if (!fn) return Promise.reject(new Error(`No local function ${functionName}`));
      return fn.invoke(payload);
    };
    const context: FunctionContext = { config, timing, tableName: names.table };
    const tasks = [
      FUNCTIONS.claim,
      FUNCTIONS.validate,
      FUNCTIONS.detect,
      FUNCTIONS.store,
      FUNCTIONS.record,
    ].map((spec) => ({ spec, fn: make(spec, context) }));

    const stepFunctions = createStepFunctionsService({
      region: REGION,
      accountId: ACCOUNT_ID,
      historyDir: join(dataDir, 'stepfunctions'),
      retryIntervalScale: options.retryIntervalScale ?? 1,
      invokeLambda: (functionArn, payload) => invoke(functionArn, payload),
    });
    stoppers.push(() => stepFunctions.settled());
    const definition = substituteDefinition(
      readFileSync(LABEL_IMAGE_ASL_PATH, 'utf8'),
      Object.fromEntries(tasks.map(({ spec, fn }) => [spec.placeholder, fn.arn('live')])),
    );
    const { stateMachineArn } = stepFunctions.createStateMachine({
      name: names.stateMachine,
      definition,
      type: 'EXPRESS',
    });
    const start = make(FUNCTIONS.start, { ...context, stateMachineArn });
    // The labels API: the real handler behind a local HTTP API (local/api), its cursor key in a
    // local Secrets Manager, tokens from a local issuer (`npm run --silent token`).
    const cursorSecret = persistentSecret(
      join(dataDir, 'api', 'cursor-key'),
      `image-labeling-${config.stage}-cursor-key`,
      REGION,
      ACCOUNT_ID,
    );
    const apiFunction = make(FUNCTIONS.api, {
      ...context,
      bucketName: names.bucket,
      cursorSecretId: cursorSecret.arn,
    });

    // Users may add queues of their own (CreateQueue), e.g. as targets of rules on the event bus.
    const sqs = createSqsService({
      queues: [queue, deadLetterQueue],
      dir: join(dataDir, 'sqs'),
      region: REGION,
      accountId: ACCOUNT_ID,
    });
    stoppers.push(() => sqs.close());
    // EventBridge: the default bus and the image events' bus; rules and targets persist (local/eventbridge).
    const events = createEventBridgeService({
      dir: join(dataDir, 'events'),
      region: REGION,
      accountId: ACCOUNT_ID,
      eventBusNames: [imageEventBusName(config.stage)],
      findQueue: (arn) => sqs.queueByArn(arn),
      log: (message) => onLog('eventbridge', message),
    });
    const codedeploy = createCodeDeployService();
    // Feature flags: the local AppConfigData serves the flags file (re-read at every poll), and
    // the Lambda API lets apply-flags switch the event source mapping (local/appconfig, local/lambda).
    const appconfig = createAppConfigDataService({
      file: options.flagsFile ?? FLAGS_DOCUMENT_PATH,
      names: flagsNames(config.stage),
      limits: { maxIngestConcurrency: config.ingest.maxConcurrency },
      onProblem: (message) => onLog('appconfig', message),
    });
    const mappings: ManagedEventSourceMapping[] = [];
    edge.on(
      'request',
      createEdgeRouter({
        s3: s3.handler,
        dynamodb: dynamodb.handler,
        sqs: sqs.handler,
        states: stepFunctions.handler,
        rekognition: rekognition.handler,
        appconfig: appconfig.handler,
        lambda: createLambdaApi({ mappings, functionNamed: (name) => functions.get(name) }),
        codedeploy: codedeploy.handler,
        events: events.handler,
        secretsmanager: createSecretsManagerService([cursorSecret]),
      }),
    );
    const ddbClient = new DynamoDBClient({
      region: REGION,
      endpoint: awsEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureLabelsTable(ddbClient, names.table);
    api.on(
      'request',
      createLocalApi({
        fn: apiFunction,
        issuer: web.issuer,
        // As the HTTP API's corsPreflight: the console's origin and the stage's other ones.
        corsOrigins: [web.consoleOrigin, ...config.api.corsOrigins],
        accountId: ACCOUNT_ID,
      }),
    );
    stoppers.push(() => ddbClient.destroy());

    // Last: start consuming (unless processing is switched off). Messages left from an earlier run
    // are processed now.
    const mapping = createManagedEventSourceMapping({
      functionArn: start.arn('live'),
      enabled: appconfig.current().configuration.processing?.enabled !== false,
      queue,
      batchSize: config.ingest.batchSize,
      maximumBatchingWindowMs: config.ingest.maxBatchingWindowSeconds * 1000,
      concurrency: config.ingest.maxConcurrency,
      reportBatchItemFailures: true,
      invoke: (event) => start.invoke(event),
      onBatchError: (error) => onLog('event-source-mapping', `batch failed: ${String(error)}`),
    });
    mappings.push(mapping);
    stoppers.push(() => mapping.stop());
    // apply-flags on its schedule, as EventBridge runs it; only its changes and problems are shown.
    const applyFlags = make(
      FUNCTIONS.applyFlags,
      { ...context, eventSourceMappingId: mapping.uuid },
      (name, line) => {
        options.onLog?.(name, line);
        if (/Ingest switched|"level":"(WARN|ERROR)"|ERROR|WARN/.test(line)) print(name, line);
      },
    );
    // The backfill's child task; on AWS the Distributed Map invokes it (LocalCloud.invoke here).
    make(FUNCTIONS.reconcileObject, {
      ...context,
      ingestQueueUrl: `${awsEndpoint}/${ACCOUNT_ID}/${names.queue}`,
    });
    // The flags validator, for its pre-traffic hook: the local AppConfig runs the same checks itself.
    make(FUNCTIONS.validateFlags, context);
    // Every function so far is invoked through its live alias; the hooks that follow are not.
    const aliased = Object.fromEntries([...functions.values()].map((fn) => [fn.name, fn.arn('live')]));
    // The CodeDeploy lifecycle hooks, as each deployment runs them (`npm run smoke`): a
    // pre-traffic hook per function, aimed at its version, and the post-traffic hook.
    const hookSettings = (
      entry: keyof typeof DEPLOYMENT_HOOK_TIMEOUT_SECONDS,
      environment: Record<string, string>,
    ) => ({
      memoryMb: DEPLOYMENT_HOOKS_MEMORY_MB,
      timeoutSeconds: DEPLOYMENT_HOOK_TIMEOUT_SECONDS[entry],
      environment: { ...hookEnvironment(config), IMAGES_BUCKET_NAME: names.bucket, ...environment },
    });
    const preTraffic: Record<string, string> = {};
    for (const spec of Object.values(FUNCTIONS)) {
      const target = functions.get(`image-labeling-${config.stage}-${spec.handlerDir}`);
      if (!target) throw new Error(`no local function for ${spec.handlerDir}`);
      const hook = register(
        `image-labeling-${config.stage}-${spec.handlerDir}-pre-traffic`,
        'deployment-hooks/pre-traffic',
        hookSettings('pre-traffic', {
          // The version CodeDeploy deploys; locally there is one, numbered 1.
          TARGET_FUNCTION_ARN: target.arn('1'),
          SMOKE_PLAN: spec.smokePlan,
        }),
      );
      preTraffic[spec.handlerDir] = hook.name;
    }
    const postTraffic = register(
      `image-labeling-${config.stage}-post-traffic`,
      'deployment-hooks/post-traffic',
      hookSettings('post-traffic', { STATE_MACHINE_ARN: stateMachineArn }),
    );

    const applySchedule = startSchedule(
      config.flags.applyIntervalSeconds * 1000,
      () => applyFlags.invoke({}),
      (error) => onLog('apply-flags', `scheduled run failed: ${String(error)}`),
    );
    stoppers.push(() => applySchedule.stop());

    const info: StackInfo = {
      region: REGION,
      accountId: ACCOUNT_ID,
      endpoints: { aws: awsEndpoint, api: apiEndpoint, auth: web.authUrl, console: web.consoleOrigin },
      bucket: names.bucket,
      tableName: names.table,
      labelsIndex: LABELS_TABLE_SCHEMA.index.name,
      queueUrl: `${awsEndpoint}/${ACCOUNT_ID}/${names.queue}`,
      deadLetterQueueUrl: `${awsEndpoint}/${ACCOUNT_ID}/${names.deadLetterQueue}`,
      stateMachineArn,
      eventBus: imageEventBusName(config.stage),
      eventSourceMappingId: mapping.uuid,
      functions: aliased,
      deploymentHooks: { preTraffic, postTraffic: postTraffic.name },
      dataDir,
    };
    await consoleServed;
    writeStackInfo(dataDir, info);

    const detect = tasks.find(({ spec }) => spec === FUNCTIONS.detect)?.fn;
    const applySwitches = () => {
      dynamodb.faults.writeThrottleRate = switches.dynamoWriteThrottleRate;
      if (detect) {
        detect.faults.crashAfterSuccessRate = switches.crashAfterRekognitionRate;
        detect.faults.crashAfterSuccessNext = switches.crashAfterRekognitionNext;
      }
    };
    applySwitches();

    let stopped = false;
    return {
      info,
      issuer: web.issuer,
      rekognition,
      invoke,
      codedeploy: { reports: codedeploy.reports },
      faults: {
        set: (changes) => {
          Object.assign(switches, checkSwitches({ ...switches, ...changes }));
          applySwitches();
        },
        stats: () => ({
          throttledDynamoWrites: dynamodb.throttledWrites(),
          crashesInjected: detect?.stats().crashesInjected ?? 0,
        }),
      },
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await Promise.all([close(edge), close(api)]);
        for (const stop of stoppers.reverse()) await stop();
      },
    };
  } catch (error) {
    await Promise.all([close(edge), close(api)]);
    for (const stop of stoppers.reverse()) await Promise.resolve(stop()).catch(() => undefined);
    throw error;
  }
}
