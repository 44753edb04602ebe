import type http from 'node:http';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  type SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStepFunctionsService, type StepFunctionsService } from '../../../local/stepfunctions';
import { close, fnArn, functionError, labelImageDefinition, listen, sfnClient } from './helpers';

/**
 * Fake Lambda functions. DetectLabels behaves according to the object key in its payload:
 * - "throttled-twice.jpg": throws RekognitionThrottled on the first two calls, then succeeds;
 * - "not-an-image.txt": throws InvalidImage (caught by the Catch);
 * StoreLabels throws DynamoDBUnavailable (no Retry/Catch) for "store-fails.jpg".
 */
const calls: { functionArn: string; payload: unknown }[] = [];
let throttled = 0;
async function invokeLambda(functionArn: string, payload: unknown): Promise<unknown> {
  calls.push({ functionArn, payload });
  const key = (payload as { key?: string }).key;
  if (functionArn === fnArn('detect-labels')) {
    if (key === 'throttled-twice.jpg' && throttled++ < 2)
      throw functionError('RekognitionThrottled', 'Rate exceeded');
    if (key === 'not-an-image.txt') throw functionError('InvalidImage', 'unsupported image format');
    return { labels: [{ Name: 'Cat', Confidence: 97.5 }] };
  }
  if (functionArn === fnArn('store-labels')) {
    if (key === 'store-fails.jpg') throw functionError('DynamoDBUnavailable', 'table is not reachable');
    return { stored: true, key };
  }
  if (functionArn === fnArn('mark-invalid')) return { invalid: true, key };
  throw functionError('ResourceNotFoundException', `Function not found: ${functionArn}`);
}

