/**
 * Access tokens for API calls, behind a small interface over oidc-client-ts's UserManager so the
 * rules are testable with a fake:
 *
 * - a token within REFRESH_MARGIN_SECONDS of its expiry is refreshed before use;
 * - a 401 from the API triggers one refresh and one retry; a second 401, or a refresh that
 *   fails, ends the session: listeners are told (the console shows "Your session has ended.
 *   Sign in again.") and the call throws SessionEndedError;
 * - concurrent calls share one refresh.
 *
 * Only the access token is ever sent (custom scopes live in it, never in the ID token).
 */

export interface TokenSet {
  accessToken: string;
  /** Seconds since the epoch; undefined when the issuer gave no lifetime. */
  expiresAt?: number;
}

/** What the session needs of the sign-in library. */
export interface AuthPort {
  /** The stored tokens, or null when signed out. */
  current(): Promise<TokenSet | null>;
  /** New tokens with the refresh token; null or a throw when that is not possible. */
  refresh(): Promise<TokenSet | null>;
}

export class SessionEndedError extends Error {
  override readonly name = 'SessionEnded';
  constructor() {
    super('Your session has ended. Sign in again.');
  }
}

export const REFRESH_MARGIN_SECONDS = 60;

/** Whether a token must be refreshed before it is used at `nowSeconds`. */
export function needsRefresh(token: TokenSet, nowSeconds: number, margin = REFRESH_MARGIN_SECONDS): boolean {
  return token.expiresAt !== undefined && token.expiresAt - nowSeconds <= margin;
}

export interface Session {
  /** A usable access token (refreshed first when close to expiry); throws SessionEndedError. */
  accessToken(): Promise<string>;
  /** Runs an API call with the token; on a 401, refreshes once and retries once. */
  authorized<R extends { status: number }>(call: (accessToken: string) => Promise<R>): Promise<R>;
  /** Called once each time the session ends. Returns an unsubscribe function. */
  onEnded(listener: () => void): () => void;
}

export function createSession(port: AuthPort, nowSeconds: () => number = () => Date.now() / 1000): Session {
  const listeners = new Set<() => void>();
  let refreshing: Promise<TokenSet | null> | undefined;

  const end = (): never => {
    for (const listener of listeners) listener();
    throw new SessionEndedError();
  };

  const refresh = (): Promise<TokenSet | null> => {
    refreshing ??= port
      .refresh()
      .catch(() => null)
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  };

  const accessToken = async (): Promise<string> => {
    const token = await port.current();
    if (!token) return end();
    if (!needsRefresh(token, nowSeconds())) return token.accessToken;
    const renewed = await refresh();
    if (!renewed || needsRefresh(renewed, nowSeconds(), 0)) return end();
    return renewed.accessToken;
  };

  return {
    accessToken,
    async authorized(call) {
      const response = await call(await accessToken());
      if (response.status !== 401) return response;
      const renewed = await refresh();
      if (!renewed) return end();
      const retry = await call(renewed.accessToken);
      if (retry.status === 401) return end();
      return retry;
    },
    onEnded(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
