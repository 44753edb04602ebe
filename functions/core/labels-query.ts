/**
 * What the API reads from the labels table, in the shapes it answers with: the positions its
 * cursors carry, the confidence bound of a label query, and how table items become hits,
 * summaries and ranked label counts. The reads themselves are in
 * functions/adapters/dynamodb/labels-query.ts.
 */
import { type ImageStatus, paddedConfidence } from './labels-table';

/** The attributes of a labels-index position (its LastEvaluatedKey). */
export const LABEL_INDEX_POSITION = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const;

/** The attributes of an images-index position (its LastEvaluatedKey). */
export const IMAGES_INDEX_POSITION = ['pk', 'sk', 'gsi2pk', 'gsi2sk'] as const;

export interface LabelHit {
  key: string;
  name: string;
  confidence: number;
  objectVersion: string;
}

export interface ImageSummary {
  key: string;
  status: ImageStatus;
  updatedAt: string;
  /** Up to 5 label names, highest confidence first. */
  topLabels: string[];
  versionId?: string | undefined;
}

export interface LabelCount {
  name: string;
  imageCount: number;
}

/** The padded lower bound of gsi1sk for a minimum confidence (see confidenceSortKey). */
export function confidenceLowerBound(minConfidence: number): string {
  return paddedConfidence(minConfidence);
}

/** A LABEL item of the labels index as the API lists it. */
export function labelHitOf(item: Record<string, unknown>): LabelHit {
  return {
    key: String(item.key),
    name: String(item.name),
    confidence: Number(item.confidence),
    objectVersion: String(item.objectVersion),
  };
}

/** An images-index entry as the API lists it (an IMAGE item written before gsi2 has no topLabels). */
export function imageSummaryOf(item: Record<string, unknown>): ImageSummary {
  return {
    key: String(item.key),
    status: item.status as ImageStatus,
    updatedAt: String(item.updatedAt),
    topLabels: Array.isArray(item.topLabels) ? item.topLabels.map(String) : [],
    ...(typeof item.versionId === 'string' ? { versionId: item.versionId } : {}),
  };
}

/**
 * Label counts most frequent first (ties by name), at most `limit`. A count that fell to zero
 * (every image carrying the label removed or relabeled) is no longer a label of any image.
 */
export function rankLabelCounts(items: Record<string, unknown>[], limit: number): LabelCount[] {
  return items
    .map((item) => ({ name: String(item.name), imageCount: Number(item.imageCount ?? 0) }))
    .filter((count) => count.imageCount > 0)
    .sort((a, b) => b.imageCount - a.imageCount || a.name.localeCompare(b.name))
    .slice(0, limit);
}
