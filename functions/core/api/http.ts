/**
 * The labels API's requests and responses as the core sees them: what a route reads of a
 * request and what it answers, without API Gateway's event types. functions/adapters/api/
 * http.ts maps an HTTP API (payload 2.0) event to an ApiRequest and an ApiResponse back.
 */
import type { Problem } from './problems';

export interface ApiRequest {
  /** `METHOD /path` of the matched route (e.g. `GET /images/{key+}`). */
  routeKey: string;
  /** The request's HTTP method, for the answer to a route key without a route. */
  method?: string | undefined;
  /** Path parameters, percent-decoded. */
  pathParameters?: Record<string, string | undefined> | undefined;
  /** Query parameters, decoded; a repeated name arrives comma-joined. */
  query?: Record<string, string | undefined> | undefined;
  headers: Record<string, string | undefined>;
  body?: string | undefined;
  isBase64Encoded: boolean;
}

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  /** Absent for 204. */
  body?: string;
}

const COMMON_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

export function json(statusCode: number, body: unknown): ApiResponse {
  return {
    statusCode,
    headers: { ...COMMON_HEADERS, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

export function noContent(): ApiResponse {
  return { statusCode: 204, headers: { ...COMMON_HEADERS } };
}

export function problemResponse(problem: Problem): ApiResponse {
  return {
    statusCode: problem.status,
    headers: { ...COMMON_HEADERS, 'content-type': 'application/problem+json' },
    body: JSON.stringify(problem),
  };
}
