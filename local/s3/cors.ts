/**
 * A bucket's CORS configuration, evaluated as S3 does: the first rule whose origin, method and
 * (for a preflight) request headers all match decides. A preflight that no rule allows is a 403;
 * an actual request from an origin no rule allows is served without CORS headers.
 * Origins and headers may hold one `*` wildcard; headers match case-insensitively.
 */

/** One CORSRule (the shape of CDK's `s3.CorsRule`). */
export interface CorsRule {
  allowedOrigins: readonly string[];
  allowedMethods: readonly string[];
  allowedHeaders?: readonly string[];
  exposedHeaders?: readonly string[];
  maxAgeSeconds?: number;
}

export interface CorsRequest {
  origin: string;
  method: string;
  /** A preflight's Access-Control-Request-Headers, split. */
  headers?: readonly string[];
}

const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

function wildcard(pattern: string, value: string, caseless = false): boolean {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace('*', '.*');
  return new RegExp(`^${escaped}$`, caseless ? 'i' : '').test(value);
}

export function matchingRule(rules: readonly CorsRule[], request: CorsRequest): CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.allowedOrigins.some((pattern) => wildcard(pattern, request.origin)) &&
      rule.allowedMethods.includes(request.method) &&
      (request.headers ?? []).every((name) =>
        (rule.allowedHeaders ?? []).some((pattern) => wildcard(pattern, name, true)),
      ),
  );
}

/** `Access-Control-Request-Headers: a, B` as ['a', 'b']. */
export function requestedHeaders(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
}

/** The headers S3 answers a request that `rule` allows with (a preflight also echoes its headers). */
export function corsHeaders(
  rule: CorsRule,
  request: CorsRequest,
  preflight: boolean,
): Record<string, string> {
  const anyOrigin = rule.allowedOrigins.includes('*');
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': anyOrigin ? '*' : request.origin,
    'Access-Control-Allow-Methods': rule.allowedMethods.join(', '),
    Vary: VARY,
  };
  if (!anyOrigin) headers['Access-Control-Allow-Credentials'] = 'true';
  if (preflight && request.headers?.length)
    headers['Access-Control-Allow-Headers'] = request.headers.join(', ');
  if (rule.exposedHeaders?.length) headers['Access-Control-Expose-Headers'] = rule.exposedHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) headers['Access-Control-Max-Age'] = String(rule.maxAgeSeconds);
  return headers;
}
