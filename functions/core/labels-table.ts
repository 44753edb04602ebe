/**
 * The labels table: one table, three kinds of item per image key and two for the label counts.
 *
 *   pk = IMAGE#<key>   sk = IMAGE              the image's current record: status, metadata,
 *                                              labels (read one image = one GetItem), indexed by
 *                                              gsi2pk = IMAGES,
 *                                              gsi2sk = <updatedAt ISO 8601>#<key hash>
 *                                              (every image, last updated first: a Query)
 *   pk = IMAGE#<key>   sk = VERSION#<version>  one object version's processing record: the
 *                                              idempotency claim and the cached Rekognition answer
 *   pk = IMAGE#<key>   sk = LABEL#<Name>       one label of the current version, indexed by
 *                                              gsi1pk = LABEL#<name lower-cased>,
 *                                              gsi1sk = <confidence 000.000>#<key hash>
 *                                              (images by label, highest confidence first: a Query)
 *   pk = LABELS        sk = LABEL#<name lower>  one label's count, kept from the table's stream
 *   pk = LABELS        sk = SLOT#<nnnn>         how far one stream shard is counted
 *                                              (both: functions/core/label-counts.ts)
 *
 * The GSI sort keys carry a hash of the object key, not the key itself, because S3 keys may
 * be 1,024 bytes, the most a DynamoDB sort key may hold.
 *
 * The images index (gsi2) is sparse: only IMAGE items carry gsi2pk, so VERSION, LABEL and
 * count items never reach it. It projects only what the list shows (key, status,
 * updatedAt, topLabels: the first 5 label names, highest confidence first) and the versionId
 * its image URL pins. All of it sits in one partition, `IMAGES`: a partition takes about 1,000
 * write units a second, and IMAGE writes are bounded by the ingest, whose SQS event source
 * runs at most 5 (dev) or 20 (prod) workflows at once, each taking a second or more for
 * Rekognition: a few dozen writes a second at most, plus API deletions under the stage's rate
 * limit. An index write is 1 unit for keys under about 500 bytes (3 for a 1,024-byte key). A
 * relabel moves the image to the top: DynamoDB deletes the old index entry and puts the new
 * one (2 index writes). Shard the partition (IMAGES#0..n, merged on read) only if the ingest
 * concurrency ever grows past a few hundred.
 *
 * Indexes are added, never changed: CloudFormation can add a GSI to a live table but not
 * change one's keys or projection. The local cloud adds a missing index to an existing table
 * without losing data (local/dynamodb).
 */
import { createHash } from 'node:crypto';
import type { ImageMetadata, Label, ObjectRef } from './workflow-schemas';

export const LABELS_INDEX = 'gsi1';
export const IMAGES_INDEX = 'gsi2';

/** A global secondary index: string keys and an INCLUDE projection. */
export interface IndexSchema {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly nonKeyAttributes: readonly string[];
}

const LABELS_INDEX_SCHEMA = {
  name: LABELS_INDEX,
  partitionKey: 'gsi1pk',
  sortKey: 'gsi1sk',
  nonKeyAttributes: ['key', 'name', 'confidence', 'objectVersion'],
} as const satisfies IndexSchema;

const IMAGES_INDEX_SCHEMA = {
  name: IMAGES_INDEX,
  partitionKey: 'gsi2pk',
  sortKey: 'gsi2sk',
  nonKeyAttributes: ['key', 'status', 'updatedAt', 'topLabels', 'versionId'],
} as const satisfies IndexSchema;

/** The table's keys and indexes, as CDK creates them (and the local cloud does). */
export const LABELS_TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** The labels index (gsi1). */
  index: LABELS_INDEX_SCHEMA,
  /** The images index (gsi2). */
  imagesIndex: IMAGES_INDEX_SCHEMA,
  /** Every index, in the order they were added. */
  indexes: [LABELS_INDEX_SCHEMA, IMAGES_INDEX_SCHEMA],
} as const;

export type ImageStatus = 'LABELED' | 'REJECTED' | 'FAILED';
export type VersionStatus = 'IN_PROGRESS' | ImageStatus;

export const imagePk = (key: string) => `IMAGE#${key}`;
export const IMAGE_SK = 'IMAGE';
export const versionSk = (objectVersion: string) => `VERSION#${objectVersion}`;
export const labelSk = (name: string) => `LABEL#${name}`;
export const labelIndexPk = (name: string) => `LABEL#${name.toLowerCase()}`;
/** The one partition of the images index (see the header). */
export const IMAGES_INDEX_PK = 'IMAGES';
/** How many label names an entry of the images index carries. */
export const TOP_LABELS = 5;
/** The label count items: pk = LABELS, sk = LABEL#<name lower-cased>, imageCount, name. */
export const LABEL_COUNTS_PK = 'LABELS';
export const labelCountSk = (name: string) => `LABEL#${name.toLowerCase()}`;
/** The counting slots of the stream's shards, beside the counts (see label-counts.ts). */
export const SLOT_SK_PREFIX = 'SLOT#';
export const slotSk = (slot: number) => `${SLOT_SK_PREFIX}${String(slot).padStart(4, '0')}`;

