/** Workflow task: checks size, format (magic bytes) and dimensions before Rekognition is paid. */

import { s3 } from '../adapters/clients/s3';
import { s3ObjectStore } from '../adapters/s3-object-store';
import { ImageRejectedError } from '../core/errors';
import { validateObject } from '../core/image-validation';
import { parseTaskInput } from '../core/task-input';
import { ValidateInputSchema } from '../core/workflow-schemas';
import { instrumented } from '../shared/middleware';
import { emit, logger, metrics } from '../shared/observability';

const objects = s3ObjectStore(s3());

export const handler = instrumented(async (event: unknown) => {
  const { object } = parseTaskInput(ValidateInputSchema, event);
  try {
    const image = await validateObject(objects, object);
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
