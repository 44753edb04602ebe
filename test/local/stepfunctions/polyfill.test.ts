import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { createStepFunctionsService } from '../../../local/stepfunctions';
import { promiseWithResolversPolyfill } from '../../../local/stepfunctions/polyfill';

type PromiseStatic = { withResolvers?: unknown };

/** One Task whose failure (of any kind) a States.ALL Catch sends to a Pass state. */
const definition = {
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:000000000000:function:work',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Fallback' }],
      End: true,
    },
    Fallback: { Type: 'Pass', End: true },
  },
} as unknown as StateMachineDefinition;

async function runOnce(): Promise<{ calls: number; output: unknown }> {
  let calls = 0;
  const machine = new StateMachine(definition);
  const output = await machine.run(
    { n: 1 },
    {
      overrides: {
        taskResourceLocalHandlers: {
          Work: () => {
            calls++;
            return { done: true };
          },
        },
      },
    },
  ).result;
  return { calls, output };
}

/** Runs `fn` with Promise.withResolvers removed, restoring it afterwards. */
async function withoutWithResolvers<T>(fn: () => Promise<T> | T): Promise<T> {
  const P = Promise as unknown as PromiseStatic;
  const saved = P.withResolvers;
  delete P.withResolvers;
  try {
    return await fn();
  } finally {
    Object.defineProperty(Promise, 'withResolvers', {
      value: saved ?? promiseWithResolversPolyfill,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
}

describe('Promise.withResolvers polyfill for aws-local-stepfunctions', () => {
  it('is installed once the local Step Functions module is loaded', () => {
    const P = Promise as unknown as { withResolvers: typeof promiseWithResolversPolyfill };

    const { promise, resolve } = P.withResolvers<number>();
    resolve(42);

    expect(typeof P.withResolvers).toBe('function');
    return expect(promise).resolves.toBe(42);
  });

  it('makes Task states run their handler', async () => {
    const { calls, output } = await runOnce();

    expect(calls).toBe(1);
    expect(output).toEqual({ done: true });
  });

  it('is needed: without it the library never runs the Task and a States.ALL Catch hides the TypeError', async () => {
    const { calls, output } = await withoutWithResolvers(runOnce);

    expect(calls).toBe(1); // the handler is called, but its result is lost...
    expect(output).toMatchObject({ n: 1, error: { Error: 'TypeError' } }); // ...and the Catch branch runs
  });

  it('is checked at startup: createStepFunctionsService fails fast when it is missing', async () => {
    const create = () =>
      createStepFunctionsService({
        region: 'us-east-1',
        accountId: '000000000000',
        invokeLambda: async () => null,
      });

    await expect(withoutWithResolvers(create)).rejects.toThrow(/Promise\.withResolvers is missing/);
    expect(create().handler).toBeTypeOf('function');
  });
});
