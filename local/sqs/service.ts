/**
 * SQS endpoint for the AWS JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.<Op>`,
 * `Content-Type: application/x-amz-json-1.0`), as used by @aws-sdk/client-sqs v3 and current CLIs.
 * Credentials are not checked. Queue URLs are `http://<Host header>/<accountId>/<queueName>`.
 * Given a `dir`, users may also create and delete queues of their own (local/sqs/user-queues.ts);
 * the queues the service starts with cannot be deleted.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { readBody } from '../http-body';
import { queueAttributes, selectAttributes, selectMessageAttributes } from './attributes';
import { type Input, list, MAX_BODY_BYTES, num, QUERY_CODES, required, send, str } from './json-protocol';
import type { MessageAttributeValue } from './md5';
import { type Queue, SqsError } from './queue';
import { checkQueueRequest, openUserQueues, type UserQueues } from './user-queues';

export interface SqsServiceOptions {
  queues: Queue[];
  /** Where queues created with CreateQueue keep their journals and list; without it, CreateQueue is refused. */
  dir?: string;
  region?: string;
  accountId?: string;
}

export interface SqsService {
  handler: http.RequestListener;
  addQueue(queue: Queue): void;
  /** The queue with this ARN, if there is one (EventBridge targets name queues so). */
  queueByArn(arn: string): Queue | undefined;
  /** Closes the queues created with CreateQueue (the service's own queues are their owner's to close). */
  close(): void;
}

interface MoveTask {
  TaskHandle: string;
  Status: 'COMPLETED';
  SourceArn: string;
  DestinationArn?: string;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  StartedTimestamp: number;
}

