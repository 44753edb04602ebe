/**
 * The local EventBridge's rules and their targets, kept in `<dir>/rules.json` so that they
 * survive a restart of the local cloud (as its queues do). Every change rewrites the file
 * whole: a temporary file, fsync, rename, so a crash leaves the old or the new state, never half.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readJsonList, writeJsonList } from '../json-list-file';
import type { TargetInput } from './input';
import { type EventPattern, parseEventPattern } from './patterns';

export type RuleState = 'ENABLED' | 'DISABLED';

export interface StoredTarget extends TargetInput {
  Id: string;
  Arn: string;
}

export interface StoredRule {
  name: string;
  eventBusName: string;
  /** The pattern as the user gave it (DescribeRule returns this text). */
  eventPattern: string;
  state: RuleState;
  description?: string;
  targets: StoredTarget[];
}

export interface RuleStore {
  /** The rules of one bus, in creation order. */
  rules(eventBusName: string): StoredRule[];
  get(eventBusName: string, name: string): StoredRule | undefined;
  /** The parsed pattern of a rule (parsed once). */
  pattern(rule: StoredRule): EventPattern;
  /** Creates or replaces a rule (keeping its targets), then saves. */
  put(rule: Omit<StoredRule, 'targets'>): StoredRule;
  /** Applies a change to a rule, then saves. */
  update(rule: StoredRule, change: (rule: StoredRule) => void): void;
  delete(eventBusName: string, name: string): void;
}

const key = (bus: string, name: string) => `${bus}\u0000${name}`;

export function openRuleStore(dir: string): RuleStore {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'rules.json');
  const rules = new Map<string, StoredRule>();
  const patterns = new WeakMap<StoredRule, EventPattern>();
  for (const rule of readJsonList<StoredRule>(file, 'rules', "the local EventBridge's rules"))
    rules.set(key(rule.eventBusName, rule.name), rule);

  const save = () => writeJsonList(file, 'rules', [...rules.values()]);

  return {
    rules: (eventBusName) => [...rules.values()].filter((rule) => rule.eventBusName === eventBusName),
    get: (eventBusName, name) => rules.get(key(eventBusName, name)),
    pattern(rule) {
      let pattern = patterns.get(rule);
      if (!pattern) {
        pattern = parseEventPattern(rule.eventPattern);
        patterns.set(rule, pattern);
      }
      return pattern;
    },
    put(fields) {
      const existing = rules.get(key(fields.eventBusName, fields.name));
      const rule: StoredRule = { ...fields, targets: existing?.targets ?? [] };
      rules.set(key(rule.eventBusName, rule.name), rule);
      save();
      return rule;
    },
    update(rule, change) {
      change(rule);
      save();
    },
    delete(eventBusName, name) {
      if (rules.delete(key(eventBusName, name))) save();
    },
  };
}
