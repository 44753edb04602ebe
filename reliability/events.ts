/**
 * Image events, counted as a consumer sees them: a queue of its own, subscribed to the stage's bus
 * through the public EventBridge and SQS APIs of the local cloud, as docs/events.md tells a user
 * to do. A scenario compares what arrived with the final records: an outcome with no event is
 * lost, an outcome announced under two different eventIds is doubled. The same eventId delivered
 * twice is neither (delivery is at least once; consumers deduplicate on it) and is only counted.
 */
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { IMAGE_EVENT_SOURCE, type ImageEventDetail } from '../functions/core/image-events';

const credentials = { accessKeyId: 'reliability', secretAccessKey: 'reliability' };

export interface FinalRecord {
  status: string;
  objectVersion?: string;
}

export interface EventCount {
  /** Messages received, repeats included. */
  received: number;
  /** Distinct eventIds among them. */
  distinct: number;
  /** Final records with no event for their outcome. */
  lost: string[];
  /** Final records whose outcome arrived under more than one eventId. */
  doubled: string[];
}

export class EventWatcher {
  private readonly details: ImageEventDetail[] = [];

  private constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** Creates (or reuses) the queue, and a rule on the bus that sends it every image event. */
  static async subscribe(options: {
    endpoint: string;
    region: string;
    busName: string;
    queueName?: string;
  }): Promise<EventWatcher> {
    const { endpoint, region, busName, queueName = 'reliability-image-events' } = options;
    const sqs = new SQSClient({ region, endpoint, credentials });
    const events = new EventBridgeClient({ region, endpoint, credentials });
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
      if (!QueueUrl) throw new Error(`CreateQueue ${queueName} returned no QueueUrl`);
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      const rule = `${queueName}-rule`;
      await events.send(
        new PutRuleCommand({
          Name: rule,
          EventBusName: busName,
          EventPattern: JSON.stringify({ source: [IMAGE_EVENT_SOURCE] }),
        }),
      );
      await events.send(
        new PutTargetsCommand({
          Rule: rule,
          EventBusName: busName,
          Targets: [{ Id: 'queue', Arn: Attributes.QueueArn }],
        }),
      );
      return new EventWatcher(sqs, QueueUrl);
    } finally {
      events.destroy();
    }
  }

  /** Receives until every record's outcome has arrived (then one more quiet pass), or the time is up. */
  async collect(records: Map<string, FinalRecord | undefined>, timeoutMs: number): Promise<EventCount> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const received = await this.receive();
      if (received === 0 && this.count(records).lost.length === 0) break;
    }
    return this.count(records);
  }

  /** How the events received so far match the final records (keys absent from `records` are ignored). */
  count(records: Map<string, FinalRecord | undefined>): EventCount {
    const mine = this.details.filter((detail) => records.has(detail.key));
    const lost: string[] = [];
    const doubled: string[] = [];
    for (const [key, record] of records) {
      if (!record) continue;
      const ids = new Set(
        mine
          .filter(
            (detail) =>
              detail.key === key &&
              detail.status === record.status &&
              (!record.objectVersion || detail.objectVersion === record.objectVersion),
          )
          .map((detail) => detail.eventId),
      );
      if (ids.size === 0) lost.push(key);
      if (ids.size > 1) doubled.push(key);
    }
    return { received: mine.length, distinct: new Set(mine.map((d) => d.eventId)).size, lost, doubled };
  }

  private async receive(): Promise<number> {
    const { Messages = [] } = await this.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const message of Messages) {
      const envelope = JSON.parse(message.Body ?? '{}') as { detail?: ImageEventDetail };
      if (envelope.detail) this.details.push(envelope.detail);
    }
    if (Messages.length > 0) {
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
    return Messages.length;
  }

  stop(): void {
    this.sqs.destroy();
  }
}

/** The events column of the results table, and the problems a count raises. */
export function describeEvents(count: EventCount): { notes: string; problems: string[] } {
  const problems: string[] = [];
  if (count.lost.length > 0)
    problems.push(`${count.lost.length} final records with no event (lost), e.g. ${count.lost[0]}`);
  if (count.doubled.length > 0)
    problems.push(
      `${count.doubled.length} outcomes announced under two eventIds (doubled), e.g. ${count.doubled[0]}`,
    );
  return {
    notes: `${count.distinct} events (${count.received - count.distinct} repeats), ${count.lost.length} lost, ${count.doubled.length} doubled`,
    problems,
  };
}
