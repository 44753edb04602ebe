/**
 * DetectLabels semantics: request validation, image retrieval (Bytes or S3Object), header
 * checks, and building Rekognition's response from raw detections.
 */
import type { DetectLabelsResponse, Label } from '@aws-sdk/client-rekognition';
import { calibrate } from './calibration';
import type { Detection } from './centernet';
import { RekognitionError } from './errors';
import { inspectImage } from './image';
import type { LabelModel } from './model';
import { ancestorsOf, categoriesOf, rekognitionName } from './taxonomy';

/** Reads an S3 object's bytes; rejects when the object (or version) does not exist. */
export type ReadObject = (bucket: string, key: string, versionId?: string) => Promise<Uint8Array>;

/** Rekognition limits. */
export const MAX_BYTES_INLINE = 5 * 1024 * 1024;
export const MAX_BYTES_S3 = 15 * 1024 * 1024;
export const DEFAULT_MIN_CONFIDENCE = 55;
export const DEFAULT_MAX_LABELS = 1000;
const MAX_FILTER_ENTRIES = 100;

/** DetectLabels input as it arrives in JSON (Bytes base64) or from code (Bytes as Uint8Array). */
export interface DetectLabelsInput {
  Image?: {
    Bytes?: string | Uint8Array;
    S3Object?: { Bucket?: string; Name?: string; Version?: string };
  };
  MaxLabels?: number;
  MinConfidence?: number;
  Features?: string[];
  Settings?: {
    GeneralLabels?: GeneralLabelsFilters;
    ImageProperties?: { MaxDominantColors?: number };
  };
}

export interface GeneralLabelsFilters {
  LabelInclusionFilters?: string[];
  LabelExclusionFilters?: string[];
  LabelCategoryInclusionFilters?: string[];
  LabelCategoryExclusionFilters?: string[];
}

export interface LabelOptions {
  minConfidence: number;
  maxLabels: number;
  filters?: GeneralLabelsFilters;
}

function invalidParameter(message: string): RekognitionError {
  return new RekognitionError('InvalidParameterException', message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkStringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw invalidParameter(`${field} must be a list of non-empty strings`);
  }
  if (value.length > MAX_FILTER_ENTRIES) {
    throw invalidParameter(`${field} must have at most ${MAX_FILTER_ENTRIES} entries`);
  }
  return value as string[];
}

/** Validates MinConfidence, MaxLabels, Features and Settings; returns the effective options. */
export function parseLabelOptions(input: DetectLabelsInput): LabelOptions & { generalLabels: boolean } {
  const { MinConfidence, MaxLabels, Features, Settings } = input;
  if (MinConfidence !== undefined && MinConfidence !== null) {
    if (
      typeof MinConfidence !== 'number' ||
      !Number.isFinite(MinConfidence) ||
      MinConfidence < 0 ||
      MinConfidence > 100
    ) {
      throw invalidParameter('MinConfidence must be a number between 0 and 100');
    }
  }
  if (MaxLabels !== undefined && MaxLabels !== null) {
    if (typeof MaxLabels !== 'number' || !Number.isInteger(MaxLabels) || MaxLabels < 0) {
      throw invalidParameter('MaxLabels must be an integer greater than or equal to 0');
    }
  }
  const features = checkStringList(Features, 'Features');
  for (const f of features ?? []) {
    if (f !== 'GENERAL_LABELS' && f !== 'IMAGE_PROPERTIES') {
      throw invalidParameter(`Features contains an invalid value: ${f}`);
    }
  }
  if (Settings !== undefined && !isRecord(Settings)) throw invalidParameter('Settings must be an object');
  const general = Settings?.GeneralLabels;
  if (general !== undefined && !isRecord(general)) throw invalidParameter('GeneralLabels must be an object');
  const filters: GeneralLabelsFilters = {
    LabelInclusionFilters: checkStringList(general?.LabelInclusionFilters, 'LabelInclusionFilters'),
    LabelExclusionFilters: checkStringList(general?.LabelExclusionFilters, 'LabelExclusionFilters'),
    LabelCategoryInclusionFilters: checkStringList(
      general?.LabelCategoryInclusionFilters,
      'LabelCategoryInclusionFilters',
    ),
    LabelCategoryExclusionFilters: checkStringList(
      general?.LabelCategoryExclusionFilters,
      'LabelCategoryExclusionFilters',
    ),
  };
  return {
    minConfidence: MinConfidence ?? DEFAULT_MIN_CONFIDENCE,
    maxLabels: MaxLabels ?? DEFAULT_MAX_LABELS,
    filters,
    generalLabels: features === undefined || features.length === 0 || features.includes('GENERAL_LABELS'),
  };
}

/** Label names and categories are matched case-insensitively. */
function matcher(list: string[] | undefined): ((name: string) => boolean) | undefined {
  if (!list || list.length === 0) return undefined;
  const set = new Set(list.map((s) => s.toLowerCase()));
  return (name) => set.has(name.toLowerCase());
}

/** Applies Settings.GeneralLabels: inclusion filters (label OR category), then exclusions. */
export function passesFilters(
  name: string,
  categories: string[],
  filters: GeneralLabelsFilters = {},
): boolean {
  const includeLabel = matcher(filters.LabelInclusionFilters);
  const includeCategory = matcher(filters.LabelCategoryInclusionFilters);
  const excludeLabel = matcher(filters.LabelExclusionFilters);
  const excludeCategory = matcher(filters.LabelCategoryExclusionFilters);
  if (includeLabel || includeCategory) {
    const included = (includeLabel?.(name) ?? false) || categories.some((c) => includeCategory?.(c) ?? false);
    if (!included) return false;
  }
  if (excludeLabel?.(name)) return false;
  if (excludeCategory && categories.some(excludeCategory)) return false;
  return true;
}

