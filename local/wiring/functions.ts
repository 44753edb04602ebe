/**
 * The functions: each in its own workers (threads, or child processes running the bundle CDK
 * would ship), with the environment CDK gives it, invoked by name or ARN.
 */
import { join, resolve } from 'node:path';
import type { EnvShape } from '../../functions/shared/env';
import type { TracingMode } from '../../functions/shared/tracing-mode';
import type { AwsSdkSource } from '../../infra/config/bundling';
import {
  type ContextFor,
  type ContextNeed,
  FUNCTIONS,
  type FunctionSpec,
  houseEnvironment,
} from '../../infra/config/functions';
import type { StageConfig } from '../../infra/config/stage-config';
import type { PipelineTiming } from '../../infra/config/timing';
import { createLocalFunction, type LocalFunction } from '../lambda';
import { parseFunctionName } from '../lambda/api';
import { BUNDLE_CACHE_DIR, bundleHandler } from '../lambda/bundle';
import { ACCOUNT_ID, type LogLine, REGION, type Stopper } from './names';

const ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');

/** Every function module, relative to functions/ and without its extension. */
const FUNCTION_MODULES = [
  ...Object.values(FUNCTIONS).map(({ handlerDir }) => `${handlerDir}/handler`),
  'deployment-hooks/pre-traffic',
  'deployment-hooks/post-traffic',
];

export interface FunctionSettings {
  memoryMb: number;
  timeoutSeconds: number;
  environment: Record<string, string>;
}

export interface FunctionHost {
  /** Every function started so far, by name, in the order they started. */
  readonly functions: Map<string, LocalFunction>;
  /** Starts the function `name` from `module` (relative to functions/, no extension). */
  register(name: string, module: string, settings: FunctionSettings, logLine?: LogLine): LocalFunction;
  /** Starts the function of `spec` as the stage's stack does, with its environment from `context`. */
  make<Needs extends ContextNeed = never>(
    spec: FunctionSpec<EnvShape, Needs>,
    context: ContextFor<Needs>,
    logLine?: LogLine,
  ): LocalFunction;
  /**
   * Invokes a function by name or ARN, with or without a qualifier: callers use the live
   * alias, hooks a version, and locally every qualifier is the one version there is.
   */
  invoke(functionName: string, payload: unknown): Promise<unknown>;
}

export interface FunctionHostOptions {
  config: StageConfig;
  timing: PipelineTiming;
  isolation: 'thread' | 'process';
  awsEndpoint: string;
  awsPort: number;
  onLog: LogLine;
  stoppers: Stopper[];
}

/** The environment every local function gets on top of its own. */
function localEnvironment(awsEndpoint: string, awsPort: number): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: awsEndpoint,
    // StartSyncExecution goes to a `sync-` host prefix; *.localhost resolves to loopback in
    // the local workers (see local/lambda/localhost-dns.ts).
    AWS_ENDPOINT_URL_SFN: `http://sfn.localhost:${awsPort}`,
    // X-Ray is not emulated.
    POWERTOOLS_TRACE_ENABLED: 'false',
    // Lambda runs Node.js 24; this warning is about the Node.js 20 that may run the local cloud.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/**
 * Where each function's code comes from: its TypeScript source (thread isolation), or the
 * bundle CDK would ship, built now (process isolation).
 */
async function functionEntries(
  isolation: 'thread' | 'process',
  bundling: { awsSdk: AwsSdkSource; tracing: TracingMode },
): Promise<(module: string) => string> {
  const source = (module: string) => join(ROOT, 'functions', `${module}.ts`);
  if (isolation === 'thread') return source;
  const bundled = (module: string) => join(BUNDLE_CACHE_DIR, module, 'index.mjs');
  await Promise.all(
    FUNCTION_MODULES.map((module) => bundleHandler(source(module), bundled(module), bundling)),
  );
  return bundled;
}

export async function createFunctionHost(options: FunctionHostOptions): Promise<FunctionHost> {
  const { config, timing, isolation, onLog, stoppers } = options;
  const functionEnvironment = localEnvironment(options.awsEndpoint, options.awsPort);
  const functions = new Map<string, LocalFunction>();
  const entryOf = await functionEntries(isolation, config);
  const register: FunctionHost['register'] = (name, module, settings, logLine = onLog) => {
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
  return {
    functions,
    register,
    make: (spec, context, logLine = onLog) =>
      register(
        `image-labeling-${config.stage}-${spec.handlerDir}`,
        `${spec.handlerDir}/handler`,
        {
          memoryMb: spec.memoryMb,
          timeoutSeconds: spec.timeoutSeconds(timing),
          environment: { ...houseEnvironment(spec, config), ...spec.environment(context) },
        },
        logLine,
      ),
    invoke: (functionName, payload) => {
      const fn = functions.get(parseFunctionName(functionName).name);
      if (!fn) return Promise.reject(new Error(`No local function ${functionName}`));
      return fn.invoke(payload);
    },
  };
}
