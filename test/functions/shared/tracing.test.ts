/**
 * Tracing is one module (functions/shared/tracing.ts) whose mode is fixed per execution
 * environment: each case loads it afresh with the variable its stage sets.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const tracerCalls = { constructed: 0, captured: [] as unknown[], handlerMiddlewares: 0 };

vi.mock('@aws-lambda-powertools/tracer', () => ({
  Tracer: class {
    constructor() {
      tracerCalls.constructed++;
    }
    captureAWSv3Client<T>(client: T): T {
      tracerCalls.captured.push(client);
      return { captured: client } as T;
    }
  },
}));
vi.mock('@aws-lambda-powertools/tracer/middleware', () => ({
  captureLambdaHandler: () => {
    tracerCalls.handlerMiddlewares++;
    return { before: () => undefined };
  },
}));

async function loadTracing(mode: string | undefined) {
  vi.resetModules();
  tracerCalls.constructed = 0;
  tracerCalls.captured = [];
  tracerCalls.handlerMiddlewares = 0;
  vi.stubEnv('TRACING_MODE', mode);
  return import('../../../functions/shared/tracing');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('tracing in active mode (Lambda active tracing alone)', () => {
  it('never builds a tracer: clients are returned as they are and the chain gets no middleware', async () => {
    const tracing = await loadTracing('active');
    const client = { name: 'dynamodb' };

    expect(tracing.TRACING).toBe('active');
    expect(tracing.traced(client)).toBe(client);
    expect(tracing.tracingMiddleware()).toEqual([]);
    expect(tracerCalls).toEqual({ constructed: 0, captured: [], handlerMiddlewares: 0 });
  });

  it('is the mode when the variable is not set', async () => {
    const tracing = await loadTracing(undefined);

    expect(tracing.TRACING).toBe('active');
    expect(tracerCalls.constructed).toBe(0);
  });
});

describe('tracing in xray-sdk mode (Powertools Tracer)', () => {
  it('builds one tracer at cold start, captures each client and puts its middleware in the chain', async () => {
    const tracing = await loadTracing('xray-sdk');
    const client = { name: 's3' };

    expect(tracing.TRACING).toBe('xray-sdk');
    expect(tracing.traced(client)).toEqual({ captured: client });
    expect(tracing.tracingMiddleware()).toHaveLength(1);
    expect(tracerCalls).toMatchObject({ constructed: 1, captured: [client], handlerMiddlewares: 1 });
  });
});

describe('the tracing mode variable', () => {
  it('fails the cold start on an unknown mode, naming the modes there are', async () => {
    await expect(loadTracing('xray')).rejects.toThrow(
      'TRACING_MODE must be one of active, xray-sdk; got "xray".',
    );
  });
});
