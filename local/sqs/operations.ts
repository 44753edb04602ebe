/** The SQS operations, each taking the service's queue registry and the request's JSON input. */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { queueAttributes, selectAttributes, selectMessageAttributes } from './attributes';
import { type Input, list, num, required, str } from './json-protocol';
import type { MessageAttributeValue } from './md5';
import { type Queue, SqsError } from './queue';
import { byArn, byUrl, type MoveTask, type QueueRegistry, queueUrl, userAttributes } from './registry';
import { checkQueueRequest } from './user-queues';

export type Operation = (
  registry: QueueRegistry,
  input: Input,
  req: http.IncomingMessage,
  res: http.ServerResponse,
) => unknown;

/** SendMessage, alone or as one entry of a batch. */
function sendEntry(registry: QueueRegistry, queue: Queue, entry: Input) {
  const attributes = (entry.MessageAttributes ?? {}) as Record<string, MessageAttributeValue>;
  const delaySeconds =
    num(entry, 'DelaySeconds') ?? Number(userAttributes(registry, queue)?.DelaySeconds ?? 0);
  return queue.sendMessage(required(entry, 'MessageBody'), attributes, delaySeconds ? { delaySeconds } : {});
}

/** A *Batch operation: each entry succeeds or fails on its own, reported under its Id. */
function eachEntry(input: Input, run: (entry: Input) => object) {
  const entries = Array.isArray(input.Entries) ? (input.Entries as Input[]) : [];
  const Successful: unknown[] = [];
  const Failed: unknown[] = [];
  for (const entry of entries) {
    const id = str(entry, 'Id') ?? '';
    try {
      Successful.push({ Id: id, ...run(entry) });
    } catch (err) {
      const code = err instanceof SqsError ? err.code : 'InternalError';
      Failed.push({ Id: id, SenderFault: true, Code: code, Message: String((err as Error).message) });
    }
  }
  return { Successful, Failed };
}

const createQueue: Operation = (registry, input, req) => {
  const { byName, userQueues } = registry;
  const name = required(input, 'QueueName');
  const attributes = (input.Attributes ?? {}) as Record<string, string>;
  checkQueueRequest(name, attributes);
  const existing = byName.get(name);
  if (existing) {
    const current = queueAttributes(existing, userAttributes(registry, existing));
    const different = Object.keys(attributes).find((key) => current[key] !== attributes[key]);
    if (different) {
      throw new SqsError(
        'QueueNameExists',
        `A queue already exists with the same name and a different value for attribute ${different}`,
      );
    }
    return { QueueUrl: queueUrl(req, existing) };
  }
  if (!userQueues) {
    throw new SqsError('UnsupportedOperation', 'This local SQS has no data directory for new queues.');
  }
  const { queue } = userQueues.create(name, attributes);
  byName.set(queue.name, queue);
  return { QueueUrl: queueUrl(req, queue) };
};

const deleteQueue: Operation = (registry, input) => {
  const { byName, userQueues } = registry;
  const queue = byUrl(registry, input);
  if (!userQueues?.opened.some((q) => q.queue === queue)) {
    throw new SqsError(
      'UnsupportedOperation',
      `The queue ${queue.name} belongs to the local cloud's pipeline and cannot be deleted.`,
    );
  }
  const user = [...byName.values()].find((q) => q.deadLetterQueue === queue);
  if (user) {
    throw new SqsError(
      'UnsupportedOperation',
      `The queue ${queue.name} is the dead-letter queue of ${user.name}: delete ${user.name} first.`,
    );
  }
  userQueues.remove(queue);
  byName.delete(queue.name);
  return {};
};

