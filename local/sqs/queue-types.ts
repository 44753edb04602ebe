/** The local SQS queue's types: options, stored and received messages, the journal's records. */
import type { MessageAttributeValue } from './md5';

export type { MessageAttributeValue } from './md5';

export class SqsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly senderFault = true,
  ) {
    super(message);
    this.name = code;
  }
}

export interface StoredMessage {
  id: string;
  body: string;
  md5: string;
  attributes: Record<string, MessageAttributeValue>;
  md5Attributes?: string;
  sentTs: number;
  senderId: string;
  receiveCount: number;
  firstReceiveTs?: number;
  /** epoch ms at which the message becomes visible (0: visible) */
  visibleAt: number;
  receipt?: string;
  /** set while the message sits in a dead-letter queue */
  dlqSourceArn?: string;
}

export type JournalRecord =
  | { op: 'send'; m: StoredMessage }
  | { op: 'recv'; id: string; count: number; first: number; visibleAt: number; receipt: string }
  | { op: 'vis'; id: string; visibleAt: number }
  | { op: 'del'; id: string };

export interface QueueOptions {
  name: string;
  /** Directory for the journal (created if missing); several queues may share it. */
  dir: string;
  /** Default 30 (as SQS). */
  visibilityTimeoutSeconds?: number;
  /** Receives after which the next receive moves the message to `deadLetterQueue`. */
  maxReceiveCount?: number;
  deadLetterQueue?: Queue;
  region?: string;
  accountId?: string;
}

export interface ReceiveOptions {
  /** 1..10, default 1 */
  max?: number;
  visibilityTimeoutSeconds?: number;
  /** Long polling: wait up to this long for a message when the queue is empty. Default 0. */
  waitTimeSeconds?: number;
  signal?: AbortSignal;
}

export interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  MD5OfBody: string;
  Attributes: {
    ApproximateReceiveCount: string;
    SentTimestamp: string;
    SenderId: string;
    ApproximateFirstReceiveTimestamp: string;
    DeadLetterQueueSourceArn?: string;
  };
  MessageAttributes: Record<string, MessageAttributeValue>;
  MD5OfMessageAttributes?: string;
}

export interface SendResult {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
}

export interface QueueCounts {
  visible: number;
  inFlight: number;
  delayed: number;
}

export interface Queue {
  readonly name: string;
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number | undefined;
  readonly deadLetterQueue: Queue | undefined;
  readonly createdTimestamp: number;
  sendMessage(
    body: string,
    messageAttributes?: Record<string, MessageAttributeValue>,
    options?: { delaySeconds?: number; senderId?: string },
  ): SendResult;
  receiveMessages(options?: ReceiveOptions): Promise<ReceivedMessage[]>;
  /** Deletes the message if the receipt handle is its latest one; a stale handle is accepted and ignored (as SQS may do). */
  deleteMessage(receiptHandle: string): void;
  deleteMessages(receiptHandles: string[]): void;
  changeMessageVisibility(receiptHandle: string, visibilityTimeoutSeconds: number): void;
  counts(): QueueCounts;
  /** Moves the messages of this queue's dead-letter queue that came from this queue back here; returns how many. */
  redriveFromDeadLetterQueue(): number;
  /** Moves this queue's visible messages (optionally filtered) to `destination`; returns how many. */
  moveMessagesTo(destination: Queue, filter?: (m: StoredMessage) => boolean): number;
  purge(): void;
  /** Resolves when a message may have become visible, after `timeoutMs`, on abort or on close. */
  waitForMessages(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** Internal: adds a message moved from another queue (keeps MessageId and SentTimestamp). */
  acceptMovedMessage(message: StoredMessage): void;
  close(): void;
}
