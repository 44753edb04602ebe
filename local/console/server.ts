/**
 * The local console host, doing what CloudFront does in front of the console's bucket: serves
 * web/dist, answers paths that are no file with index.html (CloudFront's 403/404 -> /index.html,
 * 200, so the app's own routes load), serves `/config.json` (a BucketDeployment writes it on
 * AWS), and sends the response headers policy's security headers on every answer.
 */
import { createReadStream, statSync } from 'node:fs';
import type http from 'node:http';
import { extname, resolve, sep } from 'node:path';
import type { ConsoleRuntimeConfig } from '../../infra/config/console';

export interface ConsoleServerOptions {
  /** The built console (web/dist). */
  distDir: string;
  config: ConsoleRuntimeConfig;
  /** The Content-Security-Policy (infra/config/console.ts contentSecurityPolicy). */
  contentSecurityPolicy: string;
  /** When set, every page answer is 503 with this text (e.g. the console failed to build). */
  unavailable?: () => string | undefined;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite names the files under assets/ by their content hash: they never change. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/**
 * CloudFront's response headers policy, less Strict-Transport-Security: HSTS means nothing over
 * http://localhost (browsers ignore it there), so the local host leaves it out.
 */
export function securityHeaders(contentSecurityPolicy: string): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
  };
}

/** The file under `distDir` a URL path names, or undefined (outside it, a dotfile, not a file). */
function fileFor(distDir: string, pathname: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (path.split('/').some((segment) => segment.startsWith('.'))) return undefined;
  const file = resolve(distDir, `.${path}`);
  if (!file.startsWith(`${resolve(distDir)}${sep}`)) return undefined;
  try {
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

export function createConsoleServer(options: ConsoleServerOptions): http.RequestListener {
  const headers = securityHeaders(options.contentSecurityPolicy);
  const configBody = JSON.stringify(options.config);

  return (request, response) => {
    const method = request.method ?? 'GET';
    const send = (status: number, extra: Record<string, string>, body?: string) => {
      response.writeHead(status, { ...headers, ...extra });
      response.end(method === 'HEAD' ? undefined : body);
    };
    if (method !== 'GET' && method !== 'HEAD') {
      send(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }, 'Method Not Allowed\n');
      return;
    }
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname === '/config.json') {
      send(200, { 'content-type': 'application/json', 'cache-control': REVALIDATE }, configBody);
      return;
    }
    const unavailable = options.unavailable?.();
    if (unavailable) {
      send(
        503,
        { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
        `${unavailable}\n`,
      );
      return;
    }
    const asked = fileFor(options.distDir, pathname);
    const file = asked ?? fileFor(options.distDir, '/index.html');
    if (!file) {
      send(503, { 'content-type': 'text/plain; charset=utf-8' }, 'The console is not built (web/dist).\n');
      return;
    }
    const immutable = asked !== undefined && pathname.startsWith('/assets/');
    response.writeHead(200, {
      ...headers,
      'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': String(statSync(file).size),
      'cache-control': immutable ? IMMUTABLE : REVALIDATE,
    });
    if (method === 'HEAD') response.end();
    else
      createReadStream(file)
        .on('error', (error) => response.destroy(error))
        .pipe(response);
  };
}
