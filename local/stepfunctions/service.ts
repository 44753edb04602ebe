import './polyfill';
import type { ExecutionListItem } from '@aws-sdk/client-sfn';
import { analyzeDefinition } from './definition';
import { sfnError } from './errors';
import { launch } from './execution';
import { createHandler } from './http';
import { assertPromiseWithResolvers } from './polyfill';
import { paginate, stripExecutionData } from './records';
import {
  createSfnState,
  createStateMachine,
  getExecution,
  getStateMachine,
  isRoleArn,
  type SfnState,
} from './state';
import type { ExecutionRecord, StepFunctionsService, StepFunctionsServiceOptions } from './types';

// Each operation's input and output, as the service interface declares them.
type Ops = Omit<StepFunctionsService, 'handler'>;
type In<K extends keyof Ops> = Ops[K] extends (input: infer I) => unknown ? I : never;
type Out<K extends keyof Ops> = Ops[K] extends (...args: never[]) => infer R ? R : never;

function updateStateMachine(state: SfnState, input: In<'updateStateMachine'>): Out<'updateStateMachine'> {
  const sm = getStateMachine(state, input.stateMachineArn);
  if (input.roleArn !== undefined && !isRoleArn(input.roleArn)) {
    throw sfnError.invalidArn(input.roleArn);
  }
  if (input.definition !== undefined) {
    sm.analyzed = analyzeDefinition(input.definition);
    sm.definitionText = input.definition;
  }
  if (input.roleArn !== undefined) sm.roleArn = input.roleArn;
  return { updateDate: new Date() };
}

function describeStateMachine(
  state: SfnState,
  input: In<'describeStateMachine'>,
): Out<'describeStateMachine'> {
  const sm = getStateMachine(state, input.stateMachineArn);
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
}

function listStateMachines(state: SfnState, input: In<'listStateMachines'> = {}): Out<'listStateMachines'> {
  const all = [...state.stateMachines.values()].map((sm) => ({
    stateMachineArn: sm.arn,
    name: sm.name,
    type: sm.type,
    creationDate: sm.creationDate,
  }));
  const { items, nextToken } = paginate(all, input.maxResults, input.nextToken);
  return { stateMachines: items, nextToken };
}

async function startSyncExecution(
  state: SfnState,
  input: In<'startSyncExecution'>,
): Out<'startSyncExecution'> {
  const { record, done } = launch(state, input, true);
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
}

function describeExecution(state: SfnState, input: In<'describeExecution'>): Out<'describeExecution'> {
  const record = getExecution(state, input.executionArn);
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
}

function listExecutions(state: SfnState, input: In<'listExecutions'>): Out<'listExecutions'> {
  const sm = getStateMachine(state, input.stateMachineArn);
  const matching: ExecutionListItem[] = [...state.executions.values()]
    .filter((e) => e.stateMachineArn === sm.arn && (!input.statusFilter || e.status === input.statusFilter))
    .reverse() // insertion order is start order: newest first
    .map((e: ExecutionRecord) => ({
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: e.startDate,
      stopDate: e.stopDate,
    }));
  const { items, nextToken } = paginate(matching, input.maxResults, input.nextToken);
  return { executions: items, nextToken };
}

function getExecutionHistory(state: SfnState, input: In<'getExecutionHistory'>): Out<'getExecutionHistory'> {
  const record = getExecution(state, input.executionArn);
  let events = record.events.map((event) =>
    input.includeExecutionData === false ? stripExecutionData(event) : { ...event },
  );
  if (input.reverseOrder) events = events.reverse();
  const { items, nextToken } = paginate(events, input.maxResults, input.nextToken);
  return { events: items, nextToken };
}

export function createStepFunctionsService(options: StepFunctionsServiceOptions): StepFunctionsService {
  assertPromiseWithResolvers();
  const state = createSfnState(options);
  const service: StepFunctionsService = {
    handler: () => {},
    createStateMachine: (input) => createStateMachine(state, input),
    updateStateMachine: (input) => updateStateMachine(state, input),
    deleteStateMachine(input) {
      getStateMachine(state, input.stateMachineArn);
      state.stateMachines.delete(input.stateMachineArn);
    },
    describeStateMachine: (input) => describeStateMachine(state, input),
    listStateMachines: (input) => listStateMachines(state, input),
    startSyncExecution: (input) => startSyncExecution(state, input),
    startExecution(input) {
      const { record } = launch(state, input, false);
      return { executionArn: record.executionArn, startDate: record.startDate };
    },
    stopExecution(input) {
      const record = getExecution(state, input.executionArn);
      record.abort?.();
      if (input.error !== undefined) record.error = input.error;
      if (input.cause !== undefined) record.cause = input.cause;
      return { stopDate: new Date() };
    },
    describeExecution: (input) => describeExecution(state, input),
    listExecutions: (input) => listExecutions(state, input),
    getExecutionHistory: (input) => getExecutionHistory(state, input),
    async settled() {
      while (state.inflight.size > 0) await Promise.allSettled([...state.inflight]);
    },
  };
  service.handler = createHandler(service);
  return service;
}
