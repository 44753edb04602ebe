/**
 * The local stream's event source mapping, with tumbling windows: batches in order carrying the
 * window's state, a final invocation once the window is over, retries of a failed invocation with
 * the same records and state, and a checkpoint after each window that a restart resumes from.
 */
import { describe, expect, it } from 'vitest';
import type { LocalStream, StreamRecord } from '../../../local/dynamodb/change-stream';
import { createStreamEventSourceMapping } from '../../../local/dynamodb/stream-mapping';

/** A stream in memory: records created `ageMs` ago, numbered 1, 2, 3... */
function memoryStream() {
  const records: StreamRecord[] = [];
  const listeners = new Set<() => void>();
  let checkpoint: string | undefined;
  const stream: LocalStream = {
    arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/labels/stream/local',
    shardId: 'shardId-1',
    read: (after, limit) =>
      records.filter((record) => !after || record.dynamodb.SequenceNumber > after).slice(0, limit),
    onRecord: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    checkpoint: (sequence) => {
      checkpoint = sequence;
    },
    checkpointed: () => checkpoint,
  };
  const add = (count: number, createdMs = Date.now()) => {
    for (let index = 0; index < count; index++) {
      const sequence = String(records.length + 1).padStart(21, '0');
      records.push({
        eventID: sequence,
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          ApproximateCreationDateTime: createdMs / 1000,
          Keys: { pk: { S: `IMAGE#${sequence}` }, sk: { S: 'IMAGE' } },
          SequenceNumber: sequence,
          SizeBytes: 10,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
        eventSourceARN: stream.arn,
      });
    }
    for (const listener of listeners) listener();
  };
  return { stream, add };
}

interface Invocation {
  Records: StreamRecord[];
  state: { seen?: number };
  isFinalInvokeForWindow: boolean;
  window: { start: string; end: string };
  shardId: string;
}

/** A counting function: its state is how many records the window has seen. */
function counter(
  fail: (event: Invocation, call: number) => 'throw' | 'no-state' | undefined = () => undefined,
) {
  const calls: Invocation[] = [];
  const finals: number[] = [];
  const invoke = async (event: unknown) => {
    const invocation = structuredClone(event) as Invocation;
    calls.push(invocation);
    const failure = fail(invocation, calls.length);
    if (failure === 'throw') throw new Error('function error');
    if (failure === 'no-state') return { batchItemFailures: [] };
    const seen = (invocation.state.seen ?? 0) + invocation.Records.length;
    if (invocation.isFinalInvokeForWindow) {
      finals.push(seen);
      return { state: {} };
    }
    return { state: { seen } };
  };
  return { invoke, calls, finals };
}

const until = async (check: () => boolean, timeoutMs = 8000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const options = { batchSize: 3, maximumBatchingWindowMs: 50, tumblingWindowSeconds: 1, retryDelayMs: 50 };

describe('the stream event source mapping (tumbling windows)', () => {
  it('delivers batches in order with the window state, then a final invocation, then checkpoints', async () => {
    const { stream, add } = memoryStream();
    const fn = counter();
    const mapping = createStreamEventSourceMapping({ stream, invoke: fn.invoke, ...options });
    mapping.start();
    // All in one window that is over already.
    add(7, Math.floor(Date.now() / 1000) * 1000 - 3000);
    await until(() => fn.finals.length === 1);
    await mapping.stop();

    const batches = fn.calls.filter((call) => !call.isFinalInvokeForWindow);
    expect(
      batches.map((call) => call.Records.map((record) => Number(record.dynamodb.SequenceNumber))),
    ).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(batches.map((call) => call.state)).toEqual([{}, { seen: 3 }, { seen: 6 }]);
    expect(fn.finals).toEqual([7]);
    const final = fn.calls.find((call) => call.isFinalInvokeForWindow);
    expect(final).toMatchObject({ Records: [], shardId: 'shardId-1', state: { seen: fn.finals[0] } });
    expect(Date.parse(final?.window.end ?? '') - Date.parse(final?.window.start ?? '')).toBe(1000);
    expect(stream.checkpointed()).toBe(String(7).padStart(21, '0'));
  });

  it('retries a batch that throws, or answers without a state, with the same records and state', async () => {
    const { stream, add } = memoryStream();
    const fn = counter((_event, call) => (call === 2 ? 'throw' : call === 3 ? 'no-state' : undefined));
    const errors: unknown[] = [];
    const mapping = createStreamEventSourceMapping({
      stream,
      invoke: fn.invoke,
      ...options,
      onError: (error) => errors.push(error),
    });
    mapping.start();
    add(6);
    await until(() => fn.finals.length >= 1 && stream.checkpointed() === String(6).padStart(21, '0'));
    await mapping.stop();

    expect(errors).toHaveLength(2);
    expect(fn.calls[2]).toEqual(fn.calls[1]);
    expect(fn.calls[3]).toEqual(fn.calls[1]);
    expect(fn.finals.reduce((sum, seen) => sum + seen, 0)).toBe(6);
  });

  it('starts after the checkpoint when started again, with a fresh state', async () => {
    const { stream, add } = memoryStream();
    add(2, Date.now() - 5000);
    stream.checkpoint(String(1).padStart(21, '0'));
    const fn = counter();
    const mapping = createStreamEventSourceMapping({ stream, invoke: fn.invoke, ...options });
    mapping.start();
    await until(() => fn.finals.length === 1);
    await mapping.stop();

    expect(fn.calls[0]?.Records.map((record) => record.dynamodb.SequenceNumber)).toEqual([
      String(2).padStart(21, '0'),
    ]);
    expect(fn.calls[0]?.state).toEqual({});
    expect(fn.finals).toEqual([1]);
  });

  it('keeps records of different windows in different batches', async () => {
    const { stream, add } = memoryStream();
    const old = Math.floor(Date.now() / 1000) * 1000 - 3000;
    add(2, old);
    add(2, old + 1000);
    const fn = counter();
    const mapping = createStreamEventSourceMapping({ stream, invoke: fn.invoke, ...options });
    mapping.start();
    await until(() => fn.finals.length === 2);
    await mapping.stop();

    expect(fn.finals).toEqual([2, 2]);
    expect(
      fn.calls.map((call) => `${call.Records.length}${call.isFinalInvokeForWindow ? ' final' : ''}`),
    ).toEqual(['2', '0 final', '2', '0 final']);
  });
});
