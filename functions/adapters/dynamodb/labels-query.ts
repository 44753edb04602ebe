/**
 * Reads of the labels table for the API: one image (GetItem), images by label (one Query of
 * the labels index, highest confidence first), every image (one Query of the images index,
 * last updated first) and label counts by name prefix (one Query of the LABELS partition).
 * What the items become is decided in functions/core/labels-query.ts.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  confidenceLowerBound,
  type ImageSummary,
  imageSummaryOf,
  type LabelCount,
  type LabelHit,
  labelHitOf,
  rankLabelCounts,
} from '../../core/labels-query';
import {
  IMAGE_SK,
  IMAGES_INDEX,
  IMAGES_INDEX_PK,
  type ImageItem,
  imagePk,
  LABEL_COUNTS_PK,
  LABELS_INDEX,
  labelCountSk,
  labelIndexPk,
} from '../../core/labels-table';
import type { TableRef } from './table-ref';

export async function getImageRecord(
  { db, tableName }: TableRef,
  key: string,
): Promise<ImageItem | undefined> {
  const result = await db.send(
    new GetCommand({ TableName: tableName, Key: { pk: imagePk(key), sk: IMAGE_SK } }),
  );
  return result.Item as ImageItem | undefined;
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
  const hits = (result.Items ?? []).map(labelHitOf);
  return { hits, next: result.LastEvaluatedKey as Record<string, string> | undefined };
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
  const images = (result.Items ?? []).map(imageSummaryOf);
  return { images, next: result.LastEvaluatedKey as Record<string, string> | undefined };
}

/**
 * Label names starting with `prefix` (case-insensitively) and how many images carry each,
 * most frequent first. The LABELS partition holds one small item per distinct label name (a
 * few thousand at most), so all matches are read and ranked here.
 */
export async function queryLabelCounts(
  { db, tableName }: TableRef,
  query: { prefix: string; limit: number },
): Promise<LabelCount[]> {
  const items: Record<string, unknown>[] = [];
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
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return rankLabelCounts(items, query.limit);
}
