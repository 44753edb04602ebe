import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MIN_CONFIDENCE,
  imagePath,
  parseRoute,
  type Route,
  routeUrl,
  splitUrl,
} from '../../web/src/lib/routes';

const roundTrip = (route: Route) => {
  const { pathname, search } = splitUrl(routeUrl(route));
  return parseRoute(pathname, search);
};

describe('routes', () => {
  it('maps each path to its page', () => {
    expect(parseRoute('/')).toEqual({ name: 'browse' });
    expect(parseRoute('/labels', '?prefix=ca')).toEqual({ name: 'labels', prefix: 'ca' });
    expect(parseRoute('/auth/callback', '?code=a&state=b')).toEqual({ name: 'callback' });
    expect(parseRoute('/search', '?label=Person&minConfidence=80')).toEqual({
      name: 'search',
      label: 'Person',
      minConfidence: 80,
    });
    expect(parseRoute('/nowhere')).toEqual({ name: 'not-found', path: '/nowhere' });
  });

  it('takes an image key from one encoded path segment, slashes, spaces and plus signs included', () => {
    const key = 'some dir/a+b%.png';
    expect(imagePath(key)).toBe('/images/some%20dir%2Fa%2Bb%25.png');
    expect(parseRoute(imagePath(key))).toEqual({ name: 'image', key });
  });

  it('treats a malformed or unencoded image path as not found', () => {
    expect(parseRoute('/images/%E0%A4%A')).toEqual({ name: 'not-found', path: '/images/%E0%A4%A' });
    expect(parseRoute('/images/a/b')).toEqual({ name: 'not-found', path: '/images/a/b' });
  });

  it('gives a search a default minimum confidence and keeps it within 0..100', () => {
    expect(parseRoute('/search', '?label=cat')).toMatchObject({ minConfidence: DEFAULT_MIN_CONFIDENCE });
    expect(parseRoute('/search', '?label=cat&minConfidence=abc')).toMatchObject({
      minConfidence: DEFAULT_MIN_CONFIDENCE,
    });
    expect(parseRoute('/search', '?label=cat&minConfidence=150')).toMatchObject({ minConfidence: 100 });
    expect(parseRoute('/search', '?label=cat&minConfidence=-3')).toMatchObject({ minConfidence: 0 });
  });

  it('builds URLs that parse back to the same route', () => {
    const routes: Route[] = [
      { name: 'browse' },
      { name: 'search', label: 'Traffic Light', minConfidence: 72.5 },
      { name: 'labels', prefix: '' },
      { name: 'labels', prefix: 'Tr&a' },
      { name: 'image', key: 'uploads/0b6c/IMG 0001 (1).jpg' },
      { name: 'callback' },
    ];
    for (const route of routes) expect(roundTrip(route)).toEqual(route);
    expect(routeUrl({ name: 'search', label: 'Traffic Light', minConfidence: 72.5 })).toBe(
      '/search?label=Traffic+Light&minConfidence=72.5',
    );
  });
});
