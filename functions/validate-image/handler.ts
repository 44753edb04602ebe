/** Workflow task: checks size, format (magic bytes) and dimensions before Rekognition is paid. */
import { validateObject } from '../domain/image-validation';
import { s3 } from '../shared/clients/s3';
import { ImageRejectedError } from '../shared/errors';
import { instrumented } from '../shared/middleware';
import { logger, MetricUnit, metrics } from '../shared/observability';
import { parseTaskInput } from '../shared/task-input';
import { ValidateInputSchema } from '../shared/workflow-schemas';

export const handler = instrumented(async (event: unknown) => {
  const { object } = parseTaskInput(ValidateInputSchema, event);
  try {
    const image = await validateObject(s3(), object);
    logger.info('Image accepted', { key: object.key, ...image });
    return image;
  } catch (error) {
    if (error instanceof ImageRejectedError) {
      metrics.addDimension('reason', error.reason);
      metrics.addMetric('ImagesRejected', MetricUnit.Count, 1);
      logger.info('Image rejected', { key: object.key, reason: error.reason, detail: error.message });
    }
    throw error;
  }
});
