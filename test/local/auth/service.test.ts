/**
 * The local sign-in service as the console's OpenID Connect client meets it: discovery, the
 * sign-in page, the code flow with PKCE, refresh, tokens shaped like Cognito's that the local
 * API accepts, Cognito's /logout, and CORS for the console's origin.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../../functions/core/api/route-table';
import { CONSOLE_SCOPES, consoleRedirects } from '../../../infra/config/console';
import {
  CODE_TTL_MS,
  createAuthService,
  createGrantStore,
  LOCAL_CONSOLE_CLIENT_ID,
  type LocalIssuer,
  localAppClients,
  localIssuer,
} from '../../../local/auth';
import { close, listen } from '../../../local/servers';

const CONSOLE = 'http://localhost:5173';
const { callbackUrl, logoutUrl } = consoleRedirects(CONSOLE);
const TTL = 120;

describe('the local sign-in service', () => {
  let dir: string;
  let server: http.Server;
  let base: string;
  let issuer: LocalIssuer;
  let clock = Date.now();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'local-auth-'));
    server = http.createServer();
    base = `http://localhost:${await listen(server, '127.0.0.1', 0)}`;
    issuer = await localIssuer({ dataDir: dir, url: base, accessTokenTtlSeconds: TTL });
    const grants = createGrantStore(() => clock);
    server.on('request', createAuthService({ issuer, clients: localAppClients(CONSOLE), grants }));
  });

  afterAll(async () => {
    await close(server);
    rmSync(dir, { recursive: true, force: true });
  });

  const pkce = () => {
    const verifier = randomBytes(32).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  };

  function authorizeUrl(overrides: Record<string, string | null> = {}, challenge = pkce().challenge): string {
    const parameters: Record<string, string | null> = {
      response_type: 'code',
      client_id: LOCAL_CONSOLE_CLIENT_ID,
      redirect_uri: callbackUrl,
      scope: CONSOLE_SCOPES.join(' '),
      state: 'state-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      nonce: 'nonce-1',
      ...overrides,
    };
    const url = new URL('/oauth2/authorize', base);
    for (const [name, value] of Object.entries(parameters))
      if (value !== null) url.searchParams.set(name, value);
    return url.toString();
  }

  const manual = (url: string, init: RequestInit = {}) => fetch(url, { ...init, redirect: 'manual' });

  /** Signs in through the form; the redirect's code and the session cookie. */
  async function signIn(challenge: string, email = 'ada@example.com') {
    const response = await manual(authorizeUrl({}, challenge), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email }).toString(),
    });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    return {
      location,
      code: location.searchParams.get('code') ?? '',
      cookie: (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
    };
  }

  const token = async (form: Record<string, string>, origin?: string) => {
    const response = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(origin ? { origin } : {}),
      },
      body: new URLSearchParams(form).toString(),
    });
    return { response, body: (await response.json()) as Record<string, string | number | undefined> };
  };

  const exchange = (code: string, verifier: string, extra: Record<string, string> = {}) =>
    token({
      grant_type: 'authorization_code',
      client_id: LOCAL_CONSOLE_CLIENT_ID,
      code,
      redirect_uri: callbackUrl,
      code_verifier: verifier,
      ...extra,
    });

  it('describes itself as an OpenID Connect issuer at its own URL, without an end-session endpoint', async () => {
    const response = await fetch(`${base}/.well-known/openid-configuration`);
    const document = (await response.json()) as Record<string, unknown>;
    expect(document).toMatchObject({
      issuer: base,
      authorization_endpoint: `${base}/oauth2/authorize`,
      token_endpoint: `${base}/oauth2/token`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      userinfo_endpoint: `${base}/oauth2/userInfo`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['ES256'],
    });
    expect(document.scopes_supported).toEqual(expect.arrayContaining([...CONSOLE_SCOPES]));
    expect(document).not.toHaveProperty('end_session_endpoint');
  });

  it('shows a labelled, prefilled sign-in form that says there is no password', async () => {
    const response = await fetch(authorizeUrl());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain(`form-action 'self' ${CONSOLE}`);
    const page = await response.text();
    expect(page).toMatch(/<label for="email">Email<\/label>/);
    expect(page).toMatch(/<input id="email" name="email" type="email"[^>]*value="local-user@example.com"/);
    expect(page).toMatch(/<button type="submit">Sign in<\/button>/);
    expect(page).toMatch(/no password/i);
    expect(page).toContain('method="post"');
  });

  it('refuses an invalid email on the form and keeps the page', async () => {
    const response = await manual(authorizeUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=not-an-address',
    });
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain('aria-invalid="true"');
    expect(page).toContain('role="alert"');
  });

  it('signs in with PKCE: a code on the callback, then ID, access and refresh tokens', async () => {
    const { verifier, challenge } = pkce();
    const { location, code } = await signIn(challenge);
    expect(`${location.origin}${location.pathname}`).toBe(callbackUrl);
    expect(location.searchParams.get('state')).toBe('state-1');

    const { response, body } = await exchange(code, verifier);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: TTL });
    expect(typeof body.refresh_token).toBe('string');

    const jwks = createLocalJWKSet((await (await fetch(`${base}/.well-known/jwks.json`)).json()) as never);
    const access = (await jwtVerify(String(body.access_token), jwks, { issuer: base })).payload;
    expect(access).toMatchObject({
      token_use: 'access',
      client_id: LOCAL_CONSOLE_CLIENT_ID,
      scope: CONSOLE_SCOPES.join(' '),
      username: access.sub,
    });
    expect(access).not.toHaveProperty('aud');
    expect(access).toHaveProperty('jti');
    expect((access.exp ?? 0) - (access.iat ?? 0)).toBe(TTL);
    // The local API's JWT check accepts it, with the API's scopes.
    const verified = await issuer.verify(String(body.access_token));
    expect(verified?.scopes).toEqual(expect.arrayContaining([SCOPES.read, SCOPES.write]));

    const id = (
      await jwtVerify(String(body.id_token), jwks, { issuer: base, audience: LOCAL_CONSOLE_CLIENT_ID })
    ).payload;
    expect(id).toMatchObject({
      token_use: 'id',
      email: 'ada@example.com',
      'cognito:username': access.sub,
      nonce: 'nonce-1',
      sub: access.sub,
    });
    expect(typeof id.auth_time).toBe('number');
    // An ID token is no access token for the API.
    expect(await issuer.verify(String(body.id_token))).toBeUndefined();

    const info = await fetch(`${base}/oauth2/userInfo`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(await info.json()).toMatchObject({ sub: access.sub, email: 'ada@example.com' });
  });

  it('refuses a wrong code_verifier, and the code is spent by that attempt', async () => {
    const { verifier, challenge } = pkce();
    const { code } = await signIn(challenge);
    const wrong = await exchange(code, pkce().verifier);
    expect([wrong.response.status, wrong.body.error]).toEqual([400, 'invalid_grant']);
    const right = await exchange(code, verifier);
    expect([right.response.status, right.body.error]).toEqual([400, 'invalid_grant']);
  });

  it('accepts a code once, only with its redirect_uri, and not after 5 minutes', async () => {
    const first = pkce();
    const { code } = await signIn(first.challenge);
    expect((await exchange(code, first.verifier)).response.status).toBe(200);
    expect((await exchange(code, first.verifier)).body.error).toBe('invalid_grant');

    const second = pkce();
    const other = await signIn(second.challenge);
    const elsewhere = await exchange(other.code, second.verifier, { redirect_uri: `${CONSOLE}/elsewhere` });
    expect(elsewhere.body.error).toBe('invalid_grant');

    const third = pkce();
    const late = await signIn(third.challenge);
    clock += CODE_TTL_MS + 1;
    expect((await exchange(late.code, third.verifier)).body.error).toBe('invalid_grant');
  });

  it('never redirects to an unregistered redirect_uri or for an unknown client', async () => {
    for (const url of [
      authorizeUrl({ redirect_uri: 'https://evil.example.com/cb' }),
      authorizeUrl({ redirect_uri: null }),
      authorizeUrl({ client_id: 'nobody' }),
      // The machine client has no callback URL.
      authorizeUrl({ client_id: 'local-client' }),
    ]) {
      const response = await manual(url);
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.text()).toContain('Sign-in error');
    }
  });

  it('sends other problems back to the callback with error and state: plain or no PKCE, bad scope, bad response_type', async () => {
    const cases: [Record<string, string | null>, string][] = [
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge_method: null }, 'invalid_request'],
      [{ code_challenge: null }, 'invalid_request'],
      [{ scope: 'openid labels/admin' }, 'invalid_scope'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
    ];
    for (const [overrides, error] of cases) {
      const response = await manual(authorizeUrl(overrides));
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`).toBe(callbackUrl);
      expect([location.searchParams.get('error'), location.searchParams.get('state')]).toEqual([
        error,
        'state-1',
      ]);
      expect(location.searchParams.has('code')).toBe(false);
    }
  });

  it('refreshes: new ID and access tokens for the same user and sign-in, no new refresh token', async () => {
    const { verifier, challenge } = pkce();
    const { code } = await signIn(challenge, 'grace@example.com');
    const first = (await exchange(code, verifier)).body;
    const { response, body } = await token({
      grant_type: 'refresh_token',
      client_id: LOCAL_CONSOLE_CLIENT_ID,
      refresh_token: String(first.refresh_token),
    });
    expect(response.status).toBe(200);
    expect(body).not.toHaveProperty('refresh_token');
    expect(body.access_token).not.toBe(first.access_token);
    expect(await issuer.verify(String(body.access_token))).toBeDefined();
    const [before, after] = [decodeJwt(String(first.id_token)), decodeJwt(String(body.id_token))];
    expect([after.sub, after.auth_time, after.email]).toEqual([
      before.sub,
      before.auth_time,
      'grace@example.com',
    ]);

    const wrongClient = await token({
      grant_type: 'refresh_token',
      client_id: 'local-client',
      refresh_token: String(first.refresh_token),
    });
    expect(wrongClient.body.error).toBe('invalid_client');
    const unknown = await token({
      grant_type: 'refresh_token',
      client_id: LOCAL_CONSOLE_CLIENT_ID,
      refresh_token: 'nope',
    });
    expect([unknown.response.status, unknown.body.error]).toEqual([400, 'invalid_grant']);
    const grant = await token({ grant_type: 'password', client_id: LOCAL_CONSOLE_CLIENT_ID });
    expect(grant.body.error).toBe('unsupported_grant_type');
  });

  it('keeps a session: a second authorize skips the form until /logout, which only goes to a sign-out URL', async () => {
    const { cookie } = await signIn(pkce().challenge);
    expect(cookie).toMatch(/^local_auth_session=./);
    const again = await manual(authorizeUrl(), { headers: { cookie } });
    expect(again.status).toBe(302);
    expect(new URL(again.headers.get('location') ?? '').searchParams.get('code')).toBeTruthy();

    const refused = await manual(
      `${base}/logout?client_id=${LOCAL_CONSOLE_CLIENT_ID}&logout_uri=${encodeURIComponent('https://evil.example.com/')}`,
      { headers: { cookie } },
    );
    expect([refused.status, refused.headers.get('location')]).toEqual([400, null]);

    const logout = await manual(
      `${base}/logout?client_id=${LOCAL_CONSOLE_CLIENT_ID}&logout_uri=${encodeURIComponent(logoutUrl)}`,
      { headers: { cookie } },
    );
    expect([logout.status, logout.headers.get('location')]).toEqual([302, logoutUrl]);
    expect(logout.headers.get('set-cookie')).toMatch(/^local_auth_session=;.*Max-Age=0/);
    // The old cookie names a closed session: the form again.
    const after = await manual(authorizeUrl(), { headers: { cookie } });
    expect(after.status).toBe(200);
  });

  it("answers CORS for the console's origin on discovery, JWKS, token and userInfo, and for no other origin", async () => {
    const preflight = await fetch(`${base}/oauth2/userInfo`, {
      method: 'OPTIONS',
      headers: {
        origin: CONSOLE,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');

    for (const path of ['/.well-known/openid-configuration', '/.well-known/jwks.json']) {
      const allowed = await fetch(`${base}${path}`, { headers: { origin: CONSOLE } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe(CONSOLE);
      const other = await fetch(`${base}${path}`, { headers: { origin: 'https://evil.example.com' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    }
    const { response } = await token(
      { grant_type: 'refresh_token', client_id: LOCAL_CONSOLE_CLIENT_ID },
      CONSOLE,
    );
    expect(response.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(response.headers.get('vary')).toBe('origin');
  });
});
