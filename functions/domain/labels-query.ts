/**
 * Reads of the labels table for the API: one image (GetItem), images by label (one Query of
 * the labels index, highest confidence first), every image (one Query of the images index,
 * last updated first) and label counts by name prefix (one Query of the LABELS partition).
 * Clients and names come in as arguments.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  IMAGE_SK,
  IMAGES_INDEX,
  IMAGES_INDEX_PK,
  type ImageItem,
  type ImageStatus,
  imagePk,
  LABEL_COUNTS_PK,
  LABELS_INDEX,
  labelCountSk,
  labelIndexPk,
  paddedConfidence,
} from '../core/labels-table';
import type { TableRef } from './labels-store';

export async function getImageRecord(
  { db, tableName }: TableRef,
  key: string,
): Promise<ImageItem | undefined> {
  const result = await db.send(
    new GetCommand({ TableName: tableName, Key: { pk: imagePk(key), sk: IMAGE_SK } }),
  );
  return result.Item as ImageItem | undefined;
}

/** The attributes of a labels-index position (its LastEvaluatedKey). */
export const LABEL_INDEX_POSITION = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const;

export interface LabelHit {
  key: string;
  name: string;
  confidence: number;
  objectVersion: string;
}

/** The padded lower bound of gsi1sk for a minimum confidence (see confidenceSortKey). */
export function confidenceLowerBound(minConfidence: number): string {
  return paddedConfidence(minConfidence);
}

export async function queryImagesByLabel(
  { db, tableName }: TableRef,
  query: { label: string; minConfidence: number; limit: number; after?: Record<string, string> | undefined },
): Promise<{ hits: LabelHit[]; next?: Record<string, string> | undefined }> {
  const result = await db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: LABELS_INDEX,
      KeyConditionExpression: 'gsi1pk = :label AND gsi1sk >= :min',
      ExpressionAttributeValues: {
        ':label': labelIndexPk(query.label),
        ':min': confidenceLowerBound(query.minConfidence),
      },
      ScanIndexForward: false,
      Limit: query.limit,
      ExclusiveStartKey: query.after,
    }),
  );
  const hits = (result.Items ?? []).map((item) => ({
    key: String(item.key),
    name: String(item.name),
    confidence: Number(item.confidence),
    objectVersion: String(item.objectVersion),
  }));
  return { hits, next: result.LastEvaluatedKey as Record<string, string> | undefined };
}

/** The attributes of an images-index position (its LastEvaluatedKey). */
export const IMAGES_INDEX_POSITION = ['pk', 'sk', 'gsi2pk', 'gsi2sk'] as const;

export interface ImageSummary {
  key: string;
  status: ImageStatus;
  updatedAt: string;
  /** Up to 5 label names, highest confidence first. */
  topLabels: string[];
  versionId?: string | undefined;
}

/** Every image, last updated first (a deleted image has no IMAGE item, so no entry). */
export async function queryLatestImages(
  { db, tableName }: TableRef,
  query: { limit: number; after?: Record<string, string> | undefined },
): Promise<{ images: ImageSummary[]; next?: Record<string, string> | undefined }> {
  const result = await db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: IMAGES_INDEX,
      KeyConditionExpression: 'gsi2pk = :images',
      ExpressionAttributeValues: { ':images': IMAGES_INDEX_PK },
      ScanIndexForward: false,
      Limit: query.limit,
      ExclusiveStartKey: query.after,
    }),
  );
  const images = (result.Items ?? []).map((item) => ({
    key: String(item.key),
    status: item.status as ImageStatus,
    updatedAt: String(item.updatedAt),
    topLabels: Array.isArray(item.topLabels) ? item.topLabels.map(String) : [],
    ...(typeof item.versionId === 'string' ? { versionId: item.versionId } : {}),
  }));
  return { images, next: result.LastEvaluatedKey as Record<string, string> | undefined };
}

export interface LabelCount {
  name: string;
  imageCount: number;
}

/**
 * Label names starting with `prefix` (case-insensitively) and how many images carry each,
 * most frequent first. The LABELS partition holds one small item per distinct label name (a
 * few thousand at most), so all matches are read and sorted here.
 */
export async function queryLabelCounts(
  { db, tableName }: TableRef,
  query: { prefix: string; limit: number },
): Promise<LabelCount[]> {
  const counts: LabelCount[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': LABEL_COUNTS_PK, ':prefix': labelCountSk(query.prefix) },
        ProjectionExpression: '#name, imageCount',
        ExpressionAttributeNames: { '#name': 'name' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const imageCount = Number(item.imageCount ?? 0);
      if (imageCount > 0) counts.push({ name: String(item.name), imageCount });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return counts
    .sort((a, b) => b.imageCount - a.imageCount || a.name.localeCompare(b.name))
    .slice(0, query.limit);
}
