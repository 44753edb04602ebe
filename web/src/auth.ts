/**
 * The sign-in, with oidc-client-ts: a UserManager (tokens in sessionStorage), the AuthPort the
 * session uses, and sign-in, callback and sign-out.
 */
import { type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { ConsoleRuntimeConfig } from '../../infra/config/console';
import { callbackOutcome, cognitoLogoutUrl, oidcSettings } from './lib/oidc-settings';
import type { AuthPort, TokenSet } from './lib/session';

const tokens = (user: User | null): TokenSet | null =>
  user && !user.expired ? { accessToken: user.access_token, expiresAt: user.expires_at } : null;

export interface Auth {
  port: AuthPort;
  /** The signed-in user's display name, or undefined when signed out. */
  currentUser(): Promise<{ name: string } | undefined>;
  signIn(returnTo: string): Promise<void>;
  /** Completes the sign-in on /auth/callback; returns where to go next. */
  completeSignIn(url: string): Promise<string>;
  signOut(): Promise<void>;
  /** Drops the stored tokens (the session has ended) without leaving the page. */
  forget(): Promise<void>;
  /** Calls the listener when the stored user changes, a renewal fails or the token expires; returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
}

export function createAuth(config: ConsoleRuntimeConfig, origin: string): Auth {
  const manager = new UserManager({
    ...oidcSettings(config, origin),
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
  const userOf = async () => tokens(await manager.getUser());
  return {
    port: {
      current: userOf,
      async refresh() {
        const user = await manager.getUser();
        // Without a refresh token, signinSilent would need an iframe to the hosted UI (not allowed by the CSP).
        if (!user?.refresh_token) return null;
        return tokens(await manager.signinSilent());
      },
    },
    async currentUser() {
      const user = await manager.getUser();
      if (!user || user.expired) return undefined;
      const profile = user.profile;
      return { name: String(profile.email ?? profile.preferred_username ?? profile.sub) };
    },
    signIn: (returnTo) => manager.signinRedirect({ state: { returnTo } }),
    async completeSignIn(url) {
      const outcome = callbackOutcome(new URL(url).search);
      if (outcome.kind !== 'code') throw new Error(outcome.message);
      const user = await manager.signinRedirectCallback(url);
      const returnTo = (user.state as { returnTo?: unknown } | undefined)?.returnTo;
      return typeof returnTo === 'string' && returnTo.startsWith('/') && !returnTo.startsWith('//')
        ? returnTo
        : '/';
    },
    async signOut() {
      await manager.removeUser();
      window.location.assign(cognitoLogoutUrl(config, origin));
    },
    forget: () => manager.removeUser(),
    onChange(listener) {
      const unsubscribe = [
        manager.events.addUserLoaded(listener),
        manager.events.addUserUnloaded(listener),
        manager.events.addSilentRenewError(listener),
        manager.events.addAccessTokenExpired(listener),
      ];
      return () => {
        for (const remove of unsubscribe) remove();
      };
    },
  };
}
