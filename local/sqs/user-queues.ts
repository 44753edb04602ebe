/**
 * Queues a user creates with CreateQueue (e.g. to watch the image events), next to the local
 * cloud's own queues. Their names and attributes are kept in `<dir>/queues.json`, so that they
 * are opened again, with their messages, at the next start; DeleteQueue removes a queue and its
 * journal. Standard queues only.
 *
 * Attributes that take effect: VisibilityTimeout, DelaySeconds (on SendMessage),
 * ReceiveMessageWaitTimeSeconds and RedrivePolicy. The others SQS knows are kept and returned by
 * GetQueueAttributes as given.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readJsonList, writeJsonList } from '../json-list-file';
import { createQueue, type Queue, SqsError } from './queue';

export interface UserQueue {
  queue: Queue;
  /** The attributes given at creation (as strings, as SQS keeps them). */
  attributes: Record<string, string>;
}

/** A queue created with CreateQueue, as `queues.json` lists it. */
interface QueueRecord {
  name: string;
  attributes: Record<string, string>;
}

type Check = (value: string) => boolean;
const integer =
  (min: number, max: number): Check =>
  (value) =>
    /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max;
const anything: Check = () => true;

const ATTRIBUTES: Record<string, Check> = {
  VisibilityTimeout: integer(0, 43_200),
  DelaySeconds: integer(0, 900),
  ReceiveMessageWaitTimeSeconds: integer(0, 20),
  MessageRetentionPeriod: integer(60, 1_209_600),
  MaximumMessageSize: integer(1024, 1_048_576),
  RedrivePolicy: anything,
  RedriveAllowPolicy: anything,
  Policy: anything,
  SqsManagedSseEnabled: (value) => value === 'true' || value === 'false',
  KmsMasterKeyId: anything,
  KmsDataKeyReusePeriodSeconds: integer(60, 86_400),
};

/** Checks CreateQueue's input; throws SqsError as SQS does. */
export function checkQueueRequest(name: string, attributes: Record<string, string>): void {
  if (name.endsWith('.fifo') || attributes.FifoQueue !== undefined) {
    throw new SqsError(
      'InvalidParameterValue',
      'The local SQS emulates standard queues only, not FIFO queues.',
    );
  }
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
    throw new SqsError(
      'InvalidParameterValue',
      'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  }
  for (const [key, value] of Object.entries(attributes)) {
    const check = ATTRIBUTES[key];
    if (!check) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${key}.`);
    if (typeof value !== 'string' || !check(value)) {
      throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${key}.`);
    }
  }
}

function redrivePolicy(text: string | undefined, findByArn: (arn: string) => Queue | undefined) {
  if (text === undefined) return {};
  let policy: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  try {
    policy = JSON.parse(text) as typeof policy;
  } catch {
    throw new SqsError('InvalidAttributeValue', 'Invalid value for the parameter RedrivePolicy: not JSON.');
  }
  const deadLetterQueue =
    typeof policy.deadLetterTargetArn === 'string' ? findByArn(policy.deadLetterTargetArn) : undefined;
  const maxReceiveCount = Number(policy.maxReceiveCount);
  if (!deadLetterQueue) {
    throw new SqsError(
      'InvalidParameterValue',
      `Value ${text} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`,
    );
  }
  if (!(Number.isInteger(maxReceiveCount) && maxReceiveCount >= 1 && maxReceiveCount <= 1000)) {
    throw new SqsError(
      'InvalidParameterValue',
      `Value ${text} for parameter RedrivePolicy is invalid. Reason: maxReceiveCount must be from 1 to 1000.`,
    );
  }
  return { deadLetterQueue, maxReceiveCount };
}

export interface UserQueues {
  /** The queues created earlier, opened again (a dead-letter queue before the queues that use it). */
  readonly opened: UserQueue[];
  /** Creates a queue (input already checked) and records it. */
  create(name: string, attributes: Record<string, string>): UserQueue;
  /** Closes a queue, deletes its journal and forgets it. */
  remove(queue: Queue): void;
}

export function openUserQueues(options: {
  dir: string;
  region: string;
  accountId: string;
  /** Any queue of the service by ARN (dead-letter queues may be the cloud's own). */
  findByArn(arn: string): Queue | undefined;
}): UserQueues {
  const { dir, region, accountId } = options;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'queues.json');
  const records = readJsonList<QueueRecord>(file, 'queues', 'the list of queues created with CreateQueue');
  const opened: UserQueue[] = [];
  const save = () => writeJsonList(file, 'queues', records);
  const open = (name: string, attributes: Record<string, string>): UserQueue => {
    const findByArn = (arn: string) =>
      options.findByArn(arn) ?? opened.find(({ queue }) => queue.arn === arn)?.queue;
    const queue = createQueue({
      name,
      dir,
      region,
      accountId,
      ...(attributes.VisibilityTimeout
        ? { visibilityTimeoutSeconds: Number(attributes.VisibilityTimeout) }
        : {}),
      ...redrivePolicy(attributes.RedrivePolicy, findByArn),
    });
    const created = { queue, attributes };
    opened.push(created);
    return created;
  };
  for (const record of records) open(record.name, record.attributes);

  return {
    opened,
    create(name, attributes) {
      const created = open(name, attributes);
      records.push({ name, attributes });
      save();
      return created;
    },
    remove(queue) {
      queue.close();
      fs.rmSync(path.join(dir, `${queue.name}.journal`), { force: true });
      opened.splice(
        opened.findIndex((q) => q.queue === queue),
        1,
      );
      records.splice(
        records.findIndex((r) => r.name === queue.name),
        1,
      );
      save();
    },
  };
}
