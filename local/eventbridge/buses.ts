/** The local EventBridge's buses and rules, and delivery of an event to the rules' targets. */
import { eventsError } from './errors';
import { type DeliveryContext, targetInput } from './input';
import { InvalidEventPatternError, matchesEventPattern, parseEventPattern } from './patterns';
import { type BusEvent, eventTime } from './put-events';
import { type Input, named } from './request';
import type { RuleStore, StoredRule, StoredTarget } from './store';

/** What one EventBridge service holds: its buses, its rule store, and where events go. */
export interface Buses {
  readonly region: string;
  readonly accountId: string;
  readonly names: string[];
  readonly store: RuleStore;
  readonly findQueue: (arn: string) => { sendMessage(body: string): unknown } | undefined;
  readonly log: (message: string) => void;
}

export function busArn(buses: Buses, name: string): string {
  return `arn:aws:events:${buses.region}:${buses.accountId}:event-bus/${name}`;
}

export function ruleArn(buses: Buses, rule: { eventBusName: string; name: string }): string {
  return `arn:aws:events:${buses.region}:${buses.accountId}:rule/${rule.eventBusName === 'default' ? '' : `${rule.eventBusName}/`}${rule.name}`;
}

/** A bus named by name or ARN (default: `default`); throws when there is none. */
export function busOf(buses: Buses, given: unknown): string {
  const value = typeof given === 'string' && given !== '' ? given : 'default';
  const name = value.startsWith('arn:')
    ? /^arn:aws:events:[^:]*:\d*:event-bus\/(.+)$/.exec(value)?.[1]
    : value;
  if (name !== undefined && buses.names.includes(name)) return name;
  throw eventsError.notFound(`Event bus ${value} does not exist.`);
}

export function ruleOf(buses: Buses, input: Input, field = 'Name'): StoredRule {
  const bus = busOf(buses, input.EventBusName);
  const name = named(input, field);
  const rule = buses.store.get(bus, name);
  if (!rule) throw eventsError.notFound(`Rule ${name} does not exist on EventBus ${bus}.`);
  return rule;
}

export function parsePattern(pattern: string) {
  try {
    return parseEventPattern(pattern);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) throw eventsError.invalidPattern(error.message);
    throw error;
  }
}

export function describeRule(buses: Buses, rule: StoredRule) {
  return {
    Name: rule.name,
    Arn: ruleArn(buses, rule),
    EventPattern: rule.eventPattern,
    State: rule.state,
    ...(rule.description !== undefined ? { Description: rule.description } : {}),
    EventBusName: rule.eventBusName,
    CreatedBy: buses.accountId,
  };
}

function deliverTo(
  buses: Buses,
  rule: StoredRule,
  target: StoredTarget,
  event: BusEvent,
  context: DeliveryContext,
): void {
  const where = `rule ${rule.eventBusName}/${rule.name}, target ${target.Id}`;
  const queue = buses.findQueue(target.Arn);
  if (!queue) {
    buses.log(`${where}: no queue ${target.Arn}; event ${event.id} dropped (FailedInvocations)`);
    return;
  }
  try {
    queue.sendMessage(targetInput(target, event, context));
  } catch (error) {
    buses.log(`${where}: event ${event.id} not delivered to ${target.Arn}: ${String(error)}`);
  }
}

export function deliver(buses: Buses, bus: string, event: BusEvent): void {
  const ingestionTime = eventTime(new Date());
  for (const rule of buses.store.rules(bus)) {
    if (rule.state !== 'ENABLED' || !matchesEventPattern(buses.store.pattern(rule), event)) continue;
    const context = { ruleArn: ruleArn(buses, rule), ruleName: rule.name, ingestionTime };
    for (const target of rule.targets) deliverTo(buses, rule, target, event, context);
  }
}
