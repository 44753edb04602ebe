import './polyfill';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { ExecutionListItem } from '@aws-sdk/client-sfn';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
} from 'aws-local-stepfunctions';
import { analyzeDefinition, prepareRunDefinition, type TaskInfo } from './definition';
import { SfnServiceError, sfnError } from './errors';
import { HistoryRecorder, type LibraryEvent } from './history';
import { createHandler } from './http';
import { lambdaErrorToTaskError, lambdaInvokeResponse, normalizeFunctionArn } from './lambda-tasks';
import { assertPromiseWithResolvers } from './polyfill';
import { loadHistory, paginate, stripExecutionData, validateName } from './records';
import type {
  CreateStateMachineInput,
  ExecutionRecord,
  StartExecutionInput,
  StateMachineRecord,
  StepFunctionsService,
  StepFunctionsServiceOptions,
} from './types';

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
