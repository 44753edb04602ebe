/**
 * The labels API's core in tests: in-memory ports (an images table, a bucket, a URL signer
 * whose URLs show what was signed), a fixed clock and cursor key, and requests of one route.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { ApiRequest } from '../../functions/core/api/http';
import type { ImageBucket, ImagesRepository, TablePosition, UrlSigner } from '../../functions/core/api/ports';
import { ROUTES, type RouteName, routeKey } from '../../functions/core/api/route-table';
import type { ApiDeps } from '../../functions/core/api/routes';
import type { RemovalAnnouncer } from '../../functions/core/image-removal';
import { type ImageSummary, type LabelHit, rankLabelCounts } from '../../functions/core/labels-query';
import {
  confidenceSortKey,
  IMAGE_SK,
  IMAGES_INDEX_PK,
  type ImageItem,
  imagePk,
  imagesIndexAttributes,
  labelIndexPk,
  labelSk,
  updatedSortKey,
} from '../../functions/core/labels-table';
import { recordingPublisher } from './image-events';

export const API_CURSOR_SECRET = Buffer.from('k'.repeat(48));
export const API_NOW = new Date('2026-01-02T03:04:05Z');

/** As functions/adapters/clients/s3.ts builds the presigner; presigning needs no network. */
export function presignerClient(): S3Client {
  return new S3Client({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** What the in-memory ports were asked, in order (e.g. `bucket.remove a.png`). */
export type CallLog = string[];

/** The page of `entries` (already in index order) after `after`, and the position to go on from. */
function pageOf<T>(entries: { value: T; position: TablePosition }[], limit: number, after?: TablePosition) {
  const start = after
    ? entries.findIndex((entry) => JSON.stringify(entry.position) === JSON.stringify(after)) + 1
    : 0;
  const page = entries.slice(start, start + limit);
  const more = start + limit < entries.length;
  return { values: page.map((entry) => entry.value), next: more ? page.at(-1)?.position : undefined };
}

export interface MemoryImages extends ImagesRepository {
  readonly records: Map<string, ImageItem>;
  /** Every query the API made, with its arguments. */
  readonly queries: { byLabel: unknown[]; latest: unknown[]; labelCounts: unknown[] };
  readonly removals: { key: string; announcer: RemovalAnnouncer }[];
}

/** The labels table's API reads over IMAGE records held in memory, in the indexes' orders. */
export function memoryImages(records: ImageItem[] = [], log: CallLog = []): MemoryImages {
  const stored = new Map(records.map((record) => [record.key, record]));
  const queries = { byLabel: [] as unknown[], latest: [] as unknown[], labelCounts: [] as unknown[] };
  const removals: { key: string; announcer: RemovalAnnouncer }[] = [];
  return {
    records: stored,
    queries,
    removals,
    async get(key) {
      log.push(`images.get ${key}`);
      return stored.get(key);
    },
    async byLabel(query) {
      queries.byLabel.push(query);
      const hits = [...stored.values()]
        .flatMap((record) =>
          record.labels
            .filter((label) => label.name.toLowerCase() === query.label.toLowerCase())
            .filter((label) => label.confidence >= query.minConfidence)
            .map((label) => ({
              value: {
                key: record.key,
                name: label.name,
                confidence: label.confidence,
                objectVersion: record.objectVersion,
              },
              position: {
                pk: imagePk(record.key),
                sk: labelSk(label.name),
                gsi1pk: labelIndexPk(label.name),
                gsi1sk: confidenceSortKey(label.confidence, record.key),
              },
            })),
        )
        .sort((a, b) => b.position.gsi1sk.localeCompare(a.position.gsi1sk));
      const page = pageOf<LabelHit>(hits, query.limit, query.after);
      return { hits: page.values, next: page.next };
    },
    async latest(query) {
      queries.latest.push(query);
      const images = [...stored.values()]
        .map((record) => ({
          value: {
            key: record.key,
            status: record.status,
            updatedAt: record.updatedAt,
            topLabels: imagesIndexAttributes(record).topLabels,
            ...(record.versionId ? { versionId: record.versionId } : {}),
          },
          position: {
            pk: imagePk(record.key),
            sk: IMAGE_SK,
            gsi2pk: IMAGES_INDEX_PK,
            gsi2sk: updatedSortKey(record.updatedAt, record.key),
          },
        }))
        .sort((a, b) => b.position.gsi2sk.localeCompare(a.position.gsi2sk));
      const page = pageOf<ImageSummary>(images, query.limit, query.after);
      return { images: page.values, next: page.next };
    },
    async labelCounts(query) {
      queries.labelCounts.push(query);
      const counts = new Map<string, number>();
      for (const record of stored.values())
        for (const name of new Set(record.labels.map((label) => label.name)))
          if (name.toLowerCase().startsWith(query.prefix.toLowerCase()))
            counts.set(name, (counts.get(name) ?? 0) + 1);
      return rankLabelCounts(
        [...counts].map(([name, imageCount]) => ({ name, imageCount })),
        query.limit,
      );
    },
    async remove(key, announcer) {
      log.push(`images.remove ${key}`);
      removals.push({ key, announcer });
      stored.delete(key);
    },
  };
}

/** An images bucket holding `keys`; `failure` makes every call throw it. */
export function memoryBucket(keys: string[] = [], log: CallLog = [], failure?: Error): ImageBucket {
  const objects = new Set(keys);
  return {
    async exists(key) {
      log.push(`bucket.exists ${key}`);
      if (failure) throw failure;
      return objects.has(key);
    },
    async remove(key) {
      log.push(`bucket.remove ${key}`);
      if (failure) throw failure;
      objects.delete(key);
    },
  };
}

export interface ReadableSigner extends UrlSigner {
  readonly uploads: {
    key: string;
    content: { contentType: string; contentLength: number };
    expiresIn: number;
  }[];
}

/**
 * URLs that show what was signed: `https://signed.test/<key>?versionId=&signedAt=&expiresIn=`
 * for a GET, `https://signed.test/<key>?upload&expiresIn=` for a PUT.
 */
export function readableSigner(): ReadableSigner {
  const uploads: ReadableSigner['uploads'] = [];
  return {
    uploads,
    async uploadUrl(key, content, expiresIn) {
      uploads.push({ key, content, expiresIn });
      return `https://signed.test/${encodeURI(key)}?upload&expiresIn=${expiresIn}`;
    },
    downloadUrls: (options) => async (key, versionId) => {
      const query = new URLSearchParams({
        ...(versionId ? { versionId } : {}),
        signedAt: options.signingDate.toISOString(),
        expiresIn: String(options.expiresIn),
      });
      return `https://signed.test/${encodeURI(key)}?${query}`;
    },
  };
}

export function apiDeps(overrides: Partial<ApiDeps> = {}): ApiDeps {
  return {
    images: memoryImages(),
    bucket: memoryBucket(),
    signer: readableSigner(),
    events: recordingPublisher(),
    cursorSecret: async () => API_CURSOR_SECRET,
    uploadExpiresSeconds: 300,
    imageUrlExpiresSeconds: 300,
    now: () => API_NOW,
    newId: () => '00000000-0000-4000-8000-000000000000',
    ...overrides,
  };
}

/** A request of one route, as the HTTP adapter makes it of API Gateway's event (path parameters decoded). */
export function apiRequest(
  route: RouteName,
  options: { key?: string; query?: Record<string, string>; body?: string; contentType?: string } = {},
): ApiRequest {
  return {
    routeKey: routeKey(ROUTES[route]),
    method: ROUTES[route].method,
    headers: options.contentType ? { 'content-type': options.contentType } : {},
    ...(options.query ? { query: options.query } : {}),
    ...(options.key !== undefined ? { pathParameters: { key: options.key } } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
    isBase64Encoded: false,
  };
}
