/**
 * The sign-in's settings and URLs, from the runtime config and the console's origin: code flow
 * with PKCE (oidc-client-ts always uses PKCE for `response_type: 'code'`), the console's
 * scopes, and Cognito's own logout URL (its discovery names no end-session endpoint).
 * Pure, so it runs in node; web/src/auth.ts builds the UserManager from it.
 */
import { CONSOLE_PATHS, CONSOLE_SCOPES, type ConsoleRuntimeConfig } from '../../../infra/config/console';

export function oidcSettings(config: ConsoleRuntimeConfig, origin: string) {
  return {
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: `${origin}${CONSOLE_PATHS.callback}`,
    post_logout_redirect_uri: `${origin}${CONSOLE_PATHS.signedOut}`,
    response_type: 'code',
    scope: CONSOLE_SCOPES.join(' '),
    // Renew with the refresh token a minute before the access token expires.
    automaticSilentRenew: true,
    accessTokenExpiringNotificationTimeInSeconds: 60,
    // Cognito's userInfo endpoint needs the aws.cognito.signin.user.admin scope; the ID token is enough.
    loadUserInfo: false,
  } as const;
}

/**
 * Cognito's logout: ends the hosted session, then returns to the console's signed-out page.
 * The console removes its stored user and navigates here itself (web/src/auth.ts), the same
 * code path locally, where the local sign-in service answers the same URL.
 */
export function cognitoLogoutUrl(
  config: Pick<ConsoleRuntimeConfig, 'authDomain' | 'clientId'>,
  origin: string,
) {
  const query = new URLSearchParams({
    client_id: config.clientId,
    logout_uri: `${origin}${CONSOLE_PATHS.signedOut}`,
  });
  return `${config.authDomain}/logout?${query}`;
}

export type CallbackOutcome =
  | { kind: 'code' }
  | { kind: 'error'; message: string }
  | { kind: 'invalid'; message: string };

/** What the sign-in's return (`/auth/callback?code&state` or `?error=...`) carries. */
export function callbackOutcome(search: string): CallbackOutcome {
  const query = new URLSearchParams(search);
  const error = query.get('error');
  if (error) {
    const description = query.get('error_description');
    const text =
      error === 'access_denied' ? 'Sign-in was cancelled or refused.' : `Sign-in failed (${error}).`;
    return { kind: 'error', message: description ? `${text} ${description}` : text };
  }
  if (query.get('code') && query.get('state')) return { kind: 'code' };
  return { kind: 'invalid', message: 'This sign-in link is incomplete. Sign in again.' };
}