interface Draft {
  confidence: number;
  instances: { confidence: number; box: Detection['box'] }[];
}

/**
 * Builds Rekognition labels from raw detections: one label per class (all its instances,
 * confidence = best instance), every ancestor also returned as a label (confidence = best
 * child), then MinConfidence, filters, sorting by confidence and MaxLabels.
 */
export function buildLabels(detections: Detection[], options: LabelOptions): Label[] {
  const drafts = new Map<string, Draft>();
  const draftFor = (name: string): Draft => {
    let d = drafts.get(name);
    if (!d) {
      d = { confidence: 0, instances: [] };
      drafts.set(name, d);
    }
    return d;
  };
  for (const detection of detections) {
    const confidence = calibrate(detection.score);
    if (confidence < options.minConfidence) continue;
    const name = rekognitionName(detection.className);
    const leaf = draftFor(name);
    leaf.instances.push({ confidence, box: detection.box });
    leaf.confidence = Math.max(leaf.confidence, confidence);
    for (const parent of ancestorsOf(name)) {
      const p = draftFor(parent);
      p.confidence = Math.max(p.confidence, confidence);
    }
  }
  const labels: Label[] = [];
  for (const [name, draft] of drafts) {
    const categories = categoriesOf(name);
    if (!passesFilters(name, categories, options.filters)) continue;
    labels.push({
      Name: name,
      Confidence: draft.confidence,
      Instances: draft.instances
        .sort((a, b) => b.confidence - a.confidence)
        .map(({ confidence, box }) => ({
          BoundingBox: { Width: box.width, Height: box.height, Left: box.left, Top: box.top },
          Confidence: confidence,
        })),
      Parents: ancestorsOf(name).map((Name) => ({ Name })),
      Aliases: [],
      Categories: categories.map((Name) => ({ Name })),
    });
  }
  labels.sort(
    (a, b) => (b.Confidence ?? 0) - (a.Confidence ?? 0) || (a.Name ?? '').localeCompare(b.Name ?? ''),
  );
  return labels.slice(0, options.maxLabels);
}

const S3_ERROR_MESSAGE =
  'Unable to get object metadata from S3. Check object key, region and/or access permissions.';

/** Fetches the image bytes from the request (Bytes or S3Object), enforcing size limits. */
export async function resolveImageBytes(
  input: DetectLabelsInput,
  readObject?: ReadObject,
): Promise<Uint8Array> {
  const image = input.Image;
  if (!isRecord(image)) throw invalidParameter('Image is required');
  const hasBytes = image.Bytes !== undefined && image.Bytes !== null;
  const hasS3 = image.S3Object !== undefined && image.S3Object !== null;
  if (hasBytes === hasS3) throw invalidParameter('Image must contain exactly one of Bytes or S3Object');
  if (hasBytes) {
    const raw = image.Bytes;
    let bytes: Uint8Array;
    if (typeof raw === 'string') bytes = Buffer.from(raw, 'base64');
    else if (raw instanceof Uint8Array) bytes = raw;
    else throw invalidParameter('Image.Bytes must be a base64-encoded blob');
    if (bytes.length === 0) throw invalidParameter('Image.Bytes must not be empty');
    if (bytes.length > MAX_BYTES_INLINE) {
      throw new RekognitionError(
        'ImageTooLargeException',
        `Image size ${bytes.length} bytes exceeds the limit of ${MAX_BYTES_INLINE} bytes for Bytes`,
      );
    }
    return bytes;
  }
  const s3 = image.S3Object;
  if (
    !isRecord(s3) ||
    typeof s3.Bucket !== 'string' ||
    typeof s3.Name !== 'string' ||
    !s3.Bucket ||
    !s3.Name
  ) {
    throw invalidParameter('S3Object must have Bucket and Name');
  }
  if (!readObject) throw new RekognitionError('InvalidS3ObjectException', S3_ERROR_MESSAGE);
  let bytes: Uint8Array;
  try {
    bytes = await readObject(s3.Bucket, s3.Name, typeof s3.Version === 'string' ? s3.Version : undefined);
  } catch {
    throw new RekognitionError('InvalidS3ObjectException', S3_ERROR_MESSAGE);
  }
  if (bytes.length > MAX_BYTES_S3) {
    throw new RekognitionError(
      'ImageTooLargeException',
      `Image size ${bytes.length} bytes exceeds the limit of ${MAX_BYTES_S3} bytes for S3 objects`,
    );
  }
  return bytes;
}

/**
 * DetectLabels: validates the request, reads the image, checks its header (format, size)
 * before decoding, runs the model and returns Rekognition's response shape.
 * Throws RekognitionError for every client error.
 */
export async function detectLabels(
  model: LabelModel,
  input: DetectLabelsInput,
  options: { readObject?: ReadObject } = {},
): Promise<DetectLabelsResponse> {
  if (!isRecord(input)) throw invalidParameter('Request body must be an object');
  const labelOptions = parseLabelOptions(input);
  const bytes = await resolveImageBytes(input, options.readObject);
  inspectImage(bytes); // header only: format and dimensions, before any pixel is decoded
  const detections = labelOptions.generalLabels ? await model.detect(bytes) : [];
  return {
    Labels: buildLabels(detections, labelOptions),
    LabelModelVersion: model.version,
  };
}
