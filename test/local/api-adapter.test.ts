/**
 * The local HTTP API adapter on its own, with a recording stand-in for the function: how it
 * matches routes, decodes keys, enforces auth and builds API Gateway (payload 2.0) events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SCOPES } from '../../functions/core/api/route-table';
import { API_CORS } from '../../infra/config/console';
import { createLocalApi, type LocalIssuer, localIssuer } from '../../local/api';
import { LOCAL_CONSOLE_CLIENT_ID } from '../../local/auth';

describe('the local API adapter', () => {
  let dir: string;
  let server: http.Server;
  let base: string;
  let issuer: LocalIssuer;
  let token: string;
  let events: APIGatewayProxyEventV2[];
  let answer: unknown;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'local-api-adapter-'));
    issuer = await localIssuer({ dataDir: dir, url: 'http://localhost:3001' });
    token = await issuer.mint();
    server = http.createServer(
      createLocalApi({
        fn: {
          invoke: async (event) => {
            events.push(event as APIGatewayProxyEventV2);
            if (answer instanceof Error) throw answer;
            return answer;
          },
        },
        issuer,
        corsOrigins: ['https://app.example.com'],
        accountId: '000000000000',
        maxBodyBytes: 1024,
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    events = [];
    answer = { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
  });

  const get = (path: string, auth: string | null = token, init: RequestInit = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...init.headers },
    });

  it('passes an encoded slash, space, plus and percent as one decoded key of the greedy route', async () => {
    await get('/images/some%20dir%2Fa%2Bb%25.png?x=1&x=2');
    expect(events[0]).toMatchObject({
      version: '2.0',
      routeKey: 'GET /images/{key+}',
      rawPath: '/images/some%20dir%2Fa%2Bb%25.png',
      pathParameters: { key: 'some dir/a+b%.png' },
      queryStringParameters: { x: '1,2' },
      requestContext: {
        stage: '$default',
        http: { method: 'GET' },
        authorizer: { jwt: { scopes: [SCOPES.read, SCOPES.write] } },
      },
    });
  });

  it('matches literal slashes to the same key', async () => {
    await get('/images/some%20dir/a%2Bb.png');
    expect(events[0]?.pathParameters).toEqual({ key: 'some dir/a+b.png' });
  });

  it('answers invalid UTF-8 percent-encoding with a 400 problem, without invoking', async () => {
    const response = await get('/images/%C3%28.png');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({
      type: 'urn:image-labeling:problem:invalid-key',
      parameter: 'key',
    });
    expect(events).toHaveLength(0);
  });

  it('answers like API Gateway when no route matches, no token, a bad token or a missing scope', async () => {
    const noRoute = await get('/nothing');
    expect([noRoute.status, await noRoute.json()]).toEqual([404, { message: 'Not Found' }]);
    expect((await get('/images', null)).status).toBe(401);
    expect((await get('/images', `${token.slice(0, -4)}AAAA`)).status).toBe(401);
    const readOnly = await issuer.mint({ scopes: [SCOPES.read] });
    const forbidden = await get('/images/x.png', readOnly, { method: 'DELETE' });
    expect([forbidden.status, await forbidden.json()]).toEqual([403, { message: 'Forbidden' }]);
    expect(events).toHaveLength(0);
  });

  it('lets GET /openapi.json through without a token', async () => {
    expect((await get('/openapi.json', null)).status).toBe(200);
    expect(events[0]?.routeKey).toBe('GET /openapi.json');
  });

  it('passes JSON bodies as text and refuses bodies over the limit with a 413', async () => {
    await get('/uploads', token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(events[0]).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    const large = await get('/uploads', token, { method: 'POST', body: 'x'.repeat(2000) });
    expect(large.status).toBe(413);
  });

  it('answers a crashed function with a 500 and CORS headers for an allowed origin only', async () => {
    answer = new Error('boom');
    const crashed = await get('/labels', token, { headers: { origin: 'https://app.example.com' } });
    expect([crashed.status, await crashed.json()]).toEqual([500, { message: 'Internal Server Error' }]);
    expect(crashed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const other = await get('/labels', token, { headers: { origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  describe('CORS, as the HTTP API answers with API_CORS', () => {
    const allowed = 'https://app.example.com';
    const preflight = (origin: string) =>
      fetch(`${base}/images`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    const corsHeaders = (response: Response) =>
      Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));

    it('answers a preflight from an allowed origin without a token and without calling the function', async () => {
      const response = await preflight(allowed);
      expect(response.status).toBe(204);
      expect(corsHeaders(response)).toEqual({
        'access-control-allow-origin': allowed,
        'access-control-allow-methods': API_CORS.allowMethods.join(','),
        'access-control-allow-headers': API_CORS.allowHeaders.join(','),
        'access-control-max-age': String(API_CORS.maxAgeSeconds),
      });
      expect(response.headers.get('vary')).toBe('origin');
      expect(events).toHaveLength(0);
    });

    it('gives a preflight from another origin no CORS headers', async () => {
      const response = await preflight('https://evil.example.com');
      expect(response.status).toBe(204);
      expect(corsHeaders(response)).toEqual({});
    });

    it('adds the allowed origin and the exposed headers to actual responses, and nothing for other origins', async () => {
      const response = await get('/labels', token, { headers: { origin: allowed } });
      expect(corsHeaders(response)).toEqual({
        'access-control-allow-origin': allowed,
        'access-control-expose-headers': API_CORS.exposeHeaders.join(','),
      });
      expect(response.headers.get('vary')).toBe('origin');
      const unauthorized = await get('/labels', null, { headers: { origin: allowed } });
      expect(unauthorized.status).toBe(401);
      expect(unauthorized.headers.get('access-control-allow-origin')).toBe(allowed);
      const other = await get('/labels', token, { headers: { origin: 'https://evil.example.com' } });
      expect(corsHeaders(other)).toEqual({});
    });
  });

  it("accepts access tokens of the console's client as well, and refuses other clients' and ID tokens", async () => {
    const consoleToken = await issuer.mint({ clientId: LOCAL_CONSOLE_CLIENT_ID });
    expect((await get('/labels', consoleToken)).status).toBe(200);
    expect((await get('/labels', await issuer.mint({ clientId: 'someone-else' }))).status).toBe(401);
    const { idToken } = await issuer.mintForUser({
      clientId: LOCAL_CONSOLE_CLIENT_ID,
      user: { sub: 's', username: 's', email: 'a@example.com' },
      scopes: ['openid', SCOPES.read],
      authTime: 0,
      originJti: 'o',
    });
    expect((await get('/labels', idToken)).status).toBe(401);
  });
});
