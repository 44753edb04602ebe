/**
 * A durable local SQS standard queue.
 *
 * Durability (journal.ts): every state change is appended to `<dir>/<name>.journal` (one JSON record per
 * line) and fsync'd before the call returns, so a message whose sendMessage returned survives a crash or restart,
 * and so do receive counts and in-flight visibility. On open the journal is replayed (a torn last line
 * from a crash is ignored) and rewritten compactly (temp file, fsync, rename, fsync of the directory).
 * Moves to/from a dead-letter queue write the destination first, then delete at the source: a crash in
 * between duplicates a message, never loses it (SQS is at-least-once anyway).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { type Journal, openJournal, writeJournal } from './journal';
import { md5Hex, md5OfMessageAttributes } from './md5';
import {
  type JournalRecord,
  type MessageAttributeValue,
  type Queue,
  type QueueOptions,
  type ReceivedMessage,
  type ReceiveOptions,
  type SendResult,
  SqsError,
  type StoredMessage,
} from './queue-types';

export type {
  MessageAttributeValue,
  Queue,
  QueueCounts,
  QueueOptions,
  ReceivedMessage,
  ReceiveOptions,
  SendResult,
  StoredMessage,
} from './queue-types';
export { SqsError } from './queue-types';

const DEFAULT_SENDER_ID = 'AIDAIENQZJOLO23YVJ4VO';

/** One queue's journal and settings, and the long polls waiting on it. */
interface QueueState {
  readonly name: string;
  readonly arn: string;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number | undefined;
  readonly deadLetterQueue: Queue | undefined;
  readonly journal: Journal;
  readonly waiters: Set<() => void>;
}

function decodeReceipt(handle: string): { queue: string; id: string } | undefined {
  const parts = Buffer.from(handle, 'base64url').toString('utf8').split('\n');
  if (parts.length !== 3 || !parts[0] || !parts[1]) return undefined;
  return { queue: parts[0], id: parts[1] };
}

function notify(state: QueueState): void {
  for (const wake of [...state.waiters]) wake();
}

function findByReceipt(state: QueueState, handle: string): StoredMessage | undefined {
  const decoded = decodeReceipt(handle);
  if (!decoded || decoded.queue !== state.name) {
    throw new SqsError(
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${handle}" is not a valid receipt handle.`,
    );
  }
  return state.journal.messages.get(decoded.id);
}

function newReceipt(queueName: string, id: string): string {
  return Buffer.from(`${queueName}\n${id}\n${randomBytes(12).toString('hex')}`).toString('base64url');
}

function toReceived(m: StoredMessage): ReceivedMessage {
  return {
    MessageId: m.id,
    ReceiptHandle: m.receipt ?? '',
    Body: m.body,
    MD5OfBody: m.md5,
    Attributes: {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentTs),
      SenderId: m.senderId,
      ApproximateFirstReceiveTimestamp: String(m.firstReceiveTs ?? 0),
      ...(m.dlqSourceArn ? { DeadLetterQueueSourceArn: m.dlqSourceArn } : {}),
    },
    MessageAttributes: m.attributes,
    ...(m.md5Attributes ? { MD5OfMessageAttributes: m.md5Attributes } : {}),
  };
}

function receiveNow(state: QueueState, max: number, visibilitySeconds: number): ReceivedMessage[] {
  const { deadLetterQueue, maxReceiveCount } = state;
  const now = Date.now();
  const picked: StoredMessage[] = [];
  const toDeadLetter: StoredMessage[] = [];
  for (const m of state.journal.messages.values()) {
    if (picked.length >= max) break;
    if (m.visibleAt > now) continue;
    if (deadLetterQueue && maxReceiveCount !== undefined && m.receiveCount >= maxReceiveCount) {
      toDeadLetter.push(m);
      continue;
    }
    picked.push(m);
  }
  for (const m of toDeadLetter) {
    deadLetterQueue?.acceptMovedMessage({ ...m, dlqSourceArn: state.arn });
  }
  const records: JournalRecord[] = toDeadLetter.map((m) => ({ op: 'del', id: m.id }));
  for (const m of picked) {
    records.push({
      op: 'recv',
      id: m.id,
      count: m.receiveCount + 1,
      first: m.firstReceiveTs ?? now,
      visibleAt: now + visibilitySeconds * 1000,
      receipt: newReceipt(state.name, m.id),
    });
  }
  writeJournal(state.journal, records);
  return picked.map(toReceived);
}

function sendMessage(
  state: QueueState,
  body: string,
  messageAttributes: Record<string, MessageAttributeValue>,
  sendOptions: { delaySeconds?: number; senderId?: string },
): SendResult {
  if (typeof body !== 'string' || body.length === 0) {
    throw new SqsError('InvalidParameterValue', 'The request must contain the parameter MessageBody.');
  }
  const now = Date.now();
  const md5Attributes = md5OfMessageAttributes(messageAttributes);
  const m: StoredMessage = {
    id: randomUUID(),
    body,
    md5: md5Hex(body),
    attributes: messageAttributes,
    ...(md5Attributes ? { md5Attributes } : {}),
    sentTs: now,
    senderId: sendOptions.senderId ?? DEFAULT_SENDER_ID,
    receiveCount: 0,
    visibleAt: sendOptions.delaySeconds ? now + sendOptions.delaySeconds * 1000 : 0,
  };
  writeJournal(state.journal, [{ op: 'send', m }]);
  notify(state);
  return {
    MessageId: m.id,
    MD5OfMessageBody: m.md5,
    ...(md5Attributes ? { MD5OfMessageAttributes: md5Attributes } : {}),
  };
}

