import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createEventSourceMapping,
  createQueue,
  type EventSourceMapping,
  type Queue,
} from '../../../local/sqs';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqs-esm-test-'));
const queues: Queue[] = [];
const mappings: EventSourceMapping[] = [];
let n = 0;

function queue(visibilityTimeoutSeconds = 0.2): Queue {
  n++;
  const q = createQueue({ name: `q${n}`, dir: root, visibilityTimeoutSeconds, region: 'eu-west-1' });
  queues.push(q);
  return q;
}

afterAll(async () => {
  await Promise.all(mappings.map((m) => m.stop()));
  for (const q of queues) q.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Records every delivery; resolves `settled` once `until` says the deliveries are complete. */
function recorder(until: (deliveries: SQSRecord[]) => boolean) {
  const deliveries: SQSRecord[] = [];
  let resolve = () => {};
  const settled = new Promise<void>((r) => {
    resolve = r;
  });
  return {
    deliveries,
    settled,
    record(event: SQSEvent) {
      deliveries.push(...event.Records);
      if (until(deliveries)) resolve();
    },
  };
}

const bodies = (records: SQSRecord[]) => records.map((r) => r.body);

describe('createEventSourceMapping', () => {
  it('invokes with the SQS event shaped as Lambda shapes it and deletes the messages on success', async () => {
    const q = queue();
    const sent = q.sendMessage('{"key":"a.png"}', { source: { DataType: 'String', StringValue: 's3' } });
    const rec = recorder((d) => d.length === 1);
    const esm = createEventSourceMapping({
      queue: q,
      invoke: async (event) => {
        rec.record(event);
        return { batchItemFailures: [] };
      },
    });
    mappings.push(esm);

    esm.start();
    await rec.settled;
    await esm.stop();

    const record = rec.deliveries[0];
    expect(Object.keys(record ?? {})).toEqual([
      'messageId',
      'receiptHandle',
      'body',
      'attributes',
      'messageAttributes',
      'md5OfBody',
      'md5OfMessageAttributes',
      'eventSource',
      'eventSourceARN',
      'awsRegion',
    ]);
    expect(record).toMatchObject({
      messageId: sent.MessageId,
      body: '{"key":"a.png"}',
      md5OfBody: sent.MD5OfMessageBody,
      md5OfMessageAttributes: sent.MD5OfMessageAttributes,
      eventSource: 'aws:sqs',
      eventSourceARN: q.arn,
      awsRegion: 'eu-west-1',
      messageAttributes: {
        source: { stringValue: 's3', stringListValues: [], binaryListValues: [], dataType: 'String' },
      },
    });
    expect(Object.keys(record?.attributes ?? {})).toEqual([
      'ApproximateReceiveCount',
      'SentTimestamp',
      'SenderId',
      'ApproximateFirstReceiveTimestamp',
    ]);
    expect(record?.attributes.ApproximateReceiveCount).toBe('1');
    expect(q.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(esm.stats()).toEqual({ batches: 1, succeeded: 1, failed: 0 });
  });

  it('leaves only the messages named in batchItemFailures on the queue, to be delivered again', async () => {
    const q = queue();
    q.sendMessage('a');
    const b = q.sendMessage('b');
    q.sendMessage('c');
    const rec = recorder((d) => d.length === 4);
    let calls = 0;
    const esm = createEventSourceMapping({
      queue: q,
      concurrency: 1,
      invoke: async (event) => {
        rec.record(event);
        calls++;
        return calls === 1 ? { batchItemFailures: [{ itemIdentifier: b.MessageId }] } : {};
      },
    });
    mappings.push(esm);

    esm.start();
    await rec.settled;
    await esm.stop();

    expect(bodies(rec.deliveries)).toEqual(['a', 'b', 'c', 'b']);
    expect(rec.deliveries[3]?.attributes.ApproximateReceiveCount).toBe('2');
    expect(q.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('leaves the whole batch on the queue when the function throws', async () => {
    const q = queue();
    q.sendMessage('x');
    q.sendMessage('y');
    const rec = recorder((d) => d.length === 4);
    const errors: unknown[] = [];
    let calls = 0;
    const esm = createEventSourceMapping({
      queue: q,
      concurrency: 1,
      onBatchError: (err) => errors.push(err),
      invoke: async (event) => {
        rec.record(event);
        calls++;
        if (calls === 1) throw new Error('labeling failed');
        return undefined;
      },
    });
    mappings.push(esm);

    esm.start();
    await rec.settled;
    await esm.stop();

    expect(bodies(rec.deliveries)).toEqual(['x', 'y', 'x', 'y']);
    expect(rec.deliveries.slice(2).map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['2', '2']);
    expect(errors).toHaveLength(1);
    expect(esm.stats()).toEqual({ batches: 2, succeeded: 2, failed: 2 });
  });

  it.each([
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['an unknown message id', { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] }],
    ['a wrong key name', { batchItemFailures: [{ id: 'x' }] }],
    ['a non-object response', 'OK'],
  ])('treats a response with %s as a failure of the whole batch', async (_label, response) => {
    const q = queue();
    q.sendMessage('m1');
    q.sendMessage('m2');
    const rec = recorder((d) => d.length === 4);
    let calls = 0;
    const esm = createEventSourceMapping({
      queue: q,
      concurrency: 1,
      onBatchError: () => {},
      invoke: async (event) => {
        rec.record(event);
        calls++;
        return calls === 1 ? response : null;
      },
    });
    mappings.push(esm);

    esm.start();
    await rec.settled;
    await esm.stop();

    expect(bodies(rec.deliveries)).toEqual(['m1', 'm2', 'm1', 'm2']);
  });

  it('waits for the batch in flight when stopped, then deletes its messages', async () => {
    const q = queue(60);
    q.sendMessage('slow');
    let release = () => {};
    let started = () => {};
    const invoked = new Promise<void>((r) => {
      started = r;
    });
    const esm = createEventSourceMapping({
      queue: q,
      invoke: () =>
        new Promise((resolve) => {
          started();
          release = () => resolve({});
        }),
    });
    mappings.push(esm);
    esm.start();
    await invoked;

    let stopped = false;
    const stopping = esm.stop().then(() => {
      stopped = true;
    });
    await Promise.resolve();
    const stoppedBeforeRelease = stopped;
    release();
    await stopping;

    expect(stoppedBeforeRelease).toBe(false);
    expect(stopped).toBe(true);
    expect(q.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('groups messages sent within the batching window into one invocation', async () => {
    const q = queue();
    const sizes: number[] = [];
    const rec = recorder((d) => d.length === 3);
    const esm = createEventSourceMapping({
      queue: q,
      concurrency: 1,
      batchSize: 3,
      maximumBatchingWindowMs: 10_000,
      invoke: async (event) => {
        sizes.push(event.Records.length);
        rec.record(event);
        return {};
      },
    });
    mappings.push(esm);
    esm.start();

    q.sendMessage('1');
    await new Promise((r) => setImmediate(r));
    q.sendMessage('2');
    q.sendMessage('3');
    await rec.settled;
    await esm.stop();

    expect(sizes).toEqual([3]);
  });
});
