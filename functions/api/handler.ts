/**
 * API Gateway HTTP API (payload 2.0) -> the labels API. One function serves every route:
 * routing, validation and problem documents live in functions/domain/api; this file only
 * wires the environment, the clients and the cursor key.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { dynamo } from '../adapters/clients/dynamodb';
import { eventBridge } from '../adapters/clients/eventbridge';
import { s3, s3Presigner } from '../adapters/clients/s3';
import { eventBusPublisher } from '../adapters/event-bus';
import { handleApiRequest } from '../domain/api/routes';
import { loadEnv } from '../shared/env';
import { instrumented } from '../shared/middleware';
import { emit, logger, metrics } from '../shared/observability';
import { LABELS_API_ENVIRONMENT } from './environment';

const env = loadEnv(LABELS_API_ENVIRONMENT);
const events = eventBusPublisher(eventBridge, env.EVENT_BUS_NAME);

/** Cached per execution environment for an hour (Powertools parameters). */
async function cursorSecret(): Promise<Uint8Array> {
  const value = await getSecret(env.CURSOR_SECRET_ID, { maxAge: 3600 });
  if (typeof value !== 'string' || value.length < 32)
    throw new Error('The cursor secret is missing or too short.');
  return Buffer.from(value, 'utf8');
}

export const handler = instrumented(async (event: APIGatewayProxyEventV2) => {
  const response = await handleApiRequest(event, {
    table: { db: dynamo(), tableName: env.LABELS_TABLE_NAME },
    s3: s3(),
    presigner: s3Presigner(),
    bucket: env.IMAGES_BUCKET,
    events,
    cursorSecret,
    uploadExpiresSeconds: env.UPLOAD_URL_EXPIRES_SECONDS,
    imageUrlExpiresSeconds: env.IMAGE_URL_EXPIRES_SECONDS,
    onError: (error) => logger.error('Request failed', { routeKey: event.routeKey, error: error as Error }),
  });
  metrics.addDimension('route', event.routeKey);
  emit(response.statusCode && response.statusCode >= 500 ? 'Faults' : 'Requests');
  logger.info('Request', { routeKey: event.routeKey, status: response.statusCode });
  return response;
});
