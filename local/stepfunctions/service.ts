import './polyfill';
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import type http from 'node:http';
import { join } from 'node:path';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type {
  DescribeExecutionOutput,
  DescribeStateMachineOutput,
  ExecutionListItem,
  ExecutionStatus,
  GetExecutionHistoryOutput,
  HistoryEvent,
  ListExecutionsOutput,
  ListStateMachinesOutput,
  StartExecutionOutput,
  StartSyncExecutionOutput,
} from '@aws-sdk/client-sfn';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
} from 'aws-local-stepfunctions';
import {
  type AnalyzedDefinition,
  analyzeDefinition,
  prepareRunDefinition,
  type TaskInfo,
} from './definition';
import { SfnServiceError, sfnError } from './errors';
import { HistoryRecorder, type LibraryEvent } from './history';
import { createHandler } from './http';
import { assertPromiseWithResolvers } from './polyfill';

export type InvokeLambda = (functionArn: string, payload: unknown) => Promise<unknown>;

export interface StepFunctionsServiceOptions {
  region: string;
  accountId: string;
  /**
   * Runs a Lambda function (ARN possibly qualified: `...:function:name:live`). Must reject with an
   * Error whose `name` is the function's errorType and `message` its errorMessage when the function
   * fails; an optional `trace: string[]` property becomes the Cause's `trace`.
   */
  invokeLambda: InvokeLambda;
  /** Multiplies every Retry wait (e.g. 0.01 in tests). Default 1. */
  retryIntervalScale?: number;
  /** When set, each finished execution is appended as a JSON line to `<historyDir>/executions.jsonl`
   * and the last `maxExecutions` are loaded back at startup. */
  historyDir?: string;
  /** Executions kept in memory (oldest dropped first). Default 1000. */
  maxExecutions?: number;
}

export type StateMachineType = 'EXPRESS' | 'STANDARD';

export interface CreateStateMachineInput {
  name: string;
  /** The definition text, with any `${Placeholders}` already substituted (see substituteDefinition). */
  definition: string;
  type?: StateMachineType;
  roleArn?: string;
}

export interface StartExecutionInput {
  stateMachineArn: string;
  /** JSON text; default "{}". */
  input?: string;
  /** Default: a random UUID. */
  name?: string;
}

export interface ListExecutionsInput {
  stateMachineArn: string;
  statusFilter?: ExecutionStatus;
  maxResults?: number;
  nextToken?: string;
}

export interface GetExecutionHistoryInput {
  executionArn: string;
  maxResults?: number;
  reverseOrder?: boolean;
  nextToken?: string;
  includeExecutionData?: boolean;
}

export interface StepFunctionsService {
  /** AWS JSON 1.0 endpoint (`X-Amz-Target: AWSStepFunctions.<Op>`) for the edge router. */
  handler: http.RequestListener;
  createStateMachine(input: CreateStateMachineInput): { stateMachineArn: string; creationDate: Date };
  /** Replaces the definition (and role) of an existing state machine, as UpdateStateMachine. */
  updateStateMachine(input: { stateMachineArn: string; definition?: string; roleArn?: string }): {
    updateDate: Date;
  };
  deleteStateMachine(input: { stateMachineArn: string }): void;
  describeStateMachine(input: { stateMachineArn: string }): DescribeStateMachineOutput;
  listStateMachines(input?: { maxResults?: number; nextToken?: string }): ListStateMachinesOutput;
  /** Runs an EXPRESS state machine to completion (SUCCEEDED, FAILED or TIMED_OUT). */
  startSyncExecution(input: StartExecutionInput): Promise<StartSyncExecutionOutput>;
  /** Starts an execution in the background and returns at once. */
  startExecution(input: StartExecutionInput): StartExecutionOutput;
  stopExecution(input: { executionArn: string; error?: string; cause?: string }): { stopDate: Date };
  describeExecution(input: { executionArn: string }): DescribeExecutionOutput;
  listExecutions(input: ListExecutionsInput): ListExecutionsOutput;
  getExecutionHistory(input: GetExecutionHistoryInput): GetExecutionHistoryOutput;
  /** Resolves when every execution started so far has finished (for tests and shutdown). */
  settled(): Promise<void>;
}

