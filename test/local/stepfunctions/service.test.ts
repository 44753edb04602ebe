import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStepFunctionsService, type StepFunctionsService } from '../../../local/stepfunctions';
import { close, fnArn, functionError, listen } from './helpers';

const machine = (states: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ StartAt: Object.keys(states)[0], States: states, ...extra });

describe('createStepFunctionsService (programmatic API)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sfn-history-'));
  const never = new Promise<never>(() => {});
  const service = createStepFunctionsService({
    region: 'us-east-1',
    accountId: '000000000000',
    retryIntervalScale: 0.001,
    historyDir: dir,
    invokeLambda: async (functionArn, payload) => {
      if (functionArn.includes(':function:hang')) return never;
      if (functionArn.includes(':function:boom')) throw functionError('Boom', 'it broke');
      return { echoed: payload };
    },
  });

  afterAll(async () => {
    await service.settled();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes the lambda:invoke response (StatusCode, Payload, ExecutedVersion) to ResultSelector', async () => {
    const { stateMachineArn } = service.createStateMachine({
      name: 'invoke-shape',
      type: 'EXPRESS',
      definition: machine({
        Call: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'echo:live', 'Payload.$': '$' },
          ResultSelector: {
            'status.$': '$.StatusCode',
            'version.$': '$.ExecutedVersion',
            'body.$': '$.Payload',
          },
          End: true,
        },
      }),
    });

    const result = await service.startSyncExecution({ stateMachineArn, input: '{"a":1}' });

    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output ?? 'null')).toEqual({
      status: 200,
      version: '1',
      body: { echoed: { a: 1 } },
    });
  });

  it('reports a Task timeout as States.Timeout, with a TaskTimedOut event', async () => {
    const { stateMachineArn } = service.createStateMachine({
      name: 'task-timeout',
      type: 'EXPRESS',
      definition: machine({
        Call: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: fnArn('hang'), 'Payload.$': '$' },
          TimeoutSeconds: 1,
          End: true,
        },
      }),
    });

    const result = await service.startSyncExecution({ stateMachineArn });
    const history = service.getExecutionHistory({ executionArn: result.executionArn ?? '' });

    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(history.events?.map((e) => e.type)).toContain('TaskTimedOut');
  });

  it('maps Map iterations and short-form Lambda tasks to AWS history events', async () => {
    const { stateMachineArn } = service.createStateMachine({
      name: 'map-history',
      type: 'EXPRESS',
      definition: machine({
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 1,
          ItemProcessor: {
            StartAt: 'Echo',
            States: { Echo: { Type: 'Task', Resource: fnArn('echo'), End: true } },
          },
          End: true,
        },
      }),
    });

    const result = await service.startSyncExecution({ stateMachineArn, input: '{"items":[1,2]}' });
    const types = service
      .getExecutionHistory({ executionArn: result.executionArn ?? '' })
      .events?.map((e) => e.type);

    expect(JSON.parse(result.output ?? 'null')).toEqual([{ echoed: 1 }, { echoed: 2 }]);
    expect(types).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      'MapStateStarted',
      'MapIterationStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'MapIterationSucceeded',
      'MapIterationStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'MapIterationSucceeded',
      'MapStateSucceeded',
      'MapStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('refuses StartSyncExecution on a STANDARD state machine but runs StartExecution', async () => {
    const { stateMachineArn } = service.createStateMachine({
      name: 'standard',
      type: 'STANDARD',
      definition: machine({ Done: { Type: 'Pass', End: true } }),
    });

    await expect(service.startSyncExecution({ stateMachineArn })).rejects.toMatchObject({
      type: 'StateMachineTypeNotSupported',
    });
    const { executionArn } = service.startExecution({ stateMachineArn, name: 'run-1', input: '{"x":1}' });
    await service.settled();

    expect(executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:standard:run-1');
    expect(service.describeExecution({ executionArn: executionArn ?? '' })).toMatchObject({
      status: 'SUCCEEDED',
      output: '{"x":1}',
    });
    expect(() => service.startExecution({ stateMachineArn, name: 'run-1' })).toThrow(
      expect.objectContaining({ type: 'ExecutionAlreadyExists' }),
    );
  });

  it('validates execution names per AWS rules and generates a UUID when absent', async () => {
    const { stateMachineArn } = service.createStateMachine({
      name: 'names',
      type: 'EXPRESS',
      definition: machine({ Done: { Type: 'Pass', End: true } }),
    });

    const unnamed = await service.startSyncExecution({ stateMachineArn });

    expect(unnamed.name).toMatch(/^[0-9a-f-]{36}$/);
    for (const bad of ['', 'a'.repeat(81), 'tab\there', 'a/b', 'a:b', 'a*b', 'ctl\u0001']) {
      expect(() => service.startExecution({ stateMachineArn, name: bad })).toThrow(
        expect.objectContaining({ type: 'InvalidName' }),
      );
    }
    await expect(
      service.startSyncExecution({ stateMachineArn, name: 'a'.repeat(80) }),
    ).resolves.toMatchObject({
      status: 'SUCCEEDED',
    });
  });

  it('persists finished executions as JSON lines and loads them back in a new service', async () => {
    const { stateMachineArn } = service.createStateMachine({
      name: 'persisted',
      type: 'EXPRESS',
      definition: machine({
        Fails: { Type: 'Task', Resource: fnArn('boom'), End: true },
      }),
    });
    const result = await service.startSyncExecution({ stateMachineArn, name: 'kept' });

    const lines = readFileSync(join(dir, 'executions.jsonl'), 'utf8').trim().split('\n');
    const reloaded = createStepFunctionsService({
      region: 'us-east-1',
      accountId: '000000000000',
      historyDir: dir,
      invokeLambda: async () => null,
    });
    const described = reloaded.describeExecution({ executionArn: result.executionArn ?? '' });
    const events = reloaded.getExecutionHistory({ executionArn: result.executionArn ?? '' }).events ?? [];

    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(described).toMatchObject({ name: 'kept', status: 'FAILED', error: 'Boom' });
    expect(described.startDate).toBeInstanceOf(Date);
    expect(events.at(-1)?.type).toBe('ExecutionFailed');
    expect(events.at(-1)?.timestamp).toBeInstanceOf(Date);
  });

  it('keeps only the last maxExecutions executions in memory', async () => {
    const small = createStepFunctionsService({
      region: 'us-east-1',
      accountId: '000000000000',
      maxExecutions: 2,
      invokeLambda: async () => null,
    });
    const { stateMachineArn } = small.createStateMachine({
      name: 'ring',
      type: 'EXPRESS',
      definition: machine({ Done: { Type: 'Pass', End: true } }),
    });

    const first = await small.startSyncExecution({ stateMachineArn });
    await small.startSyncExecution({ stateMachineArn });
    await small.startSyncExecution({ stateMachineArn });

    expect(small.listExecutions({ stateMachineArn }).executions).toHaveLength(2);
    expect(() => small.describeExecution({ executionArn: first.executionArn ?? '' })).toThrow(
      expect.objectContaining({ type: 'ExecutionDoesNotExist' }),
    );
  });
});

