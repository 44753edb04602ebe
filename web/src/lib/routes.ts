/**
 * The console's routes and their URLs (History API routing, real `<a href>` links):
 *
 *   /                                  newest images first
 *   /search?label=..&minConfidence=..  images with a label
 *   /labels?prefix=..                  label counts
 *   /images/<encodeURIComponent(key)>  one image
 *   /auth/callback                     the sign-in's return
 *
 * Pure: parses a pathname and query string, and builds them back.
 */
import { CONSOLE_PATHS } from '../../../infra/config/console';

export type Route =
  | { name: 'browse' }
  | { name: 'search'; label: string; minConfidence: number }
  | { name: 'labels'; prefix: string }
  | { name: 'image'; key: string }
  | { name: 'callback' }
  | { name: 'not-found'; path: string };

export const DEFAULT_MIN_CONFIDENCE = 50;

function confidenceParam(value: string | null): number {
  if (value === null || value.trim() === '') return DEFAULT_MIN_CONFIDENCE;
  const number = Number(value);
  if (!Number.isFinite(number)) return DEFAULT_MIN_CONFIDENCE;
  return Math.min(100, Math.max(0, number));
}

/** The route for a location's pathname and search (`?a=b`, with or without the `?`). */
export function parseRoute(pathname: string, search = ''): Route {
  const query = new URLSearchParams(search);
  if (pathname === '/' || pathname === '') return { name: 'browse' };
  if (pathname === '/search') {
    return {
      name: 'search',
      label: (query.get('label') ?? '').trim(),
      minConfidence: confidenceParam(query.get('minConfidence')),
    };
  }
  if (pathname === '/labels') return { name: 'labels', prefix: query.get('prefix') ?? '' };
  if (pathname === CONSOLE_PATHS.callback) return { name: 'callback' };
  const image = /^\/images\/([^/]+)$/.exec(pathname);
  if (image?.[1]) {
    try {
      return { name: 'image', key: decodeURIComponent(image[1]) };
    } catch {
      return { name: 'not-found', path: pathname };
    }
  }
  return { name: 'not-found', path: pathname };
}

/** The URL (path and query) of a route: parseRoute(routeUrl(r)) gives r back. */
export function routeUrl(route: Route): string {
  switch (route.name) {
    case 'browse':
      return '/';
    case 'search': {
      const query = new URLSearchParams({ label: route.label, minConfidence: String(route.minConfidence) });
      return `/search?${query}`;
    }
    case 'labels':
      return route.prefix ? `/labels?${new URLSearchParams({ prefix: route.prefix })}` : '/labels';
    case 'image':
      return imagePath(route.key);
    case 'callback':
      return CONSOLE_PATHS.callback;
    case 'not-found':
      return route.path;
  }
}

/** The image view's path: the key as one path segment, whatever characters it holds. */
export const imagePath = (key: string) => `/images/${encodeURIComponent(key)}`;

/** Splits a URL from routeUrl or a link's href into the pathname and search parseRoute takes. */
export function splitUrl(url: string): { pathname: string; search: string } {
  const at = url.indexOf('?');
  return at < 0 ? { pathname: url, search: '' } : { pathname: url.slice(0, at), search: url.slice(at) };
}
