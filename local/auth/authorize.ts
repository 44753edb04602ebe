/**
 * `GET /oauth2/authorize`, checked as Cognito checks it. A bad client or redirect URI gets an
 * error page (never a redirect to a URI the client did not register); every other problem is
 * sent back to the registered redirect URI as `error=...&state=...` (RFC 6749, 4.1.2.1).
 * Public clients must use PKCE with S256.
 */
import type { LocalAppClient } from './clients';

export interface AuthorizeRequest {
  client: LocalAppClient;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string;
  state?: string;
  nonce?: string;
  /** `prompt=login`: show the sign-in form even with a session. */
  forceSignIn: boolean;
}

export type AuthorizeCheck =
  | { kind: 'ok'; request: AuthorizeRequest }
  | { kind: 'page'; error: string; description: string }
  | { kind: 'redirect'; location: string };

/** RFC 7636: 43 to 128 characters of the unreserved set (a base64url SHA-256 is 43). */
const CODE_CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;

/** The redirect URI with parameters added (code, state or error), keeping its own query. */
export function redirectTo(redirectUri: string, parameters: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(parameters))
    if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

export function checkAuthorizeRequest(
  query: URLSearchParams,
  clients: readonly LocalAppClient[],
): AuthorizeCheck {
  const one = (name: string) => query.get(name) ?? undefined;
  const client = clients.find(({ id }) => id === one('client_id'));
  if (!client) return { kind: 'page', error: 'invalid_client', description: 'Unknown client_id.' };
  const redirectUri = one('redirect_uri');
  if (!redirectUri || !client.callbackUrls.includes(redirectUri)) {
    return {
      kind: 'page',
      error: 'redirect_mismatch',
      description: 'The redirect_uri is not a callback URL of this client.',
    };
  }
  const state = one('state');
  const refuse = (error: string, description: string): AuthorizeCheck => ({
    kind: 'redirect',
    location: redirectTo(redirectUri, { error, error_description: description, state }),
  });
  if (one('response_type') !== 'code') {
    return refuse('unsupported_response_type', 'Only response_type=code is supported.');
  }
  const codeChallenge = one('code_challenge');
  if (!codeChallenge || !CODE_CHALLENGE.test(codeChallenge)) {
    return refuse('invalid_request', 'A public client must send a code_challenge (PKCE).');
  }
  if (one('code_challenge_method') !== 'S256') {
    return refuse('invalid_request', 'code_challenge_method must be S256.');
  }
  const asked = (one('scope') ?? '').split(' ').filter(Boolean);
  const refused = asked.filter((scope) => !client.scopes.includes(scope));
  if (refused.length > 0) return refuse('invalid_scope', `Not allowed for this client: ${refused.join(' ')}`);
  const nonce = one('nonce');
  return {
    kind: 'ok',
    request: {
      client,
      redirectUri,
      // No scope asked: every scope the client is allowed, as Cognito grants.
      scopes: asked.length > 0 ? [...new Set(asked)] : [...client.scopes],
      codeChallenge,
      ...(state !== undefined ? { state } : {}),
      ...(nonce !== undefined ? { nonce } : {}),
      forceSignIn: (one('prompt') ?? '').split(' ').includes('login'),
    },
  };
}
