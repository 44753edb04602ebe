/** Workflow task: makes the labeled version the image's current record and announces it (see outcome.ts). */

import { dynamo } from '../adapters/clients/dynamodb';
import { eventBridge } from '../adapters/clients/eventbridge';
import { eventBusPublisher } from '../adapters/event-bus';
import { objectVersionOf } from '../core/labels-table';
import { parseTaskInput } from '../core/task-input';
import { StoreInputSchema } from '../core/workflow-schemas';
import { recordFinalOutcome } from '../domain/outcome';
import { loadEnv } from '../shared/env';
import { instrumented } from '../shared/middleware';
import { logger, MetricUnit, metrics } from '../shared/observability';
import { STORE_LABELS_ENVIRONMENT } from './environment';

const env = loadEnv(STORE_LABELS_ENVIRONMENT);
const events = eventBusPublisher(eventBridge, env.EVENT_BUS_NAME);

export const handler = instrumented(async (event: unknown) => {
  const { object, image, detection } = parseTaskInput(StoreInputSchema, event);
  const deps = {
    table: { db: dynamo(), tableName: env.LABELS_TABLE_NAME },
    events,
  };
  const now = new Date();
  const result = await recordFinalOutcome(
    deps,
    {
      bucket: object.bucket,
      key: object.key,
      status: 'LABELED',
      objectVersion: objectVersionOf(object),
      versionId: object.versionId,
      eTag: object.eTag,
      sequencer: object.sequencer,
      size: image.size,
      image,
      labels: detection.labels,
      labelModelVersion: detection.labelModelVersion,
      settings: detection.settings,
      updatedAt: now.toISOString(),
    },
    object,
    now,
  );
  metrics.addMetric('ImagesLabeled', MetricUnit.Count, 1);
  metrics.addMetric('LabelsStored', MetricUnit.Count, result.labelsWritten);
  logger.info('Labels stored', { key: object.key, ...result });
  return result;
});
