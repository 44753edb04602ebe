/**
 * Synthesizes the CDK app in-process with the same feature flags as `cdk synth` (cdk.json's
 * context), once per stage per test file.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

export interface SynthResult {
  storage: Template;
  pipeline: Template;
  built: ReturnType<typeof buildApp>;
}

/** Builds (does not synthesize) the app for a stage, with cdk.json's feature flags. */
export function buildStage(stage: string, options: { bundle?: boolean } = {}): ReturnType<typeof buildApp> {
  const app = new App({
    context: {
      ...cdkJson.context,
      stage,
      // Bundling (esbuild) is exercised by `cdk synth` in CI; template tests do not need it.
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  return buildApp(app);
}

export function synthStage(stage: string, options: { bundle?: boolean } = {}): SynthResult {
  const built = buildStage(stage, options);
  return {
    storage: Template.fromStack(built.storage),
    pipeline: Template.fromStack(built.pipeline),
    built,
  };
}
