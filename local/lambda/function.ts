/**
 * A local Lambda function: the real handler module runs in worker threads (node:worker_threads), each
 * one an "execution environment" with its own process.env, its own module state (cold start once per
 * worker) and at most one invocation at a time. In `process` isolation each environment is a child
 * process instead: slower to start, but its memory is its own, so REPORT lines carry
 * "Max Memory Used" as on Lambda (the benchmark's memory section uses it).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Environment } from './environment';
import { LambdaFunctionError } from './errors';
import { formatLogLine } from './log-format';
import type { InvokeContextData, WorkerInit } from './protocol';

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
  const logGroupName = `/aws/lambda/${name}`;
  const baseEnv: Record<string, string> = {
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
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
    AWS_LAMBDA_LOG_FORMAT: logFormat,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: process.cwd(),
    _HANDLER: `${path.basename(entryPath).replace(/\.[cm]?[jt]s$/, '')}.${handlerExport}`,
  };

  const environments = new Set<Environment>();
  const idle: Environment[] = [];
  const waiters: Array<{ resolve: (env: Environment) => void; reject: (err: Error) => void }> = [];
  let closed = false;
  let nextId = 1;
  let coldStarts = 0;
  let invocations = 0;
  let crashesInjected = 0;
  const faults = { crashAfterSuccessRate: 0, crashAfterSuccessNext: 0 };

  const emit = (line: string, stream: LogStream) => {
    try {
      onLog(name, line, stream);
    } catch {
      // a failing log sink must not break the function
    }
  };

  const forget = (env: Environment) => {
    environments.delete(env);
    const i = idle.indexOf(env);
    if (i >= 0) idle.splice(i, 1);
  };

  const spawn = (): Environment => {
    coldStarts++;
    const env = new Environment(init, baseEnv, logStreamName(), emit, isolation);
    environments.add(env);
    env.host.onExit(() => {
      forget(env);
      // A worker that died while idle frees a slot: hand it to whoever waits for one.
      if (!closed && environments.size < maxConcurrency) waiters.shift()?.resolve(spawn());
    });
    return env;
  };

  const acquire = (): Promise<Environment> => {
    if (closed) return Promise.reject(new Error(`function ${name} is closed`));
    let env = idle.pop();
    while (env?.dead) env = idle.pop();
    if (env) return Promise.resolve(env);
    if (environments.size < maxConcurrency) return Promise.resolve(spawn());
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  };

  const release = (env: Environment) => {
    // A terminated environment (timeout, crash) no longer counts, even before its exit event arrives.
    if (env.dead) forget(env);
    const waiter = waiters.shift();
    if (!waiter) {
      if (!env.dead) idle.push(env);
      return;
    }
    if (closed) {
      waiter.reject(new Error(`function ${name} is closed`));
      return;
    }
    waiter.resolve(env.dead ? spawn() : env);
  };

  const withTimer = <T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  };

  const run = async (env: Environment, event: unknown): Promise<unknown> => {
    const requestId = randomUUID();
    const initDurationMs = await withTimer(env.ready, initTimeoutSeconds * 1000, () => {
      void env.terminate();
      return new LambdaFunctionError(
        {
          name: 'Sandbox.Timedout',
          message: `RequestId: ${requestId} Error: Init phase timed out after ${initTimeoutSeconds.toFixed(2)} seconds`,
        },
        requestId,
      );
    });
    const started = performance.now();
    const payload = JSON.stringify(event === undefined ? null : event);
    const context: InvokeContextData = {
      awsRequestId: requestId,
      deadlineMs: Date.now() + timeoutSeconds * 1000,
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: arn(),
      memoryLimitInMB: String(memorySize),
      logGroupName,
      logStreamName: env.logStreamName,
    };
    const id = nextId++;
    const result = new Promise<string>((resolve, reject) => {
      env.pending = { id, requestId, resolve, reject };
    });
    env.send({ type: 'invoke', id, event: payload, context });
    let status = '';
    try {
      const out = await withTimer(result, timeoutSeconds * 1000, () => {
        status = '\tStatus: timeout';
        env.pending = undefined;
        // Lambda freezes and discards the environment after a timeout: the next invoke is a cold start.
        void env.terminate();
        return new LambdaFunctionError(
          {
            name: 'Sandbox.Timedout',
            message: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
          },
          requestId,
        );
      });
      const crashNow =
        faults.crashAfterSuccessNext > 0 ||
        (faults.crashAfterSuccessRate > 0 && Math.random() < faults.crashAfterSuccessRate);
      if (crashNow) {
        if (faults.crashAfterSuccessNext > 0) faults.crashAfterSuccessNext--;
        crashesInjected++;
        void env.terminate();
        throw new LambdaFunctionError(
          {
            name: 'Runtime.ExitError',
            message: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed (injected by the local fault injector after the handler returned)`,
          },
          requestId,
        );
      }
      return JSON.parse(out) as unknown;
    } catch (err) {
      if (err instanceof LambdaFunctionError && err.name === 'Runtime.ExitError') status = '\tStatus: error';
      throw err;
    } finally {
      const duration = performance.now() - started;
      const initPart = env.initReported ? '' : `\tInit Duration: ${initDurationMs.toFixed(2)} ms`;
      env.initReported = true;
      // Lambda's order: Memory Size, Max Memory Used, Init Duration.
      const memoryPart =
        env.maxMemoryUsedMb === undefined ? '' : `\tMax Memory Used: ${env.maxMemoryUsedMb} MB`;
      emit(
        `REPORT RequestId: ${requestId}\tDuration: ${duration.toFixed(2)} ms\tBilled Duration: ${Math.ceil(duration)} ms\tMemory Size: ${memorySize} MB${memoryPart}${initPart}${status}`,
        'platform',
      );
    }
  };

  return {
    name,
    arn,
    faults,
    async invoke(event: unknown): Promise<unknown> {
      const env = await acquire();
      invocations++;
      try {
        return await run(env, event);
      } finally {
        release(env);
      }
    },
    stats: () => ({ coldStarts, invocations, environments: environments.size, crashesInjected }),
    async close(): Promise<void> {
      closed = true;
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(`function ${name} is closed`));
      idle.length = 0;
      await Promise.all([...environments].map((env) => env.terminate()));
    },
  };
}
