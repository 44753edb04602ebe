import { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SMOKE_KEYS } from '../../../functions/core/deployment-hooks/smoke-objects';
import { lambdaContext, stubHandlerEnv } from '../../support/lambda';

const VERSION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:validate-image-fn:7';
stubHandlerEnv({
  IMAGES_BUCKET_NAME: 'images-bucket',
  TARGET_FUNCTION_ARN: VERSION_ARN,
  SMOKE_PLAN: 'validate-image',
});
const { handler } = await import('../../../functions/deployment-hooks/pre-traffic');

const codedeployMock = mockClient(CodeDeployClient);
const lambdaMock = mockClient(LambdaClient);
const s3Mock = mockClient(S3Client);
const context = lambdaContext('pre-traffic-hook');
const event = { DeploymentId: 'd-ABC123', LifecycleEventHookExecutionId: 'hook-exec-1' };

const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const ok = (value: unknown) => ({ StatusCode: 200, Payload: payload(value) as never });
const functionError = (errorType: string, errorMessage: string) => ({
  StatusCode: 200,
  FunctionError: 'Unhandled',
  Payload: payload({ errorType, errorMessage, trace: [] }) as never,
});

/** What the hook told CodeDeploy (every call). */
const reported = () =>
  codedeployMock.commandCalls(PutLifecycleEventHookExecutionStatusCommand).map((call) => call.args[0].input);

/** Answers each invocation by the smoke object it names. */
function validatorAnswers(answers: { valid: object; invalid: object }) {
  lambdaMock.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
    const { object } = JSON.parse(new TextDecoder().decode(input.Payload)) as { object: { key: string } };
    return object.key === SMOKE_KEYS.valid ? answers.valid : answers.invalid;
  });
}

beforeEach(() => {
  codedeployMock.reset();
  lambdaMock.reset();
  s3Mock.reset();
  s3Mock
    .on(PutObjectCommand)
    .callsFake((input: { Key: string }) => ({ ETag: '"etag"', VersionId: `v-${input.Key}` }));
  stubHandlerEnv({
    IMAGES_BUCKET_NAME: 'images-bucket',
    TARGET_FUNCTION_ARN: VERSION_ARN,
    SMOKE_PLAN: 'validate-image',
  });
});

