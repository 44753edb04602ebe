/**
 * What the API shows of stored data: the public view of an image record, the limit on label
 * names in queries, and the file name part of an upload's key.
 */
import type { ImageItem } from '../labels-table';

export const LABEL_MAX_LENGTH = 64;

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
