/** The local Step Functions service's public types, and the records it keeps. */
import type http from 'node:http';
import type {
  DescribeExecutionOutput,
  DescribeStateMachineOutput,
  ExecutionStatus,
  GetExecutionHistoryOutput,
  HistoryEvent,
  ListExecutionsOutput,
  ListStateMachinesOutput,
  StartExecutionOutput,
  StartSyncExecutionOutput,
} from '@aws-sdk/client-sfn';
import type { AnalyzedDefinition } from './definition';

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

export interface StateMachineRecord {
  arn: string;
  name: string;
  type: StateMachineType;
  roleArn: string;
  definitionText: string;
  analyzed: AnalyzedDefinition;
  creationDate: Date;
}

export interface ExecutionRecord {
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