describe('pre-traffic hook', () => {
  it('reports Succeeded when the new validator accepts the PNG and rejects the text file', async () => {
    validatorAnswers({
      valid: ok({ format: 'png', width: 80, height: 80, size: 289 }),
      invalid: functionError('ImageRejected', 'UNSUPPORTED_FORMAT: not a JPEG or PNG'),
    });

    const report = await handler(event, context);

    expect(report.status).toBe('Succeeded');
    expect(reported()).toEqual([
      { deploymentId: 'd-ABC123', lifecycleEventHookExecutionId: 'hook-exec-1', status: 'Succeeded' },
    ]);
    // It invoked the version under test, never the alias, and cleaned up exactly what it wrote.
    expect(lambdaMock.commandCalls(InvokeCommand).map((call) => call.args[0].input.FunctionName)).toEqual([
      VERSION_ARN,
      VERSION_ARN,
    ]);
    expect(
      s3Mock
        .commandCalls(DeleteObjectCommand)
        .map((call) => [call.args[0].input.Key, call.args[0].input.VersionId]),
    ).toEqual([
      [SMOKE_KEYS.valid, `v-${SMOKE_KEYS.valid}`],
      [SMOKE_KEYS.invalid, `v-${SMOKE_KEYS.invalid}`],
    ]);
  });

  it('reports Failed when the new version returns the wrong outcome (accepts the text file)', async () => {
    validatorAnswers({
      valid: ok({ format: 'png', width: 80, height: 80, size: 289 }),
      invalid: ok({ format: 'png', width: 80, height: 80, size: 48 }),
    });

    const report = await handler(event, context);

    expect(report.status).toBe('Failed');
    expect(report.results.find((result) => !result.ok)?.check).toBe('rejects a text file');
    expect(reported()).toEqual([expect.objectContaining({ status: 'Failed' })]);
  });

  it('reports Failed when the smoke invocation errors (the new bundle does not load)', async () => {
    lambdaMock.on(InvokeCommand).resolves(functionError('Runtime.ImportModuleError', 'Cannot find module'));

    const report = await handler(event, context);

    expect(report.status).toBe('Failed');
    expect(reported()).toEqual([expect.objectContaining({ status: 'Failed' })]);
    expect(s3Mock.commandCalls(DeleteObjectCommand)).toHaveLength(2);
  });

  it('still reports Failed when its own calls throw (S3 denied)', async () => {
    s3Mock.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));

    const report = await handler(event, context);

    expect(report).toMatchObject({ status: 'Failed', error: expect.stringContaining('Access Denied') });
    expect(reported()).toEqual([expect.objectContaining({ status: 'Failed' })]);
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('still reports Failed when its environment is invalid', async () => {
    vi.stubEnv('SMOKE_PLAN', 'no-such-plan');

    const report = await handler(event, context);

    expect(report).toMatchObject({ status: 'Failed', error: expect.stringContaining('SMOKE_PLAN') });
    expect(reported()).toEqual([expect.objectContaining({ status: 'Failed' })]);
  });

  it('checks a task function by the input it must refuse, without side effects', async () => {
    vi.stubEnv('SMOKE_PLAN', 'task-input');
    lambdaMock
      .on(InvokeCommand)
      .resolves(functionError('InvalidTaskInput', 'Invalid task input: object: required'));

    expect((await handler(event, context)).status).toBe('Succeeded');
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);

    // A ConfigurationError (bad environment in the new version) is not the expected refusal.
    lambdaMock.on(InvokeCommand).resolves(functionError('ConfigurationError', 'Invalid environment'));
    expect((await handler(event, context)).status).toBe('Failed');
    expect(reported().map((input) => input.status)).toEqual(['Succeeded', 'Failed']);
  });

  it('checks start-workflow with a batch it must acknowledge without failures', async () => {
    vi.stubEnv('SMOKE_PLAN', 'queue-batch');
    lambdaMock.on(InvokeCommand).resolves(ok({ batchItemFailures: [] }));
    expect((await handler(event, context)).status).toBe('Succeeded');

    lambdaMock.on(InvokeCommand).resolves(ok({ batchItemFailures: [{ itemIdentifier: 'smoke-object' }] }));
    expect((await handler(event, context)).status).toBe('Failed');
  });

  it('checks the API with GET /openapi.json as API Gateway delivers it', async () => {
    vi.stubEnv('SMOKE_PLAN', 'http-openapi');
    lambdaMock
      .on(InvokeCommand)
      .resolves(ok({ statusCode: 200, body: JSON.stringify({ openapi: '3.1.0', paths: {} }) }));
    expect((await handler(event, context)).status).toBe('Succeeded');
    const sent = JSON.parse(
      new TextDecoder().decode(
        lambdaMock.commandCalls(InvokeCommand)[0]?.args[0].input.Payload as Uint8Array,
      ),
    ) as { version: string; rawPath: string; requestContext: { http: { method: string } } };
    expect(sent).toMatchObject({
      version: '2.0',
      rawPath: '/openapi.json',
      requestContext: { http: { method: 'GET' } },
    });

    lambdaMock.on(InvokeCommand).resolves(ok({ statusCode: 500, body: '{"title":"Internal"}' }));
    expect((await handler(event, context)).status).toBe('Failed');
  });

  it('checks apply-flags by running its scheduled job', async () => {
    vi.stubEnv('SMOKE_PLAN', 'scheduled');
    lambdaMock.on(InvokeCommand).resolves(ok({ action: 'unchanged', enabled: true }));
    expect((await handler(event, context)).status).toBe('Succeeded');

    lambdaMock.on(InvokeCommand).resolves(functionError('ConfigurationError', 'Invalid environment'));
    expect((await handler(event, context)).status).toBe('Failed');
  });

  it("checks the flags validator: this release's flags accepted, a contradictory document refused", async () => {
    vi.stubEnv('SMOKE_PLAN', 'flags-validator');
    // Answers as a validator would: refuses labelFilters with one label included and excluded.
    const answer = (refuseOverlap: boolean) => (input: { Payload: Uint8Array }) => {
      const { content } = JSON.parse(new TextDecoder().decode(input.Payload)) as { content: string };
      const document = JSON.parse(Buffer.from(content, 'base64').toString('utf8'));
      return refuseOverlap && document.values.labelFilters.enabled
        ? functionError(
            'FlagsDocumentInvalid',
            'Refused flags document (1 problem): values.labelFilters: ...',
          )
        : ok({ valid: true, format: 'stored' });
    };
    lambdaMock.on(InvokeCommand).callsFake(answer(true));
    expect((await handler(event, context)).status).toBe('Succeeded');
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);

    lambdaMock.on(InvokeCommand).callsFake(answer(false));
    const report = await handler(event, context);
    expect(report.status).toBe('Failed');
    expect(report.results.find((result) => !result.ok)?.check).toBe('refuses overlapping label filters');
  });

  it('reports Failed when the checks outlast its deadline', async () => {
    lambdaMock.on(InvokeCommand).callsFake(() => new Promise(() => {}));
    const short = { ...context, getRemainingTimeInMillis: () => 5_050 };

    const report = await handler(event, short);

    expect(report).toMatchObject({ status: 'Failed', error: expect.stringContaining('did not finish') });
    expect(reported()).toEqual([expect.objectContaining({ status: 'Failed' })]);
  });
});
