/**
 * An execution environment of a local function: a worker thread or, in `process` isolation, a
 * child process, running the handler module; at most one invocation at a time.
 */
import { fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { processRuntime } from './bundle';
import { LambdaFunctionError } from './errors';
import type { LogStream } from './function';
import type { ErrorInfo, ParentMessage, WorkerInit, WorkerMessage } from './protocol';

const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url);

export interface Pending {
  id: number;
  requestId: string;
  resolve: (payload: string) => void;
  reject: (err: LambdaFunctionError) => void;
}

/** What an execution environment runs in: a worker thread or a child process. */
interface Host {
  stdout: Readable;
  stderr: Readable;
  send(message: ParentMessage): void;
  onMessage(listener: (message: WorkerMessage) => void): void;
  /** An uncaught exception, when the host reports one apart from its exit. */
  onError(listener: (err: Error) => void): void;
  onExit(listener: (code: number | null) => void): void;
  terminate(): Promise<void>;
}

function threadHost(init: WorkerInit, env: Record<string, string>): Host {
  const worker = new Worker(WORKER_ENTRY, { env, workerData: init, stdout: true, stderr: true });
  return {
    stdout: worker.stdout,
    stderr: worker.stderr,
    send: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.on('message', listener),
    onError: (listener) => worker.on('error', listener),
    onExit: (listener) => worker.on('exit', listener),
    terminate: async () => {
      await worker.terminate();
    },
  };
}

function processHost(init: WorkerInit, env: Record<string, string>): Host {
  // No execArgv: the parent's (tsx's loader) would come along otherwise. NODE_OPTIONS in the
  // function's environment applies, as it does on Lambda.
  const child = fork(processRuntime(), [JSON.stringify(init)], {
    env,
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const { stdout, stderr } = child;
  if (!stdout || !stderr) throw new Error('a local function process has no stdout/stderr pipes');
  return {
    stdout,
    stderr,
    send: (message) => {
      if (child.connected) child.send(message);
    },
    onMessage: (listener) => child.on('message', (message) => listener(message as WorkerMessage)),
    // The child prints its own uncaught exceptions to stderr and exits; only spawn failures land here.
    onError: (listener) => child.on('error', listener),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    terminate: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export class Environment {
  readonly host: Host;
  readonly ready: Promise<number>;
  readonly logStreamName: string;
  dead = false;
  pending: Pending | undefined;
  initReported = false;
  /** From the last invocation, in `process` isolation. */
  maxMemoryUsedMb: number | undefined;
  private crash: ErrorInfo | undefined;

  constructor(
    init: WorkerInit,
    env: Record<string, string>,
    logStreamName: string,
    emit: (l: string, s: LogStream) => void,
    isolation: 'thread' | 'process',
  ) {
    this.logStreamName = logStreamName;
    const hostEnv = { ...env, AWS_LAMBDA_LOG_STREAM_NAME: logStreamName };
    this.host = isolation === 'process' ? processHost(init, hostEnv) : threadHost(init, hostEnv);
    for (const [stream, name] of [
      [this.host.stdout, 'stdout'],
      [this.host.stderr, 'stderr'],
    ] as const) {
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
        emit(line, name),
      );
    }
    this.ready = new Promise<number>((resolve, reject) => {
      this.host.onMessage((message) => {
        if (message.type === 'ready') resolve(message.initDurationMs);
        else if (message.type === 'init-error') {
          reject(new LambdaFunctionError(message.error, ''));
          void this.terminate();
        } else if (message.type === 'result') {
          const pending = this.pending;
          if (!pending || pending.id !== message.id) return;
          this.maxMemoryUsedMb = message.maxMemoryUsedMb;
          this.pending = undefined;
          if (message.ok) pending.resolve(message.payload);
          else pending.reject(new LambdaFunctionError(message.error, pending.requestId));
        }
      });
      this.host.onError((err) => {
        // An uncaught exception or unhandled rejection inside the worker: the environment is gone.
        this.crash = { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
        emit(`Uncaught ${err.stack ?? `${err.name}: ${err.message}`}`, 'stderr');
      });
      this.host.onExit((code) => {
        this.dead = true;
        const detail = this.crash ? ` (${this.crash.name}: ${this.crash.message})` : '';
        const info = (requestId: string): ErrorInfo => ({
          name: 'Runtime.ExitError',
          message: `RequestId: ${requestId} Error: Runtime exited with error: exit status ${code}${detail}`,
        });
        reject(new LambdaFunctionError(info(''), ''));
        const pending = this.pending;
        this.pending = undefined;
        if (pending) pending.reject(new LambdaFunctionError(info(pending.requestId), pending.requestId));
      });
    });
    // Avoid unhandled rejections when nobody awaits `ready` (e.g. a crash while idle).
    this.ready.catch(() => {});
  }

  send(message: ParentMessage): void {
    this.host.send(message);
  }

  async terminate(): Promise<void> {
    this.dead = true;
    await this.host.terminate();
  }
}
