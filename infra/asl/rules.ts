/**
 * The States Language rules this project checks itself, state by state (Parallel branches and
 * Map processors included): QueryLanguage values and the fields each language allows, every
 * path and intrinsic function of JSONPath states (infra/asl/paths.ts, infra/asl/intrinsics.ts),
 * Retry and Catch values, and Task and Map settings (infra/asl/resources.ts). Each problem names
 * the state and the field.
 */
import { analyzeIntrinsic, intrinsicArgs, isIntrinsic } from './intrinsics';
import { type PathScope, pathProblems } from './paths';
import { checkMapState, checkTaskResource, type FieldReport, mapMode } from './resources';

export interface AslProblem {
  /** The state, nested states joined with ' > ' (e.g. 'ReconcileBucket > ReconcileObject'). */
  state: string;
  field: string;
  message: string;
}

export type WorkflowType = 'STANDARD' | 'EXPRESS';
type Json = Record<string, unknown>;
type QueryLanguage = 'JSONPath' | 'JSONata';

export const QUERY_LANGUAGES: readonly QueryLanguage[] = ['JSONPath', 'JSONata'];
/** Fields a JSONata state cannot have (besides every field ending in Path). */
const JSONPATH_ONLY = ['InputPath', 'OutputPath', 'Parameters', 'ResultSelector', 'ResultPath'];
const JSONATA_ONLY = ['Arguments', 'Output', 'Items'];
/** Fields that hold a payload template: `.$` keys take a path or an intrinsic function. */
const PAYLOAD_FIELDS = ['Parameters', 'ResultSelector', 'ItemSelector', 'Credentials', 'Assign'];
const NESTED_PAYLOAD_FIELDS: [string, string][] = [
  ['ItemReader', 'Parameters'],
  ['ItemBatcher', 'BatchInput'],
  ['ResultWriter', 'Parameters'],
];
const RETRY_STATES = ['Task', 'Map', 'Parallel'];
const JITTER_STRATEGIES = ['FULL', 'NONE'];
const MAX_RETRY_COUNT = 99_999_999;
const MAX_DELAY_SECONDS = 31_622_400;

interface Walk {
  path: string[];
  language: QueryLanguage;
  /** The state runs in an Express execution (the workflow, or a Distributed Map's EXPRESS child). */
  express: boolean;
  variables: ReadonlySet<string>;
  problems: AslProblem[];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function reporter(walk: Walk, path: string[]): FieldReport {
  return (field, message) =>
    walk.problems.push({ state: path.length > 0 ? path.join(' > ') : '(top level)', field, message });
}

/** Every variable an Assign sets, anywhere (states, Catch, Choice rules, nested machines). */
function assignedVariables(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) assignedVariables(item, found);
  if (!isObject(value)) return found;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'Assign' && isObject(child)) {
      for (const name of Object.keys(child)) found.add(name.replace(/\.\$$/, ''));
    }
    assignedVariables(child, found);
  }
  return found;
}

/** Checks every `.$` value of a payload template (recursively). */
function checkPayload(template: unknown, field: string, scope: PathScope, report: FieldReport): void {
  if (Array.isArray(template)) {
    template.forEach((item, index) => {
      checkPayload(item, `${field}[${index}]`, scope, report);
    });
    return;
  }
  if (!isObject(template)) return;
  for (const [key, value] of Object.entries(template)) {
    const here = `${field}.${key}`;
    if (!key.endsWith('.$')) {
      checkPayload(value, here, scope, report);
    } else if (typeof value !== 'string') {
      report(here, 'a field ending in .$ holds a path or an intrinsic function (a string)');
    } else if (isIntrinsic(value)) {
      const { call, problems } = analyzeIntrinsic(value);
      for (const problem of problems) report(here, problem);
      for (const arg of call ? intrinsicArgs(call, 'path') : []) {
        for (const problem of pathProblems(arg.path, { ...scope, inIntrinsic: true })) report(here, problem);
      }
    } else {
      for (const problem of pathProblems(value, scope)) report(here, problem);
    }
  }
}

