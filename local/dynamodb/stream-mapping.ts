/**
 * Lambda's event source mapping for a DynamoDB stream with tumbling windows
 * (TumblingWindowInSeconds), over a local stream (change-stream.ts): one shard, one invocation
 * at a time, in order.
 *
 * Windows are aligned to multiples of the window length, by each record's creation time, and a
 * batch never spans two. Each invocation gets the window's state as the previous one returned
 * it (`{}` when the window opens); once the clock is past the window's end, a final invocation
 * (no records, isFinalInvokeForWindow) gets the state, and when it succeeds the window's last
 * sequence number is checkpointed. An invocation that throws or answers without `state` is
 * retried, the same records with the same state, until it succeeds; later records wait. The
 * state is not kept across a restart: the mapping starts again after the checkpoint with a fresh
 * state, so records of a window cut off are delivered again (at least once, as on AWS).
 */
import type { LocalStream, StreamRecord } from './change-stream';

export interface StreamMappingOptions {
  stream: LocalStream;
  invoke: (event: unknown) => Promise<unknown>;
  batchSize: number;
  /** How long a batch may gather records once its first one is there. */
  maximumBatchingWindowMs: number;
  tumblingWindowSeconds: number;
  /** Wait before retrying a failed invocation. Default 1000. */
  retryDelayMs?: number;
  onError?: (error: unknown) => void;
}

export interface StreamMapping {
  start(): void;
  /** Stops after the invocation in flight, if any. */
  stop(): Promise<void>;
}

interface Window {
  start: number;
  end: number;
  state: unknown;
  lastSequence: string | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const createdMs = (record: StreamRecord) => record.dynamodb.ApproximateCreationDateTime * 1000;

/** The event Lambda sends for a batch (or the final invocation) of a tumbling window. */
function windowEvent(stream: LocalStream, window: Window, records: StreamRecord[], isFinal: boolean) {
  return {
    Records: records,
    window: { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
    state: window.state,
    shardId: stream.shardId,
    eventSourceARN: stream.arn,
    isFinalInvokeForWindow: isFinal,
    isWindowTerminatedEarly: false,
  };
}

/** Invokes until the function answers with a state (returned), or the mapping stops (undefined). */
async function invokeWindow(
  options: StreamMappingOptions,
  event: unknown,
  retryDelayMs: number,
  running: () => boolean,
): Promise<unknown> {
  while (running()) {
    try {
      const answer = (await options.invoke(event)) as { state?: unknown } | null;
      if (answer && typeof answer === 'object' && answer.state && typeof answer.state === 'object') {
        return answer.state;
      }
      options.onError?.(new Error('the function answered without a state'));
    } catch (error) {
      options.onError?.(error);
    }
    await sleep(retryDelayMs);
  }
  return undefined;
}

export function createStreamEventSourceMapping(options: StreamMappingOptions): StreamMapping {
  const { stream, batchSize } = options;
  const windowMs = options.tumblingWindowSeconds * 1000;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  const unsubscribe = stream.onRecord(() => wake?.());
  // Waits for a new record or `ms`, whichever comes first.
  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const invokeUntilDone = (window: Window, records: StreamRecord[], isFinal: boolean) =>
    invokeWindow(options, windowEvent(stream, window, records, isFinal), retryDelayMs, () => running);

  /** One step: a batch of the open window, its final invocation, or a wait. */
  const step = async (position: { window: Window | undefined; after: string | undefined }) => {
    const next = stream.read(position.after, batchSize);
    const first = next[0];
    const open = position.window;
    if (open && (!first || createdMs(first) >= open.end)) {
      if (Date.now() < open.end) return idle(open.end - Date.now());
      const state = await invokeUntilDone(open, [], true);
      if (state === undefined) return;
      if (open.lastSequence) stream.checkpoint(open.lastSequence);
      position.window = undefined;
      return;
    }
    if (!first) return idle(1000);
    if (!open) {
      const start = Math.floor(createdMs(first) / windowMs) * windowMs;
      position.window = { start, end: start + windowMs, state: {}, lastSequence: undefined };
    }
    const window = position.window as Window;
    // Gather for up to the batching window, but not past the window's end.
    const gatherUntil = Math.min(createdMs(first) + options.maximumBatchingWindowMs, window.end);
    if (next.length < batchSize && Date.now() < gatherUntil) return idle(gatherUntil - Date.now());
    const batch = next.filter((record) => createdMs(record) < window.end);
    const state = await invokeUntilDone(window, batch, false);
    if (state === undefined) return;
    window.state = state;
    window.lastSequence = batch.at(-1)?.dynamodb.SequenceNumber ?? window.lastSequence;
    position.after = window.lastSequence;
  };

  return {
    start() {
      if (running) return;
      running = true;
      const position = { window: undefined as Window | undefined, after: stream.checkpointed() };
      loop = (async () => {
        while (running) await step(position);
      })();
    },
    async stop() {
      running = false;
      wake?.();
      unsubscribe();
      await loop;
    },
  };
}
