import './polyfill';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { sfnError } from './errors';

/** How a Task state reaches Lambda. */
export type TaskKind = 'lambda:invoke' | 'lambda-arn';

export interface TaskInfo {
  kind: TaskKind;
  /** The Task's `Resource` field. */
  resource: string;
}

export interface AnalyzedDefinition {
  /** The parsed, validated definition (as written). */
  definition: StateMachineDefinition;
  /** Every Task state (root, Parallel branches and Map processors), keyed by state name. */
  tasks: Map<string, TaskInfo>;
}

export const LAMBDA_INVOKE_RESOURCE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,140}(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?$/;

/** Fields the library does not implement (it would ignore them silently or fail at run time). */
const UNSUPPORTED_STATE_FIELDS: Record<string, string> = {
  Assign: 'variables (Assign) are not supported by the local engine',
  Arguments: 'JSONata (Arguments) is not supported by the local engine',
  Output: 'JSONata (Output) is not supported by the local engine',
  Items: 'JSONata (Items) is not supported by the local engine',
  ItemReader: 'Distributed Map ItemReader is not supported by the local engine',
  ResultWriter: 'Distributed Map ResultWriter is not supported by the local engine',
  ItemBatcher: 'Distributed Map ItemBatcher is not supported by the local engine',
};

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Visits every state of a (sub-)machine, recursing into Parallel branches and Map processors. */
function forEachState(machine: unknown, visit: (name: string, state: Json) => void): void {
  if (!isObject(machine) || !isObject(machine.States)) return;
  for (const [name, state] of Object.entries(machine.States)) {
    if (!isObject(state)) continue;
    visit(name, state);
    if (Array.isArray(state.Branches)) {
      for (const branch of state.Branches) forEachState(branch, visit);
    }
    forEachState(state.ItemProcessor ?? state.Iterator, visit);
  }
}

/**
 * Parses and validates a definition (already substituted): JSON syntax, the library's validator
 * (asl-validator with ARN and path checks on), then what the local engine can run. Throws an
 * `InvalidDefinition` service error with a readable message.
 */
export function analyzeDefinition(text: string): AnalyzedDefinition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw sfnError.invalidDefinition(`INVALID_JSON_DESCRIPTION: ${(error as Error).message}`);
  }
  if (!isObject(parsed))
    throw sfnError.invalidDefinition('SCHEMA_VALIDATION_FAILED: definition is not an object');
  const problems: string[] = [];
  if (parsed.QueryLanguage === 'JSONata')
    problems.push('QueryLanguage JSONata is not supported by the local engine');
  const tasks = new Map<string, TaskInfo>();
  forEachState(parsed, (name, state) => {
    if (state.QueryLanguage === 'JSONata')
      problems.push(`State '${name}': QueryLanguage JSONata is not supported`);
    for (const [field, why] of Object.entries(UNSUPPORTED_STATE_FIELDS)) {
      if (field in state) problems.push(`State '${name}': ${why}`);
    }
    if (state.Type !== 'Task') return;
    const resource = state.Resource;
    if (typeof resource !== 'string') return; // the schema validator reports it
    if (resource === LAMBDA_INVOKE_RESOURCE) {
      tasks.set(name, { kind: 'lambda:invoke', resource });
    } else if (LAMBDA_FUNCTION_ARN.test(resource)) {
      tasks.set(name, { kind: 'lambda-arn', resource });
    } else {
      problems.push(
        `State '${name}': Resource '${resource}' is not supported locally ` +
          `(only '${LAMBDA_INVOKE_RESOURCE}' and Lambda function ARNs are emulated)`,
      );
    }
  });
  try {
    // The constructor runs asl-validator; ARN checks are on because placeholders are substituted by now.
    // It is given a copy because asl-validator mutates the definition (it adds QueryLanguage fields).
    new StateMachine(structuredClone(parsed) as unknown as StateMachineDefinition, {
      validationOptions: { checkArn: true, checkPaths: true },
    });
  } catch (error) {
    const message = (error as Error).message.replace(
      /^State machine definition is invalid, see error\(s\) below:\s*/,
      '',
    );
    problems.unshift(`SCHEMA_VALIDATION_FAILED: ${message.trim()}`);
  }
  if (problems.length > 0) throw sfnError.invalidDefinition(problems.join('; '));
  return { definition: parsed as unknown as StateMachineDefinition, tasks };
}

/** Largest timeout Node's setTimeout accepts without overflowing to 1 ms, in seconds. */
const MAX_TIMER_SECONDS = Math.floor(0x7fffffff / 1000);

export interface RunDefinitionOptions {
  /** Multiplies every retry wait (IntervalSeconds and MaxDelaySeconds); 1 keeps them as written. */
  retryIntervalScale: number;
  /** Execution time limit when the definition has no TimeoutSeconds (Express: 300 s). */
  defaultTimeoutSeconds: number;
}

/**
 * Returns a copy of the definition prepared for the local engine (run with validation off, the
 * original was validated by `analyzeDefinition`):
 * - retry waits scaled: wait = min(IntervalSeconds * BackoffRate^n, MaxDelaySeconds), with FULL
 *   jitter a random value in [0, wait]; multiplying IntervalSeconds (default 1) and MaxDelaySeconds
 *   by the same factor scales every wait exactly, keeping backoff, cap and jitter as written (the
 *   library's own `retryIntervalOverrides` would replace the computation by a constant instead);
 * - a top-level TimeoutSeconds (Express executions last at most 5 minutes on AWS);
 * - Task states without a timeout get the execution limit instead of the library's default of 60 s
 *   (AWS's default is 99999999 s, i.e. bounded by the execution limit).
 */
export function prepareRunDefinition(
  definition: StateMachineDefinition,
  options: RunDefinitionOptions,
): StateMachineDefinition {
  const copy = structuredClone(definition) as unknown as Json;
  const executionTimeout = Math.min(
    typeof copy.TimeoutSeconds === 'number' ? copy.TimeoutSeconds : options.defaultTimeoutSeconds,
    MAX_TIMER_SECONDS,
  );
  copy.TimeoutSeconds = executionTimeout;
  const scale = options.retryIntervalScale;
  forEachState(copy, (_name, state) => {
    if (
      state.Type === 'Task' &&
      state.TimeoutSeconds === undefined &&
      state.TimeoutSecondsPath === undefined
    ) {
      state.TimeoutSeconds = executionTimeout;
    }
    if (scale === 1 || !Array.isArray(state.Retry)) return;
    for (const retrier of state.Retry) {
      if (!isObject(retrier)) continue;
      retrier.IntervalSeconds =
        (typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1) * scale;
      if (typeof retrier.MaxDelaySeconds === 'number') retrier.MaxDelaySeconds *= scale;
    }
  });
  return copy as unknown as StateMachineDefinition;
}
