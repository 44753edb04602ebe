/** DynamoDB throttling, as the state machine sees it. */
import { LabelStoreThrottledError } from '../../core/errors';

const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

/** Maps DynamoDB throttling (after the SDK's own retries) onto the error the ASL retries. */
export async function throttleAware<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof Error && THROTTLING_ERRORS.has(error.name)) {
      throw new LabelStoreThrottledError(`DynamoDB throttled the labels table: ${error.message}`);
    }
    throw error;
  }
}
