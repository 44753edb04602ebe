/**
 * Each function's environment is one contract: the shape its handler validates at cold start
 * (functions/<dir>/environment.ts) and the variables infra sets from it. The types make a missing
 * variable, or a missing context value, a compile error (the `@ts-expect-error` lines below fail
 * `tsc` if that ever stops being true); these tests check the values themselves, for every stage.
 */
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../../functions/shared/env';
import { flagsEnvironment } from '../../../infra/config/flags';
import {
  type ContextExtras,
  environmentOf,
  FUNCTIONS,
  type FunctionContext,
  type FunctionSpec,
} from '../../../infra/config/functions';
import { loadStageConfig, STAGES } from '../../../infra/config/stage-config';
import { pipelineTiming } from '../../../infra/config/timing';

const extras: ContextExtras = {
  stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:label-image',
  eventSourceMappingId: '0b6a3e1c-5f1b-4c1e-9f5e-1f0e3c2d4b5a',
  bucketName: 'images-bucket',
  cursorSecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cursor',
  ingestQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/ingest',
};

const specs = Object.entries(FUNCTIONS) as [string, FunctionSpec][];

describe.each(Object.keys(STAGES))('the functions of the %s stage', (stage) => {
  const config = loadStageConfig(stage);
  const context: FunctionContext = { config, timing: pipelineTiming(), tableName: 'labels' };
  const shared = new Set(Object.keys(flagsEnvironment(config)));

  it.each(specs)('%s gets variables its handler accepts', (_name, spec) => {
    const variables = spec.environment({ ...context, ...extras });
    expect(() => loadEnv(spec.env, variables)).not.toThrow();
  });

  it.each(specs)('%s gets no variable that nothing reads', (_name, spec) => {
    const variables = Object.keys(spec.environment({ ...context, ...extras }));
    const read = new Set(Object.keys(spec.env));
    expect(variables.filter((name) => !read.has(name) && !shared.has(name))).toEqual([]);
  });

  it.each(specs)('%s needs exactly the context extras it reads', (_name, spec) => {
    const used = (Object.keys(extras) as (keyof ContextExtras)[]).filter((need) => {
      const without = { ...context, ...extras, [need]: `unset-${need}` };
      const variables = Object.values(spec.environment(without));
      return variables.includes(`unset-${need}`);
    });
    expect([...spec.needs].sort()).toEqual(used.sort());
  });
});

describe('the environment contract, at compile time', () => {
  const context: FunctionContext = {
    config: loadStageConfig('dev'),
    timing: pipelineTiming(),
    tableName: 'labels',
  };

  it('builds a function that needs no extras from the common context alone', () => {
    expect(environmentOf(FUNCTIONS.claim, context).LABELS_TABLE_NAME).toBe('labels');
  });

  it('refuses a function whose extras are missing', () => {
    // @ts-expect-error start-workflow needs the state machine ARN
    const unchecked = environmentOf(FUNCTIONS.start, context);
    expect(() => loadEnv(FUNCTIONS.start.env, unchecked)).toThrow(/STATE_MACHINE_ARN/);
    const built = environmentOf(FUNCTIONS.start, context, { stateMachineArn: extras.stateMachineArn });
    expect(built.STATE_MACHINE_ARN).toBe(extras.stateMachineArn);
  });

  it('refuses a spec that leaves out a variable its handler requires', () => {
    const partial: FunctionSpec<typeof FUNCTIONS.claim.env, never> = {
      ...FUNCTIONS.claim,
      // @ts-expect-error CLAIM_LEASE_SECONDS is required by the claim-image handler
      environment: ({ tableName }) => ({ LABELS_TABLE_NAME: tableName }),
    };
    expect(() => loadEnv(partial.env, partial.environment(context))).toThrow(/CLAIM_LEASE_SECONDS/);
  });
});