/** A JSONPath Choice rule: its Variable and `...Path` comparisons, through And, Or and Not. */
function checkChoiceRule(rule: unknown, field: string, scope: PathScope, report: FieldReport): void {
  if (!isObject(rule)) return;
  for (const [key, value] of Object.entries(rule)) {
    if ((key === 'Variable' || key.endsWith('Path')) && typeof value === 'string') {
      for (const problem of pathProblems(value, scope)) report(`${field}.${key}`, problem);
    }
  }
  for (const nested of ['And', 'Or']) {
    const list = rule[nested];
    if (Array.isArray(list)) {
      list.forEach((item, index) => {
        checkChoiceRule(item, `${field}.${nested}[${index}]`, scope, report);
      });
    }
  }
  if ('Not' in rule) checkChoiceRule(rule.Not, `${field}.Not`, scope, report);
}

function checkJsonPathState(state: Json, walk: Walk, report: FieldReport): void {
  const scope: PathScope = { mapItem: false, variables: walk.variables };
  const isMap = state.Type === 'Map';
  for (const field of PAYLOAD_FIELDS) {
    const mapItem = isMap && (field === 'ItemSelector' || field === 'Parameters');
    checkPayload(state[field], field, { ...scope, mapItem }, report);
  }
  for (const [outer, inner] of NESTED_PAYLOAD_FIELDS) {
    const holder = state[outer];
    if (isObject(holder)) checkPayload(holder[inner], `${outer}.${inner}`, scope, report);
  }
  for (const [field, value] of Object.entries(state)) {
    if (!field.endsWith('Path') || typeof value !== 'string') continue;
    if (field === 'ResultPath' && value.startsWith('$$')) {
      report(
        field,
        'ResultPath places the result in the state output: it cannot point into the context object',
      );
    } else {
      for (const problem of pathProblems(value, scope)) report(field, problem);
    }
  }
  if (Array.isArray(state.Choices)) {
    state.Choices.forEach((rule, index) => {
      checkChoiceRule(rule, `Choices[${index}]`, scope, report);
    });
  }
  if (Array.isArray(state.Catch)) {
    state.Catch.forEach((catcher, index) => {
      if (isObject(catcher)) checkPayload(catcher.Assign, `Catch[${index}].Assign`, scope, report);
    });
  }
}

function checkLanguageFields(state: Json, language: QueryLanguage, report: FieldReport): void {
  if (language === 'JSONata') {
    for (const field of Object.keys(state)) {
      if (JSONPATH_ONLY.includes(field) || field.endsWith('Path')) {
        report(field, 'a JSONata state has no JSONPath fields (use Arguments, Output and {% %} expressions)');
      }
    }
    return;
  }
  for (const field of JSONATA_ONLY) {
    if (field in state) report(field, `a JSONPath state has no ${field} (that is JSONata)`);
  }
  if (Array.isArray(state.Choices) && state.Choices.some((rule) => isObject(rule) && 'Condition' in rule)) {
    report('Choices', 'a JSONPath Choice rule has no Condition (that is JSONata)');
  }
}

