/**
 * The local console host against a built console: what CloudFront does (files, the SPA
 * fallback, config.json, the security headers) and the caching each answer gets.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleRuntimeConfig, contentSecurityPolicy } from '../../../infra/config/console';
import { BUILD_STAMP, createConsoleServer } from '../../../local/console';
import { close, listen } from '../../../local/servers';

const INDEX = '<!doctype html><title>console</title>';
const SCRIPT = 'console.log("app")';
const config: ConsoleRuntimeConfig = {
  apiUrl: 'http://127.0.0.1:3000',
  authority: 'http://localhost:3001',
  authDomain: 'http://localhost:3001',
  clientId: 'local-console',
  stage: 'local',
};
const csp = contentSecurityPolicy({
  api: config.apiUrl,
  auth: [config.authority],
  images: 'http://127.0.0.1:4566',
});

describe('the local console host', () => {
  let root: string;
  let dist: string;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'console-host-'));
    dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(root, 'secret.txt'), 'not for the browser');
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'assets', 'index-Drsp_64j.js'), SCRIPT);
    writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
    writeFileSync(join(dist, BUILD_STAMP), 'hash');
    server = http.createServer(createConsoleServer({ distDir: dist, config, contentSecurityPolicy: csp }));
    base = `http://localhost:${await listen(server, '127.0.0.1', 0)}`;
  });

  afterAll(async () => {
    await close(server);
    rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html at / and revalidates it on every load', async () => {
    const response = await fetch(base);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toBe(INDEX);
  });

  it('serves hashed assets as immutable, with their content type', async () => {
    const response = await fetch(`${base}/assets/index-Drsp_64j.js`);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await response.text()).toBe(SCRIPT);
    const icon = await fetch(`${base}/favicon.svg`);
    expect([icon.headers.get('content-type'), icon.headers.get('cache-control')]).toEqual([
      'image/svg+xml',
      'no-cache',
    ]);
  });

  it('answers paths that are no file with index.html and 200, as CloudFront’s error responses do', async () => {
    for (const path of [
      '/auth/callback?code=x&state=y',
      '/images/some%20dir%2Fa.png',
      '/assets/gone-123.js',
      `/${BUILD_STAMP}`,
      '/%E0%A4%A',
    ]) {
      const response = await fetch(`${base}${path}`);
      expect([path, response.status, response.headers.get('cache-control')]).toEqual([path, 200, 'no-cache']);
      expect(await response.text()).toBe(INDEX);
    }
  });

  it('serves nothing outside web/dist, however the path climbs', async () => {
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
    ]) {
      const body = await new Promise<string>((resolve, reject) => {
        http
          .get(`${base}${path}`, (response) => {
            let text = '';
            response.on('data', (chunk) => {
              text += chunk;
            });
            response.on('end', () => resolve(text));
          })
          .on('error', reject);
      });
      expect([path, body]).toEqual([path, INDEX]);
    }
  });

  it('serves /config.json from the running cloud, never cached', async () => {
    const response = await fetch(`${base}/config.json`);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.json()).toEqual(config);
  });

  it('sends the security headers on every answer, without HSTS over http', async () => {
    for (const path of ['/', '/assets/index-Drsp_64j.js', '/config.json', '/nowhere']) {
      const response = await fetch(`${base}${path}`);
      expect(response.headers.get('content-security-policy')).toBe(csp);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(response.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await fetch(`${base}/assets/index-Drsp_64j.js`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([
      200,
      String(SCRIPT.length),
      '',
    ]);
    const post = await fetch(`${base}/`, { method: 'POST', body: 'x' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });
});
