/**
 * Runs the real statemachines/label-image.asl.json on the local Step Functions engine, with
 * scripted task functions, to show that Retry, backoff and Catch do what the ASL says.
 */
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { LABEL_IMAGE_ASL_PATH } from '../../infra/config/timing';
import { LABEL_WORKFLOW_PLACEHOLDERS } from '../../infra/constructs/label-workflow';
import { createStepFunctionsService, substituteDefinition } from '../../local/stepfunctions';

const ARN = (placeholder: string) => `arn:aws:lambda:us-east-1:000000000000:function:${placeholder}:live`;
type Task = (payload: Record<string, unknown>) => unknown;

function fail(name: string, message = name): never {
  const error = new Error(message);
  error.name = name;
  throw error;
}

const input = {
  object: { bucket: 'images', key: 'a dir/cat.png', eTag: 'abc', size: 1000, sequencer: '0A' },
  eventTime: '2026-11-25T10:00:00.000Z',
};
const image = { format: 'png', width: 100, height: 100, size: 1000 };
const detection = {
  labels: [{ name: 'Cat', confidence: 99, parents: [], categories: [], aliases: [], instances: [] }],
  labelModelVersion: '3.0',
  settings: { minConfidence: 70, maxLabels: 25 },
  detectedAt: '2026-11-25T10:00:01.000Z',
  fromCache: false,
};

