/**
 * HTTP responses of the labels API as API Gateway (payload 2.0) results: JSON bodies, empty
 * ones, and problem documents (functions/core/api/problems.ts).
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Problem } from '../../core/api/problems';

const COMMON_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { ...COMMON_HEADERS, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

export function noContent(): APIGatewayProxyStructuredResultV2 {
  return { statusCode: 204, headers: { ...COMMON_HEADERS } };
}

export function problemResponse(problem: Problem): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { ...COMMON_HEADERS, 'content-type': 'application/problem+json' },
    body: JSON.stringify(problem),
  };
}
