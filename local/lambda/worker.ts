/**
 * One Lambda execution environment: imports the handler module once (cold start) and then
 * serves invocations one at a time. It runs in a worker thread (loaded by worker-entry.mjs
 * after tsx is registered) or, in `process` isolation, bundled as the whole of a child
 * process, which then also reports its peak memory as Lambda's REPORT line does.
 */
import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import { parentPort, workerData } from 'node:worker_threads';
import { installLocalhostResolution } from './localhost-dns';
import {
  type ErrorInfo,
  type ParentMessage,
  toErrorInfo,
  type WorkerInit,
  type WorkerMessage,
} from './protocol';

type Handler = (
  event: unknown,
  context: unknown,
  callback?: (err: unknown, result?: unknown) => void,
) => unknown;

installLocalhostResolution();

/** The parent's end: a worker thread's port, or a forked child process's IPC channel. */
interface Channel {
  init: WorkerInit;
  post(message: WorkerMessage): void;
  onMessage(listener: (message: ParentMessage) => void): void;
  /** Peak resident memory of this environment in MB; only a process of its own can tell. */
  maxMemoryUsedMb(): number | undefined;
}

function connect(): Channel {
  const port = parentPort;
  if (port) {
    return {
      init: workerData as WorkerInit,
      post: (message) => port.postMessage(message),
      onMessage: (listener) => port.on('message', listener),
      maxMemoryUsedMb: () => undefined,
    };
  }
  const send = process.send?.bind(process);
  const argument = process.argv[2];
  if (send && argument) {
    return {
      init: JSON.parse(argument) as WorkerInit,
      post: (message) => send(message),
      onMessage: (listener) => process.on('message', listener),
      maxMemoryUsedMb: peakRssMb,
    };
  }
  throw new Error('local/lambda/worker.ts must run in a worker thread or a forked child process');
}

/**
 * This process's peak resident memory in MiB: what Lambda reports as "Max Memory Used".
 * On Linux it reads VmHWM, not `process.resourceUsage().maxRSS`: getrusage keeps the
 * high-water mark across fork and exec, so a child forked by a 300 MB parent would report
 * at least 300 MB. VmHWM belongs to the new process image only.
 */
function peakRssMb(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Math.ceil(Number(match[1]) / 1024);
  } catch {
    // not Linux: fall through
  }
  return Math.ceil(process.resourceUsage().maxRSS / 1024);
}

const channel = connect();
const init = channel.init;
let currentRequestId: string | undefined;

function post(message: WorkerMessage): void {
  channel.post(message);
}

/**
 * Lambda's Node.js runtime rewrites console.* output: `<ISO time>\t<requestId>\t<LEVEL>\t<message>` in the
 * Text log format, or a JSON object per call in the JSON log format. Powertools Logger writes to
 * process.stdout through its own Console instance, so it is not affected by this patch.
 */
function patchConsole(logFormat: 'Text' | 'JSON'): void {
  const levels = [
    ['log', 'INFO', process.stdout],
    ['info', 'INFO', process.stdout],
    ['debug', 'DEBUG', process.stdout],
    ['trace', 'TRACE', process.stdout],
    ['warn', 'WARN', process.stderr],
    ['error', 'ERROR', process.stderr],
  ] as const;
  for (const [method, level, stream] of levels) {
    console[method] = (...args: unknown[]) => {
      const timestamp = new Date().toISOString();
      const message = format(...args);
      const line =
        logFormat === 'JSON'
          ? JSON.stringify({ timestamp, level, requestId: currentRequestId, message })
          : `${timestamp}\t${currentRequestId ?? 'undefined'}\t${level}\t${message.replace(/\n/g, '\r')}`;
      stream.write(`${line}\n`);
    };
  }
}

async function loadHandler(): Promise<Handler> {
  const mod = (await import(init.entry)) as Record<string, unknown>;
  const candidate = mod[init.handlerExport];
  if (typeof candidate !== 'function') {
    const err = new Error(`${init.entry} does not export a function named ${init.handlerExport}`);
    err.name = 'Runtime.HandlerNotFound';
    throw err;
  }
  return candidate as Handler;
}

function callHandler(handler: Handler, event: unknown, context: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err: unknown, result?: unknown) => {
      if (settled) return;
      settled = true;
      if (err !== null && err !== undefined) reject(err);
      else resolve(result);
    };
    try {
      const returned = handler(event, context, callback);
      // Async handlers (and middy) return a promise; callback-style handlers take three parameters.
      if (returned && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then(
          (value) => callback(null, value),
          (err: unknown) => callback(err ?? new Error('handler rejected')),
        );
      } else if (handler.length < 3) {
        callback(null, returned);
      }
    } catch (err) {
      callback(err ?? new Error('handler threw'));
    }
  });
}

/**
 * Resolves once everything written so far to stdout/stderr has reached the parent. A worker's stdio
 * write callback fires only after the parent has taken the chunk, so awaiting an empty write before
 * posting the result keeps the handler's log lines ahead of the result (and of the REPORT line).
 */
function flushStdio(): Promise<void> {
  const flush = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => stream.write('', () => resolve()));
  return Promise.all([flush(process.stdout), flush(process.stderr)]).then(() => {});
}

function memory(): { maxMemoryUsedMb?: number } {
  const mb = channel.maxMemoryUsedMb();
  return mb === undefined ? {} : { maxMemoryUsedMb: mb };
}

async function main(): Promise<void> {
  patchConsole(init.logFormat);
  const started = performance.now();
  let handler: Handler;
  try {
    handler = await loadHandler();
  } catch (err) {
    const error: ErrorInfo = toErrorInfo(err);
    if (error.name === 'Error' && /Cannot find module|ERR_MODULE_NOT_FOUND/.test(error.message)) {
      error.name = 'Runtime.ImportModuleError';
    }
    // The parent discards this environment; the next invocation starts a fresh one.
    post({ type: 'init-error', error });
    return;
  }
  post({ type: 'ready', initDurationMs: performance.now() - started });

  channel.onMessage(async (message: ParentMessage) => {
    if (message.type !== 'invoke') return;
    const data = message.context;
    currentRequestId = data.awsRequestId;
    const context = {
      ...data,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, data.deadlineMs - Date.now()),
      done: () => {},
      succeed: () => {},
      fail: () => {},
    };
    try {
      const result = await callHandler(handler, JSON.parse(message.event), context);
      // Lambda serialises the result as JSON: undefined becomes null, class instances lose their prototype.
      const payload = JSON.stringify(result === undefined ? null : result);
      await flushStdio();
      post({ type: 'result', id: message.id, ok: true, payload, ...memory() });
    } catch (err) {
      await flushStdio();
      post({ type: 'result', id: message.id, ok: false, error: toErrorInfo(err), ...memory() });
    } finally {
      currentRequestId = undefined;
    }
  });
}

await main();
