import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_NAMES } from '../../functions/core/errors';
import { LABEL_IMAGE_ASL_PATH } from '../../infra/config/timing';
import { LABEL_WORKFLOW_PLACEHOLDERS } from '../../infra/constructs/label-workflow';
import { analyzeDefinition, substituteDefinition } from '../../local/stepfunctions';

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}
interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string;
}
interface State {
  Type: string;
  Resource?: string;
  Next?: string;
  Default?: string;
  End?: boolean;
  Retry?: Retrier[];
  Catch?: Catcher[];
  Choices?: { Next: string }[];
}

const text = readFileSync(LABEL_IMAGE_ASL_PATH, 'utf8');
const asl = JSON.parse(text) as {
  QueryLanguage?: string;
  TimeoutSeconds?: number;
  StartAt: string;
  States: Record<string, State>;
};
const states = Object.entries(asl.States);
const tasks = states.filter(([, state]) => state.Type === 'Task');

/** Lambda service errors Step Functions raises itself; retried on every task. */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.TooManyRequestsException',
];

/** What the Lambda runtime reports for a crash, an unknown failure or a timeout. */
const LAMBDA_RUNTIME_ERRORS = ['Lambda.Unknown', 'Runtime.ExitError', 'Sandbox.Timedout'];

describe('statemachines/label-image.asl.json', () => {
  it('is JSONPath (the local engine ignores JSONata) and bounded by a timeout', () => {
    expect(asl.QueryLanguage).toBe('JSONPath');
    expect(asl.TimeoutSeconds).toBeGreaterThan(0);
    expect(asl.TimeoutSeconds).toBeLessThanOrEqual(300);
  });

  it('matches only error names the functions throw, or Step Functions and Lambda built-ins', () => {
    const known = new Set<string>([...ERROR_NAMES, ...LAMBDA_SERVICE_ERRORS, ...LAMBDA_RUNTIME_ERRORS]);
    const used = states
      .flatMap(([, state]) => [...(state.Retry ?? []), ...(state.Catch ?? [])])
      .flatMap((r) => r.ErrorEquals);
    const unknown = used.filter((name) => !name.startsWith('States.') && !known.has(name));
    expect(unknown).toEqual([]);
    // And the contract is used: every retried or caught function error appears.
    for (const name of [
      'ImageRejected',
      'ImageInProgress',
      'RekognitionThrottled',
      'RekognitionUnavailable',
      'LabelStoreThrottled',
    ]) {
      expect(used).toContain(name);
    }
  });

  it('uses exactly the placeholders the CDK construct substitutes', () => {
    const placeholders = new Set([...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((match) => match[1]));
    expect(placeholders).toEqual(new Set(LABEL_WORKFLOW_PLACEHOLDERS));
  });

  it('is a valid definition once substituted (validated with ARN checks on)', () => {
    const substituted = substituteDefinition(
      text,
      Object.fromEntries(
        LABEL_WORKFLOW_PLACEHOLDERS.map((name) => [
          name,
          `arn:aws:lambda:us-east-1:123456789012:function:${name}:live`,
        ]),
      ),
    );
    expect(substituted).not.toContain('${');
    const analyzed = analyzeDefinition(substituted);
    expect(analyzed.tasks.size).toBe(tasks.length);
  });

  it('invokes every Lambda task through a placeholder (filled with a live alias ARN)', () => {
    for (const [, state] of tasks) expect(state.Resource).toMatch(/^\$\{[A-Za-z]+FunctionArn\}$/);
  });

  it('retries Lambda service errors on every task with capped, fully jittered backoff', () => {
    for (const [name, state] of tasks) {
      const retrier = state.Retry?.find((r) => r.ErrorEquals.includes('Lambda.ServiceException'));
      expect(retrier, name).toBeDefined();
      expect(retrier?.ErrorEquals).toEqual(expect.arrayContaining(LAMBDA_SERVICE_ERRORS));
      expect(retrier).toMatchObject({ JitterStrategy: 'FULL', MaxDelaySeconds: expect.any(Number) });
    }
  });

  it('retries Rekognition throttling with backoff, a delay cap and full jitter', () => {
    const retrier = asl.States.DetectLabels?.Retry?.find((r) =>
      r.ErrorEquals.includes('RekognitionThrottled'),
    );
    expect(retrier).toMatchObject({ JitterStrategy: 'FULL' });
    expect(retrier?.BackoffRate).toBeGreaterThan(1);
    expect(retrier?.MaxDelaySeconds).toBeGreaterThan(0);
  });

  it('retries a crashed or timed-out task once after the claim (the claim itself is not re-entrant)', () => {
    for (const [name, state] of tasks.filter(([taskName]) => taskName !== 'ClaimImage')) {
      const retrier = state.Retry?.find((r) => r.ErrorEquals.includes('Runtime.ExitError'));
      expect(retrier?.ErrorEquals, name).toEqual(LAMBDA_RUNTIME_ERRORS);
      expect(retrier?.MaxAttempts, name).toBe(1);
    }
    expect(asl.States.ClaimImage?.Retry?.some((r) => r.ErrorEquals.includes('Runtime.ExitError'))).toBe(
      false,
    );
  });

  it('never retries an invalid image and records it REJECTED', () => {
    for (const [name, state] of states) {
      expect(state.Retry?.some((r) => r.ErrorEquals.includes('ImageRejected')) ?? false, name).toBe(false);
    }
    for (const name of ['ValidateImage', 'DetectLabels']) {
      const catcher = asl.States[name]?.Catch?.find((c) => c.ErrorEquals.includes('ImageRejected'));
      expect(catcher?.Next, name).toBe('RecordRejected');
    }
  });

  it('gives every task an explicit failure path: recorded FAILED once the version is claimed', () => {
    for (const [name, state] of tasks) {
      const catchAll = state.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'));
      expect(catchAll, name).toBeDefined();
      expect(['RecordFailure', 'Failed', 'ClaimFailed']).toContain(catchAll?.Next);
    }
  });

  it('retries the store step on its own, after detection, so Rekognition is not called again', () => {
    expect(asl.States.DetectLabels?.Next).toBe('StoreLabels');
    expect(asl.States.StoreLabels?.Retry?.some((r) => r.ErrorEquals.includes('LabelStoreThrottled'))).toBe(
      true,
    );
  });

  it('has no dangling transitions', () => {
    const names = new Set(Object.keys(asl.States));
    const targets = states.flatMap(([, state]) => [
      state.Next,
      state.Default,
      ...(state.Catch ?? []).map((c) => c.Next),
      ...(state.Choices ?? []).map((c) => c.Next),
    ]);
    for (const target of targets.filter(Boolean)) expect(names.has(target as string), target).toBe(true);
    expect(names.has(asl.StartAt)).toBe(true);
  });
});
