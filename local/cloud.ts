/**
 * The local cloud: the whole pipeline on one machine, offline. One edge port serves S3, SQS,
 * DynamoDB, Step Functions, Rekognition and EventBridge; the real handler modules run in isolated workers
 * with the environment CDK gives them, and the real ASL runs on a local engine.
 *
 *   upload -> local S3 -> S3 event -> durable SQS queue -> event source mapping
 *          -> start-workflow -> StartSyncExecution -> claim, validate, detect, store
 */
import { mkdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { imageEventBusName } from '../functions/core/image-events';
import { LABELS_TABLE_SCHEMA } from '../functions/core/labels-table';
import { FLAGS_DOCUMENT_PATH } from '../infra/config/flags';
import { FUNCTIONS, type FunctionContext } from '../infra/config/functions';
import { loadStageConfig, type StageConfig } from '../infra/config/stage-config';
import { type PipelineTiming, pipelineTiming } from '../infra/config/timing';
import { createLocalApi, persistentSecret } from './api';
import type { LocalIssuer } from './auth';
import type { CodeDeployService } from './codedeploy';
import { ensureLabelsTable } from './dynamodb';
import { createManagedEventSourceMapping } from './lambda/event-source-mappings';
import { startSchedule } from './lambda/schedule';
import type { LabelModel, RekognitionService } from './rekognition';
import { close, listen } from './servers';
import { localDataDir, type StackInfo, writeStackInfo } from './stack-info';
import { openWebHosts } from './web-hosts';
import { openDataServices } from './wiring/data-services';
import { openEdgeServices } from './wiring/edge-services';
import { checkSwitches, type FaultSwitches, initialSwitches } from './wiring/faults';
import { createFunctionHost } from './wiring/functions';
import { registerDeploymentHooks } from './wiring/hooks';
import { startLabelCounts } from './wiring/label-counts';
import { logSinks } from './wiring/logs';
import { ACCOUNT_ID, type LocalNames, type LogLine, localNames, REGION, type Stopper } from './wiring/names';
import { createWorkflow } from './wiring/workflow';

export type { StackInfo } from './stack-info';
export type { FaultSwitches } from './wiring/faults';
export { ACCOUNT_ID, REGION } from './wiring/names';

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

/** What every wiring step below shares: the options, the stage, the names, the two servers. */
interface Setup {
  options: LocalCloudOptions;
  host: string;
  dataDir: string;
  config: StageConfig;
  timing: PipelineTiming;
  names: LocalNames;
  switches: FaultSwitches;
  edge: http.Server;
  api: http.Server;
  awsPort: number;
  awsEndpoint: string;
  apiEndpoint: string;
  /** Run in reverse order at stop, or when the start fails. */
  stoppers: Stopper[];
}

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = localDataDir(options.dataDir);
  if (options.clean) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const switches = initialSwitches(options.faults);
  const config = loadStageConfig('local');
  const timing = pipelineTiming();
  const names = localNames(config.stage);

  // Bind both ports first: everything below needs the edge's address.
  const edge = http.createServer();
  const api = http.createServer();
  const awsPort = await listen(edge, host, options.awsPort ?? 4566);
  const apiPort = await listen(api, host, options.apiPort ?? 3000);
  const awsEndpoint = `http://${host}:${awsPort}`;
  const apiEndpoint = `http://${host}:${apiPort}`;

  const stoppers: Stopper[] = [];
  const setup: Setup = {
    options,
    host,
    dataDir,
    config,
    timing,
    names,
    switches,
    edge,
    api,
    awsPort,
    awsEndpoint,
    apiEndpoint,
    stoppers,
  };
  try {
    const services = await openServices(setup);
    const pipeline = await startPipeline(setup, services);
    return await ready(setup, services, pipeline);
  } catch (error) {
    await Promise.all([close(edge), close(api)]);
    for (const stop of stoppers.reverse()) await Promise.resolve(stop()).catch(() => undefined);
    throw error;
  }
}

type Services = Awaited<ReturnType<typeof openServices>>;