describe('label-image state machine, executed', () => {
  let tasks: Record<string, Task>;
  let calls: string[];

  async function run() {
    const service = createStepFunctionsService({
      region: 'us-east-1',
      accountId: '000000000000',
      retryIntervalScale: 0.001,
      invokeLambda: async (functionArn, payload) => {
        const placeholder = LABEL_WORKFLOW_PLACEHOLDERS.find((name) => ARN(name) === functionArn);
        if (!placeholder) throw new Error(`unexpected function ${functionArn}`);
        calls.push(placeholder.replace('FunctionArn', ''));
        const task = tasks[placeholder];
        if (!task) throw new Error(`no script for ${placeholder}`);
        return task(payload as Record<string, unknown>);
      },
    });
    const definition = substituteDefinition(
      readFileSync(LABEL_IMAGE_ASL_PATH, 'utf8'),
      Object.fromEntries(LABEL_WORKFLOW_PLACEHOLDERS.map((name) => [name, ARN(name)])),
    );
    const { stateMachineArn } = service.createStateMachine({
      name: 'label-image',
      definition,
      type: 'EXPRESS',
    });
    const result = await service.startSyncExecution({ stateMachineArn, input: JSON.stringify(input) });
    const history = service.getExecutionHistory({ executionArn: result.executionArn ?? '' });
    return { result, output: result.output ? JSON.parse(result.output) : undefined, history };
  }

  beforeEach(() => {
    calls = [];
    tasks = {
      ClaimImageFunctionArn: () => ({ status: 'CLAIMED', attempt: 1 }),
      ValidateImageFunctionArn: () => image,
      DetectLabelsFunctionArn: () => detection,
      StoreLabelsFunctionArn: () => ({
        superseded: false,
        labelsWritten: 1,
        staleLabelsDeleted: 0,
        writeRequests: 1,
      }),
      RecordOutcomeFunctionArn: (payload) => ({
        outcome: payload.outcome,
        reason: 'UNSUPPORTED_FORMAT',
        superseded: false,
      }),
    };
  });

  it('labels an image: claim, validate, detect, store', async () => {
    const { result, output } = await run();
    expect(result.status).toBe('SUCCEEDED');
    expect(output).toEqual({ outcome: 'LABELED', key: 'a dir/cat.png', labels: 1, fromCache: false });
    expect(calls).toEqual(['ClaimImage', 'ValidateImage', 'DetectLabels', 'StoreLabels']);
  });

  it('passes the whole state to each task, merged by ResultPath', async () => {
    let stored: Record<string, unknown> = {};
    tasks.StoreLabelsFunctionArn = (payload) => {
      stored = payload;
      return { superseded: false, labelsWritten: 1, staleLabelsDeleted: 0, writeRequests: 1 };
    };
    await run();
    expect(stored).toMatchObject({ ...input, claim: { status: 'CLAIMED' }, image, detection });
  });

  it('skips a version that already has its final record', async () => {
    tasks.ClaimImageFunctionArn = () => ({ status: 'ALREADY_DONE', attempt: 1 });
    const { result, output } = await run();
    expect(result.status).toBe('SUCCEEDED');
    expect(output).toEqual({ outcome: 'DUPLICATE', key: 'a dir/cat.png' });
    expect(calls).toEqual(['ClaimImage']);
  });

  it('records an invalid image REJECTED at once, without retries and without Rekognition', async () => {
    tasks.ValidateImageFunctionArn = () => fail('ImageRejected', 'UNSUPPORTED_FORMAT: The object is GIF');
    let recorded: Record<string, unknown> = {};
    tasks.RecordOutcomeFunctionArn = (payload) => {
      recorded = payload;
      return { outcome: 'REJECTED', reason: 'UNSUPPORTED_FORMAT', superseded: false };
    };
    const { result, output } = await run();
    expect(result.status).toBe('SUCCEEDED');
    expect(output).toEqual({ outcome: 'REJECTED', key: 'a dir/cat.png', reason: 'UNSUPPORTED_FORMAT' });
    expect(calls).toEqual(['ClaimImage', 'ValidateImage', 'RecordOutcome']);
    expect(recorded).toMatchObject({ outcome: 'REJECTED', state: { error: { Error: 'ImageRejected' } } });
    const cause = JSON.parse((recorded.state as { error: { Cause: string } }).error.Cause);
    expect(cause).toMatchObject({
      errorType: 'ImageRejected',
      errorMessage: 'UNSUPPORTED_FORMAT: The object is GIF',
    });
  });

  it('retries Rekognition throttling and then succeeds', async () => {
    let attempts = 0;
    tasks.DetectLabelsFunctionArn = () => {
      attempts++;
      return attempts <= 2 ? fail('RekognitionThrottled') : detection;
    };
    const { result, history } = await run();
    expect(result.status).toBe('SUCCEEDED');
    expect(attempts).toBe(3);
    const failedDetections = (history.events ?? []).filter(
      (event) => event.type?.endsWith('Failed') && JSON.stringify(event).includes('RekognitionThrottled'),
    );
    expect(failedDetections.length).toBe(2);
  });

  it('retries a failed store without calling Rekognition again', async () => {
    let stores = 0;
    tasks.StoreLabelsFunctionArn = () => {
      stores++;
      return stores === 1
        ? fail('LabelStoreThrottled')
        : { superseded: false, labelsWritten: 1, staleLabelsDeleted: 0, writeRequests: 1 };
    };
    const { result } = await run();
    expect(result.status).toBe('SUCCEEDED');
    expect(calls.filter((call) => call === 'DetectLabels')).toHaveLength(1);
    expect(stores).toBe(2);
  });

  it('records FAILED with the error once throttling retries are spent, then fails the run', async () => {
    tasks.DetectLabelsFunctionArn = () => fail('RekognitionThrottled', 'Rate exceeded');
    let recorded: Record<string, unknown> = {};
    tasks.RecordOutcomeFunctionArn = (payload) => {
      recorded = payload;
      return { outcome: 'FAILED', reason: null, superseded: false };
    };
    const { result } = await run();
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ImageProcessingFailed');
    // 1 call + 5 retries as written in the ASL.
    expect(calls.filter((call) => call === 'DetectLabels')).toHaveLength(6);
    expect(recorded).toMatchObject({
      outcome: 'FAILED',
      state: { error: { Error: 'RekognitionThrottled' } },
    });
  });

  it('retries detection once after a crash, and the retry finds the recorded answer', async () => {
    let detections = 0;
    tasks.DetectLabelsFunctionArn = () => {
      detections++;
      return detections === 1
        ? fail('Runtime.ExitError', 'signal: killed')
        : { ...detection, fromCache: true };
    };
    const { result, output } = await run();
    expect(result.status).toBe('SUCCEEDED');
    expect(detections).toBe(2);
    expect(output).toMatchObject({ outcome: 'LABELED', fromCache: true });
  });

  it('records FAILED for an unexpected error without retrying it', async () => {
    tasks.ValidateImageFunctionArn = () => fail('AccessDenied', 'no access');
    const { result } = await run();
    expect(result.status).toBe('FAILED');
    expect(calls).toEqual(['ClaimImage', 'ValidateImage', 'RecordOutcome']);
  });

  it('leaves a version claimed by another run alone and fails so the event is delivered again', async () => {
    tasks.ClaimImageFunctionArn = () => fail('ImageInProgress');
    const { result } = await run();
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ImageInProgress');
    expect(calls.every((call) => call === 'ClaimImage')).toBe(true);
    expect(calls).toHaveLength(4); // 1 call + 3 retries
  });

  it('records nothing when the claim itself fails: the run never owned the version', async () => {
    tasks.ClaimImageFunctionArn = () => fail('LabelStoreThrottled');
    const { result } = await run();
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ClaimFailed');
    expect(calls.every((call) => call === 'ClaimImage')).toBe(true);
  });

  it('still fails the run when recording the failure fails', async () => {
    tasks.ValidateImageFunctionArn = () => fail('AccessDenied');
    tasks.RecordOutcomeFunctionArn = () => fail('ValidationException');
    const { result } = await run();
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ImageProcessingFailed');
  });
});
