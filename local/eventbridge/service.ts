/**
 * A local EventBridge on the AWS JSON 1.1 protocol (`X-Amz-Target: AWSEvents.<Op>`): event
 * buses fixed at start (`default` and the stage's), rules with event patterns, SQS targets, and
 * PutEvents delivering every matching event to each enabled rule's targets, in the envelope,
 * the Input, InputPath or InputTransformer the target asks for. Rules and targets persist
 * under `dir`. Delivery happens before PutEvents answers, so a caller (or a test) that has its
 * answer finds the message in the queue. A target whose queue does not exist loses the event,
 * with a log line, as EventBridge counts a FailedInvocation.
 *
 * One deliberate difference: an entry for a bus that does not exist fails
 * (ResourceNotFoundException), where EventBridge has been seen to accept it and drop it.
 */
import type http from 'node:http';
import { readBody } from '../http-body';
import type { Buses } from './buses';
import { EventBridgeError, eventsError } from './errors';
import { operations } from './operations';
import { type Input, send } from './request';
import { openRuleStore } from './store';

export interface EventBridgeServiceOptions {
  /** Where rules and targets persist (e.g. `<dataDir>/events`). */
  dir: string;
  region: string;
  accountId: string;
  /** Buses besides `default`. */
  eventBusNames: readonly string[];
  /** The local queue with this ARN, if there is one. */
  findQueue(arn: string): { sendMessage(body: string): unknown } | undefined;
  /** Delivery problems (a missing queue, a failed send). */
  log?: (message: string) => void;
}

export interface EventBridgeService {
  handler: http.RequestListener;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** The request's JSON object; throws an EventBridgeError when it is missing or not an object. */
function parseInput(body: Buffer | undefined): Input {
  if (body === undefined) throw eventsError.validation(`The request is larger than ${MAX_BODY_BYTES} bytes.`);
  let input: unknown;
  try {
    input = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    throw new EventBridgeError('SerializationException', 'The request body is not JSON.');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new EventBridgeError('SerializationException', 'The request body must be a JSON object.');
  }
  return input as Input;
}

async function handle(buses: Buses, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  try {
    const target = String(req.headers['x-amz-target'] ?? '');
    const body = await readBody(req, MAX_BODY_BYTES);
    const operation = target.startsWith('AWSEvents.') ? operations[target.slice(10)] : undefined;
    if (!operation) {
      throw new EventBridgeError(
        'UnknownOperationException',
        `The local EventBridge does not serve ${target || 'this request'}.`,
      );
    }
    send(res, 200, operation(buses, parseInput(body)));
  } catch (error) {
    if (res.headersSent) return;
    if (error instanceof EventBridgeError) {
      send(res, 400, { __type: error.type, message: error.message }, error.type);
    } else {
      buses.log(`internal error: ${String(error)}`);
      send(res, 500, { __type: 'InternalException', message: String(error) }, 'InternalException');
    }
  }
}

export function createEventBridgeService(options: EventBridgeServiceOptions): EventBridgeService {
  const buses: Buses = {
    region: options.region,
    accountId: options.accountId,
    names: ['default', ...options.eventBusNames.filter((name) => name !== 'default')],
    store: openRuleStore(options.dir),
    findQueue: (arn) => options.findQueue(arn),
    log: options.log ?? (() => undefined),
  };
  return {
    handler: (req, res) => {
      void handle(buses, req, res);
    },
  };
}
