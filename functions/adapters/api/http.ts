/**
 * API Gateway HTTP API (payload 2.0) <-> the core's ApiRequest and ApiResponse
 * (functions/core/api/http.ts): the only place the labels API meets aws-lambda's types.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  type ApiRequest,
  type ApiResponse,
  problemResponse as coreProblemResponse,
} from '../../core/api/http';
import type { Problem } from '../../core/api/problems';

export function apiRequestOf(event: APIGatewayProxyEventV2): ApiRequest {
  return {
    routeKey: event.routeKey,
    method: event.requestContext?.http?.method,
    pathParameters: event.pathParameters,
    query: event.queryStringParameters,
    headers: event.headers ?? {},
    body: event.body,
    isBase64Encoded: event.isBase64Encoded,
  };
}

export function gatewayResultOf(response: ApiResponse): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.statusCode,
    headers: response.headers,
    ...(response.body !== undefined ? { body: response.body } : {}),
  };
}

/** A problem document as an API Gateway result (the local API answers its own 404s with it). */
export function problemResponse(problem: Problem): APIGatewayProxyStructuredResultV2 {
  return gatewayResultOf(coreProblemResponse(problem));
}
