/**
 * runWorkflow against the local Step Functions endpoint (the real ASL interpreter behind the SFN
 * API): a run that succeeds answers with its outcome, one that fails is a WorkflowFailedError.
 */
import type http from 'node:http';
import {
  CreateStateMachineCommand,
  SFNClient,
  SFNServiceException,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runWorkflow } from '../../../functions/adapters/step-functions-runner';
import { WorkflowFailedError } from '../../../functions/core/errors';
import type { WorkflowInput } from '../../../functions/core/workflow-schemas';
import { createStepFunctionsService } from '../../../local/stepfunctions';
import { close, fnArn, listen, sfnClient } from '../../local/stepfunctions/helpers';

const input: WorkflowInput = {
  object: {
    bucket: 'uploads-bucket',
    key: 'albums/summer 2024/dog + cat.jpg',
    versionId: '096fKKXTRTtl3on89fVO.nfljtsv6qko',
    eTag: '0123456789abcdef0123456789abcdef',
    size: 112_525,
    sequencer: '0055AED6DCD90281E5',
  },
  eventTime: '2024-06-01T12:00:00.123Z',
};

/** A one-task workflow: the task sees the execution's input and its answer is the output. */
const labelTask = (resource: string) =>
  JSON.stringify({ StartAt: 'Label', States: { Label: { Type: 'Task', Resource: resource, End: true } } });
const failing = JSON.stringify({
  StartAt: 'Fail',
  States: {
    Fail: {
      Type: 'Fail',
      Error: 'ImageProcessingFailed',
      Cause: 'The image could not be processed; its FAILED record holds the error.',
    },
  },
});

const payloads: unknown[] = [];
let server: http.Server;
let client: SFNClient;
const machines: Record<'labeling' | 'failing', string> = { labeling: '', failing: '' };

beforeAll(async () => {
  const service = createStepFunctionsService({
    region: 'us-east-1',
    accountId: '000000000000',
    invokeLambda: async (_functionArn, payload) => {
      payloads.push(payload);
      return { outcome: 'LABELED', key: (payload as WorkflowInput).object.key };
    },
  });
  const listening = await listen(service.handler);
  server = listening.server;
  client = sfnClient(listening.endpoint);
  for (const [name, definition] of [
    ['labeling', labelTask(fnArn('label'))],
    ['failing', failing],
  ] as const) {
    const created = await client.send(
      new CreateStateMachineCommand({
        name,
        definition,
        type: 'EXPRESS',
        roleArn: 'arn:aws:iam::000000000000:role/workflow',
      }),
    );
    machines[name] = created.stateMachineArn ?? '';
  }
});

afterAll(async () => {
  client?.destroy();
  if (server) await close(server);
});

beforeEach(() => {
  payloads.length = 0;
});

describe('runWorkflow', () => {
  it('runs the workflow synchronously on the input and returns its outcome', async () => {
    const run = await runWorkflow(client, machines.labeling, input);

    expect(run).toMatchObject({ status: 'SUCCEEDED', outcome: 'LABELED' });
    expect(payloads).toEqual([input]);
    // The execution's name, in its ARN: <hash of the version>-<uuid> (functions/core/ingest.ts).
    expect(run.executionArn).toMatch(/:express:labeling:[A-Za-z0-9_-]{32}-[0-9a-f-]{36}:/);
  });

  it('throws WorkflowFailed with the error and cause when the run fails', async () => {
    const promise = runWorkflow(client, machines.failing, input);

    await expect(promise).rejects.toBeInstanceOf(WorkflowFailedError);
    await expect(promise).rejects.toThrow(
      /^Workflow arn:aws:states:us-east-1:000000000000:express:failing:\S+ ended FAILED: ImageProcessingFailed: The image could not be processed; its FAILED record holds the error\.$/,
    );
  });
});

// The answers below are ones the local endpoint does not give: a timeout takes the workflow's
// TimeoutSeconds (a second at least), the output of a real run is always JSON, and throttling
// is AWS's. A mocked client gives them.
describe('runWorkflow on answers only AWS gives', () => {
  const mocked = new SFNClient({ region: 'eu-west-1' });
  const sfnMock = mockClient(mocked);
  const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:label-image';

  beforeEach(() => sfnMock.reset());

  it('throws WorkflowFailed with the error and cause when the run ends TIMED_OUT', async () => {
    sfnMock.on(StartSyncExecutionCommand).resolves({
      executionArn: 'arn:run:2',
      status: 'TIMED_OUT',
      error: 'States.Timeout',
      cause: 'The execution timed out.',
    });

    const promise = runWorkflow(mocked, stateMachineArn, input);

    await expect(promise).rejects.toBeInstanceOf(WorkflowFailedError);
    await expect(promise).rejects.toThrow(
      'Workflow arn:run:2 ended TIMED_OUT: States.Timeout: The execution timed out.',
    );
  });

  it('tolerates an output that is not JSON', async () => {
    sfnMock
      .on(StartSyncExecutionCommand)
      .resolves({ executionArn: 'arn', status: 'SUCCEEDED', output: 'nope' });

    await expect(runWorkflow(mocked, stateMachineArn, input)).resolves.toEqual({
      status: 'SUCCEEDED',
      executionArn: 'arn',
      outcome: undefined,
    });
  });

  it('lets a throttling error through as it is, so the message is retried', async () => {
    const throttled = new SFNServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
    sfnMock.on(StartSyncExecutionCommand).rejects(throttled);

    await expect(runWorkflow(mocked, stateMachineArn, input)).rejects.toBe(throttled);
  });
});
