/**
 * The local stand-in for the Cognito user pool: an ES256 key pair generated once under
 * <dataDir>/api/, access tokens shaped like Cognito's (token_use, client_id, scope), and the
 * verification API Gateway's JWT authorizer does (signature, issuer, expiry, client id).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { SCOPES } from '../../functions/domain/api/route-table';

export const LOCAL_ISSUER = 'urn:image-labeling:local-issuer';
export const LOCAL_CLIENT_ID = 'local-client';
const ALG = 'ES256';

export interface LocalIssuer {
  mint(options?: { scopes?: readonly string[]; ttlSeconds?: number; clientId?: string }): Promise<string>;
  /** The token's scopes and claims, or undefined when it is not valid (expired, forged, wrong issuer). */
  verify(token: string): Promise<{ scopes: string[]; claims: Record<string, unknown> } | undefined>;
}

interface KeyFile {
  privateJwk: JWK;
  publicJwk: JWK;
}

async function loadKeys(dataDir: string): Promise<KeyFile> {
  const dir = join(dataDir, 'api');
  const file = join(dir, 'issuer-key.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const keys: KeyFile = {
    privateJwk: { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: ALG },
    publicJwk: await exportJWK(publicKey),
  };
  keys.publicJwk.kid = keys.privateJwk.kid;
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(keys)}\n`, { mode: 0o600 });
  return keys;
}

/** The issuer of a local cloud's data directory (keys are created on first use). */
export async function localIssuer(dataDir: string): Promise<LocalIssuer> {
  const keys = await loadKeys(dataDir);
  const privateKey = await importJWK(keys.privateJwk, ALG);
  const publicKey = await importJWK(keys.publicJwk, ALG);
  return {
    async mint({ scopes = [SCOPES.read, SCOPES.write], ttlSeconds = 3600, clientId = LOCAL_CLIENT_ID } = {}) {
      return new SignJWT({ token_use: 'access', client_id: clientId, scope: scopes.join(' ') })
        .setProtectedHeader({ alg: ALG, kid: keys.privateJwk.kid ?? '' })
        .setIssuer(LOCAL_ISSUER)
        .setSubject(clientId)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .setJti(randomUUID())
        .sign(privateKey);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, publicKey, { issuer: LOCAL_ISSUER, algorithms: [ALG] });
        // As API Gateway does for Cognito access tokens (no `aud`): the client id is the audience.
        if (payload.client_id !== LOCAL_CLIENT_ID || payload.token_use !== 'access') return undefined;
        const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
        return { scopes, claims: payload as Record<string, unknown> };
      } catch {
        return undefined;
      }
    },
  };
}
