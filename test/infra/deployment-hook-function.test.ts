/**
 * The deployment hooks' environment is one contract, like the functions': the shapes the hooks
 * validate (functions/deployment-hooks/environment.ts) type the `environment` DeploymentHookFunction
 * takes, so a missing or an extra variable is a compile error (the `@ts-expect-error` lines fail
 * `tsc` if that stops being true). The synthesized hooks are checked against the same shapes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYMENT_HOOKS_SERVICE } from '../../functions/core/metrics';
import { HOOK_ENVIRONMENTS, type HookEntry } from '../../functions/deployment-hooks/environment';
import { loadEnv } from '../../functions/shared/env';
import type { DeploymentHookFunctionProps } from '../../infra/constructs/deployment-hook-function';
import { type SynthResult, synthStage } from '../support/synth';

/** What the house construct sets on every function, hooks included (dev maps stack traces). */
const HOUSE_VARIABLES = {
  dev: [
    'NODE_OPTIONS',
    'TRACING_MODE',
    'POWERTOOLS_SERVICE_NAME',
    'POWERTOOLS_METRICS_NAMESPACE',
    'POWERTOOLS_LOG_LEVEL',
  ],
  prod: ['TRACING_MODE', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_LOG_LEVEL'],
} as const;

describe('the hook environment contract, at compile time', () => {
  it('takes exactly the variables a hook reads', () => {
    const pre: DeploymentHookFunctionProps<'pre-traffic'>['environment'] = {
      IMAGES_BUCKET_NAME: 'images',
      TARGET_FUNCTION_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:f:3',
      SMOKE_PLAN: 'validate-image',
    };
    expect(loadEnv(HOOK_ENVIRONMENTS['pre-traffic'], pre)).toEqual(pre);

    // @ts-expect-error the pre-traffic hook needs the version it tests
    const missing: DeploymentHookFunctionProps<'pre-traffic'>['environment'] = {
      IMAGES_BUCKET_NAME: 'images',
      SMOKE_PLAN: 'validate-image',
    };
    expect(() => loadEnv(HOOK_ENVIRONMENTS['pre-traffic'], missing)).toThrow(/TARGET_FUNCTION_ARN/);

    const extra: DeploymentHookFunctionProps<'post-traffic'>['environment'] = {
      IMAGES_BUCKET_NAME: 'images',
      STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:label-image',
      // @ts-expect-error the post-traffic hook reads no target function
      TARGET_FUNCTION_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:f:3',
    };
    expect(Object.keys(loadEnv(HOOK_ENVIRONMENTS['post-traffic'], extra))).not.toContain(
      'TARGET_FUNCTION_ARN',
    );
  });
});

interface LambdaResource {
  Properties: { Handler?: string; Environment?: { Variables?: Record<string, unknown> } };
}

describe.each(['dev', 'prod'] as const)('the deployment hooks of the %s stage', (stage) => {
  let synth: SynthResult;
  beforeAll(() => {
    synth = synthStage(stage);
  });

  it('set exactly the variables each hook reads, and the house ones', () => {
    const hooks = Object.values(
      synth.pipeline.findResources('AWS::Lambda::Function') as Record<string, LambdaResource>,
    )
      .map((fn) => fn.Properties.Environment?.Variables ?? {})
      .filter((variables) => variables.POWERTOOLS_SERVICE_NAME === DEPLOYMENT_HOOKS_SERVICE);
    const entries = hooks.map(
      (variables): HookEntry => ('TARGET_FUNCTION_ARN' in variables ? 'pre-traffic' : 'post-traffic'),
    );
    expect(new Set(entries)).toEqual(new Set(['pre-traffic', 'post-traffic']));
    hooks.forEach((variables, index) => {
      const entry = entries[index] as HookEntry;
      const shape = HOOK_ENVIRONMENTS[entry];
      expect(Object.keys(variables).sort()).toEqual(
        [...Object.keys(shape), ...HOUSE_VARIABLES[stage]].sort(),
      );
      // Tokens (Ref, GetAtt) stand for strings the shapes accept; plain values are validated as they are.
      const asStrings = Object.fromEntries(
        Object.entries(variables).map(([name, value]) => [name, typeof value === 'string' ? value : 'token']),
      );
      expect(() => loadEnv(shape, asStrings)).not.toThrow();
    });
  });
});