const receiveMessage: Operation = async (registry, input, _req, res) => {
  const queue = byUrl(registry, input);
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  const visibility = num(input, 'VisibilityTimeout');
  const messages = await queue.receiveMessages({
    max: num(input, 'MaxNumberOfMessages') ?? 1,
    waitTimeSeconds:
      num(input, 'WaitTimeSeconds') ??
      Number(userAttributes(registry, queue)?.ReceiveMessageWaitTimeSeconds ?? 0),
    signal: controller.signal,
    ...(visibility !== undefined ? { visibilityTimeoutSeconds: visibility } : {}),
  });
  const attributeNames = [...list(input, 'AttributeNames'), ...list(input, 'MessageSystemAttributeNames')];
  const messageAttributeNames = list(input, 'MessageAttributeNames');
  const Messages = messages.map((m) => {
    const attributes = selectAttributes(m, attributeNames);
    const messageAttributes = selectMessageAttributes(m.MessageAttributes, messageAttributeNames);
    return {
      MessageId: m.MessageId,
      ReceiptHandle: m.ReceiptHandle,
      MD5OfBody: m.MD5OfBody,
      Body: m.Body,
      ...(attributes ? { Attributes: attributes } : {}),
      ...(messageAttributes
        ? { MessageAttributes: messageAttributes, MD5OfMessageAttributes: m.MD5OfMessageAttributes }
        : {}),
    };
  });
  return Messages.length > 0 ? { Messages } : {};
};

const getQueueAttributes: Operation = (registry, input) => {
  const queue = byUrl(registry, input);
  const names = list(input, 'AttributeNames');
  const all = queueAttributes(queue, userAttributes(registry, queue));
  const Attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(all)) {
    if (names.includes('All') || names.includes(key)) Attributes[key] = value;
  }
  return { Attributes };
};

const startMessageMoveTask: Operation = (registry, input) => {
  const source = byArn(registry, required(input, 'SourceArn'));
  const destinationArn = str(input, 'DestinationArn');
  const origins = [...registry.byName.values()].filter((q) => q.deadLetterQueue === source);
  if (origins.length === 0) {
    throw new SqsError('InvalidParameterValue', 'Source queue must be configured as a Dead Letter Queue.');
  }
  const before = source.counts().visible;
  let moved = 0;
  if (destinationArn) moved = source.moveMessagesTo(byArn(registry, destinationArn));
  else for (const origin of origins) moved += origin.redriveFromDeadLetterQueue();
  const task: MoveTask = {
    TaskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn: source.arn })).toString(
      'base64',
    ),
    Status: 'COMPLETED',
    SourceArn: source.arn,
    ...(destinationArn ? { DestinationArn: destinationArn } : {}),
    ApproximateNumberOfMessagesMoved: moved,
    ApproximateNumberOfMessagesToMove: before,
    StartedTimestamp: Date.now(),
  };
  registry.tasks.push(task);
  return { TaskHandle: task.TaskHandle };
};

/** The operations by their `X-Amz-Target` name (after `AmazonSQS.`). */
export const operations: Record<string, Operation> = {
  CreateQueue: createQueue,
  DeleteQueue: deleteQueue,
  GetQueueUrl(registry, input, req) {
    const queue = registry.byName.get(required(input, 'QueueName'));
    if (!queue) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return { QueueUrl: queueUrl(req, queue) };
  },
  ListQueues(registry, input, req) {
    const prefix = str(input, 'QueueNamePrefix') ?? '';
    const queues = [...registry.byName.values()].filter((q) => q.name.startsWith(prefix));
    return { QueueUrls: queues.map((q) => queueUrl(req, q)) };
  },
  SendMessage: (registry, input) => sendEntry(registry, byUrl(registry, input), input),
  SendMessageBatch(registry, input) {
    const queue = byUrl(registry, input);
    return eachEntry(input, (entry) => sendEntry(registry, queue, entry));
  },
  ReceiveMessage: receiveMessage,
  DeleteMessage(registry, input) {
    byUrl(registry, input).deleteMessage(required(input, 'ReceiptHandle'));
    return {};
  },
  DeleteMessageBatch(registry, input) {
    const queue = byUrl(registry, input);
    return eachEntry(input, (entry) => {
      queue.deleteMessage(required(entry, 'ReceiptHandle'));
      return {};
    });
  },
  ChangeMessageVisibility(registry, input) {
    const seconds = num(input, 'VisibilityTimeout');
    if (seconds === undefined)
      throw new SqsError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
    byUrl(registry, input).changeMessageVisibility(required(input, 'ReceiptHandle'), seconds);
    return {};
  },
  PurgeQueue(registry, input) {
    byUrl(registry, input).purge();
    return {};
  },
  GetQueueAttributes: getQueueAttributes,
  StartMessageMoveTask: startMessageMoveTask,
  ListMessageMoveTasks(registry, input) {
    const sourceArn = required(input, 'SourceArn');
    return { Results: registry.tasks.filter((t) => t.SourceArn === sourceArn).reverse() };
  },
};
