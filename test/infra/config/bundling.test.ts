import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { externalModules } from '../../../infra/config/bundling';
import { FUNCTIONS, houseEnvironment } from '../../../infra/config/functions';
import { loadStageConfig } from '../../../infra/config/stage-config';
import { nodejsBundling } from '../../../infra/constructs/labeler-function';
import { bundleHandler } from '../../../local/lambda/bundle';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('the functions bundling', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bundling-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('bundles the AWS SDK in every stage by default, leaving out only credential sources Lambda never reaches', () => {
    for (const stage of ['dev', 'prod', 'local']) expect(loadStageConfig(stage).awsSdk).toBe('bundled');
    const bundled = nodejsBundling('bundled', 'active');

    expect(bundled.bundleAwsSDK).toBe(true);
    expect(bundled.externalModules).not.toContain('@aws-sdk/*');
    expect(
      bundled.externalModules?.every((name) =>
        /credential-provider|token-providers|client-ss|client-sts|nested-clients/.test(name),
      ),
    ).toBe(true);
    expect(nodejsBundling('runtime', 'active')).toMatchObject({
      bundleAwsSDK: false,
      externalModules: ['@aws-sdk/*'],
    });
  });

  it('makes a bundle that starts in a fresh process with no node_modules in reach: the SDK it needs is inside', async () => {
    // Outside the project: a package the bundle left external could not be resolved here.
    const outfile = join(dir, 'claim-image', 'index.mjs');
    await bundleHandler(join(ROOT, 'functions', 'claim-image', 'handler.ts'), outfile, { awsSdk: 'bundled' });

    const result = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(pathToFileURL(outfile).href)}); console.log(typeof m.handler);`,
      ],
      {
        cwd: dir,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '',
          AWS_REGION: 'us-east-1',
          LABELS_TABLE_NAME: 'labels',
          CLAIM_LEASE_SECONDS: '120',
          POWERTOOLS_TRACE_ENABLED: 'false',
        },
      },
    );

    expect(result.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find/);
    expect(result.stdout.trim()).toBe('function');
    expect(readFileSync(outfile, 'utf8')).toContain('DynamoDBClient');
    expect(externalModules('runtime')).toEqual(['@aws-sdk/*']);
  });
});

describe('tracing and source maps, per stage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bundling-tracing-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('traces with the X-Ray SDK and maps stack traces in dev; Lambda active tracing alone and no source-map parsing in prod', () => {
    const variables = (stage: string) => houseEnvironment(FUNCTIONS.claim, loadStageConfig(stage));

    expect(variables('dev')).toMatchObject({
      TRACING_MODE: 'xray-sdk',
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(variables('prod')).toMatchObject({ TRACING_MODE: 'active' });
    expect(variables('prod')).not.toHaveProperty('NODE_OPTIONS');
    expect(nodejsBundling('bundled', 'xray-sdk').define).toEqual({
      'process.env.TRACING_MODE': '"xray-sdk"',
    });
    expect(nodejsBundling('bundled', 'active').define).toEqual({ 'process.env.TRACING_MODE': '"active"' });
  });

  it('refuses an unknown tracing mode at synth, naming the field', () => {
    expect(() => loadStageConfig('dev', { tracing: 'otel' })).toThrow(/tracing/);
  });

  it('leaves the X-Ray SDK out of an active-tracing bundle, and keeps it in an xray-sdk one', async () => {
    const entry = join(ROOT, 'functions', 'claim-image', 'handler.ts');
    const active = join(dir, 'active', 'index.mjs');
    const xraySdk = join(dir, 'xray-sdk', 'index.mjs');
    await bundleHandler(entry, active, { tracing: 'active' });
    await bundleHandler(entry, xraySdk, { tracing: 'xray-sdk' });

    const sources = (file: string) =>
      (JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources;
    expect(sources(active).filter((source) => /aws-xray-sdk-core|powertools\/tracer/.test(source))).toEqual(
      [],
    );
    expect(sources(xraySdk).some((source) => source.includes('aws-xray-sdk-core'))).toBe(true);
    expect(sources(xraySdk).some((source) => source.includes('@aws-lambda-powertools/tracer'))).toBe(true);
  });
});