describe('local Step Functions endpoint through @aws-sdk/client-sfn', () => {
  let service: StepFunctionsService;
  let server: http.Server;
  let client: SFNClient;
  let stateMachineArn: string;

  beforeAll(async () => {
    service = createStepFunctionsService({
      region: 'us-east-1',
      accountId: '000000000000',
      invokeLambda,
      retryIntervalScale: 0.001,
    });
    const listening = await listen(service.handler);
    server = listening.server;
    client = sfnClient(listening.endpoint);
    const created = await client.send(
      new CreateStateMachineCommand({
        name: 'label-image',
        definition: labelImageDefinition(),
        roleArn: 'arn:aws:iam::000000000000:role/label-image-sfn',
        type: 'EXPRESS',
      }),
    );
    stateMachineArn = created.stateMachineArn ?? '';
  });

  afterAll(async () => {
    await service.settled();
    client.destroy();
    await close(server);
  });

  beforeEach(() => {
    calls.length = 0;
    throttled = 0;
  });

  it('creates an EXPRESS state machine that DescribeStateMachine and ListStateMachines report', async () => {
    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn }));
    const listed = await client.send(new ListStateMachinesCommand({}));

    expect(stateMachineArn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:label-image');
    expect(described).toMatchObject({ name: 'label-image', type: 'EXPRESS', status: 'ACTIVE' });
    expect(described.definition).toBe(labelImageDefinition());
    expect(listed.stateMachines?.map((sm) => sm.stateMachineArn)).toContain(stateMachineArn);
  });

  it('StartSyncExecution runs the Lambda tasks and returns SUCCEEDED with the final output', async () => {
    const result = await client.send(
      new StartSyncExecutionCommand({
        stateMachineArn,
        input: JSON.stringify({ key: 'cat.jpg' }),
        name: 'cat-1',
      }),
    );

    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output ?? 'null')).toEqual({ stored: true, key: 'cat.jpg' });
    expect(result.executionArn).toMatch(
      /^arn:aws:states:us-east-1:000000000000:express:label-image:cat-1:[0-9a-f-]{36}$/,
    );
    expect(result.startDate).toBeInstanceOf(Date);
    expect(result.billingDetails?.billedDurationInMilliseconds).toBeGreaterThanOrEqual(100);
    // ResultSelector/ResultPath of DetectLabels shaped the input of StoreLabels, as on AWS.
    expect(calls).toEqual([
      { functionArn: fnArn('detect-labels'), payload: { key: 'cat.jpg' } },
      {
        functionArn: fnArn('store-labels'),
        payload: { key: 'cat.jpg', detection: { labels: [{ Name: 'Cat', Confidence: 97.5 }] } },
      },
    ]);
  });

  it('retries a RekognitionThrottled error twice, succeeds, and shows each attempt in the history', async () => {
    const result = await client.send(
      new StartSyncExecutionCommand({
        stateMachineArn,
        input: JSON.stringify({ key: 'throttled-twice.jpg' }),
      }),
    );
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: result.executionArn }));
    const events = history.events ?? [];
    const types = events.map((e) => e.type);

    expect(result.status).toBe('SUCCEEDED');
    expect(calls.filter((c) => c.functionArn === fnArn('detect-labels'))).toHaveLength(3);
    expect(types.slice(0, 12)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    const failed = events.filter((e) => e.type === 'TaskFailed').map((e) => e.taskFailedEventDetails);
    expect(failed[0]).toEqual({
      resourceType: 'lambda',
      resource: 'invoke',
      error: 'RekognitionThrottled',
      cause: JSON.stringify({ errorType: 'RekognitionThrottled', errorMessage: 'Rate exceeded', trace: [] }),
    });
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events[1]?.stateEnteredEventDetails?.name).toBe('DetectLabels');
    expect(events[1]?.previousEventId).toBe(1);
  });

  it('sends an error matched by a Catch to its catcher with the error at the ResultPath', async () => {
    const result = await client.send(
      new StartSyncExecutionCommand({ stateMachineArn, input: JSON.stringify({ key: 'not-an-image.txt' }) }),
    );

    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output ?? 'null')).toEqual({ invalid: true, key: 'not-an-image.txt' });
    // The short-form Task ("Resource": "<function ARN>") received the caught error in $.error.
    expect(calls.at(-1)).toEqual({
      functionArn: fnArn('mark-invalid'),
      payload: {
        key: 'not-an-image.txt',
        error: {
          Error: 'InvalidImage',
          Cause: JSON.stringify({
            errorType: 'InvalidImage',
            errorMessage: 'unsupported image format',
            trace: [],
          }),
        },
      },
    });
  });

  it('reports FAILED with error and cause when an error has no Retry or Catch', async () => {
    const result = await client.send(
      new StartSyncExecutionCommand({ stateMachineArn, input: JSON.stringify({ key: 'store-fails.jpg' }) }),
    );

    expect(result.status).toBe('FAILED');
    expect(result.output).toBeUndefined();
    expect(result.error).toBe('DynamoDBUnavailable');
    expect(JSON.parse(result.cause ?? 'null')).toEqual({
      errorType: 'DynamoDBUnavailable',
      errorMessage: 'table is not reachable',
      trace: [],
    });
  });

  it('StartExecution returns at once and DescribeExecution shows the finished execution', async () => {
    const started = await client.send(
      new StartExecutionCommand({
        stateMachineArn,
        input: JSON.stringify({ key: 'async.jpg' }),
        name: 'async-1',
      }),
    );
    await service.settled();
    const described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));

    expect(started.startDate).toBeInstanceOf(Date);
    expect(described).toMatchObject({
      executionArn: started.executionArn,
      stateMachineArn,
      name: 'async-1',
      status: 'SUCCEEDED',
      input: JSON.stringify({ key: 'async.jpg' }),
    });
    expect(JSON.parse(described.output ?? 'null')).toEqual({ stored: true, key: 'async.jpg' });
    expect(described.stopDate?.getTime()).toBeGreaterThanOrEqual(described.startDate?.getTime() ?? Infinity);
  });

  it('ListExecutions lists newest first, filters by status and paginates', async () => {
    for (const key of ['list-a.jpg', 'store-fails.jpg', 'list-b.jpg']) {
      await client.send(new StartSyncExecutionCommand({ stateMachineArn, input: JSON.stringify({ key }) }));
    }

    const all = await client.send(new ListExecutionsCommand({ stateMachineArn }));
    const failed = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'FAILED' }));
    const page1 = await client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2 }));
    const page2 = await client.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 2, nextToken: page1.nextToken }),
    );

    const executions = all.executions ?? [];
    const starts = executions.map((e) => e.startDate?.getTime() ?? 0);
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    expect(executions.length).toBeGreaterThanOrEqual(3);
    expect(failed.executions?.length).toBeGreaterThanOrEqual(1);
    expect(failed.executions?.every((e) => e.status === 'FAILED')).toBe(true);
    expect(page1.executions).toHaveLength(2);
    expect(page1.nextToken).toBeTypeOf('string');
    expect(page2.executions?.[0]?.executionArn).toBe(executions[2]?.executionArn);
  });

  it('rejects an unknown state machine with StateMachineDoesNotExist', async () => {
    const send = client.send(
      new StartSyncExecutionCommand({
        stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:nope',
        input: '{}',
      }),
    );

    await expect(send).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('rejects malformed ARNs with InvalidArn and unknown executions with ExecutionDoesNotExist', async () => {
    await expect(
      client.send(new DescribeExecutionCommand({ executionArn: 'not-an-arn' })),
    ).rejects.toMatchObject({
      name: 'InvalidArn',
    });
    await expect(
      client.send(
        new DescribeExecutionCommand({
          executionArn: 'arn:aws:states:us-east-1:000000000000:execution:label-image:missing',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
  });

  it('rejects invalid execution names with InvalidName and invalid definitions with InvalidDefinition', async () => {
    await expect(
      client.send(new StartSyncExecutionCommand({ stateMachineArn, name: 'has space', input: '{}' })),
    ).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(
      client.send(
        new CreateStateMachineCommand({
          name: 'broken',
          definition: JSON.stringify({ StartAt: 'Missing', States: {} }),
          roleArn: 'arn:aws:iam::000000000000:role/r',
          type: 'EXPRESS',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidDefinition' });
  });
});
