/**
 * The import rules (.dependency-cruiser.mjs, run by `npm run lint:imports`) refuse what they
 * promise to refuse: the fixture tree under test/fixtures/import-rules breaks each rule once and
 * keeps one clean file per folder, and the real tree passes.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtureTree = join(root, 'test/fixtures/import-rules');

/** Cruises functions/, infra/ and local/ under `baseDir` with the project's rules. */
async function violationsIn(baseDir: string): Promise<{ rule: string; from: string; to: string }[]> {
  const options = await extractDepcruiseOptions(join(root, '.dependency-cruiser.mjs'));
  const { output } = await cruise(['functions', 'infra', 'local'], { ...options, baseDir });
  const result = output as ICruiseResult;
  return result.summary.violations
    .map((violation) => ({ rule: violation.rule.name, from: violation.from, to: violation.to }))
    .sort((a, b) => `${a.rule} ${a.from}`.localeCompare(`${b.rule} ${b.from}`));
}

describe('import rules', () => {
  it('refuse each deliberate violation in the fixture tree (node: builtins reported bare), and nothing else', async () => {
    expect(await violationsIn(fixtureTree)).toEqual([
      { rule: 'core-without-io', from: 'functions/core/uses-fs.ts', to: 'fs/promises' },
      { rule: 'core-without-io', from: 'functions/core/uses-http.ts', to: 'http' },
      {
        rule: 'core-without-io',
        from: 'functions/core/uses-lambda-types.ts',
        to: expect.stringMatching(/aws-lambda/),
      },
      { rule: 'core-without-io', from: 'functions/core/uses-net.ts', to: 'net' },
      {
        rule: 'core-without-io',
        from: 'functions/core/uses-sdk.ts',
        to: expect.stringMatching(/@aws-sdk\/client-s3/),
      },
      {
        rule: 'functions-not-to-infra-or-local',
        from: 'functions/store-labels/uses-infra.ts',
        to: 'infra/stack.ts',
      },
      {
        rule: 'functions-not-to-infra-or-local',
        from: 'functions/store-labels/uses-local.ts',
        to: 'local/cloud.ts',
      },
      {
        rule: 'functions-validate-with-valibot',
        from: 'functions/store-labels/uses-zod.ts',
        to: expect.stringMatching(/(^|node_modules\/)zod(\/|$)/),
      },
      { rule: 'infra-not-to-local', from: 'infra/uses-local.ts', to: 'local/cloud.ts' },
      {
        rule: 'shared-not-to-handlers',
        from: 'functions/shared/uses-handler.ts',
        to: 'functions/api/handler.ts',
      },
      {
        rule: 'shared-not-to-handlers',
        from: 'functions/shared/uses-hook.ts',
        to: 'functions/deployment-hooks/pre-traffic.ts',
      },
    ]);
  });

  it('pass on the project itself', async () => {
    expect(await violationsIn(root)).toEqual([]);
  });
});
