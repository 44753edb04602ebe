/** The EventBridge operations, each taking the service's buses and the request's JSON input. */

import { type Buses, busArn, busOf, deliver, describeRule, parsePattern, ruleArn, ruleOf } from './buses';
import { EventBridgeError, eventsError } from './errors';
import { TargetInputError, validateTargetInput } from './input';
import { matchesEventPattern } from './patterns';
import { buildEvent, entriesOf, PutEventsEntryError } from './put-events';
import { type Input, named, page, text } from './request';
import type { StoredRule, StoredTarget } from './store';

export type Operation = (buses: Buses, input: Input) => unknown;

const MAX_TARGETS_PER_RULE = 5;
const MAX_PATTERN_LENGTH = 4096;
const TARGET_FIELDS = ['Input', 'InputPath', 'InputTransformer'] as const;

const putEvents: Operation = (buses, input) => {
  const entries = entriesOf(input);
  const Entries = entries.map((entry) => {
    try {
      const bus = busOf(buses, entry.EventBusName);
      const event = buildEvent(entry, { region: buses.region, accountId: buses.accountId });
      deliver(buses, bus, event);
      return { EventId: event.id };
    } catch (error) {
      if (error instanceof PutEventsEntryError) return { ErrorCode: error.code, ErrorMessage: error.message };
      if (error instanceof EventBridgeError) return { ErrorCode: error.type, ErrorMessage: error.message };
      throw error;
    }
  });
  return { FailedEntryCount: Entries.filter((e) => 'ErrorCode' in e).length, Entries };
};

const putRule: Operation = (buses, input) => {
  const name = named(input, 'Name');
  const eventBusName = busOf(buses, input.EventBusName);
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
  const rule = buses.store.put({
    name,
    eventBusName,
    eventPattern,
    state: state === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    ...(description !== undefined ? { description } : {}),
  });
  return { RuleArn: ruleArn(buses, rule) };
};

function checkTarget(value: unknown): StoredTarget {
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
}

const putTargets: Operation = (buses, input) => {
  const rule = ruleOf(buses, input, 'Rule');
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
  buses.store.update(rule, (r) => {
    r.targets = [...r.targets.filter((t) => !accepted.some((a) => a.Id === t.Id)), ...accepted];
  });
  return { FailedEntryCount: FailedEntries.length, FailedEntries };
};

function setState(buses: Buses, input: Input, state: StoredRule['state']) {
  buses.store.update(ruleOf(buses, input), (rule) => {
    rule.state = state;
  });
  return {};
}

const testEventPattern: Operation = (_buses, input) => {
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
};

/** The operations by their `X-Amz-Target` name (after `AWSEvents.`). */
export const operations: Record<string, Operation> = {
  PutEvents: putEvents,
  PutRule: putRule,
  DescribeRule: (buses, input) => describeRule(buses, ruleOf(buses, input)),
  ListRules(buses, input) {
    const prefix = text(input, 'NamePrefix') ?? '';
    const rules = buses.store
      .rules(busOf(buses, input.EventBusName))
      .filter((rule) => rule.name.startsWith(prefix));
    const { items, NextToken } = page(rules, input);
    return { Rules: items.map((rule) => describeRule(buses, rule)), ...(NextToken ? { NextToken } : {}) };
  },
  DeleteRule(buses, input) {
    const bus = busOf(buses, input.EventBusName);
    const rule = buses.store.get(bus, named(input, 'Name'));
    if (!rule) return {};
    if (rule.targets.length > 0) throw eventsError.validation("Rule can't be deleted since it has targets.");
    buses.store.delete(bus, rule.name);
    return {};
  },
  EnableRule: (buses, input) => setState(buses, input, 'ENABLED'),
  DisableRule: (buses, input) => setState(buses, input, 'DISABLED'),
  PutTargets: putTargets,
  RemoveTargets(buses, input) {
    const rule = ruleOf(buses, input, 'Rule');
    const ids = Array.isArray(input.Ids)
      ? input.Ids.filter((id): id is string => typeof id === 'string')
      : [];
    if (ids.length === 0) throw eventsError.validation('Ids must be a list of target ids.');
    buses.store.update(rule, (r) => {
      r.targets = r.targets.filter((t) => !ids.includes(t.Id));
    });
    return { FailedEntryCount: 0, FailedEntries: [] };
  },
  ListTargetsByRule(buses, input) {
    const { items, NextToken } = page(ruleOf(buses, input, 'Rule').targets, input);
    return { Targets: items, ...(NextToken ? { NextToken } : {}) };
  },
  ListEventBuses(buses, input) {
    const prefix = text(input, 'NamePrefix') ?? '';
    const { items, NextToken } = page(
      buses.names.filter((name) => name.startsWith(prefix)),
      input,
    );
    return {
      EventBuses: items.map((Name) => ({ Name, Arn: busArn(buses, Name) })),
      ...(NextToken ? { NextToken } : {}),
    };
  },
  DescribeEventBus(buses, input) {
    const name = busOf(buses, input.Name);
    return { Name: name, Arn: busArn(buses, name) };
  },
  TestEventPattern: testEventPattern,
};
