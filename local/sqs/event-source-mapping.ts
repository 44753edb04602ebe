/**
 * A local Lambda event source mapping for SQS: polls a queue, invokes with the event Lambda builds,
 * deletes what succeeded. Failed messages are left alone and come back after the visibility timeout
 * (and reach the dead-letter queue after maxReceiveCount receives), as on AWS.
 */
import { randomUUID } from 'node:crypto';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { Queue, ReceivedMessage } from './queue';

export interface EventSourceMappingOptions {
  queue: Queue;
  /** 1..10 here (AWS allows up to 10000 with a batching window). Default 10. */
  batchSize?: number;
  /** Wait up to this long to fill a batch once a first message has arrived. Default 0. */
  maximumBatchingWindowMs?: number;
  invoke: (event: SQSEvent) => Promise<unknown>;
  /** FunctionResponseTypes: ['ReportBatchItemFailures']. Default true. */
  reportBatchItemFailures?: boolean;
  /** Number of concurrent pollers, i.e. batches in flight at once. Default 2. */
  concurrency?: number;
  /** Called when a batch fails as a whole (the invoke threw, or the response was malformed). */
  onBatchError?: (error: unknown, event: SQSEvent) => void;
}

export interface EventSourceMappingStats {
  batches: number;
  /** messages deleted after a successful invocation */
  succeeded: number;
  /** messages left on the queue after a failure */
  failed: number;
}

export interface EventSourceMapping {
  readonly uuid: string;
  start(): void;
  /** Stops polling and waits for the batches in flight to finish. */
  stop(): Promise<void>;
  stats(): EventSourceMappingStats;
}

export function toSqsRecord(message: ReceivedMessage, queue: Queue): SQSRecord {
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes)) {
    messageAttributes[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: value.BinaryValue } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType,
    };
  }
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes: {
      ApproximateReceiveCount: message.Attributes.ApproximateReceiveCount,
      SentTimestamp: message.Attributes.SentTimestamp,
      SenderId: message.Attributes.SenderId,
      ApproximateFirstReceiveTimestamp: message.Attributes.ApproximateFirstReceiveTimestamp,
      ...(message.Attributes.DeadLetterQueueSourceArn
        ? { DeadLetterQueueSourceArn: message.Attributes.DeadLetterQueueSourceArn }
        : {}),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody,
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: queue.region,
  };
}

/**
 * Interprets a function response under ReportBatchItemFailures, following the Lambda documentation:
 * null/undefined, `{}`, a null or empty `batchItemFailures` mean complete success; a response that is not
 * an object, a `batchItemFailures` that is not an array, or an item whose `itemIdentifier` is missing,
 * empty, not a string or not a message id of the batch mean complete failure (returns 'all').
 */
export function parseBatchItemFailures(
  response: unknown,
  messageIds: ReadonlySet<string>,
): Set<string> | 'all' {
  if (response === null || response === undefined) return new Set();
  if (typeof response !== 'object' || Array.isArray(response)) return 'all';
  const list = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === null || list === undefined) return new Set();
  if (!Array.isArray(list)) return 'all';
  const failed = new Set<string>();
  for (const item of list) {
    const id: unknown =
      typeof item === 'object' && item !== null
        ? (item as { itemIdentifier?: unknown }).itemIdentifier
        : undefined;
    if (typeof id !== 'string' || id === '' || !messageIds.has(id)) return 'all';
    failed.add(id);
  }
  return failed;
}

/** A mapping's settings with their defaults applied, and its counters. */
interface Mapping {
  readonly queue: Queue;
  readonly batchSize: number;
  readonly maximumBatchingWindowMs: number;
  readonly invoke: (event: SQSEvent) => Promise<unknown>;
  readonly reportBatchItemFailures: boolean;
  readonly onBatchError: (error: unknown, event: SQSEvent) => void;
  readonly stats: EventSourceMappingStats;
}

async function processBatch(mapping: Mapping, messages: ReceivedMessage[]): Promise<void> {
  const { queue, stats, onBatchError, invoke } = mapping;
  stats.batches++;
  const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, queue)) };
  let failed: Set<string> | 'all';
  try {
    const response = await invoke(event);
    failed = mapping.reportBatchItemFailures
      ? parseBatchItemFailures(response, new Set(messages.map((m) => m.MessageId)))
      : new Set();
    if (failed === 'all')
      onBatchError(new Error(`malformed batch response: ${JSON.stringify(response)}`), event);
  } catch (err) {
    failed = 'all';
    onBatchError(err, event);
  }
  if (failed === 'all') {
    stats.failed += messages.length;
    return;
  }
  const done = messages.filter((m) => !failed.has(m.MessageId));
  stats.succeeded += done.length;
  stats.failed += messages.length - done.length;
  try {
    queue.deleteMessages(done.map((m) => m.ReceiptHandle));
  } catch (err) {
    onBatchError(err, event);
  }
}

/** A first message (long polling), then more until the batch is full or the batching window ends. */
async function receiveBatch(mapping: Mapping, signal: AbortSignal): Promise<ReceivedMessage[]> {
  const { queue, batchSize } = mapping;
  const messages = await queue.receiveMessages({ max: batchSize, waitTimeSeconds: 20, signal });
  if (messages.length === 0) return messages;
  const windowEnd = Date.now() + mapping.maximumBatchingWindowMs;
  while (messages.length < batchSize && Date.now() < windowEnd && !signal.aborted) {
    const more = await queue.receiveMessages({
      max: batchSize - messages.length,
      waitTimeSeconds: (windowEnd - Date.now()) / 1000,
      signal,
    });
    messages.push(...more);
  }
  return messages;
}

function backOff(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 1000);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

async function poll(mapping: Mapping, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      const messages = await receiveBatch(mapping, signal);
      if (messages.length === 0) continue;
      await processBatch(mapping, messages);
    } catch (err) {
      // e.g. the queue was closed under us; back off instead of spinning
      mapping.onBatchError(err, { Records: [] });
      await backOff(signal);
    }
  }
}

export function createEventSourceMapping(options: EventSourceMappingOptions): EventSourceMapping {
  const { queue, batchSize = 10, concurrency = 2 } = options;
  if (!(batchSize >= 1 && batchSize <= 10)) throw new Error('batchSize must be between 1 and 10');
  const mapping: Mapping = {
    queue,
    batchSize,
    maximumBatchingWindowMs: options.maximumBatchingWindowMs ?? 0,
    invoke: options.invoke,
    reportBatchItemFailures: options.reportBatchItemFailures ?? true,
    onBatchError:
      options.onBatchError ?? ((error: unknown) => console.error(`[esm ${queue.name}] batch failed:`, error)),
    stats: { batches: 0, succeeded: 0, failed: 0 },
  };
  const uuid = randomUUID();
  let controller: AbortController | undefined;
  let pollers: Promise<void>[] = [];
  return {
    uuid,
    start() {
      if (controller) return;
      controller = new AbortController();
      const signal = controller.signal;
      pollers = Array.from({ length: concurrency }, () => poll(mapping, signal));
    },
    async stop() {
      controller?.abort();
      controller = undefined;
      await Promise.all(pollers);
      pollers = [];
    },
    stats: () => ({ ...mapping.stats }),
  };
}
