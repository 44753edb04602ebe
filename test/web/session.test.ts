import { describe, expect, it } from 'vitest';
import {
  type AuthPort,
  createSession,
  needsRefresh,
  SessionEndedError,
  type TokenSet,
} from '../../web/src/lib/session';

const NOW = 1_800_000_000;

/** A fake sign-in library: a stored token, and the tokens each refresh hands out. */
function fakePort(stored: TokenSet | null, refreshes: (TokenSet | null | Error)[]) {
  const calls = { refresh: 0 };
  const port: AuthPort = {
    current: async () => stored,
    refresh: async () => {
      calls.refresh += 1;
      const next = refreshes.shift() ?? null;
      if (next instanceof Error) throw next;
      stored = next;
      return next;
    },
  };
  return { port, calls };
}

const token = (accessToken: string, expiresIn = 3600): TokenSet => ({
  accessToken,
  expiresAt: NOW + expiresIn,
});

describe('needsRefresh', () => {
  it('refreshes within a minute of expiry, or after it', () => {
    expect(needsRefresh(token('a', 61), NOW)).toBe(false);
    expect(needsRefresh(token('a', 60), NOW)).toBe(true);
    expect(needsRefresh(token('a', -5), NOW)).toBe(true);
    expect(needsRefresh({ accessToken: 'a' }, NOW)).toBe(false);
  });
});

describe('session', () => {
  it('sends the stored access token while it is fresh', async () => {
    const { port, calls } = fakePort(token('fresh'), []);
    const session = createSession(port, () => NOW);
    const seen: string[] = [];

    const response = await session.authorized(async (accessToken) => {
      seen.push(accessToken);
      return { status: 200 };
    });

    expect(response.status).toBe(200);
    expect(seen).toEqual(['fresh']);
    expect(calls.refresh).toBe(0);
  });

  it('refreshes a token about to expire before using it', async () => {
    const { port } = fakePort(token('old', 30), [token('new')]);
    const session = createSession(port, () => NOW);

    await expect(session.accessToken()).resolves.toBe('new');
  });

  it('on a 401, refreshes once and retries once with the new token', async () => {
    const { port, calls } = fakePort(token('revoked'), [token('renewed')]);
    const session = createSession(port, () => NOW);
    const seen: string[] = [];

    const response = await session.authorized(async (accessToken) => {
      seen.push(accessToken);
      return { status: accessToken === 'renewed' ? 200 : 401 };
    });

    expect(response.status).toBe(200);
    expect(seen).toEqual(['revoked', 'renewed']);
    expect(calls.refresh).toBe(1);
  });

  it('ends the session when the retry is refused too, and tells its listeners', async () => {
    const { port, calls } = fakePort(token('a'), [token('b'), token('c')]);
    const session = createSession(port, () => NOW);
    let ended = 0;
    session.onEnded(() => {
      ended += 1;
    });

    await expect(session.authorized(async () => ({ status: 401 }))).rejects.toBeInstanceOf(SessionEndedError);
    expect(calls.refresh).toBe(1);
    expect(ended).toBe(1);
  });

  it('ends the session when the refresh fails or there is no refresh token', async () => {
    for (const outcome of [new Error('invalid_grant'), null]) {
      const { port } = fakePort(token('a'), [outcome]);
      const session = createSession(port, () => NOW);
      let ended = false;
      session.onEnded(() => {
        ended = true;
      });

      const call = session.authorized(async () => ({ status: 401 }));

      await expect(call).rejects.toThrow('Your session has ended. Sign in again.');
      expect(ended).toBe(true);
    }
  });

  it('ends the session at once when nobody is signed in', async () => {
    const { port } = fakePort(null, []);
    const session = createSession(port, () => NOW);
    let called = false;

    await expect(
      session.authorized(async () => {
        called = true;
        return { status: 200 };
      }),
    ).rejects.toBeInstanceOf(SessionEndedError);
    expect(called).toBe(false);
  });

  it('shares one refresh between concurrent calls', async () => {
    const { port, calls } = fakePort(token('old', 10), [token('new')]);
    const session = createSession(port, () => NOW);

    const tokens = await Promise.all([session.accessToken(), session.accessToken(), session.accessToken()]);

    expect(tokens).toEqual(['new', 'new', 'new']);
    expect(calls.refresh).toBe(1);
  });

  it('stops telling a listener once it unsubscribes', async () => {
    const { port } = fakePort(null, []);
    const session = createSession(port, () => NOW);
    let ended = 0;
    const unsubscribe = session.onEnded(() => {
      ended += 1;
    });
    unsubscribe();

    await expect(session.accessToken()).rejects.toBeInstanceOf(SessionEndedError);
    expect(ended).toBe(0);
  });
});
