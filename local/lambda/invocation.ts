/** One invocation in an execution environment: init and task timeouts, injected crashes, the REPORT line. */
import { randomUUID } from 'node:crypto';
import type { Environment } from './environment';
import { LambdaFunctionError } from './errors';
import type { LogStream } from './function';
import type { InvokeContextData } from './protocol';

/** What an invocation needs to know of its function, and the counters it moves. */
export interface InvocationConfig {
  readonly name: string;
  readonly arn: string;
  readonly logGroupName: string;
  readonly timeoutSeconds: number;
  readonly initTimeoutSeconds: number;
  readonly memorySize: number;
  readonly emit: (line: string, stream: LogStream) => void;
  readonly faults: { crashAfterSuccessRate: number; crashAfterSuccessNext: number };
  readonly counters: { nextId: number; crashesInjected: number };
}

function withTimer<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function timedOut(requestId: string, message: string): LambdaFunctionError {
  return new LambdaFunctionError(
    { name: 'Sandbox.Timedout', message: `RequestId: ${requestId} Error: ${message}` },
    requestId,
  );
}

/** Throws Runtime.ExitError (and kills the environment) when the fault injector says so. */
function maybeCrash(config: InvocationConfig, env: Environment, requestId: string): void {
  const { faults } = config;
  const crashNow =
    faults.crashAfterSuccessNext > 0 ||
    (faults.crashAfterSuccessRate > 0 && Math.random() < faults.crashAfterSuccessRate);
  if (!crashNow) return;
  if (faults.crashAfterSuccessNext > 0) faults.crashAfterSuccessNext--;
  config.counters.crashesInjected++;
  void env.terminate();
  throw new LambdaFunctionError(
    {
      name: 'Runtime.ExitError',
      message: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed (injected by the local fault injector after the handler returned)`,
    },
    requestId,
  );
}

function report(
  config: InvocationConfig,
  env: Environment,
  requestId: string,
  started: number,
  initDurationMs: number,
  status: string,
): void {
  const duration = performance.now() - started;
  const initPart = env.initReported ? '' : `\tInit Duration: ${initDurationMs.toFixed(2)} ms`;
  env.initReported = true;
  // Lambda's order: Memory Size, Max Memory Used, Init Duration.
  const memoryPart = env.maxMemoryUsedMb === undefined ? '' : `\tMax Memory Used: ${env.maxMemoryUsedMb} MB`;
  config.emit(
    `REPORT RequestId: ${requestId}\tDuration: ${duration.toFixed(2)} ms\tBilled Duration: ${Math.ceil(duration)} ms\tMemory Size: ${config.memorySize} MB${memoryPart}${initPart}${status}`,
    'platform',
  );
}

export async function runInvocation(
  config: InvocationConfig,
  env: Environment,
  event: unknown,
): Promise<unknown> {
  const { timeoutSeconds, initTimeoutSeconds } = config;
  const requestId = randomUUID();
  const initDurationMs = await withTimer(env.ready, initTimeoutSeconds * 1000, () => {
    void env.terminate();
    return timedOut(requestId, `Init phase timed out after ${initTimeoutSeconds.toFixed(2)} seconds`);
  });
  const started = performance.now();
  const payload = JSON.stringify(event === undefined ? null : event);
  const context: InvokeContextData = {
    awsRequestId: requestId,
    deadlineMs: Date.now() + timeoutSeconds * 1000,
    functionName: config.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: config.arn,
    memoryLimitInMB: String(config.memorySize),
    logGroupName: config.logGroupName,
    logStreamName: env.logStreamName,
  };
  const id = config.counters.nextId++;
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
      return timedOut(requestId, `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
    });
    maybeCrash(config, env, requestId);
    return JSON.parse(out) as unknown;
  } catch (err) {
    if (err instanceof LambdaFunctionError && err.name === 'Runtime.ExitError') status = '\tStatus: error';
    throw err;
  } finally {
    report(config, env, requestId, started, initDurationMs, status);
  }
}
