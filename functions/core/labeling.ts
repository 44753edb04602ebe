/**
 * Our compact, bounded label list from what Rekognition DetectLabels answers, the settings a
 * detection runs with and records, and Rekognition's errors mapped onto the workflow's. The call
 * itself is in functions/adapters/rekognition-labeler.ts, behind `Labeler`.
 */
import { ImageRejectedError, RekognitionThrottledError, RekognitionUnavailableError } from './errors';
import type { Detection, Label, ObjectRef } from './workflow-schemas';

/** One label as DetectLabels returns it (the SDK's Label, restated so the core needs no SDK). */
export interface DetectedLabel {
  Name?: string | undefined;
  Confidence?: number | undefined;
  Parents?: { Name?: string | undefined }[] | undefined;
  Categories?: { Name?: string | undefined }[] | undefined;
  Aliases?: { Name?: string | undefined }[] | undefined;
  Instances?:
    | {
        Confidence?: number | undefined;
        BoundingBox?:
          | {
              Left?: number | undefined;
              Top?: number | undefined;
              Width?: number | undefined;
              Height?: number | undefined;
            }
          | undefined;
      }[]
    | undefined;
}

/** Labels one S3 object version; the service reads the object itself, bytes never pass through Lambda. */
export interface Labeler {
  detectLabels(object: ObjectRef, settings: LabelSettings): Promise<Omit<Detection, 'fromCache'>>;
}

export interface LabelSettings {
  /** 0-100: labels below this confidence are not returned. */
  minConfidence: number;
  /** 1-100: at most this many labels, highest confidence first. */
  maxLabels: number;
  /** Rekognition Settings.GeneralLabels filters (from the labelFilters flag); empty or absent: none. */
  includeLabels?: string[];
  excludeLabels?: string[];
  includeCategories?: string[];
  excludeCategories?: string[];
  /** Which flags configuration set these values, recorded with the result. */
  flagsVersion?: string;
  flagsSource?: 'appconfig' | 'defaults';
}

/** Settings.GeneralLabels for the filters that are set, or undefined when none is. */
export function generalLabelsSettings(settings: LabelSettings) {
  const filters = {
    LabelInclusionFilters: settings.includeLabels ?? [],
    LabelExclusionFilters: settings.excludeLabels ?? [],
    LabelCategoryInclusionFilters: settings.includeCategories ?? [],
    LabelCategoryExclusionFilters: settings.excludeCategories ?? [],
  };
  const set = Object.entries(filters).filter(([, values]) => values.length > 0);
  return set.length > 0 ? Object.fromEntries(set) : undefined;
}

/** What a detection records about the settings it ran with. */
export function recordedSettings(settings: LabelSettings): Detection['settings'] {
  const { flagsVersion, flagsSource } = settings;
  const filters = generalLabelsSettings(settings);
  return {
    minConfidence: settings.minConfidence,
    maxLabels: settings.maxLabels,
    ...(filters
      ? {
          includeLabels: settings.includeLabels ?? [],
          excludeLabels: settings.excludeLabels ?? [],
          includeCategories: settings.includeCategories ?? [],
          excludeCategories: settings.excludeCategories ?? [],
        }
      : {}),
    ...(flagsVersion ? { flagsVersion } : {}),
    ...(flagsSource ? { flagsSource } : {}),
  };
}

const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
]);
const BAD_IMAGE = new Set([
  'InvalidImageFormatException',
  'ImageTooLargeException',
  'InvalidS3ObjectException',
]);

export function toLabel(label: DetectedLabel): Label {
  return {
    name: label.Name ?? 'Unknown',
    confidence: label.Confidence ?? 0,
    parents: (label.Parents ?? []).flatMap((parent) => (parent.Name ? [parent.Name] : [])),
    categories: (label.Categories ?? []).flatMap((category) => (category.Name ? [category.Name] : [])),
    aliases: (label.Aliases ?? []).flatMap((alias) => (alias.Name ? [alias.Name] : [])),
    instances: (label.Instances ?? []).flatMap((instance) =>
      instance.BoundingBox
        ? [
            {
              confidence: instance.Confidence ?? label.Confidence ?? 0,
              box: {
                left: instance.BoundingBox.Left ?? 0,
                top: instance.BoundingBox.Top ?? 0,
                width: instance.BoundingBox.Width ?? 0,
                height: instance.BoundingBox.Height ?? 0,
              },
            },
          ]
        : [],
    ),
  };
}

/** Rekognition's errors onto the names the state machine retries, rejects or fails on. */
export function mapRekognitionError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if (THROTTLING.has(error.name)) {
    return new RekognitionThrottledError(
      `Rekognition throttled DetectLabels (${error.name}): ${error.message}`,
    );
  }
  if (BAD_IMAGE.has(error.name)) {
    return new ImageRejectedError(
      'REJECTED_BY_LABEL_SERVICE',
      `Rekognition: ${error.name}: ${error.message}`,
    );
  }
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
  if (error.name === 'InternalServerError' || status >= 500) {
    return new RekognitionUnavailableError(`Rekognition failed (${error.name}): ${error.message}`);
  }
  return error;
}
