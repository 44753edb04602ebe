/** What GetQueueAttributes and ReceiveMessage return of a queue's and a message's attributes. */
import type { MessageAttributeValue } from './md5';
import type { Queue, ReceivedMessage } from './queue';

/** A queue's attributes, as strings, as SQS returns them; `given` are those set at CreateQueue. */
export function queueAttributes(queue: Queue, given: Record<string, string> = {}): Record<string, string> {
  const counts = queue.counts();
  const created = String(Math.floor(queue.createdTimestamp / 1000));
  return {
    QueueArn: queue.arn,
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: created,
    LastModifiedTimestamp: created,
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    MaximumMessageSize: '262144',
    MessageRetentionPeriod: '345600',
    DelaySeconds: '0',
    ReceiveMessageWaitTimeSeconds: '0',
    SqsManagedSseEnabled: 'true',
    ...(queue.deadLetterQueue
      ? {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: queue.deadLetterQueue.arn,
            maxReceiveCount: queue.maxReceiveCount,
          }),
        }
      : {}),
    ...given,
  };
}

/** The attributes named (or `All`), or undefined when none is asked for. */
export function selectAttributes(
  message: ReceivedMessage,
  names: string[],
): Record<string, string> | undefined {
  if (names.length === 0) return undefined;
  const all = names.includes('All');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(message.Attributes)) {
    if (value !== undefined && (all || names.includes(key))) out[key] = value;
  }
  return out;
}

/** The message attributes named (`All`, `.*`, a name, or a `prefix.*`), or undefined when none. */
export function selectMessageAttributes(
  attributes: Record<string, MessageAttributeValue>,
  names: string[],
): Record<string, MessageAttributeValue> | undefined {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [key, value] of Object.entries(attributes)) {
    const wanted = names.some(
      (n) => n === 'All' || n === '.*' || n === key || (n.endsWith('.*') && key.startsWith(n.slice(0, -1))),
    );
    if (wanted) out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
