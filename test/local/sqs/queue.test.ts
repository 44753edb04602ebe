import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createQueue, md5OfMessageAttributes, type Queue, type QueueOptions } from '../../../local/sqs';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqs-queue-test-'));
const opened: Queue[] = [];
let dirs = 0;

function open(options: Partial<QueueOptions> & { name: string }): Queue {
  const queue = createQueue({ dir: path.join(root, String(dirs)), ...options });
  opened.push(queue);
  return queue;
}
function freshDir(): string {
  dirs++;
  return path.join(root, String(dirs));
}

afterAll(() => {
  for (const q of opened) q.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('createQueue', () => {
  it('returns the MessageId and the MD5 of the body on send and delivers body and attributes on receive', async () => {
    const queue = open({ name: 'basic', dir: freshDir() });

    const sent = queue.sendMessage('hello', { kind: { DataType: 'String', StringValue: 'photo' } });
    const [message] = await queue.receiveMessages({ max: 10 });

    expect(sent.MD5OfMessageBody).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(message).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'hello',
      MD5OfBody: sent.MD5OfMessageBody,
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'photo' } },
      Attributes: { ApproximateReceiveCount: '1' },
    });
    expect(Number(message?.Attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(
      Number(message?.Attributes.SentTimestamp),
    );
  });

  it('computes MD5OfMessageAttributes with the SQS algorithm', () => {
    // Reference computed independently (Python hashlib, same encoding as moto's attribute_md5).
    const md5 = md5OfMessageAttributes({
      size: { DataType: 'Number', StringValue: '42' },
      kind: { DataType: 'String', StringValue: 'photo' },
    });

    expect(md5).toBe('8947c4202679c9103a2849f8b84323a8');
    expect(md5OfMessageAttributes({})).toBeUndefined();
  });

  it('keeps sent and in-flight messages, receive counts and visibility across close and reopen', async () => {
    const dir = freshDir();
    const first = open({ name: 'durable', dir, visibilityTimeoutSeconds: 60 });
    const inFlight = first.sendMessage('in flight');
    await first.receiveMessages({ max: 1 });
    const waiting = first.sendMessage('waiting');
    first.close();

    const reopened = open({ name: 'durable', dir, visibilityTimeoutSeconds: 60 });
    const counts = reopened.counts();
    const received = await reopened.receiveMessages({ max: 10 });

    expect(counts).toEqual({ visible: 1, inFlight: 1, delayed: 0 });
    expect(received.map((m) => [m.MessageId, m.Body])).toEqual([[waiting.MessageId, 'waiting']]);
    expect(received[0]?.MessageId).not.toBe(inFlight.MessageId);
  });

  it('ignores a torn last journal line left by a crash and keeps every complete record', async () => {
    const dir = freshDir();
    const first = open({ name: 'torn', dir });
    first.sendMessage('kept');
    first.close();
    fs.appendFileSync(path.join(dir, 'torn.journal'), '{"op":"send","m":{"id":"x","bo');

    const reopened = open({ name: 'torn', dir });
    const received = await reopened.receiveMessages({ max: 10 });

    expect(received.map((m) => m.Body)).toEqual(['kept']);
  });

  it('hides a received message for the visibility timeout and then delivers it again with a higher receive count', async () => {
    const queue = open({ name: 'visibility', dir: freshDir(), visibilityTimeoutSeconds: 0.2 });
    queue.sendMessage('again');

    const first = await queue.receiveMessages();
    const during = await queue.receiveMessages();
    // Long polling returns as soon as the message becomes visible again.
    const second = await queue.receiveMessages({ waitTimeSeconds: 10 });

    expect(first).toHaveLength(1);
    expect(during).toEqual([]);
    expect(second[0]?.MessageId).toBe(first[0]?.MessageId);
    expect(second[0]?.Attributes.ApproximateReceiveCount).toBe('2');
    expect(second[0]?.ReceiptHandle).not.toBe(first[0]?.ReceiptHandle);
  });

  it('deletes a message by its receipt handle and makes a message visible at once with a visibility timeout of 0', async () => {
    const queue = open({ name: 'delete', dir: freshDir(), visibilityTimeoutSeconds: 60 });
    queue.sendMessage('one');
    queue.sendMessage('two');
    const [one, two] = await queue.receiveMessages({ max: 2 });

    queue.deleteMessage(one?.ReceiptHandle ?? '');
    queue.changeMessageVisibility(two?.ReceiptHandle ?? '', 0);
    const again = await queue.receiveMessages({ max: 10 });

    expect(again.map((m) => m.Body)).toEqual(['two']);
    expect(queue.counts()).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
  });

  it('wakes a long poll when a message is sent', async () => {
    const queue = open({ name: 'longpoll', dir: freshDir() });

    const polling = queue.receiveMessages({ waitTimeSeconds: 20 });
    queue.sendMessage('wake up');
    const received = await polling;

    expect(received.map((m) => m.Body)).toEqual(['wake up']);
  });

  it('moves a message to the dead-letter queue once its receive count exceeds maxReceiveCount', async () => {
    const dir = freshDir();
    const dlq = open({ name: 'jobs-dlq', dir });
    const queue = open({
      name: 'jobs',
      dir,
      visibilityTimeoutSeconds: 0,
      maxReceiveCount: 2,
      deadLetterQueue: dlq,
    });
    const sent = queue.sendMessage('poison');

    const receives = [
      await queue.receiveMessages(),
      await queue.receiveMessages(),
      await queue.receiveMessages(),
    ];
    const dead = await dlq.receiveMessages({ max: 10, visibilityTimeoutSeconds: 0 });

    expect(receives.map((r) => r.length)).toEqual([1, 1, 0]);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'poison',
      Attributes: { DeadLetterQueueSourceArn: 'arn:aws:sqs:us-east-1:000000000000:jobs' },
    });
    expect(queue.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('redrives dead-letter messages back to the source queue with a fresh receive count', async () => {
    const dir = freshDir();
    const dlq = open({ name: 'work-dlq', dir });
    const queue = open({
      name: 'work',
      dir,
      visibilityTimeoutSeconds: 0,
      maxReceiveCount: 1,
      deadLetterQueue: dlq,
    });
    const sent = queue.sendMessage('retry me');
    await queue.receiveMessages();
    await queue.receiveMessages(); // moves it to the DLQ

    const moved = queue.redriveFromDeadLetterQueue();
    const [back] = await queue.receiveMessages();

    expect(moved).toBe(1);
    expect(dlq.counts().visible).toBe(0);
    expect(back).toMatchObject({ MessageId: sent.MessageId, Attributes: { ApproximateReceiveCount: '1' } });
    expect(back?.Attributes.DeadLetterQueueSourceArn).toBeUndefined();
  });

  it('keeps a dead-lettered message across a restart of both queues', async () => {
    const dir = freshDir();
    const dlq = open({ name: 'keep-dlq', dir });
    const queue = open({
      name: 'keep',
      dir,
      visibilityTimeoutSeconds: 0,
      maxReceiveCount: 1,
      deadLetterQueue: dlq,
    });
    queue.sendMessage('survivor');
    await queue.receiveMessages();
    await queue.receiveMessages();
    queue.close();
    dlq.close();

    const dlq2 = open({ name: 'keep-dlq', dir });

    expect((await dlq2.receiveMessages()).map((m) => m.Body)).toEqual(['survivor']);
  });
});