/** The web hosts, the data services, the functions, the workflow and the services behind the edge. */
async function openServices(setup: Setup) {
  const { options, dataDir, config, timing, names, stoppers } = setup;
  // The sign-in service and the console host (local/web-hosts.ts).
  const web = await openWebHosts({
    host: setup.host,
    authPort: options.authPort ?? 0,
    consolePort: options.consolePort ?? 0,
    dataDir,
    ...(options.accessTokenTtlSeconds ? { accessTokenTtlSeconds: options.accessTokenTtlSeconds } : {}),
  });
  stoppers.push(() => web.close());
  const data = await openDataServices({
    dataDir,
    names,
    config,
    timing,
    switches: setup.switches,
    consoleOrigin: web.consoleOrigin,
    ...(options.model ? { model: options.model } : {}),
    ...(options.visibilityTimeoutSeconds !== undefined
      ? { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }
      : {}),
    stoppers,
  });
  const { print, onLog } = logSinks(options);
  // The console, built meanwhile if its sources changed (never rejects: a failed build is
  // logged and served as a 503); awaited before the stack is ready.
  const consoleServed = web.serveConsole({
    apiUrl: setup.apiEndpoint,
    imagesOrigin: setup.awsEndpoint,
    stage: config.stage,
    log: (line) => print('console', line),
  });
  const { functionHost, context, workflow, start, cursorSecret, apiFunction } = await openFunctions(
    setup,
    onLog,
  );
  const edgeServices = openEdgeServices({
    dataDir,
    config,
    data,
    stepFunctions: workflow.stepFunctions,
    functions: functionHost.functions,
    cursorSecret,
    flagsFile: options.flagsFile ?? FLAGS_DOCUMENT_PATH,
    onLog,
    stoppers,
  });
  setup.edge.on('request', edgeServices.handler);
  return {
    web,
    data,
    print,
    onLog,
    consoleServed,
    functionHost,
    context,
    workflow,
    start,
    apiFunction,
    edgeServices,
  };
}

/** The function host, the workflow with its tasks, start-workflow and the API function. */
async function openFunctions(setup: Setup, onLog: LogLine) {
  const { options, dataDir, config, timing, names, stoppers } = setup;
  const functionHost = await createFunctionHost({
    config,
    timing,
    isolation: options.isolation ?? 'thread',
    awsEndpoint: setup.awsEndpoint,
    awsPort: setup.awsPort,
    onLog,
    stoppers,
  });
  const context: FunctionContext = { config, timing, tableName: names.table };
  const workflow = createWorkflow({
    host: functionHost,
    context,
    names,
    dataDir,
    retryIntervalScale: options.retryIntervalScale ?? 1,
    stoppers,
  });
  const start = functionHost.make(FUNCTIONS.start, { ...context, stateMachineArn: workflow.stateMachineArn });
  // The labels API: the real handler behind a local HTTP API (local/api), its cursor key in a
  // local Secrets Manager, tokens from a local issuer (`npm run --silent token`).
  const cursorSecret = persistentSecret(
    join(dataDir, 'api', 'cursor-key'),
    `image-labeling-${config.stage}-cursor-key`,
    REGION,
    ACCOUNT_ID,
  );
  const apiFunction = functionHost.make(FUNCTIONS.api, {
    ...context,
    bucketName: names.bucket,
    cursorSecretId: cursorSecret.arn,
  });
  return { functionHost, context, workflow, start, cursorSecret, apiFunction };
}

/**
 * The labels table and API, then the ingest (unless processing is switched off: messages left
 * from an earlier run are processed now), the functions nothing local triggers on its own, the
 * deployment hooks, and apply-flags on its schedule.
 */
