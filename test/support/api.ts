/**
 * The labels API's handler in unit tests: its dependencies (AWS clients that a test mocks or
 * points at the local DynamoDB, a fixed clock and cursor key) and API Gateway events of one route.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ROUTES, type RouteName, routeKey } from '../../functions/core/api/route-table';
import type { ApiDeps } from '../../functions/domain/api/routes';
import { recordingPublisher } from './image-events';

export const API_CURSOR_SECRET = Buffer.from('k'.repeat(48));
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

export function apiDeps(overrides: Partial<ApiDeps> = {}): ApiDeps {
  return {
    table: {
      db: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1', credentials })),
      tableName: 'labels',
    },
    s3: new S3Client({ region: 'eu-west-1', credentials }),
    // As functions/adapters/clients/s3.ts builds it.
    presigner: new S3Client({
      region: 'eu-west-1',
      credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    bucket: 'images',
    events: recordingPublisher(),
    cursorSecret: async () => API_CURSOR_SECRET,
    uploadExpiresSeconds: 300,
    imageUrlExpiresSeconds: 300,
    now: () => new Date('2026-01-02T03:04:05Z'),
    newId: () => '00000000-0000-4000-8000-000000000000',
    ...overrides,
  };
}

/** A payload 2.0 event for one route, as API Gateway passes it (path parameters decoded). */
export function apiEvent(
  route: RouteName,
  options: { key?: string; query?: Record<string, string>; body?: string; contentType?: string } = {},
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: routeKey(ROUTES[route]),
    rawPath: '/',
    rawQueryString: '',
    headers: options.contentType ? { 'content-type': options.contentType } : {},
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.key !== undefined ? { pathParameters: { key: options.key } } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
    isBase64Encoded: false,
    requestContext: { http: { method: ROUTES[route].method } } as APIGatewayProxyEventV2['requestContext'],
  };
}
