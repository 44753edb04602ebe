/**
 * The API's routes, in one place: the CDK stack creates exactly these HTTP API routes (with
 * these scopes), the local API matches requests against them the way API Gateway does, the
 * handler dispatches on their route keys, and the OpenAPI document describes them.
 */

/** The Cognito resource server and its scopes (tokens carry `labels/read`, `labels/write`). */
export const RESOURCE_SERVER = 'labels';
export const SCOPES = { read: `${RESOURCE_SERVER}/read`, write: `${RESOURCE_SERVER}/write` } as const;

export interface RouteSpec {
  method: 'GET' | 'POST' | 'DELETE';
  /** HTTP API route path; `{key+}` is greedy, so keys with slashes (encoded or not) match. */
  path: string;
  /** Scopes the JWT must carry (any of them); undefined: the route is public. */
  scopes?: readonly string[];
}

export const ROUTES = {
  getImage: { method: 'GET', path: '/images/{key+}', scopes: [SCOPES.read] },
  deleteImage: { method: 'DELETE', path: '/images/{key+}', scopes: [SCOPES.write] },
  listImages: { method: 'GET', path: '/images', scopes: [SCOPES.read] },
  listLabels: { method: 'GET', path: '/labels', scopes: [SCOPES.read] },
  createUpload: { method: 'POST', path: '/uploads', scopes: [SCOPES.write] },
  openApi: { method: 'GET', path: '/openapi.json' },
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof ROUTES;

export const routeKey = (route: RouteSpec) => `${route.method} ${route.path}`;

/**
 * Matches a method and a (decoded) path against the routes as API Gateway does: literal
 * segments first, then the greedy `{key+}` (which needs at least one character).
 */
export function matchRoute(
  method: string,
  path: string,
): { name: RouteName; route: RouteSpec; pathParameters?: Record<string, string> } | undefined {
  for (const [name, route] of Object.entries(ROUTES) as [RouteName, RouteSpec][]) {
    if (route.method !== method) continue;
    const greedy = route.path.indexOf('/{key+}');
    if (greedy < 0) {
      if (route.path === path) return { name, route };
      continue;
    }
    const prefix = `${route.path.slice(0, greedy)}/`;
    if (path.startsWith(prefix) && path.length > prefix.length) {
      return { name, route, pathParameters: { key: path.slice(prefix.length) } };
    }
  }
  return undefined;
}
