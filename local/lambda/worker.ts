/**
 * Runs inside a worker thread: one Lambda execution environment. Loaded by worker-entry.mjs after tsx
 * is registered. Imports the handler module once (cold start) and then serves invocations one at a time.
 */
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

const port = parentPort;
if (!port) throw new Error('local/lambda/worker.ts must run in a worker thread');
const init = workerData as WorkerInit;
let currentRequestId: string | undefined;

function post(message: WorkerMessage): void {
  port?.postMessage(message);
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

  port?.on('message', async (message: ParentMessage) => {
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
      post({ type: 'result', id: message.id, ok: true, payload });
    } catch (err) {
      await flushStdio();
      post({ type: 'result', id: message.id, ok: false, error: toErrorInfo(err) });
    } finally {
      currentRequestId = undefined;
    }
  });
}

await main();