export function createSqsService(options: SqsServiceOptions): SqsService {
  const { queues } = options;
  const byName = new Map<string, Queue>();
  const tasks: MoveTask[] = [];
  const addQueue = (queue: Queue) => {
    byName.set(queue.name, queue);
  };
  for (const q of queues) addQueue(q);
  const queueByArn = (arn: string) => [...byName.values()].find((q) => q.arn === arn);
  const userQueues: UserQueues | undefined = options.dir
    ? openUserQueues({
        dir: options.dir,
        region: options.region ?? 'us-east-1',
        accountId: options.accountId ?? '000000000000',
        findByArn: queueByArn,
      })
    : undefined;
  for (const { queue } of userQueues?.opened ?? []) addQueue(queue);
  const userAttributes = (queue: Queue) => userQueues?.opened.find((q) => q.queue === queue)?.attributes;

  const queueUrl = (req: http.IncomingMessage, queue: Queue) =>
    `http://${req.headers.host ?? '127.0.0.1'}/${queue.accountId}/${queue.name}`;

  const byUrl = (input: Input): Queue => {
    const url = required(input, 'QueueUrl');
    const queueName = url.replace(/\/+$/, '').split('/').pop() ?? '';
    const queue = byName.get(queueName);
    if (!queue) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return queue;
  };

  const byArn = (arn: string): Queue => {
    const queue = queueByArn(arn);
    if (queue) return queue;
    throw new SqsError(
      'ResourceNotFoundException',
      `The resource that you specified for the SourceArn parameter doesn't exist.`,
    );
  };

  /** SendMessage, alone or as one entry of a batch. */
  const sendEntry = (queue: Queue, entry: Input) => {
    const attributes = (entry.MessageAttributes ?? {}) as Record<string, MessageAttributeValue>;
    const delaySeconds = num(entry, 'DelaySeconds') ?? Number(userAttributes(queue)?.DelaySeconds ?? 0);
    return queue.sendMessage(
      required(entry, 'MessageBody'),
      attributes,
      delaySeconds ? { delaySeconds } : {},
    );
  };

  /** A *Batch operation: each entry succeeds or fails on its own, reported under its Id. */
  const eachEntry = (input: Input, run: (entry: Input) => object) => {
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
  };

  const operations: Record<
    string,
    (input: Input, req: http.IncomingMessage, res: http.ServerResponse) => unknown
  > = {
    CreateQueue(input, req) {
      const name = required(input, 'QueueName');
      const attributes = (input.Attributes ?? {}) as Record<string, string>;
      checkQueueRequest(name, attributes);
      const existing = byName.get(name);
      if (existing) {
        const current = queueAttributes(existing, userAttributes(existing));
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
      addQueue(queue);
      return { QueueUrl: queueUrl(req, queue) };
    },

    DeleteQueue(input) {
      const queue = byUrl(input);
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
    },

    GetQueueUrl(input, req) {
      const queue = byName.get(required(input, 'QueueName'));
      if (!queue) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
      return { QueueUrl: queueUrl(req, queue) };
    },

    ListQueues(input, req) {
      const prefix = str(input, 'QueueNamePrefix') ?? '';
      const urls = [...byName.values()].filter((q) => q.name.startsWith(prefix)).map((q) => queueUrl(req, q));
      return { QueueUrls: urls };
    },

    SendMessage(input) {
      return sendEntry(byUrl(input), input);
    },

    SendMessageBatch(input) {
      const queue = byUrl(input);
      return eachEntry(input, (entry) => sendEntry(queue, entry));
    },

    async ReceiveMessage(input, _req, res) {
      const queue = byUrl(input);
      const controller = new AbortController();
      res.on('close', () => controller.abort());
      const visibility = num(input, 'VisibilityTimeout');
      const messages = await queue.receiveMessages({
        max: num(input, 'MaxNumberOfMessages') ?? 1,
        waitTimeSeconds:
          num(input, 'WaitTimeSeconds') ?? Number(userAttributes(queue)?.ReceiveMessageWaitTimeSeconds ?? 0),
        signal: controller.signal,
        ...(visibility !== undefined ? { visibilityTimeoutSeconds: visibility } : {}),
      });
      const attributeNames = [
        ...list(input, 'AttributeNames'),
        ...list(input, 'MessageSystemAttributeNames'),
      ];
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
    },

    DeleteMessage(input) {
      byUrl(input).deleteMessage(required(input, 'ReceiptHandle'));
      return {};
    },

    DeleteMessageBatch(input) {
      const queue = byUrl(input);
      return eachEntry(input, (entry) => {
        queue.deleteMessage(required(entry, 'ReceiptHandle'));
        return {};
      });
    },

    ChangeMessageVisibility(input) {
      const seconds = num(input, 'VisibilityTimeout');
      if (seconds === undefined)
        throw new SqsError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
      byUrl(input).changeMessageVisibility(required(input, 'ReceiptHandle'), seconds);
      return {};
    },

    PurgeQueue(input) {
      byUrl(input).purge();
      return {};
    },

    GetQueueAttributes(input) {
      const queue = byUrl(input);
      const names = list(input, 'AttributeNames');
      const all = queueAttributes(queue, userAttributes(queue));
      const Attributes: Record<string, string> = {};
      for (const [key, value] of Object.entries(all)) {
        if (names.includes('All') || names.includes(key)) Attributes[key] = value;
      }
      return { Attributes };
    },

    StartMessageMoveTask(input) {
      const source = byArn(required(input, 'SourceArn'));
      const destinationArn = str(input, 'DestinationArn');
      const origins = [...byName.values()].filter((q) => q.deadLetterQueue === source);
      if (origins.length === 0) {
        throw new SqsError(
          'InvalidParameterValue',
          'Source queue must be configured as a Dead Letter Queue.',
        );
      }
      const before = source.counts().visible;
      let moved = 0;
      if (destinationArn) moved = source.moveMessagesTo(byArn(destinationArn));
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
      tasks.push(task);
      return { TaskHandle: task.TaskHandle };
    },

    ListMessageMoveTasks(input) {
      const sourceArn = required(input, 'SourceArn');
      return { Results: tasks.filter((t) => t.SourceArn === sourceArn).reverse() };
    },
  };

  const handler: http.RequestListener = (req, res) => {
    void (async () => {
      try {
        const target = String(req.headers['x-amz-target'] ?? '');
        const operation = target.startsWith('AmazonSQS.')
          ? operations[target.slice('AmazonSQS.'.length)]
          : undefined;
        const body = await readBody(req, MAX_BODY_BYTES);
        if (body === undefined) throw new SqsError('InvalidParameterValue', 'The request is too large.');
        const text = body.toString('utf8');
        if (!operation) {
          send(res, 400, {
            __type: 'com.amazon.coral.service#UnknownOperationException',
            message: `Unsupported operation ${target}`,
          });
          return;
        }
        let input: Input = {};
        if (text.trim() !== '') {
          const parsed: unknown = JSON.parse(text);
          if (typeof parsed === 'object' && parsed !== null) input = parsed as Input;
        }
        const output = await operation(input, req, res);
        if (!res.writableEnded && !res.destroyed) send(res, 200, output);
      } catch (err) {
        if (res.writableEnded || res.destroyed) return;
        if (err instanceof SqsError) {
          const queryCode = QUERY_CODES[err.code] ?? err.code;
          send(
            res,
            400,
            { __type: `com.amazonaws.sqs#${err.code}`, message: err.message },
            { 'x-amzn-query-error': `${queryCode};${err.senderFault ? 'Sender' : 'Receiver'}` },
          );
        } else if (err instanceof SyntaxError) {
          send(res, 400, {
            __type: 'com.amazonaws.sqs#InvalidParameterValue',
            message: `Invalid JSON: ${err.message}`,
          });
        } else {
          send(
            res,
            500,
            { __type: 'com.amazonaws.sqs#InternalError', message: String((err as Error)?.message ?? err) },
            {
              'x-amzn-query-error': 'InternalError;Receiver',
            },
          );
        }
      }
    })();
  };

  return {
    handler,
    addQueue,
    queueByArn,
    close: () => {
      for (const { queue } of userQueues?.opened ?? []) queue.close();
    },
  };
}