async function startPipeline(setup: Setup, services: Services) {
  const { options, config, names, stoppers } = setup;
  const { functionHost, context, onLog, edgeServices, start } = services;
  const ddbClient = new DynamoDBClient({
    region: REGION,
    endpoint: setup.awsEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureLabelsTable(ddbClient, names.table);
  setup.api.on(
    'request',
    createLocalApi({
      fn: services.apiFunction,
      issuer: services.web.issuer,
      // As the HTTP API's corsPreflight: the console's origin and the stage's other ones.
      corsOrigins: [services.web.consoleOrigin, ...config.api.corsOrigins],
      accountId: ACCOUNT_ID,
    }),
  );
  stoppers.push(() => ddbClient.destroy());
  const mapping = createManagedEventSourceMapping({
    functionArn: start.arn('live'),
    enabled: edgeServices.appconfig.current().configuration.processing?.enabled !== false,
    queue: services.data.queue,
    batchSize: config.ingest.batchSize,
    maximumBatchingWindowMs: config.ingest.maxBatchingWindowSeconds * 1000,
    concurrency: config.ingest.maxConcurrency,
    reportBatchItemFailures: true,
    invoke: (event) => start.invoke(event),
    onBatchError: (error) => onLog('event-source-mapping', `batch failed: ${String(error)}`),
  });
  edgeServices.mappings.push(mapping);
  stoppers.push(() => mapping.stop());
  // apply-flags on its schedule, as EventBridge runs it; only its changes and problems are shown.
  const applyFlags = functionHost.make(
    FUNCTIONS.applyFlags,
    { ...context, eventSourceMappingId: mapping.uuid },
    (name, line) => {
      options.onLog?.(name, line);
      if (/Ingest switched|"level":"(WARN|ERROR)"|ERROR|WARN/.test(line)) services.print(name, line);
    },
  );
  // The backfill's child task; on AWS the Distributed Map invokes it (LocalCloud.invoke here).
  functionHost.make(FUNCTIONS.reconcileObject, {
    ...context,
    ingestQueueUrl: `${setup.awsEndpoint}/${ACCOUNT_ID}/${names.queue}`,
  });
  // The flags validator, for its pre-traffic hook: the local AppConfig runs the same checks itself.
  functionHost.make(FUNCTIONS.validateFlags, context);
  startLabelCounts({ host: functionHost, context, stream: services.data.labelsStream, onLog, stoppers });
  // Every function so far is invoked through its live alias; the hooks that follow are not.
  const aliased = Object.fromEntries(
    [...functionHost.functions.values()].map((fn) => [fn.name, fn.arn('live')]),
  );
  const hooks = registerDeploymentHooks(functionHost, config, names, services.workflow.stateMachineArn);
  const applySchedule = startSchedule(
    config.flags.applyIntervalSeconds * 1000,
    () => applyFlags.invoke({}),
    (error) => onLog('apply-flags', `scheduled run failed: ${String(error)}`),
  );
  stoppers.push(() => applySchedule.stop());
  return { mapping, aliased, hooks };
}

/** Writes the stack info once the console is served, applies the fault switches, hands back the handle. */
async function ready(
  setup: Setup,
  services: Services,
  pipeline: Awaited<ReturnType<typeof startPipeline>>,
): Promise<LocalCloud> {
  const { names, awsEndpoint, switches, stoppers } = setup;
  const { web, data, workflow } = services;
  const info: StackInfo = {
    region: REGION,
    accountId: ACCOUNT_ID,
    endpoints: { aws: awsEndpoint, api: setup.apiEndpoint, auth: web.authUrl, console: web.consoleOrigin },
    bucket: names.bucket,
    tableName: names.table,
    labelsIndex: LABELS_TABLE_SCHEMA.index.name,
    queueUrl: `${awsEndpoint}/${ACCOUNT_ID}/${names.queue}`,
    deadLetterQueueUrl: `${awsEndpoint}/${ACCOUNT_ID}/${names.deadLetterQueue}`,
    stateMachineArn: workflow.stateMachineArn,
    eventBus: imageEventBusName(setup.config.stage),
    eventSourceMappingId: pipeline.mapping.uuid,
    functions: pipeline.aliased,
    deploymentHooks: pipeline.hooks,
    dataDir: setup.dataDir,
  };
  await services.consoleServed;
  writeStackInfo(setup.dataDir, info);

  const { detect } = workflow;
  const applySwitches = () => {
    data.dynamodb.faults.writeThrottleRate = switches.dynamoWriteThrottleRate;
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
    rekognition: data.rekognition,
    invoke: services.functionHost.invoke,
    codedeploy: { reports: services.edgeServices.codedeploy.reports },
    faults: {
      set: (changes) => {
        Object.assign(switches, checkSwitches({ ...switches, ...changes }));
        applySwitches();
      },
      stats: () => ({
        throttledDynamoWrites: data.dynamodb.throttledWrites(),
        crashesInjected: detect?.stats().crashesInjected ?? 0,
      }),
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await Promise.all([close(setup.edge), close(setup.api)]);
      for (const stop of stoppers.reverse()) await stop();
    },
  };
}
