import { describe, expect, it } from 'vitest';
import { countWindow, parseCountWindow } from '../../../../functions/core/count-window';
import {
  type FunctionInvoker,
  type Invocation,
  preTrafficChecks,
} from '../../../../functions/core/deployment-hooks/pre-traffic';
import type { SmokeObjectStore } from '../../../../functions/core/deployment-hooks/smoke-objects';
import type { CountsLedgerStore } from '../../../../functions/core/label-counts';

const now = new Date('2026-12-01T10:00:00.000Z');
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:fn:3';
const noObjects: SmokeObjectStore = {
  put: async () => {
    throw new Error('this plan writes no smoke object');
  },
  remove: async () => {},
};

/** Answers every invocation with `answer` and keeps the payloads it was sent. */
function fakeInvoker(answer: (payload: unknown) => Invocation): FunctionInvoker & { payloads: unknown[] } {
  const payloads: unknown[] = [];
  return {
    payloads,
    invoke: async (_arn, payload) => {
      payloads.push(payload);
      return answer(payload);
    },
  };
}
const refusal = (errorType: string, errorMessage = 'no'): Invocation => ({
  ok: false,
  errorType,
  errorMessage,
  statusCode: 200,
});
const checks = (invoker: FunctionInvoker, plan: Parameters<typeof preTrafficChecks>[1]['plan']) =>
  preTrafficChecks({ invoker, smokeObjects: noObjects, bucket: 'images', now }, { plan, functionArn: ARN });

describe('preTrafficChecks', () => {
  it('task-input: passes only when the version refuses the input as InvalidTaskInput', async () => {
    const [refused] = await checks(
      fakeInvoker(() => refusal('InvalidTaskInput')),
      'task-input',
    );
    const [accepted] = await checks(
      fakeInvoker(() => ({ ok: true, result: {} })),
      'task-input',
    );

    expect(refused?.ok).toBe(true);
    expect(accepted?.ok).toBe(false);
  });

  it('http-openapi: passes only on a 200 whose body is an OpenAPI 3.1 document', async () => {
    const serve = (statusCode: number, body: string) =>
      fakeInvoker(() => ({ ok: true, result: { statusCode, body } }));

    expect((await checks(serve(200, '{"openapi":"3.1.0"}'), 'http-openapi'))[0]?.ok).toBe(true);
    expect((await checks(serve(200, '{"openapi":"3.0.3"}'), 'http-openapi'))[0]?.ok).toBe(false);
    expect((await checks(serve(200, 'not json'), 'http-openapi'))[0]?.ok).toBe(false);
    expect((await checks(serve(500, '{"openapi":"3.1.0"}'), 'http-openapi'))[0]?.ok).toBe(false);
  });

  it('scheduled: passes when the job says what it did', async () => {
    const [result] = await checks(
      fakeInvoker(() => ({ ok: true, result: { action: 'applied' } })),
      'scheduled',
    );

    expect(result?.ok).toBe(true);
  });

  it('queue-batch: passes only when the batch is acknowledged whole', async () => {
    const acknowledged = fakeInvoker(() => ({ ok: true, result: { batchItemFailures: [] } }));
    const failed = fakeInvoker(() => ({
      ok: true,
      result: { batchItemFailures: [{ itemIdentifier: 'x' }] },
    }));

    expect((await checks(acknowledged, 'queue-batch'))[0]?.ok).toBe(true);
    expect((await checks(failed, 'queue-batch'))[0]?.ok).toBe(false);
    expect(JSON.stringify(acknowledged.payloads[0])).toContain('s3:TestEvent');
  });

  it('stream-window: passes only when a window batch with nothing to count gets an empty state', async () => {
    const empty = fakeInvoker(() => ({ ok: true, result: { state: {} } }));
    const opened = fakeInvoker(() => ({ ok: true, result: { state: { slot: 0, deltas: {} } } }));
    const crashed = fakeInvoker(() => refusal('MalformedEvent'));

    expect((await checks(empty, 'stream-window'))[0]?.ok).toBe(true);
    expect((await checks(opened, 'stream-window'))[0]?.ok).toBe(false);
    expect((await checks(crashed, 'stream-window'))[0]?.ok).toBe(false);
    expect(empty.payloads[0]).toMatchObject({ state: {}, isFinalInvokeForWindow: false });
  });

  it('stream-window: the real count-labels core accepts the smoke event without touching the table', async () => {
    const untouchable = new Proxy({} as CountsLedgerStore, {
      get: () => () => Promise.reject(new Error('the smoke window must not reach the table')),
    });
    const invoker = fakeInvoker(() => ({ ok: true, result: {} }));
    await checks(invoker, 'stream-window');

    const outcome = await countWindow(untouchable, parseCountWindow(invoker.payloads[0]), now);
    expect(outcome.state).toEqual({});
  });

  it('flags-validator: passes when this release is accepted and the contradiction refused', async () => {
    let calls = 0;
    const invoker = fakeInvoker(() =>
      calls++ === 0 ? { ok: true, result: null } : refusal('FlagsDocumentInvalid'),
    );

    const results = await checks(invoker, 'flags-validator');

    expect(results.map((result) => result.ok)).toEqual([true, true]);
    expect(invoker.payloads).toHaveLength(2);
  });
});
