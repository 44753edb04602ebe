/**
 * Workflow task: Rekognition DetectLabels, at most once per object version. The answer is
 * recorded on the version before it is returned, so a retried or re-run store step never
 * pays for a second call.
 */

import { dynamo } from '../adapters/clients/dynamodb';
import { rekognition } from '../adapters/clients/rekognition';
import { cacheDetection, getCachedDetection } from '../adapters/dynamodb/labels-store';
import { rekognitionLabeler } from '../adapters/rekognition-labeler';
import { RekognitionThrottledError } from '../core/errors';
import { labelSettingsFrom } from '../core/flags';
import { parseTaskInput } from '../core/task-input';
import { DetectInputSchema } from '../core/validated-image-schemas';
import type { Detection } from '../core/workflow-schemas';
import { loadEnv } from '../shared/env';
import { readFlags } from '../shared/flags';
import { instrumented } from '../shared/middleware';
import { emit, logger } from '../shared/observability';
import { DETECT_LABELS_ENVIRONMENT } from './environment';

const env = loadEnv(DETECT_LABELS_ENVIRONMENT);
const labeler = rekognitionLabeler(rekognition());

export const handler = instrumented(async (event: unknown): Promise<Detection> => {
  const { object } = parseTaskInput(DetectInputSchema, event);
  const table = { db: dynamo(), tableName: env.LABELS_TABLE_NAME };

  const cached = await getCachedDetection(table, object);
  if (cached) {
    emit('DetectionCacheHits');
    logger.info('Using the recorded Rekognition answer', { key: object.key, labels: cached.labels.length });
    return { ...cached, fromCache: true };
  }

  const started = performance.now();
  // The labelFilters flag, or the stage's settings; the values used are recorded with the result.
  const settings = labelSettingsFrom(await readFlags(), {
    minConfidence: env.MIN_CONFIDENCE,
    maxLabels: env.MAX_LABELS,
  });
  const detection = await labeler.detectLabels(object, settings).catch((error: unknown) => {
    // Each throttled call, before the workflow retries it: the dashboard and an alarm watch it.
    if (error instanceof RekognitionThrottledError) emit('RekognitionThrottles');
    throw error;
  });
  emit('RekognitionLatency', performance.now() - started);
  emit('RekognitionCalls');
  await cacheDetection(table, object, detection);
  logger.info('Labels detected', {
    key: object.key,
    labels: detection.labels.map((label) => `${label.name} ${label.confidence.toFixed(1)}`),
    labelModelVersion: detection.labelModelVersion,
  });
  return { ...detection, fromCache: false };
});
