/**
 * Calls Rekognition DetectLabels for one S3 object version and turns the answer into our
 * compact, bounded label list. Rekognition reads the object itself (S3Object), so image bytes
 * never pass through Lambda.
 */
import {
  DetectLabelsCommand,
  type RekognitionClient,
  type Label as RekognitionLabel,
} from '@aws-sdk/client-rekognition';
import { ImageRejectedError, RekognitionThrottledError, RekognitionUnavailableError } from '../core/errors';
import { boundLabels } from '../core/labels-table';
import type { Detection, Label, ObjectRef } from '../core/workflow-schemas';

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

export function toLabel(label: RekognitionLabel): Label {
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

export async function detectLabels(
  client: RekognitionClient,
  object: ObjectRef,
  settings: LabelSettings,
  now: () => Date = () => new Date(),
): Promise<Omit<Detection, 'fromCache'>> {
  const generalLabels = generalLabelsSettings(settings);
  try {
    const response = await client.send(
      new DetectLabelsCommand({
        Image: {
          S3Object: {
            Bucket: object.bucket,
            Name: object.key,
            ...(object.versionId ? { Version: object.versionId } : {}),
          },
        },
        MinConfidence: settings.minConfidence,
        MaxLabels: settings.maxLabels,
        ...(generalLabels ? { Settings: { GeneralLabels: generalLabels } } : {}),
      }),
    );
    return {
      labels: boundLabels((response.Labels ?? []).map(toLabel)),
      labelModelVersion: response.LabelModelVersion ?? 'unknown',
      settings: recordedSettings(settings),
      detectedAt: now().toISOString(),
    };
  } catch (error) {
    throw mapRekognitionError(error);
  }
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
