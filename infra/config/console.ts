/**
 * The web console's contract with its hosts, in one place: the runtime `config.json` it reads
 * at start, the OAuth paths and scopes it uses, the CORS rules the API and the images bucket
 * answer its origin with, and its Content-Security-Policy. CDK (infra/constructs/web-console.ts)
 * and the local cloud (local/console, local/api, local/s3) both build from these, so the
 * console meets the same rules offline as behind CloudFront.
 *
 * Pure data and functions: no CDK, no Node.js APIs (the console imports its types).
 */
import { SCOPES } from '../../functions/core/api/route-table';

/** What `/config.json` holds: written by a BucketDeployment on AWS, by `npm start` locally. */
export interface ConsoleRuntimeConfig {
  /** The labels API's base URL, without a trailing slash. */
  apiUrl: string;
  /** The OpenID Connect issuer (discovery at `<authority>/.well-known/openid-configuration`). */
  authority: string;
  /** The console's app client (public: code flow with PKCE, no secret). */
  clientId: string;
  /**
   * The hosted sign-in domain (Cognito's `https://<prefix>.auth.<region>.amazoncognito.com`):
   * its `/logout?client_id=...&logout_uri=...` ends the session, as Cognito's discovery names no
   * end-session endpoint.
   */
  authDomain: string;
  /** The stage, shown in the console's header. */
  stage: string;
}

/** Scopes the console asks for: OpenID for the sign-in, the API's scopes for the access token. */
export const CONSOLE_SCOPES = ['openid', 'email', SCOPES.read, SCOPES.write] as const;

/** Where the sign-in returns to, and where sign-out lands, relative to the console's origin. */
export const CONSOLE_PATHS = { callback: '/auth/callback', signedOut: '/' } as const;

/** `npm start` serves the console here (LOCAL_CONSOLE_PORT); the dev stage's app client accepts it. */
export const LOCAL_CONSOLE_PORT = 5173;
export const localConsoleOrigin = (port: number = LOCAL_CONSOLE_PORT) => `http://localhost:${port}`;

/** The console's callback and sign-out URLs for one origin (a Cognito app client lists both). */
export function consoleRedirects(origin: string) {
  return {
    callbackUrl: `${origin}${CONSOLE_PATHS.callback}`,
    logoutUrl: `${origin}${CONSOLE_PATHS.signedOut}`,
  };
}

/** CORS on the labels API (HTTP API `corsPreflight`; the local API answers the same). */
export const API_CORS = {
  allowMethods: ['GET', 'POST', 'DELETE'],
  allowHeaders: ['authorization', 'content-type'],
  exposeHeaders: ['location'],
  maxAgeSeconds: 3600,
} as const;

/**
 * CORS on the images bucket: the console PUTs to presigned upload URLs (XMLHttpRequest, for
 * progress) and GETs presigned image URLs. Content-Length is set by the browser itself and is
 * never asked for in a preflight.
 */
export const IMAGES_BUCKET_CORS = {
  allowedMethods: ['GET', 'HEAD', 'PUT'],
  allowedHeaders: ['content-type'],
  exposedHeaders: ['etag'],
  maxAgeSeconds: 3600,
} as const;

/** The origins the console calls, each as `scheme://host[:port]`. */
export interface ConsoleConnections {
  api: string;
  /** The hosted sign-in domain and the issuer (discovery, token, JWKS); may be the same origin. */
  auth: readonly string[];
  /** The images bucket's origin (presigned PUT and GET). */
  images: string;
}

/**
 * The console's Content-Security-Policy: its own scripts and styles only; network calls to the
 * API, the sign-in domain and the images bucket only; images from itself, the bucket and local
 * previews (`blob:`); never framed.
 */
export function contentSecurityPolicy(connections: ConsoleConnections): string {
  const connect = [connections.api, ...connections.auth, connections.images];
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' blob: data: ${connections.images}`,
    `connect-src 'self' ${connect.join(' ')}`,
    "font-src 'self'",
    "manifest-src 'self'",
    `form-action 'self' ${connections.auth.join(' ')}`,
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
