/**
 * The local stand-in for the Cognito user pool's tokens: an ES256 key pair generated once under
 * <dataDir>/api/, access and ID tokens shaped like Cognito's, and the check API Gateway's JWT
 * authorizer does (signature, issuer, expiry, token_use, client id among the allowed ones).
 * The issuer is the sign-in service's URL, as OpenID Connect discovery requires.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { SCOPES } from '../../functions/core/api/route-table';

/** The machine client (`npm run token`, tests, benchmarks). */
export const LOCAL_CLIENT_ID = 'local-client';
/** The web console's public client (code flow with PKCE). */
export const LOCAL_CONSOLE_CLIENT_ID = 'local-console';
export const SIGNING_ALG = 'ES256';

/** Who signed in, as the user pool knows them. */
export interface LocalUser {
  sub: string;
  username: string;
  email: string;
}

export interface UserTokenRequest {
  clientId: string;
  user: LocalUser;
  scopes: readonly string[];
  /** When the user signed in (seconds since the epoch); kept across refreshes, as Cognito does. */
  authTime: number;
  nonce?: string;
  /** The refresh token's family: Cognito's `origin_jti`. */
  originJti: string;
}

export interface LocalIssuer {
  /** The issuer URL (`iss`), also the sign-in service's base URL. */
  readonly url: string;
  /** A machine token for `clientId` (default the machine client), as the client credentials flow gives. */
  mint(options?: { scopes?: readonly string[]; ttlSeconds?: number; clientId?: string }): Promise<string>;
  /** An access token and an ID token for a signed-in user. */
  mintForUser(
    request: UserTokenRequest,
  ): Promise<{ accessToken: string; idToken: string; expiresIn: number }>;
  /** The token's scopes and claims, or undefined when it is not a valid access token of an allowed client. */
  verify(token: string): Promise<{ scopes: string[]; claims: Record<string, unknown> } | undefined>;
  /** The public key set (`/.well-known/jwks.json`). */
  jwks(): { keys: JWK[] };
}

export interface LocalIssuerOptions {
  dataDir: string;
  /** The issuer URL: the sign-in service's `http://localhost:<port>`. */
  url: string;
  /** Clients whose access tokens the API accepts (API Gateway's `audience`). Default both local clients. */
  clientIds?: readonly string[];
  /** Lifetime of user access and ID tokens. Default 3600 s (Cognito's default). */
  accessTokenTtlSeconds?: number;
}

interface KeyFile {
  privateJwk: JWK;
  publicJwk: JWK;
}

async function loadKeys(dataDir: string): Promise<KeyFile> {
  const dir = join(dataDir, 'api');
  const file = join(dir, 'issuer-key.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const keys: KeyFile = {
    privateJwk: { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: SIGNING_ALG },
    publicJwk: await exportJWK(publicKey),
  };
  keys.publicJwk.kid = keys.privateJwk.kid;
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(keys)}\n`, { mode: 0o600 });
  return keys;
}

/** A stable user for an email address: the same address signs in as the same `sub`. */
export function localUser(email: string): LocalUser {
  const hex = createHash('sha256').update(email.toLowerCase()).digest('hex');
  const sub = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  // A user pool that signs in by email names its users by their sub.
  return { sub, username: sub, email };
}

/** The issuer of a local cloud's data directory (keys are created on first use). */
export async function localIssuer(options: LocalIssuerOptions): Promise<LocalIssuer> {
  const { url } = options;
  const clientIds = options.clientIds ?? [LOCAL_CLIENT_ID, LOCAL_CONSOLE_CLIENT_ID];
  const userTtl = options.accessTokenTtlSeconds ?? 3600;
  const keys = await loadKeys(options.dataDir);
  const privateKey = await importJWK(keys.privateJwk, SIGNING_ALG);
  const publicKey = await importJWK(keys.publicJwk, SIGNING_ALG);
  const sign = (claims: Record<string, unknown>, subject: string, ttlSeconds: number) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: SIGNING_ALG, kid: keys.privateJwk.kid ?? '' })
      .setIssuer(url)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .setJti(randomUUID())
      .sign(privateKey);

  return {
    url,
    mint({ scopes = [SCOPES.read, SCOPES.write], ttlSeconds = 3600, clientId = LOCAL_CLIENT_ID } = {}) {
      return sign(
        { token_use: 'access', client_id: clientId, scope: scopes.join(' ') },
        clientId,
        ttlSeconds,
      );
    },
    async mintForUser({ clientId, user, scopes, authTime, nonce, originJti }) {
      const common = { auth_time: authTime, origin_jti: originJti, event_id: randomUUID() };
      const accessToken = await sign(
        {
          ...common,
          token_use: 'access',
          client_id: clientId,
          scope: scopes.join(' '),
          username: user.username,
          version: 2,
        },
        user.sub,
        userTtl,
      );
      const idToken = await sign(
        {
          ...common,
          token_use: 'id',
          aud: clientId,
          email: user.email,
          email_verified: true,
          'cognito:username': user.username,
          ...(nonce ? { nonce } : {}),
        },
        user.sub,
        userTtl,
      );
      return { accessToken, idToken, expiresIn: userTtl };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, publicKey, { issuer: url, algorithms: [SIGNING_ALG] });
        // As API Gateway does for Cognito access tokens (no `aud`): the client id is the audience.
        if (payload.token_use !== 'access' || !clientIds.includes(String(payload.client_id)))
          return undefined;
        const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
        return { scopes, claims: payload as Record<string, unknown> };
      } catch {
        return undefined;
      }
    },
    jwks: () => ({ keys: [{ ...keys.publicJwk, alg: SIGNING_ALG, use: 'sig' }] }),
  };
}