describe('AWS JSON 1.0 protocol of the handler', () => {
  let service: StepFunctionsService;
  let server: http.Server;
  let endpoint: string;

  beforeAll(async () => {
    service = createStepFunctionsService({
      region: 'us-east-1',
      accountId: '000000000000',
      invokeLambda: async () => null,
    });
    ({ server, endpoint } = await listen(service.handler));
  });

  afterAll(() => close(server));

  const call = (target: string, body: string) =>
    fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': target },
      body,
    });

  it('answers errors with HTTP 400 and __type', async () => {
    const response = await call(
      'AWSStepFunctions.DescribeStateMachine',
      JSON.stringify({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:missing' }),
    );

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(await response.json()).toEqual({
      __type: 'StateMachineDoesNotExist',
      message: "State Machine Does Not Exist: 'arn:aws:states:us-east-1:000000000000:stateMachine:missing'",
    });
  });

  it('rejects missing required members with ValidationException and unknown operations', async () => {
    const missing = await call('AWSStepFunctions.StartSyncExecution', '{}');
    const unknown = await call('AWSStepFunctions.SendTaskSuccess', '{}');

    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ __type: 'ValidationException' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('serializes timestamps as epoch seconds', async () => {
    const response = await call(
      'AWSStepFunctions.CreateStateMachine',
      JSON.stringify({
        name: 'wire',
        definition: machine({ Done: { Type: 'Pass', End: true } }),
        type: 'EXPRESS',
      }),
    );
    const body = (await response.json()) as { stateMachineArn: string; creationDate: number };

    expect(response.status).toBe(200);
    expect(body.stateMachineArn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:wire');
    expect(Math.abs(body.creationDate - Date.now() / 1000)).toBeLessThan(3600);
  });
});
