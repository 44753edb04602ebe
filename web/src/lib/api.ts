/**
 * The labels API, as the console calls it: URL building (a key is one percent-encoded path
 * segment), the access token through the session (refresh once on a 401), and every failure
 * turned into an ApiError with a kind and a sentence a person understands.
 *
 * No DOM: fetch is injected.
 */
import type { Box } from './boxes';
import { type Session, SessionEndedError } from './session';

export type FailureKind = 'session-ended' | 'forbidden' | 'not-found' | 'network' | 'server' | 'request';

export const FAILURE_MESSAGES: Record<Exclude<FailureKind, 'request'>, string> = {
  'session-ended': 'Your session has ended. Sign in again.',
  forbidden:
    'Your account lacks permission for this. It needs the labels/read scope to view images and labels/write to upload or delete.',
  'not-found': 'There is no image with this key. It may have been deleted.',
  network: "Can't reach the service. Check your connection.",
  server: 'The service had a problem. Try again.',
};

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  param?: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status?: number,
    readonly problem?: Problem,
  ) {
    super(message);
  }
}

function asProblem(body: unknown): Problem | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { type, title, status, detail, param } = body as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const problem: Problem = {
    type: text(type),
    title: text(title),
    status: typeof status === 'number' ? status : undefined,
    detail: text(detail),
    param: text(param),
  };
  return problem.title || problem.detail ? problem : undefined;
}

/** The ApiError for an HTTP error answer (a problem document, API Gateway's `{message}`, or anything). */
export function failureFromResponse(status: number, body: unknown): ApiError {
  const problem = asProblem(body);
  if (status === 401)
    return new ApiError('session-ended', FAILURE_MESSAGES['session-ended'], status, problem);
  if (status === 403) return new ApiError('forbidden', FAILURE_MESSAGES.forbidden, status, problem);
  if (status === 404) return new ApiError('not-found', FAILURE_MESSAGES['not-found'], status, problem);
  if (status >= 500) return new ApiError('server', FAILURE_MESSAGES.server, status, problem);
  const message = problem?.detail ?? problem?.title ?? `The request was refused (HTTP ${status}).`;
  return new ApiError('request', message, status, problem);
}

/** The ApiError for a thrown error: the session's end, or a network failure. */
export function failureFromError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof SessionEndedError)
    return new ApiError('session-ended', FAILURE_MESSAGES['session-ended']);
  return new ApiError('network', FAILURE_MESSAGES.network);
}

type Query = Record<string, string | number | undefined>;

/** An API URL: the base (no trailing slash), a path, and the defined query parameters. */
export function apiUrl(base: string, path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const search = params.toString();
  return `${base.replace(/\/+$/, '')}${path}${search ? `?${search}` : ''}`;
}

/** The path of one image: the whole key (slashes included) as one encoded segment. */
export const imageApiPath = (key: string) => `/images/${encodeURIComponent(key)}`;

// The API's answers (the fields the console reads).
export type ImageStatus = 'PENDING' | 'LABELED' | 'REJECTED' | 'FAILED';

export interface ImageSummary {
  key: string;
  status: ImageStatus;
  updatedAt?: string;
  labels: string[];
  imageUrl?: string;
}

export interface ImagePage {
  items: ImageSummary[];
  nextCursor?: string;
  imageUrlExpiresAt?: string;
}

export interface LabelHit {
  key: string;
  label: string;
  confidence: number;
  imageUrl?: string;
}

export interface SearchPage {
  label: string;
  minConfidence: number;
  items: LabelHit[];
  nextCursor?: string;
  imageUrlExpiresAt?: string;
}

export interface ImageLabel {
  name: string;
  confidence: number;
  parents: string[];
  categories: string[];
  aliases?: string[];
  instances: { confidence: number; box: Box }[];
}

export interface ImageRecord {
  key: string;
  status: ImageStatus;
  objectVersion?: string;
  versionId?: string;
  size?: number;
  image?: { format: string; width: number; height: number; orientation?: number };
  labels: ImageLabel[];
  labelModelVersion?: string;
  settings?: { minConfidence: number; maxLabels: number };
  reason?: string;
  detail?: string;
  error?: { name: string; message: string };
  updatedAt?: string;
  imageUrl?: string;
  imageUrlExpiresAt?: string;
}

export interface LabelCount {
  name: string;
  imageCount: number;
}

export interface UploadTicket {
  key: string;
  upload: { method: 'PUT'; url: string; headers: Record<string, string> };
  expiresAt: string;
  statusUrl: string;
}

/** What the client needs of fetch's answer. */
export interface FetchResponse {
  status: number;
  ok: boolean;
  json(): Promise<unknown>;
}
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<FetchResponse>;

function expectFields<T>(body: unknown, arrays: string[]): T {
  if (typeof body !== 'object' || body === null) {
    throw new ApiError('server', FAILURE_MESSAGES.server);
  }
  for (const field of arrays) {
    if (!Array.isArray((body as Record<string, unknown>)[field])) {
      throw new ApiError('server', FAILURE_MESSAGES.server);
    }
  }
  return body as T;
}

export interface ApiClientOptions {
  baseUrl: string;
  session: Pick<Session, 'authorized'>;
  fetch: FetchLike;
}

export function createApiClient({ baseUrl, session, fetch }: ApiClientOptions) {
  async function call(method: string, path: string, query?: Query, body?: unknown): Promise<unknown> {
    let response: FetchResponse;
    try {
      response = await session.authorized((token) =>
        fetch(apiUrl(baseUrl, path, query), {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      );
    } catch (error) {
      throw failureFromError(error);
    }
    if (response.status === 204) return undefined;
    const parsed = await response.json().catch(() => undefined);
    if (!response.ok) throw failureFromResponse(response.status, parsed);
    return parsed;
  }

  return {
    listImages: async (page: { limit?: number; cursor?: string } = {}) =>
      expectFields<ImagePage>(await call('GET', '/images', page), ['items']),
    searchImages: async (query: { label: string; minConfidence: number; limit?: number; cursor?: string }) =>
      expectFields<SearchPage>(await call('GET', '/images', query), ['items']),
    getImage: async (key: string) =>
      expectFields<ImageRecord>(await call('GET', imageApiPath(key)), ['labels']),
    deleteImage: async (key: string): Promise<void> => {
      await call('DELETE', imageApiPath(key));
    },
    listLabels: async (query: { prefix?: string; limit?: number } = {}) =>
      expectFields<{ prefix: string; labels: LabelCount[] }>(await call('GET', '/labels', query), ['labels']),
    createUpload: async (request: { fileName: string; contentType: string; contentLength: number }) =>
      expectFields<UploadTicket>(await call('POST', '/uploads', undefined, request), []),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/**
 * Whether a presigned image URL may have expired (a few seconds early, for clock skew): an
 * `<img>` that fails to load then fetches a fresh URL once instead of showing a broken image.
 * Without an expiry time, a failed load is worth one fresh URL too.
 */
export function imageUrlExpired(expiresAt: string | undefined, nowMs: number, skewMs = 5000): boolean {
  if (!expiresAt) return true;
  const at = Date.parse(expiresAt);
  return Number.isNaN(at) || nowMs >= at - skewMs;
}
