/**
 * The local user pool's app clients, as CDK creates them on AWS: the machine client (its tokens
 * come from `npm run token`) and the console's public client, whose callback and sign-out URLs
 * are the console's (infra/config/console.ts).
 */
import { SCOPES } from '../../functions/core/api/route-table';
import { CONSOLE_SCOPES, consoleRedirects } from '../../infra/config/console';
import { LOCAL_CLIENT_ID, LOCAL_CONSOLE_CLIENT_ID } from './issuer';

export interface LocalAppClient {
  id: string;
  /** Callback URLs (exact match, as Cognito compares them). Empty: no authorization code flow. */
  callbackUrls: readonly string[];
  /** Sign-out URLs `/logout` may redirect to. */
  logoutUrls: readonly string[];
  /** OAuth scopes the client may ask for. */
  scopes: readonly string[];
}

export function localAppClients(consoleOrigin: string): LocalAppClient[] {
  const { callbackUrl, logoutUrl } = consoleRedirects(consoleOrigin);
  return [
    { id: LOCAL_CLIENT_ID, callbackUrls: [], logoutUrls: [], scopes: [SCOPES.read, SCOPES.write] },
    {
      id: LOCAL_CONSOLE_CLIENT_ID,
      callbackUrls: [callbackUrl],
      logoutUrls: [logoutUrl],
      scopes: [...CONSOLE_SCOPES],
    },
  ];
}

/** The origins (`scheme://host:port`) of the clients' callback and sign-out URLs: they may call the service with fetch. */
export function clientOrigins(clients: readonly LocalAppClient[]): string[] {
  const urls = clients.flatMap((client) => [...client.callbackUrls, ...client.logoutUrls]);
  return [...new Set(urls.map((url) => new URL(url).origin))];
}
