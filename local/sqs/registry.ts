import type http from 'node:http';
import { type Input, required } from './json-protocol';
import { type Queue, SqsError } from './queue';
import { openUserQueues, type UserQueues } from './user-queues';

export interface MoveTask {
  TaskHandle: string;
  Status: 'COMPLETED';
  SourceArn: string;
  DestinationArn?: string;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  StartedTimestamp: number;
}

/** What the SQS service knows: its queues by name, the queues users created, the message move tasks. */
export interface QueueRegistry {
  readonly byName: Map<string, Queue>;
  readonly userQueues: UserQueues | undefined;
  readonly tasks: MoveTask[];
}

export function createRegistry(
  queues: Queue[],
  options: { dir?: string; region?: string; accountId?: string },
): QueueRegistry {
  const byName = new Map<string, Queue>();
  for (const q of queues) byName.set(q.name, q);
  const userQueues: UserQueues | undefined = options.dir
    ? openUserQueues({
        dir: options.dir,
        region: options.region ?? 'us-east-1',
        accountId: options.accountId ?? '000000000000',
        findByArn: (arn) => [...byName.values()].find((q) => q.arn === arn),
      })
    : undefined;
  const registry: QueueRegistry = { byName, userQueues, tasks: [] };
  for (const { queue } of userQueues?.opened ?? []) byName.set(queue.name, queue);
  return registry;
}

export function queueByArn(registry: QueueRegistry, arn: string): Queue | undefined {
  return [...registry.byName.values()].find((q) => q.arn === arn);
}

/** The attributes a user gave the queue at CreateQueue, if a user created it. */
export function userAttributes(registry: QueueRegistry, queue: Queue): Record<string, string> | undefined {
  return registry.userQueues?.opened.find((q) => q.queue === queue)?.attributes;
}

export function queueUrl(req: http.IncomingMessage, queue: Queue): string {
  return `http://${req.headers.host ?? '127.0.0.1'}/${queue.accountId}/${queue.name}`;
}

export function byUrl(registry: QueueRegistry, input: Input): Queue {
  const url = required(input, 'QueueUrl');
  const queueName = url.replace(/\/+$/, '').split('/').pop() ?? '';
  const queue = registry.byName.get(queueName);
  if (!queue) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
  return queue;
}

export function byArn(registry: QueueRegistry, arn: string): Queue {
  const queue = queueByArn(registry, arn);
  if (queue) return queue;
  throw new SqsError(
    'ResourceNotFoundException',
    `The resource that you specified for the SourceArn parameter doesn't exist.`,
  );
}
