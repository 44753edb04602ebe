/**
 * A local Lambda function: the real handler module runs in worker threads (node:worker_threads), each
 * one an "execution environment" with its own process.env, its own module state (cold start once per
 * worker) and at most one invocation at a time. In `process` isolation each environment is a child
 * process instead: slower to start, but its memory is its own, so REPORT lines carry
 * "Max Memory Used" as on Lambda (the benchmark's memory section uses it).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Environment } from './environment';
import { type InvocationConfig, runInvocation } from './invocation';
import { formatLogLine } from './log-format';
import { acquire, closePool, createPool, release } from './pool';
import type { WorkerInit } from './protocol';

export { LambdaFunctionError } from './errors';

export type LogStream = 'stdout' | 'stderr' | 'platform';
export type LogListener = (functionName: string, line: string, stream: LogStream) => void;

export interface LocalFunctionOptions {
  name: string;
  /** Handler module (TypeScript or JavaScript), absolute or relative to process.cwd(). */
  entry: string;
  /** Exported handler name. Default `handler`. */
  handlerExport?: string;
  /** Function environment variables (e.g. table names, AWS_ENDPOINT_URL). */
  environment?: Record<string, string>;
  /** Invocation timeout. Default 3 (as on AWS). */
  timeoutSeconds?: number;
  /** Reported to the handler (context.memoryLimitInMB, AWS_LAMBDA_FUNCTION_MEMORY_SIZE); not enforced. Default 128. */
  memorySize?: number;
  /**
   * `thread` (default): each environment is a worker thread, loading `entry` through tsx.
   * `process`: each environment is a child process running `entry`, which must then be
   * JavaScript (a bundle, see bundle.ts); its REPORT lines include "Max Memory Used".
   */
  isolation?: 'thread' | 'process';
  /** Lambda log format for console.* output. Default `Text`. Powertools Logger always writes JSON. */
  logFormat?: 'Text' | 'JSON';
  /** Number of execution environments (workers) that may run at once. Default 2. */
  maxConcurrency?: number;
  /** Limit for the module import (cold start) of one environment. Default 10 (AWS's init limit). */
  initTimeoutSeconds?: number;
  region?: string;
  accountId?: string;
  /**
   * Receives every line the handler writes to stdout/stderr, and one `REPORT ...` line per invocation
   * (stream `platform`). Default: prints `formatLogLine(name, line, { json: false })` to process.stdout.
   */
  onLog?: LogListener;
}

export interface LocalFunctionStats {
  /** Crashes the fault injector caused. */
  crashesInjected: number;
  /** Workers created so far (each one a cold start). */
  coldStarts: number;
  invocations: number;
  /** Workers currently alive. */
  environments: number;
}

export interface LocalFunction {
  readonly name: string;
  arn(qualifier?: string): string;
  /** Invoke synchronously (RequestResponse). Rejects with a {@link LambdaFunctionError} when the function fails. */
  invoke(event: unknown): Promise<unknown>;
  stats(): LocalFunctionStats;
  /**
   * Fault injection: the probability 0..1 that the environment dies right after the handler
   * returned (its work is done, its answer is lost), reported as `Runtime.ExitError`;
   * `crashAfterSuccessNext` makes the next N successful invocations crash (deterministic).
   */
  faults: { crashAfterSuccessRate: number; crashAfterSuccessNext: number };
  /** Terminates all workers; pending invocations reject. */
  close(): Promise<void>;
}

function defaultOnLog(functionName: string, line: string): void {
  process.stdout.write(`${formatLogLine(functionName, line, { json: false })}\n`);
}

function logStreamName(): string {
  const d = new Date();
  const date = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${date}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/** The process environment of every execution environment: the configuration's and Lambda's own. */
function baseEnvironment(
  options: LocalFunctionOptions,
  entryPath: string,
  settings: { region: string; memorySize: number; logFormat: string; handlerExport: string },
): Record<string, string> {
  const { name } = options;
  const { region, memorySize, logFormat, handlerExport } = settings;
  return {
    ...(process.env.PATH ? { PATH: process.env.PATH } : {}),
    LANG: 'en_US.UTF-8',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    ...options.environment,
    // Reserved variables: Lambda sets these and does not let the function configuration override them.
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    // The runtime the functions ship for (BUNDLING.target is node24).
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_LAMBDA_LOG_FORMAT: logFormat,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: process.cwd(),
    _HANDLER: `${path.basename(entryPath).replace(/\.[cm]?[jt]s$/, '')}.${handlerExport}`,
  };
}

export function createLocalFunction(options: LocalFunctionOptions): LocalFunction {
  const {
    name,
    handlerExport = 'handler',
    timeoutSeconds = 3,
    memorySize = 128,
    logFormat = 'Text',
    maxConcurrency = 2,
    initTimeoutSeconds = 10,
    isolation = 'thread',
    region = 'us-east-1',
    accountId = '000000000000',
    onLog = defaultOnLog,
  } = options;
  if (!(maxConcurrency >= 1)) throw new Error('maxConcurrency must be >= 1');
  const entryPath = path.resolve(options.entry);
  const init: WorkerInit = { entry: pathToFileURL(entryPath).href, handlerExport, logFormat };
  const arn = (qualifier?: string) =>
    `arn:aws:lambda:${region}:${accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
  const baseEnv = baseEnvironment(options, entryPath, { region, memorySize, logFormat, handlerExport });
  const emit = (line: string, stream: LogStream) => {
    try {
      onLog(name, line, stream);
    } catch {
      // a failing log sink must not break the function
    }
  };
  const pool = createPool(
    name,
    maxConcurrency,
    () => new Environment(init, baseEnv, logStreamName(), emit, isolation),
  );
  const config: InvocationConfig = {
    name,
    arn: arn(),
    logGroupName: `/aws/lambda/${name}`,
    timeoutSeconds,
    initTimeoutSeconds,
    memorySize,
    emit,
    faults: { crashAfterSuccessRate: 0, crashAfterSuccessNext: 0 },
    counters: { nextId: 1, crashesInjected: 0 },
  };
  let invocations = 0;

  return {
    name,
    arn,
    faults: config.faults,
    async invoke(event: unknown): Promise<unknown> {
      const env = await acquire(pool);
      invocations++;
      try {
        return await runInvocation(config, env, event);
      } finally {
        release(pool, env);
      }
    },
    stats: () => ({
      coldStarts: pool.coldStarts,
      invocations,
      environments: pool.environments.size,
      crashesInjected: config.counters.crashesInjected,
    }),
    close: () => closePool(pool),
  };
}
