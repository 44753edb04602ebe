/**
 * Workaround for aws-local-stepfunctions 3.0.0 on Node 20.
 *
 * The library declares `node >= 22` and calls `Promise.withResolvers` (ES2024, Node >= 22) inside
 * every Task state (to race the task against its timeout). On Node 20 that call throws a
 * TypeError right after the task handler was started, which the library reports as an ordinary
 * state error: the function runs (side effects happen) but its result is lost, and a `States.ALL`
 * Catch swallows the TypeError so the execution silently takes the error branch.
 *
 * This module installs a spec-conforming polyfill (a no-op on Node >= 22) and must be imported
 * BEFORE `aws-local-stepfunctions` (see ./engine). `assertPromiseWithResolvers()` lets the service
 * fail fast at startup if the polyfill is somehow missing.
 * Test: test/local/stepfunctions/polyfill.test.ts (removing the polyfill makes a Task fall into Catch).
 */

type WithResolvers = <T>() => {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
};

/** A standalone implementation of `Promise.withResolvers`, exported so tests can re-install it. */
export const promiseWithResolversPolyfill: WithResolvers = <T>() => {
  let resolve: (value: T | PromiseLike<T>) => void = () => {};
  let reject: (reason?: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

/** Installs the polyfill when the runtime lacks `Promise.withResolvers`. Idempotent. */
export function installPromiseWithResolvers(): void {
  const P = Promise as unknown as { withResolvers?: unknown };
  if (typeof P.withResolvers !== 'function') {
    Object.defineProperty(Promise, 'withResolvers', {
      value: promiseWithResolversPolyfill,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
}

/** Throws a clear error when `Promise.withResolvers` is not available (Task states would all fail). */
export function assertPromiseWithResolvers(): void {
  const P = Promise as unknown as { withResolvers?: unknown };
  if (typeof P.withResolvers !== 'function') {
    throw new Error(
      'Promise.withResolvers is missing: aws-local-stepfunctions would fail every Task state ' +
        '(silently, into any States.ALL Catch). Import local/stepfunctions/polyfill before the library.',
    );
  }
}

installPromiseWithResolvers();
