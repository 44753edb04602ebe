/**
 * The local cloud as the console's browser meets it: the console (built from its current
 * sources, with the running cloud's config.json), the sign-in service as its authority (a code
 * flow with PKCE whose access token the API accepts, expiry and refresh), and CORS for the
 * console's origin on the API and on the images bucket's presigned upload URLs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_SCOPES, consoleRedirects } from '../../infra/config/console';
import { LOCAL_CONSOLE_CLIENT_ID } from '../../local/auth';
import { type LocalCloud, type StackInfo, startLocalCloud } from '../../local/cloud';
import { BUILD_STAMP, consoleSourceHash } from '../../local/console';
import { readStackInfo } from '../../local/stack-info';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the local cloud serves the console and signs people in', () => {
  let cloud: LocalCloud;
  let dataDir: string;
  let endpoints: StackInfo['endpoints'];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'local-console-'));
    cloud = await startLocalCloud({
      dataDir,
      awsPort: 0,
      apiPort: 0,
      authPort: 0,
      consolePort: 0,
      logs: 'silent',
      accessTokenTtlSeconds: 3,
    });
    endpoints = cloud.info.endpoints;
  }, 120_000);

  afterAll(async () => {
    await cloud?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** The console's sign-in: the form, the code, the tokens (as oidc-client-ts does it). */
  async function signIn() {
    const verifier = randomBytes(32).toString('base64url');
    const { callbackUrl } = consoleRedirects(endpoints.console);
    const authorize = new URL('/oauth2/authorize', endpoints.auth);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: LOCAL_CONSOLE_CLIENT_ID,
      redirect_uri: callbackUrl,
      scope: CONSOLE_SCOPES.join(' '),
      state: 's',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const form = await fetch(authorize, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=ada%40example.com',
    });
    const code = new URL(form.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const response = await fetch(`${endpoints.auth}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: endpoints.console },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: LOCAL_CONSOLE_CLIENT_ID,
        code,
        redirect_uri: callbackUrl,
        code_verifier: verifier,
      }).toString(),
    });
    expect(response.headers.get('access-control-allow-origin')).toBe(endpoints.console);
    return (await response.json()) as { access_token: string; refresh_token: string };
  }

  const labels = (token: string) =>
    fetch(`${endpoints.api}/labels`, {
      headers: { authorization: `Bearer ${token}`, origin: endpoints.console },
    });

  it('names the console and the sign-in service in stack.json', () => {
    expect(readStackInfo(dataDir).endpoints).toEqual(endpoints);
    expect(endpoints.console).toMatch(/^http:\/\/localhost:\d+$/);
    expect(endpoints.auth).toMatch(/^http:\/\/localhost:\d+$/);
  });

  it('serves the console built from its current sources, and the running cloud’s config.json', async () => {
    expect(readFileSync(join(ROOT, 'web', 'dist', BUILD_STAMP), 'utf8')).toBe(consoleSourceHash(ROOT));
    const index = await fetch(`${endpoints.console}/images/some-key`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<div id="app">');
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`connect-src 'self' ${endpoints.api} ${endpoints.auth} ${endpoints.aws}`);
    expect(await (await fetch(`${endpoints.console}/config.json`)).json()).toEqual({
      apiUrl: endpoints.api,
      authority: endpoints.auth,
      authDomain: endpoints.auth,
      clientId: LOCAL_CONSOLE_CLIENT_ID,
      stage: 'local',
    });
    const discovery = await fetch(`${endpoints.auth}/.well-known/openid-configuration`);
    expect(((await discovery.json()) as { issuer: string }).issuer).toBe(endpoints.auth);
  });

  it('lets a signed-in console call the API, and refresh once its access token expired', async () => {
    // Warm the API function first (a machine token lives an hour), so that the console's short
    // token is not spent on the function's cold start on a busy machine.
    expect((await labels(await cloud.issuer.mint())).status).toBe(200);
    const tokens = await signIn();
    const first = await labels(tokens.access_token);
    expect(first.status).toBe(200);
    expect(first.headers.get('access-control-allow-origin')).toBe(endpoints.console);
    // The cloud's access tokens live 3 s here: wait until the API refuses it.
    let status = first.status;
    for (let attempt = 0; attempt < 100 && status !== 401; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await labels(tokens.access_token)).status;
    }
    expect(status).toBe(401);
    const refreshed = await fetch(`${endpoints.auth}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: LOCAL_CONSOLE_CLIENT_ID,
        refresh_token: tokens.refresh_token,
      }).toString(),
    });
    const { access_token } = (await refreshed.json()) as { access_token: string };
    expect((await labels(access_token)).status).toBe(200);
  });

  it('answers the console’s preflights on the API and on a presigned upload URL, and no other origin’s', async () => {
    const apiPreflight = (origin: string) =>
      fetch(`${endpoints.api}/uploads`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    expect((await apiPreflight(endpoints.console)).headers.get('access-control-allow-origin')).toBe(
      endpoints.console,
    );
    expect(
      (await apiPreflight('https://evil.example.com')).headers.get('access-control-allow-origin'),
    ).toBeNull();

    const created = await fetch(`${endpoints.api}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await cloud.issuer.mint()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileName: 'a.png', contentType: 'image/png', contentLength: 100 }),
    });
    const { upload } = (await created.json()) as { upload: { url: string } };
    expect(upload.url.startsWith(`${endpoints.aws}/${cloud.info.bucket}/`)).toBe(true);
    const s3Preflight = (origin: string) =>
      fetch(upload.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await s3Preflight(endpoints.console);
    expect([allowed.status, allowed.headers.get('access-control-allow-origin')]).toEqual([
      200,
      endpoints.console,
    ]);
    expect((await s3Preflight('https://evil.example.com')).status).toBe(403);
  });
});
