/**
 * The labels API as one function of an API Gateway HTTP API (payload format 2.0) event:
 * dispatch on the route key, validate at the edge, call the table/S3 domain code, answer
 * JSON or a problem document. Everything it needs comes in as `ApiDeps`.
 */
import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { json, noContent, problemResponse } from '../../adapters/api/http';
import { removeImageRecords } from '../../adapters/dynamodb/image-removal';
import {
  getImageRecord,
  queryImagesByLabel,
  queryLabelCounts,
  queryLatestImages,
} from '../../adapters/dynamodb/labels-query';
import type { TableRef } from '../../adapters/dynamodb/table-ref';
import { decodeCursor, encodeCursor, MAX_CURSOR_LENGTH } from '../../core/api/cursor';
import { openApiDocument } from '../../core/api/openapi';
import {
  decimalParam,
  intParam,
  param,
  parseImageKey,
  parseJsonBody,
  parseQuery,
} from '../../core/api/params';
import { ApiProblem } from '../../core/api/problems';
import { ROUTES, type RouteName, routeKey } from '../../core/api/route-table';
import { UploadRequestSchema } from '../../core/api/schemas';
import type { ImageEventPublisher } from '../../core/image-events';
import { IMAGES_INDEX_POSITION, LABEL_INDEX_POSITION } from '../../core/labels-query';
import { IMAGES_INDEX_PK, type ImageItem, labelIndexPk } from '../../core/labels-table';
import { type ImageUrls, imageUrls, versionIdOfObjectVersion } from './image-urls';

export interface ApiDeps {
  table: TableRef;
  /** HeadObject and DeleteObject on the images bucket. */
  s3: S3Client;
  /** Signs upload and image URLs; must be built with requestChecksumCalculation 'WHEN_REQUIRED'. */
  presigner: S3Client;
  bucket: string;
  /** Where DELETE /images/{key} announces the removal (an `Image Deleted` event). */
  events: ImageEventPublisher;
  /** The HMAC key of page cursors (fetched once per execution environment). */
  cursorSecret: () => Promise<Uint8Array>;
  uploadExpiresSeconds: number;
  /** How long the image URLs of an answer work (see image-urls.ts). */
  imageUrlExpiresSeconds: number;
  now?: () => Date;
  newId?: () => string;
  /** Called with any unexpected error before the API answers 500 (the handler logs it). */
  onError?: (error: unknown) => void;
}

export const LABEL_MAX_LENGTH = 64;

const ROUTE_BY_KEY = new Map(
  Object.entries(ROUTES).map(([name, route]) => [routeKey(route), name as RouteName]),
);

const urlsFor = (deps: ApiDeps): ImageUrls =>
  imageUrls({
    presigner: deps.presigner,
    bucket: deps.bucket,
    expiresSeconds: deps.imageUrlExpiresSeconds,
    now: deps.now?.() ?? new Date(),
  });

/** The public view of an image record: no table keys, bucket or event internals. */
export function imageView(item: ImageItem) {
  return {
    key: item.key,
    status: item.status,
    objectVersion: item.objectVersion,
    ...(item.versionId ? { versionId: item.versionId } : {}),
    size: item.size,
    ...(item.image ? { image: item.image } : {}),
    labels: item.labels.map((label) => ({
      name: label.name,
      confidence: label.confidence,
      parents: label.parents,
      categories: label.categories,
      aliases: label.aliases,
      instances: label.instances,
    })),
    ...(item.labelModelVersion ? { labelModelVersion: item.labelModelVersion } : {}),
    ...(item.settings
      ? { settings: { minConfidence: item.settings.minConfidence, maxLabels: item.settings.maxLabels } }
      : {}),
    ...(item.reason ? { reason: item.reason } : {}),
    ...(item.detail ? { detail: item.detail } : {}),
    ...(item.error ? { error: { name: item.error.name, message: item.error.message } } : {}),
    updatedAt: item.updatedAt,
  };
}

async function objectExists(deps: ApiDeps, key: string): Promise<boolean> {
  try {
    await deps.s3.send(new HeadObjectCommand({ Bucket: deps.bucket, Key: key }));
    return true;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if ((error as Error).name === 'NotFound' || status === 404) return false;
    throw error;
  }
}

