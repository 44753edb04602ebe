/**
 * SQS endpoint for the AWS JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.<Op>`,
 * `Content-Type: application/x-amz-json-1.0`), as used by @aws-sdk/client-sqs v3 and current CLIs.
 * Credentials are not checked. Queue URLs are `http://<Host header>/<accountId>/<queueName>`.
 * Given a `dir`, users may also create and delete queues of their own (local/sqs/user-queues.ts);
 * the queues the service starts with cannot be deleted.
 */
import type http from 'node:http';
import { readBody } from '../http-body';
import { type Input, MAX_BODY_BYTES, QUERY_CODES, send } from './json-protocol';
import { operations } from './operations';
import { type Queue, SqsError } from './queue';
import { createRegistry, type QueueRegistry, queueByArn } from './registry';

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

function sendError(res: http.ServerResponse, err: unknown): void {
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

async function handle(registry: QueueRegistry, req: http.IncomingMessage, res: http.ServerResponse) {
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
    const output = await operation(registry, input, req, res);
    if (!res.writableEnded && !res.destroyed) send(res, 200, output);
  } catch (err) {
    if (res.writableEnded || res.destroyed) return;
    sendError(res, err);
  }
}

export function createSqsService(options: SqsServiceOptions): SqsService {
  const registry = createRegistry(options.queues, options);
  return {
    handler: (req, res) => {
      void handle(registry, req, res);
    },
    addQueue: (queue) => {
      registry.byName.set(queue.name, queue);
    },
    queueByArn: (arn) => queueByArn(registry, arn),
    close: () => {
      for (const { queue } of registry.userQueues?.opened ?? []) queue.close();
    },
  };
}
