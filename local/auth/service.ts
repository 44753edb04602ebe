/**
 * The local sign-in service: the stand-in for a Cognito user pool's hosted domain and issuer,
 * with the OpenID Connect endpoints the console uses (discovery, authorize with a sign-in page,
 * token, JWKS, userInfo) and Cognito's `/logout`. The endpoints the browser calls with fetch
 * answer CORS for the app clients' origins.
 */
import type http from 'node:http';
import { z } from 'zod';
import { readBody } from '../http-body';
import { checkAuthorizeRequest, redirectTo } from './authorize';
import { clientOrigins, type LocalAppClient } from './clients';
import { createGrantStore, type GrantStore } from './grants';
import { type LocalIssuer, localUser, SIGNING_ALG } from './issuer';
import { errorPage, pagePolicy, signInPage } from './pages';
import { exchangeToken } from './token';

export const SESSION_COOKIE = 'local_auth_session';
const MAX_BODY_BYTES = 64 * 1024;
const PATHS = {
  discovery: '/.well-known/openid-configuration',
  jwks: '/.well-known/jwks.json',
  authorize: '/oauth2/authorize',
  token: '/oauth2/token',
  userInfo: '/oauth2/userInfo',
  logout: '/logout',
} as const;
/** What the browser calls with fetch (the rest are navigations). */
const CORS_PATHS: readonly string[] = [PATHS.discovery, PATHS.jwks, PATHS.token, PATHS.userInfo];

export interface AuthServiceOptions {
  issuer: LocalIssuer;
  clients: readonly LocalAppClient[];
  grants?: GrantStore;
  /** Prefilled in the sign-in form. */
  defaultEmail?: string;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  body: JSON.stringify(body),
});
const html = (status: number, body: string, formTargets: readonly string[] = []): Reply => ({
  status,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': pagePolicy(formTargets),
    'x-content-type-options': 'nosniff',
  },
  body,
});
const redirect = (location: string, headers: Record<string, string> = {}): Reply => ({
  status: 302,
  headers: { location, 'cache-control': 'no-store', ...headers },
});

const Email = z.email();

function cookie(request: http.IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

const sessionCookie = (value: string, maxAge?: number) =>
  `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax${maxAge === undefined ? '' : `; Max-Age=${maxAge}`}`;

const isForm = (request: http.IncomingMessage) =>
  /^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '');

export function discoveryDocument(issuer: LocalIssuer, clients: readonly LocalAppClient[]) {
  const url = issuer.url;
  return {
    issuer: url,
    authorization_endpoint: `${url}${PATHS.authorize}`,
    token_endpoint: `${url}${PATHS.token}`,
    jwks_uri: `${url}${PATHS.jwks}`,
    userinfo_endpoint: `${url}${PATHS.userInfo}`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: [...new Set(clients.flatMap(({ scopes }) => scopes))],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [SIGNING_ALG],
    // Public clients only: no secret.
    token_endpoint_auth_methods_supported: ['none'],
  };
}

/** What the endpoints share: the issuer, the app clients, the sessions and codes. */
interface AuthContext {
  readonly issuer: LocalIssuer;
  readonly clients: readonly LocalAppClient[];
  readonly grants: GrantStore;
  readonly origins: readonly string[];
  readonly defaultEmail: string;
}

async function authorize(context: AuthContext, request: http.IncomingMessage, url: URL): Promise<Reply> {
  const { clients, grants } = context;
  const check = checkAuthorizeRequest(url.searchParams, clients);
  if (check.kind === 'page') return html(400, errorPage(check.error, check.description));
  if (check.kind === 'redirect') return redirect(check.location);
  const { request: asked } = check;
  const formTargets = asked.client.callbackUrls.map((callback) => new URL(callback).origin);
  const action = `${PATHS.authorize}${url.search}`;
  const sessionId = cookie(request, SESSION_COOKIE);
  let session = asked.forceSignIn ? undefined : grants.session(sessionId);
  const headers: Record<string, string> = {};
  if (request.method === 'POST') {
    const body = isForm(request) ? (await readBody(request, MAX_BODY_BYTES))?.toString('utf8') : undefined;
    const email = new URLSearchParams(body ?? '').get('email')?.trim() ?? '';
    if (!Email.safeParse(email).success) {
      const error = 'Enter an email address, such as local-user@example.com.';
      return html(400, signInPage({ action, email, error }), formTargets);
    }
    grants.closeSession(sessionId);
    session = { user: localUser(email), authTime: Math.floor(Date.now() / 1000) };
    headers['set-cookie'] = sessionCookie(grants.openSession(session));
  }
  if (!session) return html(200, signInPage({ action, email: context.defaultEmail }), formTargets);
  const code = grants.issueCode({
    clientId: asked.client.id,
    user: session.user,
    scopes: asked.scopes,
    authTime: session.authTime,
    redirectUri: asked.redirectUri,
    codeChallenge: asked.codeChallenge,
    ...(asked.nonce !== undefined ? { nonce: asked.nonce } : {}),
  });
  return redirect(redirectTo(asked.redirectUri, { code, state: asked.state }), headers);
}

