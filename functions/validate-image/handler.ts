/** Workflow task: checks size, format (magic bytes) and dimensions before Rekognition is paid. */

import { s3 } from '../adapters/clients/s3';
import { ImageRejectedError } from '../core/errors';
import { parseTaskInput } from '../core/task-input';
import { ValidateInputSchema } from '../core/workflow-schemas';
import { validateObject } from '../domain/image-validation';
import { instrumented } from '../shared/middleware';
import { emit, logger, metrics } from '../shared/observability';

export const handler = instrumented(async (event: unknown) => {
  const { object } = parseTaskInput(ValidateInputSchema, event);
  try {
    const image = await validateObject(s3(), object);
    logger.info('Image accepted', { key: object.key, ...image });
    return image;
  } catch (error) {
    if (error instanceof ImageRejectedError) {
      metrics.addDimension('reason', error.reason);
      emit('ImagesRejected');
      logger.info('Image rejected', { key: object.key, reason: error.reason, detail: error.message });
    }
    throw error;
  }
});
