/**
 * A function's execution environments: at most `maxConcurrency` alive, an idle one reused before a
 * new one is started (a cold start), callers queued when all are busy.
 */
import type { Environment } from './environment';

export interface EnvironmentPool {
  readonly name: string;
  readonly maxConcurrency: number;
  /** Starts a new environment (a cold start). */
  readonly create: () => Environment;
  readonly environments: Set<Environment>;
  readonly idle: Environment[];
  readonly waiters: Array<{ resolve: (env: Environment) => void; reject: (err: Error) => void }>;
  closed: boolean;
  coldStarts: number;
}

export function createPool(name: string, maxConcurrency: number, create: () => Environment): EnvironmentPool {
  return {
    name,
    maxConcurrency,
    create,
    environments: new Set(),
    idle: [],
    waiters: [],
    closed: false,
    coldStarts: 0,
  };
}

function forget(pool: EnvironmentPool, env: Environment): void {
  pool.environments.delete(env);
  const i = pool.idle.indexOf(env);
  if (i >= 0) pool.idle.splice(i, 1);
}

function spawn(pool: EnvironmentPool): Environment {
  pool.coldStarts++;
  const env = pool.create();
  pool.environments.add(env);
  env.host.onExit(() => {
    forget(pool, env);
    // A worker that died while idle frees a slot: hand it to whoever waits for one.
    if (!pool.closed && pool.environments.size < pool.maxConcurrency)
      pool.waiters.shift()?.resolve(spawn(pool));
  });
  return env;
}

export function acquire(pool: EnvironmentPool): Promise<Environment> {
  if (pool.closed) return Promise.reject(new Error(`function ${pool.name} is closed`));
  let env = pool.idle.pop();
  while (env?.dead) env = pool.idle.pop();
  if (env) return Promise.resolve(env);
  if (pool.environments.size < pool.maxConcurrency) return Promise.resolve(spawn(pool));
  return new Promise((resolve, reject) => pool.waiters.push({ resolve, reject }));
}

export function release(pool: EnvironmentPool, env: Environment): void {
  // A terminated environment (timeout, crash) no longer counts, even before its exit event arrives.
  if (env.dead) forget(pool, env);
  const waiter = pool.waiters.shift();
  if (!waiter) {
    if (!env.dead) pool.idle.push(env);
    return;
  }
  if (pool.closed) {
    waiter.reject(new Error(`function ${pool.name} is closed`));
    return;
  }
  waiter.resolve(env.dead ? spawn(pool) : env);
}

/** Refuses the waiting callers and terminates every environment. */
export async function closePool(pool: EnvironmentPool): Promise<void> {
  pool.closed = true;
  for (const waiter of pool.waiters.splice(0)) waiter.reject(new Error(`function ${pool.name} is closed`));
  pool.idle.length = 0;
  await Promise.all([...pool.environments].map((env) => env.terminate()));
}
