/** Workflow task: makes the labeled version the image's current record (see labels-store). */
import { finishVersion, writeImageRecord } from '../domain/labels-store';
import { objectVersionOf } from '../domain/labels-table';
import { dynamo } from '../shared/clients/dynamodb';
import { loadEnv, nonEmpty } from '../shared/env';
import { instrumented } from '../shared/middleware';
import { logger, MetricUnit, metrics } from '../shared/observability';
import { parseTaskInput } from '../shared/task-input';
import { StoreInputSchema } from '../shared/workflow-schemas';

const env = loadEnv({ LABELS_TABLE_NAME: nonEmpty });

export const handler = instrumented(async (event: unknown) => {
  const { object, image, detection } = parseTaskInput(StoreInputSchema, event);
  const table = { db: dynamo(), tableName: env.LABELS_TABLE_NAME };
  const now = new Date();
  const result = await writeImageRecord(
    table,
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
  );
  await finishVersion(table, object, 'LABELED', { now, superseded: result.superseded });
  metrics.addMetric('ImagesLabeled', MetricUnit.Count, 1);
  metrics.addMetric('LabelsStored', MetricUnit.Count, result.labelsWritten);
  logger.info('Labels stored', { key: object.key, ...result });
  return result;
});
