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
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { readBody } from '../http-body';
import { EventBridgeError, eventsError } from './errors';
import { type DeliveryContext, TargetInputError, targetInput, validateTargetInput } from './input';
import { InvalidEventPatternError, matchesEventPattern, parseEventPattern } from './patterns';
import { type BusEvent, buildEvent, entriesOf, eventTime, PutEventsEntryError } from './put-events';
import { openRuleStore, type StoredRule, type StoredTarget } from './store';

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

type Input = Record<string, unknown>;

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const MAX_TARGETS_PER_RULE = 5;
const MAX_PATTERN_LENGTH = 4096;
const MAX_BODY_BYTES = 1024 * 1024;
const TARGET_FIELDS = ['Input', 'InputPath', 'InputTransformer'] as const;

function text(input: Input, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw eventsError.validation(`${field} must be a string.`);
  return value;
}

function named(input: Input, field: string): string {
  const value = text(input, field) ?? '';
  if (!NAME.test(value)) {
    throw eventsError.validation(
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ (1 to 64 characters).`,
    );
  }
  return value;
}

/** A page of `items` from `NextToken` (an offset), at most `Limit` long. */
function page<T>(items: T[], input: Input): { items: T[]; NextToken?: string } {
  const limit = typeof input.Limit === 'number' ? input.Limit : 100;
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= 100)) {
    throw eventsError.validation('Limit must be a whole number from 1 to 100.');
  }
  const token = text(input, 'NextToken');
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!(Number.isInteger(start) && start >= 0)) throw eventsError.validation('The NextToken is not valid.');
  const end = start + limit;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { NextToken: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}

function send(res: http.ServerResponse, status: number, body: unknown, errorType?: string): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(payload);
}

export function createEventBridgeService(options: EventBridgeServiceOptions): EventBridgeService {
  const { region, accountId } = options;
  const log = options.log ?? (() => undefined);
  const store = openRuleStore(options.dir);
  const buses = ['default', ...options.eventBusNames.filter((name) => name !== 'default')];
  const busArn = (name: string) => `arn:aws:events:${region}:${accountId}:event-bus/${name}`;
  const ruleArn = (rule: { eventBusName: string; name: string }) =>
    `arn:aws:events:${region}:${accountId}:rule/${rule.eventBusName === 'default' ? '' : `${rule.eventBusName}/`}${rule.name}`;

  /** A bus named by name or ARN (default: `default`); throws when there is none. */
  const busOf = (given: unknown): string => {
    const value = typeof given === 'string' && given !== '' ? given : 'default';
    const name = value.startsWith('arn:')
      ? /^arn:aws:events:[^:]*:\d*:event-bus\/(.+)$/.exec(value)?.[1]
      : value;
    if (name !== undefined && buses.includes(name)) return name;
    throw eventsError.notFound(`Event bus ${value} does not exist.`);
  };

  const ruleOf = (input: Input, field = 'Name'): StoredRule => {
    const bus = busOf(input.EventBusName);
    const name = named(input, field);
    const rule = store.get(bus, name);
    if (!rule) throw eventsError.notFound(`Rule ${name} does not exist on EventBus ${bus}.`);
    return rule;
  };

  const parsePattern = (pattern: string) => {
    try {
      return parseEventPattern(pattern);
    } catch (error) {
      if (error instanceof InvalidEventPatternError) throw eventsError.invalidPattern(error.message);
      throw error;
    }
  };

  const describe = (rule: StoredRule) => ({
    Name: rule.name,
    Arn: ruleArn(rule),
    EventPattern: rule.eventPattern,
    State: rule.state,
    ...(rule.description !== undefined ? { Description: rule.description } : {}),
    EventBusName: rule.eventBusName,
    CreatedBy: accountId,
  });

  const deliverTo = (rule: StoredRule, target: StoredTarget, event: BusEvent, context: DeliveryContext) => {
    const where = `rule ${rule.eventBusName}/${rule.name}, target ${target.Id}`;
    const queue = options.findQueue(target.Arn);
    if (!queue) {
      log(`${where}: no queue ${target.Arn}; event ${event.id} dropped (FailedInvocations)`);
      return;
    }
    try {
      queue.sendMessage(targetInput(target, event, context));
    } catch (error) {
      log(`${where}: event ${event.id} not delivered to ${target.Arn}: ${String(error)}`);
    }
  };

  const deliver = (bus: string, event: BusEvent) => {
    const ingestionTime = eventTime(new Date());
    for (const rule of store.rules(bus)) {
      if (rule.state !== 'ENABLED' || !matchesEventPattern(store.pattern(rule), event)) continue;
      const context = { ruleArn: ruleArn(rule), ruleName: rule.name, ingestionTime };
      for (const target of rule.targets) deliverTo(rule, target, event, context);
    }
  };

  const checkTarget = (value: unknown): StoredTarget => {
    const target = (typeof value === 'object' && value !== null ? value : {}) as Input;
    const id = named(target, 'Id');
    const arn = text(target, 'Arn');
    if (!arn) throw eventsError.validation(`Target ${id} needs an Arn.`);
    const input = Object.fromEntries(
      TARGET_FIELDS.filter((f) => target[f] !== undefined).map((f) => [f, target[f]]),
    );
    try {
      validateTargetInput(input);
    } catch (error) {
      if (error instanceof TargetInputError) throw eventsError.validation(`Target ${id}: ${error.message}`);
      throw error;
    }
    return { Id: id, Arn: arn, ...input };
  };

  const setState = (input: Input, state: StoredRule['state']) => {
    store.update(ruleOf(input), (rule) => {
      rule.state = state;
    });
    return {};
  };

  const operations: Record<string, (input: Input) => unknown> = {
    PutEvents(input) {
      const entries = entriesOf(input);
      const Entries = entries.map((entry) => {
        try {
          const bus = busOf(entry.EventBusName);
          const event = buildEvent(entry, { region, accountId });
          deliver(bus, event);
          return { EventId: event.id };
        } catch (error) {
          if (error instanceof PutEventsEntryError)
            return { ErrorCode: error.code, ErrorMessage: error.message };
          if (error instanceof EventBridgeError)
            return { ErrorCode: error.type, ErrorMessage: error.message };
          throw error;
        }
      });
      return { FailedEntryCount: Entries.filter((e) => 'ErrorCode' in e).length, Entries };
    },

    PutRule(input) {
      const name = named(input, 'Name');
      const eventBusName = busOf(input.EventBusName);
      if (text(input, 'ScheduleExpression') !== undefined) {
        throw eventsError.validation(
          'The local EventBridge does not run scheduled rules (ScheduleExpression); give an EventPattern.',
        );
      }
      const eventPattern = text(input, 'EventPattern');
      if (eventPattern === undefined) {
        throw eventsError.validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
      }
      if (eventPattern.length > MAX_PATTERN_LENGTH) {
        throw eventsError.validation(`EventPattern is longer than ${MAX_PATTERN_LENGTH} characters.`);
      }
      parsePattern(eventPattern);
      const state = text(input, 'State') ?? 'ENABLED';
      if (!['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'].includes(state)) {
        throw eventsError.validation(`State must be ENABLED or DISABLED, not ${state}.`);
      }
      const description = text(input, 'Description');
      if (description !== undefined && description.length > 512) {
        throw eventsError.validation('Description is longer than 512 characters.');
      }
      const rule = store.put({
        name,
        eventBusName,
        eventPattern,
        state: state === 'DISABLED' ? 'DISABLED' : 'ENABLED',
        ...(description !== undefined ? { description } : {}),
      });
      return { RuleArn: ruleArn(rule) };
    },

    DescribeRule: (input) => describe(ruleOf(input)),

    ListRules(input) {
      const prefix = text(input, 'NamePrefix') ?? '';
      const rules = store.rules(busOf(input.EventBusName)).filter((rule) => rule.name.startsWith(prefix));
      const { items, NextToken } = page(rules, input);
      return { Rules: items.map(describe), ...(NextToken ? { NextToken } : {}) };
    },

    DeleteRule(input) {
      const bus = busOf(input.EventBusName);
      const rule = store.get(bus, named(input, 'Name'));
      if (!rule) return {};
      if (rule.targets.length > 0)
        throw eventsError.validation("Rule can't be deleted since it has targets.");
      store.delete(bus, rule.name);
      return {};
    },

    EnableRule: (input) => setState(input, 'ENABLED'),
    DisableRule: (input) => setState(input, 'DISABLED'),

    PutTargets(input) {
      const rule = ruleOf(input, 'Rule');
      const given = input.Targets;
      if (!Array.isArray(given) || given.length === 0 || given.length > 10) {
        throw eventsError.validation('Targets must be a list of 1 to 10 targets.');
      }
      const targets = given.map(checkTarget);
      const FailedEntries = targets
        .filter((t) => !/^arn:aws:sqs:[^:]+:\d{12}:[A-Za-z0-9_-]{1,80}$/.test(t.Arn))
        .map((t) => ({
          TargetId: t.Id,
          ErrorCode: 'ValidationException',
          ErrorMessage: `The local EventBridge delivers to SQS queues only (arn:aws:sqs:<region>:<account>:<queue>), not to ${t.Arn}.`,
        }));
      const accepted = targets.filter((t) => !FailedEntries.some((f) => f.TargetId === t.Id));
      const ids = new Set([...rule.targets.map((t) => t.Id), ...accepted.map((t) => t.Id)]);
      if (ids.size > MAX_TARGETS_PER_RULE) {
        throw eventsError.limitExceeded(
          `The requested resource exceeds the maximum number allowed: a rule has at most ${MAX_TARGETS_PER_RULE} targets.`,
        );
      }
      store.update(rule, (r) => {
        r.targets = [...r.targets.filter((t) => !accepted.some((a) => a.Id === t.Id)), ...accepted];
      });
      return { FailedEntryCount: FailedEntries.length, FailedEntries };
    },

    RemoveTargets(input) {
      const rule = ruleOf(input, 'Rule');
      const ids = Array.isArray(input.Ids)
        ? input.Ids.filter((id): id is string => typeof id === 'string')
        : [];
      if (ids.length === 0) throw eventsError.validation('Ids must be a list of target ids.');
      store.update(rule, (r) => {
        r.targets = r.targets.filter((t) => !ids.includes(t.Id));
      });
      return { FailedEntryCount: 0, FailedEntries: [] };
    },

    ListTargetsByRule(input) {
      const { items, NextToken } = page(ruleOf(input, 'Rule').targets, input);
      return { Targets: items, ...(NextToken ? { NextToken } : {}) };
    },

    ListEventBuses(input) {
      const prefix = text(input, 'NamePrefix') ?? '';
      const { items, NextToken } = page(
        buses.filter((name) => name.startsWith(prefix)),
        input,
      );
      return {
        EventBuses: items.map((Name) => ({ Name, Arn: busArn(Name) })),
        ...(NextToken ? { NextToken } : {}),
      };
    },

    DescribeEventBus(input) {
      const name = busOf(input.Name);
      return { Name: name, Arn: busArn(name) };
    },

    TestEventPattern(input) {
      const pattern = parsePattern(text(input, 'EventPattern') ?? '');
      let event: unknown;
      try {
        event = JSON.parse(text(input, 'Event') ?? '');
      } catch {
        throw eventsError.validation('Parameter Event is not valid: it is not JSON.');
      }
      const missing = ['id', 'account', 'source', 'time', 'region', 'detail-type'].filter(
        (field) => typeof (event as Input | null)?.[field] !== 'string',
      );
      if (missing.length > 0) {
        throw eventsError.validation(`Parameter Event is not valid: it needs ${missing.join(', ')}.`);
      }
      return { Result: matchesEventPattern(pattern, event) };
    },
  };

  const handler: http.RequestListener = (req, res) => {
    void (async () => {
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
        if (body === undefined)
          throw eventsError.validation(`The request is larger than ${MAX_BODY_BYTES} bytes.`);
        let input: unknown;
        try {
          input = JSON.parse(body.toString('utf8') || '{}');
        } catch {
          throw new EventBridgeError('SerializationException', 'The request body is not JSON.');
        }
        if (typeof input !== 'object' || input === null || Array.isArray(input)) {
          throw new EventBridgeError('SerializationException', 'The request body must be a JSON object.');
        }
        send(res, 200, operation(input as Input));
      } catch (error) {
        if (res.headersSent) return;
        if (error instanceof EventBridgeError) {
          send(res, 400, { __type: error.type, message: error.message }, error.type);
        } else {
          log(`internal error: ${String(error)}`);
          send(res, 500, { __type: 'InternalException', message: String(error) }, 'InternalException');
        }
      }
    })();
  };

  return { handler };
}