/** The version id when the bucket is versioned, the ETag otherwise. */
export function objectVersionOf(object: Pick<ObjectRef, 'versionId' | 'eTag'>): string {
  return object.versionId ?? `etag:${object.eTag}`;
}

export function keyHash(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 22);
}

/** Zero-padded so that string order is numeric order: 98.5 -> "098.500". */
export function paddedConfidence(confidence: number): string {
  return Math.min(100, Math.max(0, confidence)).toFixed(3).padStart(7, '0');
}

export function confidenceSortKey(confidence: number, key: string): string {
  return `${paddedConfidence(confidence)}#${keyHash(key)}`;
}

/**
 * Bounds that keep every item far below DynamoDB's 400 KB, whatever Rekognition returns. The
 * detection also travels through the workflow state, which Step Functions caps at 256 KiB: at
 * these bounds the worst case is about 210 KB (real label names are well under 64 characters).
 */
export const ITEM_BOUNDS = {
  maxLabels: 100,
  maxInstancesPerLabel: 10,
  maxParentsPerLabel: 10,
  maxCategoriesPerLabel: 3,
  maxAliasesPerLabel: 3,
  maxNameLength: 64,
} as const;

/** Trims a detection to ITEM_BOUNDS (highest confidence first) and rounds numbers. */
export function boundLabels(labels: Label[]): Label[] {
  const round = (value: number, digits: number) => Number(value.toFixed(digits));
  const name = (value: string) => value.slice(0, ITEM_BOUNDS.maxNameLength);
  return [...labels]
    .sort((a, b) => b.confidence - a.confidence)
    .slice(0, ITEM_BOUNDS.maxLabels)
    .map((label) => ({
      name: name(label.name),
      confidence: round(label.confidence, 3),
      parents: label.parents.slice(0, ITEM_BOUNDS.maxParentsPerLabel).map(name),
      categories: label.categories.slice(0, ITEM_BOUNDS.maxCategoriesPerLabel).map(name),
      aliases: label.aliases.slice(0, ITEM_BOUNDS.maxAliasesPerLabel).map(name),
      instances: [...label.instances]
        .sort((a, b) => b.confidence - a.confidence)
        .slice(0, ITEM_BOUNDS.maxInstancesPerLabel)
        .map((instance) => ({
          confidence: round(instance.confidence, 3),
          box: {
            left: round(instance.box.left, 4),
            top: round(instance.box.top, 4),
            width: round(instance.box.width, 4),
            height: round(instance.box.height, 4),
          },
        })),
    }));
}

export interface ImageItem {
  pk: string;
  sk: typeof IMAGE_SK;
  bucket: string;
  key: string;
  status: ImageStatus;
  objectVersion: string;
  versionId?: string | undefined;
  eTag: string;
  sequencer: string;
  size: number;
  image?: ImageMetadata | undefined;
  labels: Label[];
  labelNames: string[];
  labelModelVersion?: string | undefined;
  settings?: { minConfidence: number; maxLabels: number } | undefined;
  reason?: string | undefined;
  detail?: string | undefined;
  error?: { name: string; message: string } | undefined;
  updatedAt: string;
}

/** The attributes that put an IMAGE item into the images index (gsi2). */
export interface ImagesIndexAttributes {
  gsi2pk: typeof IMAGES_INDEX_PK;
  gsi2sk: string;
  topLabels: string[];
}

/** The images index sort key: ISO 8601 times in UTC sort as strings in time order. */
export function updatedSortKey(updatedAt: string, key: string): string {
  return `${updatedAt}#${keyHash(key)}`;
}

/** The images index attributes of an IMAGE record (updatedAt from Date.toISOString). */
export function imagesIndexAttributes(
  image: Pick<ImageItem, 'key' | 'labels' | 'updatedAt'>,
): ImagesIndexAttributes {
  return {
    gsi2pk: IMAGES_INDEX_PK,
    gsi2sk: updatedSortKey(image.updatedAt, image.key),
    topLabels: [...image.labels]
      .sort((a, b) => b.confidence - a.confidence)
      .slice(0, TOP_LABELS)
      .map((label) => label.name),
  };
}

export interface LabelItem {
  pk: string;
  sk: string;
  gsi1pk: string;
  gsi1sk: string;
  key: string;
  name: string;
  confidence: number;
  objectVersion: string;
}

export function labelItems(object: ObjectRef, labels: Label[]): LabelItem[] {
  const objectVersion = objectVersionOf(object);
  return labels.map((label) => ({
    pk: imagePk(object.key),
    sk: labelSk(label.name),
    gsi1pk: labelIndexPk(label.name),
    gsi1sk: confidenceSortKey(label.confidence, object.key),
    key: object.key,
    name: label.name,
    confidence: label.confidence,
    objectVersion,
  }));
}