async function userInfo(context: AuthContext, request: http.IncomingMessage): Promise<Reply> {
  const { issuer, grants } = context;
  const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
  const verified = bearer ? await issuer.verify(bearer) : undefined;
  const sub = typeof verified?.claims.sub === 'string' ? verified.claims.sub : undefined;
  const user = sub ? grants.user(sub) : undefined;
  if (!verified?.scopes.includes('openid') || !user) {
    return json(401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
  }
  return json(200, { sub: user.sub, email: user.email, email_verified: 'true', username: user.username });
}

function logout(context: AuthContext, request: http.IncomingMessage, url: URL): Reply {
  const { clients, grants } = context;
  const client = clients.find(({ id }) => id === url.searchParams.get('client_id'));
  const target = url.searchParams.get('logout_uri') ?? '';
  if (!client) return html(400, errorPage('invalid_client', 'Unknown client_id.'));
  if (!client.logoutUrls.includes(target)) {
    return html(400, errorPage('invalid_request', 'The logout_uri is not a sign-out URL of this client.'));
  }
  grants.closeSession(cookie(request, SESSION_COOKIE));
  return redirect(target, { 'set-cookie': sessionCookie('', 0) });
}

async function route(context: AuthContext, request: http.IncomingMessage, url: URL): Promise<Reply> {
  const { issuer, clients, grants } = context;
  const method = request.method ?? 'GET';
  const path = url.pathname;
  if (method === 'OPTIONS' && CORS_PATHS.includes(path)) return { status: 204 };
  if (path === PATHS.discovery && method === 'GET') return json(200, discoveryDocument(issuer, clients));
  if (path === PATHS.jwks && method === 'GET') return json(200, issuer.jwks());
  if (path === PATHS.authorize && (method === 'GET' || method === 'POST'))
    return authorize(context, request, url);
  if (path === PATHS.token && method === 'POST') {
    const body = isForm(request) ? (await readBody(request, MAX_BODY_BYTES))?.toString('utf8') : undefined;
    if (body === undefined) {
      return json(400, { error: 'invalid_request', error_description: 'Send a form-urlencoded body.' });
    }
    const answer = await exchangeToken(new URLSearchParams(body), { clients, grants, issuer });
    return json(answer.status, answer.body);
  }
  if (path === PATHS.userInfo && (method === 'GET' || method === 'POST')) return userInfo(context, request);
  if (path === PATHS.logout && method === 'GET') return logout(context, request, url);
  return json(404, { error: 'not_found' });
}

function corsHeaders(
  origins: readonly string[],
  request: http.IncomingMessage,
  path: string,
): Record<string, string> {
  if (!CORS_PATHS.includes(path)) return {};
  const origin = request.headers.origin;
  if (!origin || !origins.includes(origin)) return { vary: 'origin' };
  const headers: Record<string, string> = { 'access-control-allow-origin': origin, vary: 'origin' };
  if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
    headers['access-control-allow-methods'] = 'GET, POST';
    headers['access-control-allow-headers'] = 'authorization, content-type';
    headers['access-control-max-age'] = '3600';
  }
  return headers;
}

export function createAuthService(options: AuthServiceOptions): http.RequestListener {
  const { issuer, clients } = options;
  const context: AuthContext = {
    issuer,
    clients,
    grants: options.grants ?? createGrantStore(),
    origins: clientOrigins(clients),
    defaultEmail: options.defaultEmail ?? 'local-user@example.com',
  };
  return (request, response) => {
    const url = new URL(request.url ?? '/', issuer.url);
    const cors = corsHeaders(context.origins, request, url.pathname);
    route(context, request, url)
      .catch(() => json(500, { error: 'server_error' }))
      .then((reply) => {
        response.writeHead(reply.status, { ...cors, ...reply.headers });
        response.end(reply.body);
      });
  };
}