function isCount(value: unknown, min: number, max: number): boolean {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

function checkRetrier(retrier: Json, field: string, report: FieldReport): void {
  const { IntervalSeconds, MaxAttempts, BackoffRate, MaxDelaySeconds, JitterStrategy } = retrier;
  if (IntervalSeconds !== undefined && !isCount(IntervalSeconds, 1, MAX_RETRY_COUNT)) {
    report(`${field}.IntervalSeconds`, `must be an integer from 1 to ${MAX_RETRY_COUNT}`);
  }
  if (MaxAttempts !== undefined && !isCount(MaxAttempts, 0, MAX_RETRY_COUNT)) {
    report(`${field}.MaxAttempts`, `must be an integer from 0 to ${MAX_RETRY_COUNT}`);
  }
  if (BackoffRate !== undefined && !(typeof BackoffRate === 'number' && BackoffRate >= 1)) {
    report(`${field}.BackoffRate`, 'must be a number of at least 1.0');
  }
  if (MaxDelaySeconds !== undefined && !isCount(MaxDelaySeconds, 1, MAX_DELAY_SECONDS)) {
    report(`${field}.MaxDelaySeconds`, `must be an integer from 1 to ${MAX_DELAY_SECONDS}`);
  }
  if (JitterStrategy !== undefined && !JITTER_STRATEGIES.includes(JitterStrategy as string)) {
    report(`${field}.JitterStrategy`, `${JSON.stringify(JitterStrategy)} is not one of FULL, NONE`);
  }
}

/** Retry values, and States.ALL alone in the last retrier or catcher. */
function checkErrorHandling(state: Json, report: FieldReport): void {
  for (const kind of ['Retry', 'Catch'] as const) {
    const rules = state[kind];
    if (!Array.isArray(rules)) continue;
    rules.forEach((rule, index) => {
      if (!isObject(rule)) return;
      const field = `${kind}[${index}]`;
      if (kind === 'Retry') checkRetrier(rule, field, report);
      const errors = Array.isArray(rule.ErrorEquals) ? rule.ErrorEquals : [];
      if (errors.includes('States.ALL') && (errors.length > 1 || index < rules.length - 1)) {
        report(
          `${field}.ErrorEquals`,
          `States.ALL must be alone, in the last ${kind === 'Retry' ? 'retrier' : 'catcher'}`,
        );
      }
    });
  }
}

function stateLanguage(state: Json, walk: Walk, report: FieldReport): QueryLanguage {
  const declared = state.QueryLanguage;
  if (declared === undefined) return walk.language;
  if (QUERY_LANGUAGES.includes(declared as QueryLanguage)) return declared as QueryLanguage;
  report('QueryLanguage', `${JSON.stringify(declared)} is not one of ${QUERY_LANGUAGES.join(', ')}`);
  return walk.language;
}

function checkState(name: string, state: Json, walk: Walk): void {
  const path = [...walk.path, name];
  const report = reporter(walk, path);
  const language = stateLanguage(state, walk, report);
  checkLanguageFields(state, language, report);
  if (language === 'JSONPath') checkJsonPathState(state, walk, report);
  if (RETRY_STATES.includes(state.Type as string)) checkErrorHandling(state, report);
  if (state.Type === 'Task') checkTaskResource(state.Resource, walk.express, report);
  if (state.Type === 'Map') {
    checkMapState(state, report);
    const { mode, executionType } = mapMode(state);
    const express = mode === 'DISTRIBUTED' ? executionType === 'EXPRESS' : walk.express;
    checkMachine(state.ItemProcessor ?? state.Iterator, { ...walk, path, language, express });
  }
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
    for (const branch of state.Branches) checkMachine(branch, { ...walk, path, language });
  }
}

function checkMachine(machine: unknown, walk: Walk): void {
  if (!isObject(machine) || !isObject(machine.States)) return; // the schema reports it
  for (const [name, state] of Object.entries(machine.States)) {
    if (isObject(state)) checkState(name, state, walk);
  }
}

/** Runs every rule over a parsed definition (substituted, as deployed). */
export function ruleProblems(definition: Json, type: WorkflowType): AslProblem[] {
  const problems: AslProblem[] = [];
  const top = reporter({ problems } as Walk, []);
  let language: QueryLanguage = 'JSONPath';
  if (definition.QueryLanguage !== undefined) {
    if (QUERY_LANGUAGES.includes(definition.QueryLanguage as QueryLanguage)) {
      language = definition.QueryLanguage as QueryLanguage;
    } else {
      top(
        'QueryLanguage',
        `${JSON.stringify(definition.QueryLanguage)} is not one of ${QUERY_LANGUAGES.join(', ')}`,
      );
    }
  }
  const walk: Walk = {
    path: [],
    language,
    express: type === 'EXPRESS',
    variables: assignedVariables(definition),
    problems,
  };
  checkMachine(definition, walk);
  return problems;
}