interface StateMachineRecord {
  arn: string;
  name: string;
  type: StateMachineType;
  roleArn: string;
  definitionText: string;
  analyzed: AnalyzedDefinition;
  creationDate: Date;
}

interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  events: HistoryEvent[];
  abort?: () => void;
}

/** AWS rules for state machine and execution names: 1-80 characters, none of these. */
const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/u;

export function validateName(name: string): boolean {
  if (name.length < 1 || name.length > 80 || NAME_FORBIDDEN.test(name)) return false;
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return false; // control characters
  }
  return true;
}

/** The error a Task reports to the state machine: name = error name, message = Cause. */
class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** Shapes a rejected `invokeLambda` as Step Functions reports a Lambda function error. */
export function lambdaErrorToTaskError(error: unknown): TaskError {
  const e = error instanceof Error ? error : new Error(String(error));
  const errorType = e.name || 'Error';
  const trace = (e as { trace?: unknown }).trace;
  // AWS's Cause for a function error is the function's error payload as JSON.
  const cause = JSON.stringify({
    errorType,
    errorMessage: e.message,
    trace: Array.isArray(trace) ? trace.map(String) : [],
  });
  return new TaskError(errorType, cause);
}

const DEFAULT_ROLE = (accountId: string) => `arn:aws:iam::${accountId}:role/local-stepfunctions`;
const EXPRESS_MAX_SECONDS = 300;
const STANDARD_MAX_SECONDS = 365 * 24 * 3600;

