/** Workflow task: makes the labeled version the image's current record and announces it (see core/outcome.ts). */

import { dynamo } from '../adapters/clients/dynamodb';
import { eventBridge } from '../adapters/clients/eventbridge';
import { labelsTableOutcomeStore } from '../adapters/dynamodb/outcome-store';
import { eventBusPublisher } from '../adapters/event-bus';
import { StoreInputSchema } from '../core/detection-schemas';
import { objectVersionOf } from '../core/labels-table';
import { recordFinalOutcome } from '../core/outcome';
import { parseTaskInput } from '../core/task-input';
import { loadEnv } from '../shared/env';
import { instrumented } from '../shared/middleware';
import { emit, logger } from '../shared/observability';
import { STORE_LABELS_ENVIRONMENT } from './environment';

const env = loadEnv(STORE_LABELS_ENVIRONMENT);
const deps = {
  store: labelsTableOutcomeStore({ db: dynamo(), tableName: env.LABELS_TABLE_NAME }),
  events: eventBusPublisher(eventBridge(), env.EVENT_BUS_NAME),
};

export const handler = instrumented(async (event: unknown) => {
  const { object, image, detection } = parseTaskInput(StoreInputSchema, event);
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
  emit('ImagesLabeled');
  emit('LabelsStored', result.labelsWritten);
  logger.info('Labels stored', { key: object.key, ...result });
  return result;
});
