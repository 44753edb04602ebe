/**
 * The labels API as one function of a request: dispatch on the route key, validate at the
 * edge, read and write through the ports (./ports.ts), answer JSON or a problem document.
 * Everything it needs comes in as `ApiDeps`; functions/api/handler.ts gives the AWS ones.
 */
import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import type { ImageEventPublisher } from '../image-events';
import { IMAGES_INDEX_POSITION, LABEL_INDEX_POSITION } from '../labels-query';
import { IMAGES_INDEX_PK, labelIndexPk } from '../labels-table';
import { decodeCursor, encodeCursor, MAX_CURSOR_LENGTH } from './cursor';
import { type ApiRequest, type ApiResponse, json, noContent, problemResponse } from './http';
import { type ImageUrls, imageUrls, versionIdOfObjectVersion } from './image-urls';
import { openApiDocument } from './openapi';
import { decimalParam, intParam, param, parseImageKey, parseJsonBody, parseQuery } from './params';
import type { ImageBucket, ImagesRepository, UrlSigner } from './ports';
import { ApiProblem } from './problems';
import { ROUTES, type RouteName, routeKey } from './route-table';
import { UploadRequestSchema } from './schemas';
import { imageView, LABEL_MAX_LENGTH, safeFileName } from './views';

export interface ApiDeps {
  images: ImagesRepository;
  bucket: ImageBucket;
  /** Signs upload and image URLs. */
  signer: UrlSigner;
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

const ROUTE_BY_KEY = new Map(
  Object.entries(ROUTES).map(([name, route]) => [routeKey(route), name as RouteName]),
);

const urlsFor = (deps: ApiDeps): ImageUrls =>
  imageUrls(deps.signer, { expiresSeconds: deps.imageUrlExpiresSeconds, now: deps.now?.() ?? new Date() });

const notFound = () => new ApiProblem('image-not-found', 'No image and no upload with this key.', 'key');

async function getImage(request: ApiRequest, deps: ApiDeps) {
  parseQuery(request.query, {});
  const key = parseImageKey(request.pathParameters?.key);
  const record = await deps.images.get(key);
  const urls = urlsFor(deps);
  if (record) {
    // The labeled version: its pixels are the ones the boxes were computed on.
    const imageUrl = await urls.url(key, record.versionId);
    return json(200, { ...imageView(record), imageUrl, imageUrlExpiresAt: urls.expiresAt });
  }
  // Uploaded but not processed yet (or still in flight): the object exists, its record not.
  if (await deps.bucket.exists(key)) {
    const imageUrl = await urls.url(key);
    return json(200, { key, status: 'PENDING', labels: [], imageUrl, imageUrlExpiresAt: urls.expiresAt });
  }
  throw notFound();
}

async function deleteImage(request: ApiRequest, deps: ApiDeps) {
  parseQuery(request.query, {});
  const key = parseImageKey(request.pathParameters?.key);
  const record = await deps.images.get(key);
  if (!record && !(await deps.bucket.exists(key))) throw notFound();
  // Versioned bucket: this adds a delete marker. The object is gone for every reader at once;
  // its bytes stay as a noncurrent version until the lifecycle rule expires them.
  await deps.bucket.remove(key);
  // Synchronously, so the answer is final; the ObjectRemoved event repeats it harmlessly.
  await deps.images.remove(key, { events: deps.events, now: deps.now });
  return noContent();
}

const listImagesQuery = {
  label: param(
    v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(LABEL_MAX_LENGTH))),
    `label, when given, must be a label name of 1 to ${LABEL_MAX_LENGTH} characters.`,
  ),
  minConfidence: param(v.optional(decimalParam(0, 100)), 'minConfidence must be a number from 0 to 100.'),
  limit: param(v.optional(intParam(1, 100), '25'), 'limit must be a whole number from 1 to 100.'),
  cursor: param(
    v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CURSOR_LENGTH))),
    'cursor must be the nextCursor of a previous page.',
  ),
};

const foreignCursor = () =>
  new ApiProblem('invalid-cursor', 'Use the nextCursor of the same query, unchanged.', 'cursor');

/** The binding of the cursors of the list without a label (a label's binding has a newline). */
const LATEST_BINDING = 'images:latest';

/** GET /images: every image, last updated first; with `label`, the images carrying it. */
async function listImages(request: ApiRequest, deps: ApiDeps) {
  const { label, minConfidence, limit, cursor } = parseQuery(request.query, listImagesQuery);
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
  const page = await deps.images.latest({ limit, after });
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
  const page = await deps.images.byLabel({ ...query, after });
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
    v.optional(v.pipe(v.string(), v.maxLength(LABEL_MAX_LENGTH)), ''),
    `prefix must be at most ${LABEL_MAX_LENGTH} characters.`,
  ),
  limit: param(v.optional(intParam(1, 100), '50'), 'limit must be a whole number from 1 to 100.'),
};

async function listLabels(request: ApiRequest, deps: ApiDeps) {
  const query = parseQuery(request.query, listLabelsQuery);
  const labels = await deps.images.labelCounts(query);
  return json(200, { prefix: query.prefix, labels });
}

async function createUpload(request: ApiRequest, deps: ApiDeps) {
  parseQuery(request.query, {});
  const upload = parseJsonBody(
    {
      raw: request.body,
      isBase64Encoded: request.isBase64Encoded,
      contentType: request.headers['content-type'] ?? request.headers['Content-Type'],
    },
    UploadRequestSchema,
  );
  const now = deps.now?.() ?? new Date();
  const key = `uploads/${deps.newId?.() ?? randomUUID()}/${safeFileName(upload.fileName)}`;
  const url = await deps.signer.uploadUrl(
    key,
    { contentType: upload.contentType, contentLength: upload.contentLength },
    deps.uploadExpiresSeconds,
  );
  const response = json(201, {
    key,
    upload: {
      method: 'PUT',
      url,
      headers: { 'content-type': upload.contentType, 'content-length': String(upload.contentLength) },
    },
    expiresAt: new Date(now.getTime() + deps.uploadExpiresSeconds * 1000).toISOString(),
    statusUrl: `/images/${encodeURIComponent(key)}`,
  });
  response.headers = { ...response.headers, location: `/images/${encodeURIComponent(key)}` };
  return response;
}

async function openApi(request: ApiRequest) {
  parseQuery(request.query, {});
  const host = request.headers.host;
  const scheme = request.headers['x-forwarded-proto'] ?? 'https';
  return json(200, await openApiDocument(host ? `${scheme}://${host}` : undefined));
}

const HANDLERS: Record<
  RouteName,
  (request: ApiRequest, deps: ApiDeps) => Promise<ApiResponse> | ApiResponse
> = {
  getImage,
  deleteImage,
  listImages,
  listLabels,
  createUpload,
  openApi,
};

export async function handleApiRequest(request: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  try {
    const name = ROUTE_BY_KEY.get(request.routeKey);
    if (!name) {
      throw new ApiProblem(
        'route-not-found',
        `No route for ${request.method ?? 'this method'} on this path.`,
      );
    }
    return await HANDLERS[name](request, deps);
  } catch (error) {
    if (error instanceof ApiProblem) return problemResponse(error.toProblem());
    deps.onError?.(error);
    return problemResponse(new ApiProblem('internal-error').toProblem());
  }
}
