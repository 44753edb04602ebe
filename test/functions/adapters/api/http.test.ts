import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { apiRequestOf, gatewayResultOf, problemResponse } from '../../../../functions/adapters/api/http';
import { json, noContent } from '../../../../functions/core/api/http';
import { ApiProblem } from '../../../../functions/core/api/problems';

const event = {
  version: '2.0',
  routeKey: 'POST /uploads',
  rawPath: '/uploads',
  rawQueryString: 'a=1',
  headers: { 'content-type': 'application/json', host: 'api.example.com' },
  queryStringParameters: { a: '1' },
  pathParameters: { key: 'a b/c.png' },
  body: 'eyJhIjoxfQ==',
  isBase64Encoded: true,
  requestContext: { http: { method: 'POST' } },
} as unknown as APIGatewayProxyEventV2;

describe('apiRequestOf', () => {
  it('takes the route key, method, decoded parameters, headers and body of a payload 2.0 event', () => {
    expect(apiRequestOf(event)).toEqual({
      routeKey: 'POST /uploads',
      method: 'POST',
      pathParameters: { key: 'a b/c.png' },
      query: { a: '1' },
      headers: { 'content-type': 'application/json', host: 'api.example.com' },
      body: 'eyJhIjoxfQ==',
      isBase64Encoded: true,
    });
  });

  it('gives an event without headers an empty set', () => {
    const { headers: _headers, ...bare } = event;
    expect(apiRequestOf(bare as APIGatewayProxyEventV2).headers).toEqual({});
  });
});

describe('gatewayResultOf', () => {
  it('keeps status, headers and body, and gives a 204 no body at all', () => {
    expect(gatewayResultOf(json(200, { a: 1 }))).toEqual({
      statusCode: 200,
      headers: {
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'content-type': 'application/json',
      },
      body: '{"a":1}',
    });
    expect(gatewayResultOf(noContent())).not.toHaveProperty('body');
  });
});

describe('problemResponse', () => {
  it('answers a problem document as application/problem+json with its status', () => {
    const result = problemResponse(new ApiProblem('route-not-found').toProblem());
    expect(result.statusCode).toBe(404);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(result.body ?? '')).toEqual({
      type: 'urn:image-labeling:problem:route-not-found',
      title: 'No such route.',
      status: 404,
    });
  });
});