async function getImage(event: APIGatewayProxyEventV2, deps: ApiDeps) {
  parseQuery(event.queryStringParameters, {});
  const key = parseImageKey(event.pathParameters?.key);
  const record = await getImageRecord(deps.table, key);
  const urls = urlsFor(deps);
  if (record) {
    // The labeled version: its pixels are the ones the boxes were computed on.
    const imageUrl = await urls.url(key, record.versionId);
    return json(200, { ...imageView(record), imageUrl, imageUrlExpiresAt: urls.expiresAt });
  }
  // Uploaded but not processed yet (or still in flight): the object exists, its record not.
  if (await objectExists(deps, key)) {
    const imageUrl = await urls.url(key);
    return json(200, { key, status: 'PENDING', labels: [], imageUrl, imageUrlExpiresAt: urls.expiresAt });
  }
  throw new ApiProblem('image-not-found', 'No image and no upload with this key.', 'key');
}

async function deleteImage(event: APIGatewayProxyEventV2, deps: ApiDeps) {
  parseQuery(event.queryStringParameters, {});
  const key = parseImageKey(event.pathParameters?.key);
  const record = await getImageRecord(deps.table, key);
  if (!record && !(await objectExists(deps, key))) {
    throw new ApiProblem('image-not-found', 'No image and no upload with this key.', 'key');
  }
  // Versioned bucket: this adds a delete marker. The object is gone for every reader at once;
  // its bytes stay as a noncurrent version until the lifecycle rule expires them.
  await deps.s3.send(new DeleteObjectCommand({ Bucket: deps.bucket, Key: key }));
  // Synchronously, so the answer is final; the ObjectRemoved event repeats it harmlessly.
  await removeImageRecords(deps.table, key, {}, { events: deps.events, now: deps.now });
  return noContent();
}

const listImagesQuery = {
  label: param(
    z.string().trim().min(1).max(LABEL_MAX_LENGTH).optional(),
    `label, when given, must be a label name of 1 to ${LABEL_MAX_LENGTH} characters.`,
  ),
  minConfidence: param(decimalParam(0, 100).optional(), 'minConfidence must be a number from 0 to 100.'),
  limit: param(intParam(1, 100).default(25), 'limit must be a whole number from 1 to 100.'),
  cursor: param(
    z.string().min(1).max(MAX_CURSOR_LENGTH).optional(),
    'cursor must be the nextCursor of a previous page.',
  ),
};

const foreignCursor = () =>
  new ApiProblem('invalid-cursor', 'Use the nextCursor of the same query, unchanged.', 'cursor');

/** The binding of the cursors of the list without a label (a label's binding has a newline). */
const LATEST_BINDING = 'images:latest';

/** GET /images: every image, last updated first; with `label`, the images carrying it. */
async function listImages(event: APIGatewayProxyEventV2, deps: ApiDeps) {
  const { label, minConfidence, limit, cursor } = parseQuery(event.queryStringParameters, listImagesQuery);
  if (label !== undefined) {
    return listImagesByLabel(deps, { label, minConfidence: minConfidence ?? 0, limit, cursor });
  }
  if (minConfidence !== undefined) {
    throw new ApiProblem(
      'invalid-parameter',
      'minConfidence filters the images of a label: give label too, or leave minConfidence out.',
      'minConfidence',
    );
  }
  const after = cursor
    ? decodeCursor(await deps.cursorSecret(), LATEST_BINDING, cursor, IMAGES_INDEX_POSITION)
    : undefined;
  if (after && after.gsi2pk !== IMAGES_INDEX_PK) throw foreignCursor();
  const page = await queryLatestImages(deps.table, { limit, after });
  const nextCursor = page.next
    ? encodeCursor(await deps.cursorSecret(), LATEST_BINDING, page.next)
    : undefined;
  const urls = urlsFor(deps);
  const items = await Promise.all(
    page.images.map(async (image) => ({
      key: image.key,
      status: image.status,
      updatedAt: image.updatedAt,
      labels: image.topLabels,
      imageUrl: await urls.url(image.key, image.versionId),
    })),
  );
  return json(200, { items, ...(nextCursor ? { nextCursor } : {}), imageUrlExpiresAt: urls.expiresAt });
}

