/**
 * Calls Rekognition DetectLabels for one S3 object version and turns the answer into our
 * compact, bounded label list. Rekognition reads the object itself (S3Object), so image bytes
 * never pass through Lambda.
 */
import { DetectLabelsCommand, type RekognitionClient } from '@aws-sdk/client-rekognition';
import {
  generalLabelsSettings,
  type Labeler,
  type LabelSettings,
  mapRekognitionError,
  recordedSettings,
  toLabel,
} from '../core/labeling';
import { boundLabels } from '../core/labels-table';
import type { Detection, ObjectRef } from '../core/workflow-schemas';

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

export function rekognitionLabeler(client: RekognitionClient, now: () => Date = () => new Date()): Labeler {
  return { detectLabels: (object, settings) => detectLabels(client, object, settings, now) };
}
