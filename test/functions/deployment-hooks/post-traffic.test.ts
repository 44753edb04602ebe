import { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SMOKE_KEYS } from '../../../functions/core/deployment-hooks/smoke-objects';
import { parseQueueMessage } from '../../../functions/core/ingest';
import { lambdaContext, stubHandlerEnv } from '../../support/lambda';
import { s3EventBody, s3EventRecord } from '../../support/s3-events';

const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:image-labeling-dev-label-image';
stubHandlerEnv({ IMAGES_BUCKET_NAME: 'images-bucket', STATE_MACHINE_ARN });
const { handler } = await import('../../../functions/deployment-hooks/post-traffic');

const codedeployMock = mockClient(CodeDeployClient);
const sfnMock = mockClient(SFNClient);
const s3Mock = mockClient(S3Client);
const context = lambdaContext('post-traffic-hook');
const event = { DeploymentId: 'd-XYZ', LifecycleEventHookExecutionId: 'hook-exec-2' };

const reported = () =>
  codedeployMock
    .commandCalls(PutLifecycleEventHookExecutionStatusCommand)
    .map((call) => call.args[0].input.status);

/** Ends each run with `outcomes[key]` (or FAILED when the key maps to null). */
function workflowEnds(outcomes: Record<string, string | null>) {
  sfnMock.on(StartSyncExecutionCommand).callsFake((input: { input: string; name: string }) => {
    const { object } = JSON.parse(input.input) as { object: { key: string } };
    const outcome = outcomes[object.key];
    return outcome
      ? { executionArn: `arn:exec:${input.name}`, status: 'SUCCEEDED', output: JSON.stringify({ outcome }) }
      : {
          executionArn: `arn:exec:${input.name}`,
          status: 'FAILED',
          error: 'States.TaskFailed',
          cause: 'boom',
        };
  });
}

beforeEach(() => {
  codedeployMock.reset();
  sfnMock.reset();
  s3Mock.reset();
  s3Mock
    .on(PutObjectCommand)
    .callsFake((input: { Key: string }) => ({ ETag: '"etag"', VersionId: `v-${input.Key}` }));
});

describe('post-traffic hook', () => {
  it('reports Succeeded when the workflow labels the PNG and rejects the text file', async () => {
    workflowEnds({ [SMOKE_KEYS.valid]: 'LABELED', [SMOKE_KEYS.invalid]: 'REJECTED' });

    const report = await handler(event, context);

    expect(report.status).toBe('Succeeded');
    expect(reported()).toEqual(['Succeeded']);
    const runs = sfnMock.commandCalls(StartSyncExecutionCommand).map((call) => call.args[0].input);
    expect(runs.map((run) => run.stateMachineArn)).toEqual([STATE_MACHINE_ARN, STATE_MACHINE_ARN]);
    // Each run names the object version the hook just wrote, so it is never a DUPLICATE.
    expect(runs.map((run) => JSON.parse(run.input ?? '{}').object.versionId).sort()).toEqual(
      [`v-${SMOKE_KEYS.invalid}`, `v-${SMOKE_KEYS.valid}`].sort(),
    );
    expect(s3Mock.commandCalls(DeleteObjectCommand)).toHaveLength(2);
  });

  it('reports Failed when a run ends with the wrong outcome', async () => {
    workflowEnds({ [SMOKE_KEYS.valid]: 'REJECTED', [SMOKE_KEYS.invalid]: 'REJECTED' });

    const report = await handler(event, context);

    expect(report.status).toBe('Failed');
    expect(reported()).toEqual(['Failed']);
  });

  it('reports Failed when a run fails', async () => {
    workflowEnds({ [SMOKE_KEYS.valid]: null, [SMOKE_KEYS.invalid]: 'REJECTED' });

    const report = await handler(event, context);

    expect(report.results.find((result) => !result.ok)?.detail).toContain('FAILED');
    expect(reported()).toEqual(['Failed']);
  });

  it('still reports Failed when Step Functions throws', async () => {
    sfnMock.on(StartSyncExecutionCommand).rejects(new Error('AccessDeniedException'));

    expect((await handler(event, context)).status).toBe('Failed');
    expect(reported()).toEqual(['Failed']);
  });

  it('throws (so Lambda retries) only when the report itself cannot be sent', async () => {
    workflowEnds({ [SMOKE_KEYS.valid]: 'LABELED', [SMOKE_KEYS.invalid]: 'REJECTED' });
    codedeployMock.on(PutLifecycleEventHookExecutionStatusCommand).rejects(new Error('Throttled'));

    await expect(handler(event, context)).rejects.toThrow('Throttled');
  });
});

describe('smoke objects and the ingest', () => {
  it('ignores S3 events for keys under the smoke prefix, so they are never labeled as uploads', () => {
    const parsed = parseQueueMessage(
      s3EventBody(s3EventRecord({ key: SMOKE_KEYS.valid }), s3EventRecord({ key: 'photos/cat.png' })),
    );

    expect(parsed).toMatchObject({
      kind: 'events',
      events: [{ kind: 'ignored', key: SMOKE_KEYS.valid }, { kind: 'created' }],
    });
  });
});
