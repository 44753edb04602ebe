/**
 * `POST /oauth2/token` for public clients, as Cognito answers it: the authorization code grant
 * with PKCE (S256; the code is spent on first use, right or wrong) and the refresh token grant
 * (new ID and access tokens, the same refresh token). Errors are RFC 6749 `{error}` with 400.
 */
import { createHash } from 'node:crypto';
import type { LocalAppClient } from './clients';
import type { Grant, GrantStore } from './grants';
import type { LocalIssuer } from './issuer';

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

interface Deps {
  clients: readonly LocalAppClient[];
  grants: GrantStore;
  issuer: LocalIssuer;
}

const fail = (error: string, description: string, status = 400): TokenAnswer => ({
  status,
  body: { error, error_description: description },
});

/** RFC 7636, 4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge. */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

async function tokens(
  issuer: LocalIssuer,
  grant: Grant,
  originJti: string,
  nonce: string | undefined,
): Promise<Record<string, unknown>> {
  const { accessToken, idToken, expiresIn } = await issuer.mintForUser({
    clientId: grant.clientId,
    user: grant.user,
    scopes: grant.scopes,
    authTime: grant.authTime,
    originJti,
    ...(nonce ? { nonce } : {}),
  });
  return {
    // Cognito gives an ID token only for the openid scope.
    ...(grant.scopes.includes('openid') ? { id_token: idToken } : {}),
    access_token: accessToken,
    expires_in: expiresIn,
    token_type: 'Bearer',
  };
}

async function authorizationCode(form: URLSearchParams, client: LocalAppClient, deps: Deps) {
  const code = form.get('code');
  if (!code) return fail('invalid_request', 'code is required.');
  const grant = deps.grants.takeCode(code);
  if (!grant || grant.clientId !== client.id) return fail('invalid_grant', 'The code is invalid or spent.');
  if (form.get('redirect_uri') !== grant.redirectUri) {
    return fail('invalid_grant', 'redirect_uri differs from the authorization request.');
  }
  const verifier = form.get('code_verifier');
  if (!verifier || s256(verifier) !== grant.codeChallenge) {
    return fail('invalid_grant', 'The code_verifier does not match the code_challenge.');
  }
  const refresh = deps.grants.issueRefreshToken(grant);
  const body = await tokens(deps.issuer, grant, refresh.grant.originJti, grant.nonce);
  return { status: 200, body: { ...body, refresh_token: refresh.token } };
}

async function refreshToken(form: URLSearchParams, client: LocalAppClient, deps: Deps) {
  const token = form.get('refresh_token');
  if (!token) return fail('invalid_request', 'refresh_token is required.');
  const grant = deps.grants.refreshGrant(token);
  if (!grant || grant.clientId !== client.id) return fail('invalid_grant', 'The refresh token is invalid.');
  return { status: 200, body: await tokens(deps.issuer, grant, grant.originJti, undefined) };
}

export async function exchangeToken(form: URLSearchParams, deps: Deps): Promise<TokenAnswer> {
  const client = deps.clients.find(({ id }) => id === form.get('client_id'));
  if (!client || client.callbackUrls.length === 0) {
    return fail('invalid_client', 'Unknown client_id, or not a client of the authorization code flow.');
  }
  switch (form.get('grant_type')) {
    case 'authorization_code':
      return authorizationCode(form, client, deps);
    case 'refresh_token':
      return refreshToken(form, client, deps);
    case null:
      return fail('invalid_request', 'grant_type is required.');
    default:
      return fail('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token.');
  }
}