export function createStepFunctionsService(options: StepFunctionsServiceOptions): StepFunctionsService {
  assertPromiseWithResolvers();
  const { region, accountId, invokeLambda } = options;
  const retryIntervalScale = options.retryIntervalScale ?? 1;
  const maxExecutions = options.maxExecutions ?? 1000;
  const stateMachines = new Map<string, StateMachineRecord>();
  const executions = new Map<string, ExecutionRecord>();
  const inflight = new Set<Promise<unknown>>();
  const arnPrefix = `arn:aws:states:${region}:${accountId}:`;
  const historyFile = options.historyDir ? join(options.historyDir, 'executions.jsonl') : undefined;

  if (historyFile && options.historyDir) {
    mkdirSync(options.historyDir, { recursive: true });
    for (const record of loadHistory(historyFile, maxExecutions)) executions.set(record.executionArn, record);
  }

  const stateMachineArnOf = (name: string) => `${arnPrefix}stateMachine:${name}`;

  function getStateMachine(arn: unknown): StateMachineRecord {
    if (
      typeof arn !== 'string' ||
      !/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/.test(arn)
    ) {
      throw sfnError.invalidArn(String(arn));
    }
    const record = stateMachines.get(arn);
    if (!record) throw sfnError.stateMachineDoesNotExist(arn);
    return record;
  }

  function getExecution(arn: unknown): ExecutionRecord {
    if (
      typeof arn !== 'string' ||
      !/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(execution|express):/.test(arn)
    ) {
      throw sfnError.invalidArn(String(arn));
    }
    const record = executions.get(arn);
    if (!record) throw sfnError.executionDoesNotExist(arn);
    return record;
  }

  function remember(record: ExecutionRecord): void {
    executions.set(record.executionArn, record);
    while (executions.size > maxExecutions) {
      const oldest = executions.keys().next().value;
      if (oldest === undefined) break;
      executions.delete(oldest);
    }
  }

  function persist(record: ExecutionRecord): void {
    if (!historyFile) return;
    const { abort: _abort, ...data } = record;
    appendFileSync(historyFile, `${JSON.stringify(data)}\n`);
  }

  function createStateMachine(input: CreateStateMachineInput) {
    const type = input.type ?? 'STANDARD';
    if (type !== 'EXPRESS' && type !== 'STANDARD') {
      throw sfnError.validation(
        `1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint`,
      );
    }
    if (typeof input.name !== 'string' || !validateName(input.name))
      throw sfnError.invalidName(String(input.name));
    if (typeof input.definition !== 'string') throw sfnError.invalidDefinition('definition is required');
    const roleArn = input.roleArn ?? DEFAULT_ROLE(accountId);
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(roleArn)) throw sfnError.invalidArn(roleArn);
    const arn = stateMachineArnOf(input.name);
    const existing = stateMachines.get(arn);
    if (existing) {
      // AWS: idempotent for an identical request, StateMachineAlreadyExists otherwise.
      if (
        existing.definitionText === input.definition &&
        existing.type === type &&
        existing.roleArn === roleArn
      ) {
        return { stateMachineArn: arn, creationDate: existing.creationDate };
      }
      throw new SfnServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const analyzed = analyzeDefinition(input.definition);
    const creationDate = new Date();
    stateMachines.set(arn, {
      arn,
      name: input.name,
      type,
      roleArn,
      definitionText: input.definition,
      analyzed,
      creationDate,
    });
    return { stateMachineArn: arn, creationDate };
  }

  function makeTaskHandlers(tasks: Map<string, TaskInfo>, recorder: HistoryRecorder) {
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, task] of tasks) {
      handlers[stateName] = async (taskInput: unknown) => {
        // Ordering: the library's events reach the recorder through an async generator (microtasks).
        // Waiting for the next macrotask lets it record everything dispatched so far (e.g. this
        // state's StateEntered) before this attempt's own events, here and after the call.
        await nextMacrotask();
        const short = task.kind === 'lambda-arn';
        let functionArn = task.resource;
        let payload: unknown = taskInput;
        if (!short) {
          const parameters = (typeof taskInput === 'object' && taskInput !== null ? taskInput : {}) as Record<
            string,
            unknown
          >;
          functionArn = normalizeFunctionArn(parameters.FunctionName, region, accountId);
          payload = parameters.Payload ?? {};
        }
        const attempt = recorder.taskStarted(stateName, short, task.resource, taskInput);
        let result: unknown;
        try {
          result = (await invokeLambda(functionArn, payload)) ?? null;
        } catch (error) {
          const taskError = lambdaErrorToTaskError(error);
          await nextMacrotask();
          recorder.taskFailed(attempt, taskError.name, taskError.message);
          throw taskError;
        }
        const output = short ? result : lambdaInvokeResponse(functionArn, result);
        await nextMacrotask();
        recorder.taskSucceeded(attempt, output);
        return output;
      };
    }
    return handlers;
  }

  /** Starts an execution; `done` settles when the execution and its history are complete. */
  function launch(
    input: StartExecutionInput,
    sync: boolean,
  ): { record: ExecutionRecord; done: Promise<void> } {
    const sm = getStateMachine(input.stateMachineArn);
    if (sync && sm.type !== 'EXPRESS') {
      throw new SfnServiceError(
        'StateMachineTypeNotSupported',
        'This operation is not supported by this type of state machine',
      );
    }
    const name = input.name ?? randomUUID();
    if (typeof name !== 'string' || !validateName(name)) throw sfnError.invalidName(String(name));
    const inputText = input.input ?? '{}';
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(inputText);
    } catch (error) {
      throw new SfnServiceError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${(error as Error).message}'`,
      );
    }
    const executionArn =
      sm.type === 'EXPRESS'
        ? `${arnPrefix}express:${sm.name}:${name}:${randomUUID()}`
        : `${arnPrefix}execution:${sm.name}:${name}`;
    if (executions.has(executionArn)) {
      throw new SfnServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const recorder = new HistoryRecorder(sm.roleArn, region);
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: sm.arn,
      name,
      status: 'RUNNING',
      startDate: new Date(),
      input: inputText,
      events: recorder.events,
    };
    remember(record);
    const runDefinition = prepareRunDefinition(sm.analyzed.definition, {
      retryIntervalScale,
      defaultTimeoutSeconds: sm.type === 'EXPRESS' ? EXPRESS_MAX_SECONDS : STANDARD_MAX_SECONDS,
    });
    const machine = new StateMachine(runDefinition, { validationOptions: { noValidate: true } });
    const execution = machine.run(parsedInput as never, {
      overrides: { taskResourceLocalHandlers: makeTaskHandlers(sm.analyzed.tasks, recorder) as never },
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          RoleArn: sm.roleArn,
          StartTime: record.startDate.toISOString(),
        },
        StateMachine: { Id: sm.arn, Name: sm.name },
      },
    });
    record.abort = execution.abort;
    const consumeEvents = (async () => {
      for await (const event of execution.eventLogs) recorder.onLibraryEvent(event as LibraryEvent);
    })();
    const done = (async () => {
      try {
        const output = await execution.result;
        record.status = 'SUCCEEDED';
        record.output = JSON.stringify(output ?? null);
      } catch (error) {
        if (error instanceof ExecutionTimeoutError) {
          record.status = 'TIMED_OUT';
          record.error = 'States.Timeout';
          record.cause = 'The execution timed out.';
        } else if (error instanceof ExecutionAbortedError) {
          record.status = 'ABORTED';
        } else {
          const inner = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
          record.status = 'FAILED';
          record.error = inner instanceof Error ? inner.name : 'States.Runtime';
          record.cause = inner instanceof Error ? inner.message : String(inner);
        }
      }
      await consumeEvents;
      record.stopDate = new Date();
      record.abort = undefined;
      persist(record);
    })();
    inflight.add(done);
    done.finally(() => inflight.delete(done));
    return { record, done };
  }

  const service: StepFunctionsService = {
    handler: () => {},
    createStateMachine,
    updateStateMachine(input) {
      const sm = getStateMachine(input.stateMachineArn);
      if (input.roleArn !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(input.roleArn)) {
        throw sfnError.invalidArn(input.roleArn);
      }
      if (input.definition !== undefined) {
        sm.analyzed = analyzeDefinition(input.definition);
        sm.definitionText = input.definition;
      }
      if (input.roleArn !== undefined) sm.roleArn = input.roleArn;
      return { updateDate: new Date() };
    },
    deleteStateMachine(input) {
      getStateMachine(input.stateMachineArn);
      stateMachines.delete(input.stateMachineArn);
    },
    describeStateMachine(input) {
      const sm = getStateMachine(input.stateMachineArn);
      return {
        stateMachineArn: sm.arn,
        name: sm.name,
        status: 'ACTIVE',
        definition: sm.definitionText,
        roleArn: sm.roleArn,
        type: sm.type,
        creationDate: sm.creationDate,
        loggingConfiguration: { level: 'OFF', includeExecutionData: false },
        tracingConfiguration: { enabled: false },
      };
    },
    listStateMachines(input = {}) {
      const all = [...stateMachines.values()].map((sm) => ({
        stateMachineArn: sm.arn,
        name: sm.name,
        type: sm.type,
        creationDate: sm.creationDate,
      }));
      const { items, nextToken } = paginate(all, input.maxResults, input.nextToken);
      return { stateMachines: items, nextToken };
    },
    async startSyncExecution(input) {
      const { record, done } = launch(input, true);
      await done;
      const billedMs = Math.max(
        100,
        Math.ceil(((record.stopDate?.getTime() ?? Date.now()) - record.startDate.getTime()) / 100) * 100,
      );
      return {
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        startDate: record.startDate,
        stopDate: record.stopDate,
        status: record.status === 'SUCCEEDED' || record.status === 'TIMED_OUT' ? record.status : 'FAILED',
        input: record.input,
        inputDetails: { included: true },
        output: record.output,
        outputDetails: record.output === undefined ? undefined : { included: true },
        error: record.error,
        cause: record.cause,
        billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: billedMs },
      };
    },
    startExecution(input) {
      const { record } = launch(input, false);
      return { executionArn: record.executionArn, startDate: record.startDate };
    },
    stopExecution(input) {
      const record = getExecution(input.executionArn);
      record.abort?.();
      if (input.error !== undefined) record.error = input.error;
      if (input.cause !== undefined) record.cause = input.cause;
      return { stopDate: new Date() };
    },
    describeExecution(input) {
      const record = getExecution(input.executionArn);
      return {
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        status: record.status,
        startDate: record.startDate,
        stopDate: record.stopDate,
        input: record.input,
        inputDetails: { included: true },
        output: record.output,
        outputDetails: record.output === undefined ? undefined : { included: true },
        error: record.error,
        cause: record.cause,
      };
    },
    listExecutions(input) {
      const sm = getStateMachine(input.stateMachineArn);
      const matching: ExecutionListItem[] = [...executions.values()]
        .filter(
          (e) => e.stateMachineArn === sm.arn && (!input.statusFilter || e.status === input.statusFilter),
        )
        .reverse() // insertion order is start order: newest first
        .map((e) => ({
          executionArn: e.executionArn,
          stateMachineArn: e.stateMachineArn,
          name: e.name,
          status: e.status,
          startDate: e.startDate,
          stopDate: e.stopDate,
        }));
      const { items, nextToken } = paginate(matching, input.maxResults, input.nextToken);
      return { executions: items, nextToken };
    },
    getExecutionHistory(input) {
      const record = getExecution(input.executionArn);
      let events = record.events.map((event) =>
        input.includeExecutionData === false ? stripExecutionData(event) : { ...event },
      );
      if (input.reverseOrder) events = events.reverse();
      const { items, nextToken } = paginate(events, input.maxResults, input.nextToken);
      return { events: items, nextToken };
    },
    async settled() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
  };
  service.handler = createHandler(service);
  return service;
}

