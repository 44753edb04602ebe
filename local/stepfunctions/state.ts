import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDefinition } from './definition';
import { SfnServiceError, sfnError } from './errors';
import { loadHistory, validateName } from './records';
import type {
  CreateStateMachineInput,
  ExecutionRecord,
  StateMachineRecord,
  StepFunctionsServiceOptions,
} from './types';

const DEFAULT_ROLE = (accountId: string) => `arn:aws:iam::${accountId}:role/local-stepfunctions`;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

/** What one Step Functions service holds: its machines, its executions and where they are kept. */
export interface SfnState {
  readonly region: string;
  readonly accountId: string;
  readonly invokeLambda: StepFunctionsServiceOptions['invokeLambda'];
  readonly retryIntervalScale: number;
  readonly maxExecutions: number;
  readonly stateMachines: Map<string, StateMachineRecord>;
  readonly executions: Map<string, ExecutionRecord>;
  readonly inflight: Set<Promise<unknown>>;
  readonly arnPrefix: string;
  readonly historyFile: string | undefined;
}

export function createSfnState(options: StepFunctionsServiceOptions): SfnState {
  const { region, accountId, invokeLambda } = options;
  const maxExecutions = options.maxExecutions ?? 1000;
  const historyFile = options.historyDir ? join(options.historyDir, 'executions.jsonl') : undefined;
  const executions = new Map<string, ExecutionRecord>();
  if (historyFile && options.historyDir) {
    mkdirSync(options.historyDir, { recursive: true });
    for (const record of loadHistory(historyFile, maxExecutions)) executions.set(record.executionArn, record);
  }
  return {
    region,
    accountId,
    invokeLambda,
    retryIntervalScale: options.retryIntervalScale ?? 1,
    maxExecutions,
    stateMachines: new Map(),
    executions,
    inflight: new Set(),
    arnPrefix: `arn:aws:states:${region}:${accountId}:`,
    historyFile,
  };
}

export function isRoleArn(arn: string): boolean {
  return ROLE_ARN.test(arn);
}

export function getStateMachine(state: SfnState, arn: unknown): StateMachineRecord {
  if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/.test(arn)) {
    throw sfnError.invalidArn(String(arn));
  }
  const record = state.stateMachines.get(arn);
  if (!record) throw sfnError.stateMachineDoesNotExist(arn);
  return record;
}

export function getExecution(state: SfnState, arn: unknown): ExecutionRecord {
  if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(execution|express):/.test(arn)) {
    throw sfnError.invalidArn(String(arn));
  }
  const record = state.executions.get(arn);
  if (!record) throw sfnError.executionDoesNotExist(arn);
  return record;
}

export function remember(state: SfnState, record: ExecutionRecord): void {
  const { executions } = state;
  executions.set(record.executionArn, record);
  while (executions.size > state.maxExecutions) {
    const oldest = executions.keys().next().value;
    if (oldest === undefined) break;
    executions.delete(oldest);
  }
}

export function persist(state: SfnState, record: ExecutionRecord): void {
  if (!state.historyFile) return;
  const { abort: _abort, ...data } = record;
  appendFileSync(state.historyFile, `${JSON.stringify(data)}\n`);
}

export function createStateMachine(state: SfnState, input: CreateStateMachineInput) {
  const type = input.type ?? 'STANDARD';
  if (type !== 'EXPRESS' && type !== 'STANDARD') {
    throw sfnError.validation(
      `1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint`,
    );
  }
  if (typeof input.name !== 'string' || !validateName(input.name))
    throw sfnError.invalidName(String(input.name));
  if (typeof input.definition !== 'string') throw sfnError.invalidDefinition('definition is required');
  const roleArn = input.roleArn ?? DEFAULT_ROLE(state.accountId);
  if (!isRoleArn(roleArn)) throw sfnError.invalidArn(roleArn);
  const arn = `${state.arnPrefix}stateMachine:${input.name}`;
  const existing = state.stateMachines.get(arn);
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
  state.stateMachines.set(arn, {
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
