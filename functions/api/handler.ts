/**
 * API Gateway HTTP API (payload 2.0) -> the labels API. One function serves every route:
 * routing, validation and problem documents live in functions/core/api; this file only
 * wires the environment, the adapters and the cursor key.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { apiRequestOf, gatewayResultOf } from '../adapters/api/http';
import { dynamo } from '../adapters/clients/dynamodb';
import { eventBridge } from '../adapters/clients/eventbridge';
import { s3, s3Presigner } from '../adapters/clients/s3';
import { dynamoImagesRepository } from '../adapters/dynamodb/images-repository';
import { eventBusPublisher } from '../adapters/event-bus';
import { s3ImageBucket } from '../adapters/s3-image-bucket';
import { s3UrlSigner } from '../adapters/s3-presigner';
import { handleApiRequest } from '../core/api/routes';
import { loadEnv } from '../shared/env';
import { instrumented } from '../shared/middleware';
import { emit, logger, metrics } from '../shared/observability';
import { LABELS_API_ENVIRONMENT } from './environment';

const env = loadEnv(LABELS_API_ENVIRONMENT);
const events = eventBusPublisher(eventBridge, env.EVENT_BUS_NAME);
const images = dynamoImagesRepository({ db: dynamo(), tableName: env.LABELS_TABLE_NAME });
const bucket = s3ImageBucket(s3, env.IMAGES_BUCKET);
const signer = s3UrlSigner(s3Presigner(), env.IMAGES_BUCKET);

/** Cached per execution environment for an hour (Powertools parameters). */
async function cursorSecret(): Promise<Uint8Array> {
  const value = await getSecret(env.CURSOR_SECRET_ID, { maxAge: 3600 });
  if (typeof value !== 'string' || value.length < 32)
    throw new Error('The cursor secret is missing or too short.');
  return Buffer.from(value, 'utf8');
}

export const handler = instrumented(async (event: APIGatewayProxyEventV2) => {
  const response = await handleApiRequest(apiRequestOf(event), {
    images,
    bucket,
    signer,
    events,
    cursorSecret,
    uploadExpiresSeconds: env.UPLOAD_URL_EXPIRES_SECONDS,
    imageUrlExpiresSeconds: env.IMAGE_URL_EXPIRES_SECONDS,
    onError: (error) => logger.error('Request failed', { routeKey: event.routeKey, error: error as Error }),
  });
  metrics.addDimension('route', event.routeKey);
  emit(response.statusCode >= 500 ? 'Faults' : 'Requests');
  logger.info('Request', { routeKey: event.routeKey, status: response.statusCode });
  return gatewayResultOf(response);
});
