/**
 * A durable local SQS standard queue.
 *
 * Durability: every state change is appended to `<dir>/<name>.journal` (one JSON record per line) and
 * fsync'd before the call returns, so a message whose sendMessage returned survives a crash or restart,
 * and so do receive counts and in-flight visibility. On open the journal is replayed (a torn last line
 * from a crash is ignored) and rewritten compactly (temp file, fsync, rename, fsync of the directory).
 * Moves to/from a dead-letter queue write the destination first, then delete at the source: a crash in
 * between duplicates a message, never loses it (SQS is at-least-once anyway).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { md5Hex, md5OfMessageAttributes } from './md5';
import {
  type JournalRecord,
  type Queue,
  type QueueOptions,
  type ReceivedMessage,
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

function decodeReceipt(handle: string): { queue: string; id: string } | undefined {
  const parts = Buffer.from(handle, 'base64url').toString('utf8').split('\n');
  if (parts.length !== 3 || !parts[0] || !parts[1]) return undefined;
  return { queue: parts[0], id: parts[1] };
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // some platforms (Windows) cannot fsync a directory
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
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
  fs.mkdirSync(dir, { recursive: true });
  const journalPath = path.join(dir, `${name}.journal`);
  const messages = new Map<string, StoredMessage>();
  const waiters = new Set<() => void>();
  let journalRecords = 0;
  let closed = false;

  // ---- journal ----
  const apply = (record: JournalRecord) => {
    switch (record.op) {
      case 'send':
        messages.set(record.m.id, record.m);
        break;
      case 'recv': {
        const m = messages.get(record.id);
        if (m) {
          m.receiveCount = record.count;
          m.firstReceiveTs = record.first;
          m.visibleAt = record.visibleAt;
          m.receipt = record.receipt;
        }
        break;
      }
      case 'vis': {
        const m = messages.get(record.id);
        if (m) m.visibleAt = record.visibleAt;
        break;
      }
      case 'del':
        messages.delete(record.id);
        break;
    }
  };

  if (fs.existsSync(journalPath)) {
    const lines = fs.readFileSync(journalPath, 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (line === '') return;
      let record: JournalRecord;
      try {
        record = JSON.parse(line) as JournalRecord;
      } catch (err) {
        // Only the last line can be torn by a crash during an append; anything else is corruption.
        if (index >= lines.length - 2) return;
        throw new Error(`${journalPath}:${index + 1}: corrupt journal record`, { cause: err });
      }
      apply(record);
    });
  }

  let fd = -1;
  const compact = () => {
    const tmp = `${journalPath}.tmp`;
    const data = [...messages.values()].map((m) => `${JSON.stringify({ op: 'send', m })}\n`).join('');
    fs.writeFileSync(tmp, data);
    const tmpFd = fs.openSync(tmp, 'r+');
    fs.fsyncSync(tmpFd);
    fs.closeSync(tmpFd);
    if (fd >= 0) fs.closeSync(fd);
    fs.renameSync(tmp, journalPath);
    fsyncDir(dir);
    fd = fs.openSync(journalPath, 'a');
    journalRecords = messages.size;
  };
  compact();

  const write = (records: JournalRecord[]) => {
    if (closed) throw new SqsError('QueueDoesNotExist', `queue ${name} is closed`);
    if (records.length === 0) return;
    fs.writeSync(fd, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    fs.fsyncSync(fd);
    for (const r of records) apply(r);
    journalRecords += records.length;
    if (journalRecords > 1000 && journalRecords > 4 * messages.size) compact();
  };

  const notify = () => {
    for (const wake of [...waiters]) wake();
  };

  const findByReceipt = (handle: string): StoredMessage | undefined => {
    const decoded = decodeReceipt(handle);
    if (!decoded || decoded.queue !== name) {
      throw new SqsError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${handle}" is not a valid receipt handle.`,
      );
    }
    return messages.get(decoded.id);
  };

  const newReceipt = (id: string) =>
    Buffer.from(`${name}\n${id}\n${randomBytes(12).toString('hex')}`).toString('base64url');

  const toReceived = (m: StoredMessage): ReceivedMessage => ({
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
  });

  const receiveNow = (max: number, visibilitySeconds: number): ReceivedMessage[] => {
    const now = Date.now();
    const picked: StoredMessage[] = [];
    const toDeadLetter: StoredMessage[] = [];
    for (const m of messages.values()) {
      if (picked.length >= max) break;
      if (m.visibleAt > now) continue;
      if (deadLetterQueue && maxReceiveCount !== undefined && m.receiveCount >= maxReceiveCount) {
        toDeadLetter.push(m);
        continue;
      }
      picked.push(m);
    }
    for (const m of toDeadLetter) {
      deadLetterQueue?.acceptMovedMessage({ ...m, dlqSourceArn: arn });
    }
    const records: JournalRecord[] = toDeadLetter.map((m) => ({ op: 'del', id: m.id }));
    for (const m of picked) {
      records.push({
        op: 'recv',
        id: m.id,
        count: m.receiveCount + 1,
        first: m.firstReceiveTs ?? now,
        visibleAt: now + visibilitySeconds * 1000,
        receipt: newReceipt(m.id),
      });
    }
    write(records);
    return picked.map(toReceived);
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

    sendMessage(body, messageAttributes = {}, sendOptions = {}) {
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
      write([{ op: 'send', m }]);
      notify();
      return {
        MessageId: m.id,
        MD5OfMessageBody: m.md5,
        ...(md5Attributes ? { MD5OfMessageAttributes: md5Attributes } : {}),
      };
    },

    async receiveMessages({ max = 1, visibilityTimeoutSeconds: vis, waitTimeSeconds = 0, signal } = {}) {
      if (!(max >= 1 && max <= 10)) {
        throw new SqsError(
          'InvalidParameterValue',
          'Value for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10.',
        );
      }
      const deadline = Date.now() + waitTimeSeconds * 1000;
      for (;;) {
        if (closed) throw new SqsError('QueueDoesNotExist', `queue ${name} is closed`);
        if (signal?.aborted) return [];
        const received = receiveNow(max, vis ?? visibilityTimeoutSeconds);
        const remaining = deadline - Date.now();
        if (received.length > 0 || remaining <= 0) return received;
        await queue.waitForMessages(remaining, signal);
      }
    },

    deleteMessage(receiptHandle) {
      queue.deleteMessages([receiptHandle]);
    },

    deleteMessages(receiptHandles) {
      const records: JournalRecord[] = [];
      for (const handle of receiptHandles) {
        const m = findByReceipt(handle);
        if (m && m.receipt === handle) records.push({ op: 'del', id: m.id });
      }
      write(records);
    },

    changeMessageVisibility(receiptHandle, seconds) {
      const m = findByReceipt(receiptHandle);
      const now = Date.now();
      if (!m || m.receipt !== receiptHandle || m.visibleAt <= now) {
        throw new SqsError(
          'MessageNotInflight',
          'Message does not exist or is not available for visibility timeout change.',
        );
      }
      write([{ op: 'vis', id: m.id, visibleAt: now + seconds * 1000 }]);
      if (seconds === 0) notify();
    },

    counts() {
      const now = Date.now();
      const counts = { visible: 0, inFlight: 0, delayed: 0 };
      for (const m of messages.values()) {
        if (m.visibleAt <= now) counts.visible++;
        else if (m.receiveCount > 0) counts.inFlight++;
        else counts.delayed++;
      }
      return counts;
    },

    redriveFromDeadLetterQueue() {
      if (!deadLetterQueue) return 0;
      return deadLetterQueue.moveMessagesTo(queue, (m) => !m.dlqSourceArn || m.dlqSourceArn === arn);
    },

    moveMessagesTo(destination, filter = () => true) {
      const now = Date.now();
      const moving = [...messages.values()].filter((m) => m.visibleAt <= now && filter(m));
      for (const { dlqSourceArn: _source, ...m } of moving) destination.acceptMovedMessage(m);
      write(moving.map((m) => ({ op: 'del', id: m.id })));
      return moving.length;
    },

    purge() {
      write([...messages.keys()].map((id) => ({ op: 'del', id })));
    },

    waitForMessages(timeoutMs, signal) {
      if (closed || signal?.aborted) return Promise.resolve();
      const now = Date.now();
      let wait = timeoutMs;
      for (const m of messages.values()) {
        if (m.visibleAt > now) wait = Math.min(wait, m.visibleAt - now);
      }
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, wait));
        waiters.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    },

    acceptMovedMessage(m) {
      // Receive count and visibility start afresh in the destination; MessageId and SentTimestamp are kept,
      // and DeadLetterQueueSourceArn when the message is being dead-lettered.
      const { receipt: _receipt, firstReceiveTs: _first, dlqSourceArn, ...rest } = m;
      const moved: StoredMessage = {
        ...rest,
        receiveCount: 0,
        visibleAt: 0,
        ...(dlqSourceArn ? { dlqSourceArn } : {}),
      };
      write([{ op: 'send', m: moved }]);
      notify();
    },

    close() {
      if (closed) return;
      closed = true;
      notify();
      fs.closeSync(fd);
    },
  };
  return queue;
}
