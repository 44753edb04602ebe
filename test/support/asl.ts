/**
 * Small definitions for the static check's tests (test/infra/asl): one state 'S' of each kind the
 * workflows use, and an assertion that a rule refuses a definition on the right state and field.
 */
import { expect } from 'vitest';
import type { AslProblem, WorkflowType } from '../../infra/asl/check';
import { ruleProblems } from '../../infra/asl/rules';

export type Json = Record<string, unknown>;

export const FUNCTION_ARN =
  'arn:aws:lambda:us-east-1:123456789012:function:image-labeling-dev-reconcile:live';
export const task = (extra: Json = {}): Json => ({
  Type: 'Task',
  Resource: FUNCTION_ARN,
  End: true,
  ...extra,
});
export const pass = (extra: Json = {}): Json => ({ Type: 'Pass', End: true, ...extra });
/** A one-state machine (state 'S'), JSONPath unless `top` says otherwise. */
export const machine = (state: Json, top: Json = {}): Json => ({
  StartAt: 'S',
  States: { S: state },
  ...top,
});
const child = { StartAt: 'C', States: { C: task() } };
/** A Distributed Map over the bucket listing, with `extra` fields (and its ProcessorConfig). */
export const distributedMap = (
  extra: Json = {},
  processorConfig: Json = { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
): Json & { ItemProcessor: Json } => ({
  Type: 'Map',
  ItemReader: {
    Resource: 'arn:aws:states:::s3:listObjectsV2',
    Parameters: { Bucket: 'image-labeling-dev-images-123456789012-us-east-1' },
  },
  ItemProcessor: { ProcessorConfig: processorConfig, ...child },
  End: true,
  ...extra,
});

/**
 * The project's rules alone (infra/asl/rules.ts): asl-validator compiles its schemas on every
 * call (about half a second), so only the tests of asl-validator's part run the whole check.
 */
export const rules = (definition: Json, type: WorkflowType = 'STANDARD'): AslProblem[] =>
  ruleProblems(definition, type);

/** Expects the rules to report a problem on that state ('S' by default) and field, with that message. */
export function expectRefused(
  definition: Json,
  expected: { state?: string; field: string; message: RegExp },
  type?: WorkflowType,
): void {
  const problems = rules(definition, type);
  const match = problems.find(
    (problem) =>
      problem.state === (expected.state ?? 'S') &&
      problem.field === expected.field &&
      expected.message.test(problem.message),
  );
  expect(match, JSON.stringify(problems, null, 2)).toBeDefined();
}