async function receiveMessages(
  state: QueueState,
  { max = 1, visibilityTimeoutSeconds: vis, waitTimeSeconds = 0, signal }: ReceiveOptions,
): Promise<ReceivedMessage[]> {
  if (!(max >= 1 && max <= 10)) {
    throw new SqsError(
      'InvalidParameterValue',
      'Value for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10.',
    );
  }
  const deadline = Date.now() + waitTimeSeconds * 1000;
  for (;;) {
    if (state.journal.closed) throw new SqsError('QueueDoesNotExist', `queue ${state.name} is closed`);
    if (signal?.aborted) return [];
    const received = receiveNow(state, max, vis ?? state.visibilityTimeoutSeconds);
    const remaining = deadline - Date.now();
    if (received.length > 0 || remaining <= 0) return received;
    await waitForMessages(state, remaining, signal);
  }
}

function deleteMessages(state: QueueState, receiptHandles: string[]): void {
  const records: JournalRecord[] = [];
  for (const handle of receiptHandles) {
    const m = findByReceipt(state, handle);
    if (m && m.receipt === handle) records.push({ op: 'del', id: m.id });
  }
  writeJournal(state.journal, records);
}

function changeMessageVisibility(state: QueueState, receiptHandle: string, seconds: number): void {
  const m = findByReceipt(state, receiptHandle);
  const now = Date.now();
  if (!m || m.receipt !== receiptHandle || m.visibleAt <= now) {
    throw new SqsError(
      'MessageNotInflight',
      'Message does not exist or is not available for visibility timeout change.',
    );
  }
  writeJournal(state.journal, [{ op: 'vis', id: m.id, visibleAt: now + seconds * 1000 }]);
  if (seconds === 0) notify(state);
}

function counts(state: QueueState) {
  const now = Date.now();
  const result = { visible: 0, inFlight: 0, delayed: 0 };
  for (const m of state.journal.messages.values()) {
    if (m.visibleAt <= now) result.visible++;
    else if (m.receiveCount > 0) result.inFlight++;
    else result.delayed++;
  }
  return result;
}

function moveMessagesTo(
  state: QueueState,
  destination: Queue,
  filter: (m: StoredMessage) => boolean,
): number {
  const now = Date.now();
  const moving = [...state.journal.messages.values()].filter((m) => m.visibleAt <= now && filter(m));
  for (const { dlqSourceArn: _source, ...m } of moving) destination.acceptMovedMessage(m);
  writeJournal(
    state.journal,
    moving.map((m) => ({ op: 'del', id: m.id })),
  );
  return moving.length;
}

function waitForMessages(state: QueueState, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  if (state.journal.closed || signal?.aborted) return Promise.resolve();
  const now = Date.now();
  let wait = timeoutMs;
  for (const m of state.journal.messages.values()) {
    if (m.visibleAt > now) wait = Math.min(wait, m.visibleAt - now);
  }
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      state.waiters.delete(done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, wait));
    state.waiters.add(done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function acceptMovedMessage(state: QueueState, m: StoredMessage): void {
  // Receive count and visibility start afresh in the destination; MessageId and SentTimestamp are kept,
  // and DeadLetterQueueSourceArn when the message is being dead-lettered.
  const { receipt: _receipt, firstReceiveTs: _first, dlqSourceArn, ...rest } = m;
  const moved: StoredMessage = {
    ...rest,
    receiveCount: 0,
    visibleAt: 0,
    ...(dlqSourceArn ? { dlqSourceArn } : {}),
  };
  writeJournal(state.journal, [{ op: 'send', m: moved }]);
  notify(state);
}

export function createQueue(options: QueueOptions): Queue {
  const {
    name,
    dir,
    visibilityTimeoutSeconds = 30,
    maxReceiveCount,
    deadLetterQueue,
    region = 'us-east-1',
    accountId = '000000000000',
  } = options;
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(name))
    throw new SqsError('InvalidParameterValue', `invalid queue name ${name}`);
  const arn = `arn:aws:sqs:${region}:${accountId}:${name}`;
  const state: QueueState = {
    name,
    arn,
    visibilityTimeoutSeconds,
    maxReceiveCount,
    deadLetterQueue,
    journal: openJournal(dir, name),
    waiters: new Set(),
  };
  const queue: Queue = {
    name,
    arn,
    accountId,
    region,
    visibilityTimeoutSeconds,
    maxReceiveCount,
    deadLetterQueue,
    createdTimestamp: Date.now(),
    sendMessage: (body, messageAttributes = {}, sendOptions = {}) =>
      sendMessage(state, body, messageAttributes, sendOptions),
    receiveMessages: (receiveOptions = {}) => receiveMessages(state, receiveOptions),
    deleteMessage: (receiptHandle) => deleteMessages(state, [receiptHandle]),
    deleteMessages: (receiptHandles) => deleteMessages(state, receiptHandles),
    changeMessageVisibility: (receiptHandle, seconds) =>
      changeMessageVisibility(state, receiptHandle, seconds),
    counts: () => counts(state),
    redriveFromDeadLetterQueue() {
      if (!deadLetterQueue) return 0;
      return deadLetterQueue.moveMessagesTo(queue, (m) => !m.dlqSourceArn || m.dlqSourceArn === arn);
    },
    moveMessagesTo: (destination, filter = () => true) => moveMessagesTo(state, destination, filter),
    purge: () =>
      writeJournal(
        state.journal,
        [...state.journal.messages.keys()].map((id) => ({ op: 'del', id })),
      ),
    waitForMessages: (timeoutMs, signal) => waitForMessages(state, timeoutMs, signal),
    acceptMovedMessage: (m) => acceptMovedMessage(state, m),
    close() {
      if (state.journal.closed) return;
      state.journal.closed = true;
      notify(state);
      fs.closeSync(state.journal.fd);
    },
  };
  return queue;
}
