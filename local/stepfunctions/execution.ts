import { randomUUID } from 'node:crypto';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
} from 'aws-local-stepfunctions';
import { prepareRunDefinition, type TaskInfo } from './definition';
import { SfnServiceError, sfnError } from './errors';
import { HistoryRecorder, type LibraryEvent } from './history';
import { lambdaErrorToTaskError, lambdaInvokeResponse, normalizeFunctionArn } from './lambda-tasks';
import { validateName } from './records';
import { getStateMachine, persist, remember, type SfnState } from './state';
import type { ExecutionRecord, StartExecutionInput, StateMachineRecord } from './types';

const EXPRESS_MAX_SECONDS = 300;
const STANDARD_MAX_SECONDS = 365 * 24 * 3600;

function makeTaskHandlers(state: SfnState, tasks: Map<string, TaskInfo>, recorder: HistoryRecorder) {
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
        functionArn = normalizeFunctionArn(parameters.FunctionName, state.region, state.accountId);
        payload = parameters.Payload ?? {};
      }
      const attempt = recorder.taskStarted(stateName, short, task.resource, taskInput);
      let result: unknown;
      try {
        result = (await state.invokeLambda(functionArn, payload)) ?? null;
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

/** The checks StartExecution and StartSyncExecution make before anything runs. */
function validateStart(state: SfnState, input: StartExecutionInput, sync: boolean) {
  const sm = getStateMachine(state, input.stateMachineArn);
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
      ? `${state.arnPrefix}express:${sm.name}:${name}:${randomUUID()}`
      : `${state.arnPrefix}execution:${sm.name}:${name}`;
  if (state.executions.has(executionArn)) {
    throw new SfnServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
  }
  return { sm, name, inputText, parsedInput, executionArn };
}

/** Sets the record's final status from how the library's run ended. */
async function settle(record: ExecutionRecord, result: Promise<unknown>): Promise<void> {
  try {
    const output = await result;
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
}

function runMachine(
  state: SfnState,
  sm: StateMachineRecord,
  record: ExecutionRecord,
  parsedInput: unknown,
  recorder: HistoryRecorder,
) {
  const runDefinition = prepareRunDefinition(sm.analyzed.definition, {
    retryIntervalScale: state.retryIntervalScale,
    defaultTimeoutSeconds: sm.type === 'EXPRESS' ? EXPRESS_MAX_SECONDS : STANDARD_MAX_SECONDS,
  });
  const machine = new StateMachine(runDefinition, { validationOptions: { noValidate: true } });
  return machine.run(parsedInput as never, {
    overrides: { taskResourceLocalHandlers: makeTaskHandlers(state, sm.analyzed.tasks, recorder) as never },
    context: {
      Execution: {
        Id: record.executionArn,
        Name: record.name,
        RoleArn: sm.roleArn,
        StartTime: record.startDate.toISOString(),
      },
      StateMachine: { Id: sm.arn, Name: sm.name },
    },
  });
}

/** Starts an execution; `done` settles when the execution and its history are complete. */
export function launch(
  state: SfnState,
  input: StartExecutionInput,
  sync: boolean,
): { record: ExecutionRecord; done: Promise<void> } {
  const { sm, name, inputText, parsedInput, executionArn } = validateStart(state, input, sync);
  const recorder = new HistoryRecorder(sm.roleArn, state.region);
  const record: ExecutionRecord = {
    executionArn,
    stateMachineArn: sm.arn,
    name,
    status: 'RUNNING',
    startDate: new Date(),
    input: inputText,
    events: recorder.events,
  };
  remember(state, record);
  const execution = runMachine(state, sm, record, parsedInput, recorder);
  record.abort = execution.abort;
  const consumeEvents = (async () => {
    for await (const event of execution.eventLogs) recorder.onLibraryEvent(event as LibraryEvent);
  })();
  const done = (async () => {
    await settle(record, execution.result);
    await consumeEvents;
    record.stopDate = new Date();
    record.abort = undefined;
    persist(state, record);
  })();
  state.inflight.add(done);
  done.finally(() => state.inflight.delete(done));
  return { record, done };
}
