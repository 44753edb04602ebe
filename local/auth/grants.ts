/**
 * What the local sign-in service remembers, in memory (a restart signs everyone out, as a new
 * user pool would): single-use authorization codes (5 minutes), refresh tokens, and the
 * browser sessions that let a second authorize skip the sign-in form.
 */
import { randomBytes } from 'node:crypto';
import type { LocalUser } from './issuer';

export const CODE_TTL_MS = 5 * 60 * 1000;

/** What a signed-in user granted a client: the same for a code, a refresh token and its tokens. */
export interface Grant {
  clientId: string;
  user: LocalUser;
  scopes: readonly string[];
  /** Seconds since the epoch. */
  authTime: number;
}

export interface CodeGrant extends Grant {
  redirectUri: string;
  codeChallenge: string;
  nonce?: string;
}

export interface RefreshGrant extends Grant {
  /** The refresh token's id, `origin_jti` in the tokens made from it. */
  originJti: string;
}

export interface Session {
  user: LocalUser;
  authTime: number;
}

const secret = () => randomBytes(32).toString('base64url');

export function createGrantStore(now: () => number = Date.now) {
  const codes = new Map<string, CodeGrant & { expiresAt: number }>();
  const refreshTokens = new Map<string, RefreshGrant>();
  const sessions = new Map<string, Session>();
  const users = new Map<string, LocalUser>();

  return {
    issueCode(grant: CodeGrant): string {
      for (const [code, { expiresAt }] of codes) if (expiresAt <= now()) codes.delete(code);
      const code = secret();
      codes.set(code, { ...grant, expiresAt: now() + CODE_TTL_MS });
      users.set(grant.user.sub, grant.user);
      return code;
    },
    /** The code's grant, once: the code is spent whatever the caller does next. */
    takeCode(code: string): CodeGrant | undefined {
      const found = codes.get(code);
      codes.delete(code);
      if (!found || found.expiresAt <= now()) return undefined;
      const { expiresAt: _expiresAt, ...grant } = found;
      return grant;
    },
    issueRefreshToken(grant: Grant): { token: string; grant: RefreshGrant } {
      const token = secret();
      const refresh = { ...grant, originJti: secret() };
      refreshTokens.set(token, refresh);
      return { token, grant: refresh };
    },
    refreshGrant: (token: string): RefreshGrant | undefined => refreshTokens.get(token),
    openSession(session: Session): string {
      const id = secret();
      sessions.set(id, session);
      users.set(session.user.sub, session.user);
      return id;
    },
    session: (id: string | undefined): Session | undefined => (id ? sessions.get(id) : undefined),
    closeSession(id: string | undefined): void {
      if (id) sessions.delete(id);
    },
    user: (sub: string): LocalUser | undefined => users.get(sub),
  };
}

export type GrantStore = ReturnType<typeof createGrantStore>;