async function listImagesByLabel(
  deps: ApiDeps,
  query: { label: string; minConfidence: number; limit: number; cursor?: string | undefined },
) {
  const binding = `${query.label.toLowerCase()}\n${query.minConfidence}`;
  const after = query.cursor
    ? decodeCursor(await deps.cursorSecret(), binding, query.cursor, LABEL_INDEX_POSITION)
    : undefined;
  if (after && after.gsi1pk !== labelIndexPk(query.label)) throw foreignCursor();
  const page = await queryImagesByLabel(deps.table, { ...query, after });
  const nextCursor = page.next ? encodeCursor(await deps.cursorSecret(), binding, page.next) : undefined;
  const urls = urlsFor(deps);
  const items = await Promise.all(
    page.hits.map(async (hit) => ({
      key: hit.key,
      label: hit.name,
      confidence: hit.confidence,
      imageUrl: await urls.url(hit.key, versionIdOfObjectVersion(hit.objectVersion)),
    })),
  );
  return json(200, {
    label: query.label,
    minConfidence: query.minConfidence,
    items,
    ...(nextCursor ? { nextCursor } : {}),
    imageUrlExpiresAt: urls.expiresAt,
  });
}

const listLabelsQuery = {
  prefix: param(
    z.string().max(LABEL_MAX_LENGTH).default(''),
    `prefix must be at most ${LABEL_MAX_LENGTH} characters.`,
  ),
  limit: param(intParam(1, 100).default(50), 'limit must be a whole number from 1 to 100.'),
};

async function listLabels(event: APIGatewayProxyEventV2, deps: ApiDeps) {
  const query = parseQuery(event.queryStringParameters, listLabelsQuery);
  const labels = await queryLabelCounts(deps.table, query);
  return json(200, { prefix: query.prefix, labels });
}

/** A file name made safe for a key: letters, digits, `.`, `_`, `-`; at most 100 characters. */
export function safeFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).at(-1) ?? '';
  const safe = base
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(-100);
  return safe.length > 0 ? safe : 'image';
}

async function createUpload(event: APIGatewayProxyEventV2, deps: ApiDeps) {
  parseQuery(event.queryStringParameters, {});
  const request = parseJsonBody(
    {
      raw: event.body,
      isBase64Encoded: event.isBase64Encoded,
      contentType: event.headers?.['content-type'] ?? event.headers?.['Content-Type'],
    },
    UploadRequestSchema,
  );
  const now = deps.now?.() ?? new Date();
  const key = `uploads/${deps.newId?.() ?? randomUUID()}/${safeFileName(request.fileName)}`;
  // Content-Type and Content-Length are signed: S3 refuses a PUT with another type or size.
  const url = await getSignedUrl(
    deps.presigner,
    new PutObjectCommand({
      Bucket: deps.bucket,
      Key: key,
      ContentType: request.contentType,
      ContentLength: request.contentLength,
    }),
    { expiresIn: deps.uploadExpiresSeconds, signableHeaders: new Set(['content-type', 'content-length']) },
  );
  const response = json(201, {
    key,
    upload: {
      method: 'PUT',
      url,
      headers: { 'content-type': request.contentType, 'content-length': String(request.contentLength) },
    },
    expiresAt: new Date(now.getTime() + deps.uploadExpiresSeconds * 1000).toISOString(),
    statusUrl: `/images/${encodeURIComponent(key)}`,
  });
  response.headers = { ...response.headers, location: `/images/${encodeURIComponent(key)}` };
  return response;
}

function openApi(event: APIGatewayProxyEventV2) {
  parseQuery(event.queryStringParameters, {});
  const host = event.headers?.host;
  const scheme = event.headers?.['x-forwarded-proto'] ?? 'https';
  return json(200, openApiDocument(host ? `${scheme}://${host}` : undefined));
}

const HANDLERS: Record<
  RouteName,
  (
    event: APIGatewayProxyEventV2,
    deps: ApiDeps,
  ) => Promise<APIGatewayProxyStructuredResultV2> | APIGatewayProxyStructuredResultV2
> = {
  getImage,
  deleteImage,
  listImages,
  listLabels,
  createUpload,
  openApi,
};

export async function handleApiRequest(
  event: APIGatewayProxyEventV2,
  deps: ApiDeps,
): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    const name = ROUTE_BY_KEY.get(event.routeKey);
    if (!name) {
      throw new ApiProblem(
        'route-not-found',
        `No route for ${event.requestContext?.http?.method ?? 'this method'} on this path.`,
      );
    }
    return await HANDLERS[name](event, deps);
  } catch (error) {
    if (error instanceof ApiProblem) return problemResponse(error.toProblem());
    deps.onError?.(error);
    return problemResponse(new ApiProblem('internal-error').toProblem());
  }
}
