import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalFunction, LambdaFunctionError, type LocalFunction } from '../../../local/lambda';
import { bundleHandler } from '../../../local/lambda/bundle';

const fixture = (file: string) => path.join(import.meta.dirname, 'fixtures', file);

interface EnvResult {
  secret?: string;
  other?: string;
  echo?: unknown;
  initCount: number;
  invocations: number;
  functionName: string;
  awsRequestId: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logStreamName: string;
  remainingMs: number;
  lambdaEnv: { name?: string; region?: string; endpoint?: string };
}

const opened: LocalFunction[] = [];
function open(options: Parameters<typeof createLocalFunction>[0]): LocalFunction {
  const fn = createLocalFunction({ onLog: () => {}, ...options });
  opened.push(fn);
  return fn;
}

afterAll(async () => {
  await Promise.all(opened.map((fn) => fn.close()));
});

async function rejection(promise: Promise<unknown>): Promise<LambdaFunctionError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof LambdaFunctionError) return err;
    throw err;
  }
  throw new Error('expected the invocation to fail');
}

describe('createLocalFunction', () => {
  it('gives each function its own process.env and loads a TypeScript handler that imports a TypeScript helper', async () => {
    const first = open({
      name: 'first',
      entry: fixture('env-handler.ts'),
      environment: { SECRET: 'one', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' },
      region: 'eu-west-1',
    });
    const second = open({
      name: 'second',
      entry: fixture('env-handler.ts'),
      environment: { OTHER_SECRET: 'two' },
    });

    const [a, b] = (await Promise.all([first.invoke({}), second.invoke({})])) as [EnvResult, EnvResult];

    expect(a).toMatchObject({ secret: 'one', lambdaEnv: { name: 'first', region: 'eu-west-1' } });
    expect(a.other).toBeUndefined();
    expect(a.lambdaEnv.endpoint).toBe('http://127.0.0.1:4566');
    expect(b).toMatchObject({ other: 'two', lambdaEnv: { name: 'second', region: 'us-east-1' } });
    expect(b.secret).toBeUndefined();
    expect(process.env.SECRET).toBeUndefined();
  });

  it('initialises the module once per environment and reuses it for later invocations', async () => {
    const fn = open({ name: 'warm', entry: fixture('env-handler.ts'), maxConcurrency: 1 });

    const results = [] as EnvResult[];
    for (let i = 0; i < 3; i++) results.push((await fn.invoke({ echo: i })) as EnvResult);

    expect(results.map((r) => r.initCount)).toEqual([1, 1, 1]);
    expect(results.map((r) => r.invocations)).toEqual([1, 2, 3]);
    expect(results.map((r) => r.echo)).toEqual([0, 1, 2]);
    expect(fn.stats()).toMatchObject({ coldStarts: 1, invocations: 3, environments: 1 });
  });

  it('passes a Lambda-like context object', async () => {
    const fn = open({
      name: 'ctx',
      entry: fixture('env-handler.ts'),
      timeoutSeconds: 5,
      memorySize: 512,
      accountId: '123456789012',
    });

    const first = (await fn.invoke({})) as EnvResult;
    const second = (await fn.invoke({})) as EnvResult;

    expect(first.functionName).toBe('ctx');
    expect(first.invokedFunctionArn).toBe('arn:aws:lambda:us-east-1:123456789012:function:ctx');
    expect(fn.arn('live')).toBe('arn:aws:lambda:us-east-1:123456789012:function:ctx:live');
    expect(first.memoryLimitInMB).toBe('512');
    expect(first.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.awsRequestId).not.toBe(first.awsRequestId);
    expect(first.logStreamName).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(first.remainingMs).toBeGreaterThan(0);
    expect(first.remainingMs).toBeLessThanOrEqual(5000);
  });

  it('serialises invocations within one environment and never runs more environments than maxConcurrency', async () => {
    const fn = open({ name: 'pool', entry: fixture('lifecycle-handler.ts'), maxConcurrency: 2 });

    const results = (await Promise.all(Array.from({ length: 6 }, () => fn.invoke({ mode: 'ok' })))) as Array<{
      environmentId: string;
    }>;

    const distinct = new Set(results.map((r) => r.environmentId));
    expect(distinct.size).toBeGreaterThanOrEqual(1);
    expect(distinct.size).toBeLessThanOrEqual(2);
    expect(fn.stats().coldStarts).toBe(distinct.size);
    expect(fn.stats().invocations).toBe(6);
  });

  it('rejects with the thrown error name and message so Step Functions can match it', async () => {
    const fn = open({ name: 'validate', entry: fixture('error-handler.ts') });

    const err = await rejection(fn.invoke({ size: 99 }));

    expect(err.name).toBe('ImageTooLargeError');
    expect(err.message).toBe('image of 99 bytes exceeds the limit');
    expect(err.toPayload()).toMatchObject({
      errorType: 'ImageTooLargeError',
      errorMessage: 'image of 99 bytes exceeds the limit',
    });
    expect(err.toPayload().trace[0]).toContain('ImageTooLargeError');
  });

  it('reports a missing handler export as Runtime.HandlerNotFound', async () => {
    const fn = open({ name: 'missing', entry: fixture('error-handler.ts'), handlerExport: 'nope' });

    const err = await rejection(fn.invoke({}));

    expect(err.name).toBe('Runtime.HandlerNotFound');
  });

  it('times out a handler stuck in a synchronous loop with Sandbox.Timedout and starts a fresh environment next time', async () => {
    const fn = open({
      name: 'slow',
      entry: fixture('lifecycle-handler.ts'),
      timeoutSeconds: 0.5,
      maxConcurrency: 1,
    });
    const before = (await fn.invoke({ mode: 'ok' })) as { environmentId: string };

    const err = await rejection(fn.invoke({ mode: 'spin' }));
    const after = (await fn.invoke({ mode: 'ok' })) as { environmentId: string };

    expect(err.name).toBe('Sandbox.Timedout');
    expect(err.message).toMatch(/Task timed out after 0\.50 seconds/);
    expect(after.environmentId).not.toBe(before.environmentId);
    expect(fn.stats().coldStarts).toBe(2);
  });

  it('times out a handler waiting on a promise', async () => {
    const fn = open({ name: 'sleepy', entry: fixture('lifecycle-handler.ts'), timeoutSeconds: 0.3 });

    const err = await rejection(fn.invoke({ mode: 'sleep' }));

    expect(err.name).toBe('Sandbox.Timedout');
  });

  it('reports process.exit in the handler as Runtime.ExitError and recovers with a fresh environment', async () => {
    const fn = open({ name: 'exits', entry: fixture('lifecycle-handler.ts'), maxConcurrency: 1 });
    const before = (await fn.invoke({ mode: 'ok' })) as { environmentId: string };

    const err = await rejection(fn.invoke({ mode: 'exit' }));
    const after = (await fn.invoke({ mode: 'ok' })) as { environmentId: string };

    expect(err.name).toBe('Runtime.ExitError');
    expect(err.message).toContain('exit status 3');
    expect(after.environmentId).not.toBe(before.environmentId);
  });

  it('reports an uncaught exception as Runtime.ExitError with the original error in the message', async () => {
    const fn = open({ name: 'throws', entry: fixture('lifecycle-handler.ts'), maxConcurrency: 1 });

    const err = await rejection(fn.invoke({ mode: 'uncaught' }));
    const after = await fn.invoke({ mode: 'ok' });

    expect(err.name).toBe('Runtime.ExitError');
    expect(err.message).toContain('boom from a timer');
    expect(after).toHaveProperty('environmentId');
  });

  it('forwards stdout and stderr lines, then a REPORT line, to onLog before the invocation resolves', async () => {
    const lines: Array<{ fn: string; line: string; stream: string }> = [];
    const fn = createLocalFunction({
      name: 'logger',
      entry: fixture('log-handler.ts'),
      onLog: (name, line, stream) => lines.push({ fn: name, line, stream }),
    });
    opened.push(fn);

    const result = await fn.invoke({});

    expect(result).toBe('done');
    expect(lines.every((l) => l.fn === 'logger')).toBe(true);
    const stdout = lines.filter((l) => l.stream === 'stdout').map((l) => l.line);
    expect(stdout.some((l) => JSON.parse(l.startsWith('{') ? l : '{}').message === 'Image accepted')).toBe(
      true,
    );
    expect(
      stdout.some((l) => /^\d{4}-\d\d-\d\dT.*Z\t[0-9a-f-]{36}\tINFO\tplain console output$/.test(l)),
    ).toBe(true);
    expect(lines.some((l) => l.stream === 'stderr' && l.line.endsWith('\tERROR\tto stderr'))).toBe(true);
    expect(lines.at(-1)).toMatchObject({ stream: 'platform' });
    expect(lines.at(-1)?.line).toMatch(/^REPORT RequestId: .*Init Duration/);
  });
});

describe('createLocalFunction in process isolation', () => {
  let dir: string;
  let bundle: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'local-function-'));
    bundle = path.join(dir, 'lifecycle', 'index.mjs');
    await bundleHandler(fixture('lifecycle-handler.ts'), bundle);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const maxMemoryUsed = (line: string | undefined) =>
    Number(/\tMax Memory Used: (\d+) MB/.exec(line ?? '')?.[1]);

  it('runs a bundled handler in a child process and reports its peak memory in the REPORT line, as Lambda does', async () => {
    const reports: string[] = [];
    const fn = open({
      name: 'isolated',
      entry: bundle,
      isolation: 'process',
      maxConcurrency: 1,
      memorySize: 256,
      onLog: (_name, line, stream) => {
        if (stream === 'platform') reports.push(line);
      },
    });

    const first = (await fn.invoke({ mode: 'ok' })) as { environmentId: string };
    const second = (await fn.invoke({ mode: 'allocate' })) as { environmentId: string; allocated: number };

    expect(second).toEqual({ environmentId: first.environmentId, allocated: 64 * 1024 * 1024 });
    expect(reports[0]).toMatch(/\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: /);
    const before = maxMemoryUsed(reports[0]);
    const after = maxMemoryUsed(reports[1]);
    // An empty handler's process: well under its parent's memory (a peak inherited across fork would not be).
    expect(before).toBeGreaterThan(10);
    expect(before).toBeLessThan(100);
    expect(after - before).toBeGreaterThanOrEqual(60);
  });

  it('leaves "Max Memory Used" out of REPORT lines in thread isolation, where memory is shared', async () => {
    const reports: string[] = [];
    const fn = open({
      name: 'threaded',
      entry: fixture('lifecycle-handler.ts'),
      onLog: (_name, line, stream) => {
        if (stream === 'platform') reports.push(line);
      },
    });

    await fn.invoke({ mode: 'ok' });

    expect(reports[0]).toMatch(/^REPORT RequestId: /);
    expect(reports[0]).not.toContain('Max Memory Used');
  });

  it('reports a process exit as Runtime.ExitError and a stuck handler as Sandbox.Timedout, then starts a fresh process', async () => {
    const fn = open({
      name: 'isolated-failures',
      entry: bundle,
      isolation: 'process',
      maxConcurrency: 1,
      timeoutSeconds: 1,
    });

    const exited = await rejection(fn.invoke({ mode: 'exit' }));
    const stuck = await rejection(fn.invoke({ mode: 'spin' }));
    const after = await fn.invoke({ mode: 'ok' });

    expect(exited.name).toBe('Runtime.ExitError');
    expect(exited.message).toContain('exit status 3');
    expect(stuck.name).toBe('Sandbox.Timedout');
    expect(after).toHaveProperty('environmentId');
    expect(fn.stats().coldStarts).toBe(3);
  });
});