/** Accepts a function name, name:qualifier, partial or full ARN (as Lambda's FunctionName does). */
export function normalizeFunctionArn(functionName: unknown, region: string, accountId: string): string {
  if (typeof functionName !== 'string' || functionName.length === 0) {
    throw new TaskError(
      'States.Runtime',
      "The 'FunctionName' parameter of lambda:invoke must be a non-empty string",
    );
  }
  if (functionName.startsWith('arn:')) return functionName;
  if (/^\d{12}:function:/.test(functionName)) return `arn:aws:lambda:${region}:${functionName}`;
  return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
}

/** What `arn:aws:states:::lambda:invoke` returns on AWS (the Invoke API response). */
function lambdaInvokeResponse(functionArn: string, payload: unknown) {
  const qualifier = functionArn.split(':')[7];
  const executedVersion =
    qualifier === undefined || qualifier === '$LATEST'
      ? '$LATEST'
      : /^\d+$/.test(qualifier)
        ? qualifier
        : '1';
  const requestId = randomUUID();
  const headers = {
    Connection: 'keep-alive',
    'Content-Type': 'application/json',
    'X-Amz-Executed-Version': executedVersion,
    'x-amzn-Remapped-Content-Length': '0',
    'x-amzn-RequestId': requestId,
  };
  return {
    ExecutedVersion: executedVersion,
    Payload: payload,
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      HttpHeaders: headers,
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}

function paginate<T>(all: T[], maxResults: number | undefined, nextToken: string | undefined) {
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000)) {
    throw sfnError.validation(
      `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`,
    );
  }
  const pageSize = maxResults === undefined || maxResults === 0 ? 100 : maxResults;
  let start = 0;
  if (nextToken !== undefined) {
    const decoded = Number(
      Buffer.from(nextToken, 'base64url')
        .toString('utf8')
        .replace(/^offset:/, ''),
    );
    if (!Number.isInteger(decoded) || decoded < 0 || decoded > all.length) {
      throw new SfnServiceError('InvalidToken', `Invalid Token: '${nextToken}'`);
    }
    start = decoded;
  }
  const items = all.slice(start, start + pageSize);
  const next =
    start + pageSize < all.length
      ? Buffer.from(`offset:${start + pageSize}`).toString('base64url')
      : undefined;
  return { items, nextToken: next };
}

function stripExecutionData(event: HistoryEvent): HistoryEvent {
  const copy: Record<string, unknown> = { ...event };
  for (const [key, value] of Object.entries(copy)) {
    if (key.endsWith('EventDetails') && typeof value === 'object' && value !== null) {
      const { input: _i, output: _o, parameters: _p, ...rest } = value as Record<string, unknown>;
      copy[key] = rest;
    }
  }
  return copy as unknown as HistoryEvent;
}

function loadHistory(file: string, max: number): ExecutionRecord[] {
  if (!existsSync(file)) return [];
  const records: ExecutionRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const raw = JSON.parse(line) as ExecutionRecord & { startDate: string; stopDate?: string };
      records.push({
        ...raw,
        startDate: new Date(raw.startDate),
        stopDate: raw.stopDate === undefined ? undefined : new Date(raw.stopDate),
        events: raw.events.map((e) => ({ ...e, timestamp: new Date(e.timestamp as unknown as string) })),
      });
    } catch {
      // A torn last line (crash while writing) is skipped.
    }
  }
  return records.slice(-max);
}
