/**
 * Errors are a contract between the functions and the state machine: Step Functions matches a
 * Lambda task's error by its `errorType`, which the Node.js runtime takes from `error.name`.
 * Every class here has a fixed `name`, its static `errorName`; ERROR_NAMES is read from the
 * classes. `statemachines/*.asl.json` matches those names in its Retry and Catch blocks, and a
 * test checks that every name used there is in ERROR_NAMES.
 */

/** Why an image was rejected: stable codes, stored with the REJECTED record and shown by the API. */
export const REJECTION_REASONS = [
  'OBJECT_MISSING',
  'EMPTY_FILE',
  'FILE_TOO_LARGE',
  'UNSUPPORTED_FORMAT',
  'CORRUPT_IMAGE',
  'DIMENSIONS_TOO_SMALL',
  'DIMENSIONS_TOO_LARGE',
  'REJECTED_BY_LABEL_SERVICE',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** The image can never be labeled: record REJECTED, never retry. */
export class ImageRejectedError extends Error {
  static readonly errorName = 'ImageRejected';
  override readonly name = ImageRejectedError.errorName;
  constructor(
    readonly reason: RejectionReason,
    detail: string,
  ) {
    // The reason leads the message so that the state machine's Catch (which only sees the
    // message, inside the Cause) can hand it on to the record-outcome task.
    super(`${reason}: ${detail}`);
  }
}

/** Another execution holds the claim on this object version: do not touch its records. */
export class ImageInProgressError extends Error {
  static readonly errorName = 'ImageInProgress';
  override readonly name = ImageInProgressError.errorName;
}

/** Rekognition throttled us (ThrottlingException, ProvisionedThroughputExceededException, LimitExceededException). */
export class RekognitionThrottledError extends Error {
  static readonly errorName = 'RekognitionThrottled';
  override readonly name = RekognitionThrottledError.errorName;
}

/** Rekognition failed on its side (InternalServerError, 5xx): worth a few retries. */
export class RekognitionUnavailableError extends Error {
  static readonly errorName = 'RekognitionUnavailable';
  override readonly name = RekognitionUnavailableError.errorName;
}

/** DynamoDB left writes unprocessed or throttled them past the SDK's own retries. */
export class LabelStoreThrottledError extends Error {
  static readonly errorName = 'LabelStoreThrottled';
  override readonly name = LabelStoreThrottledError.errorName;
}

/**
 * EventBridge refused or failed image events past the SDK's retries and our own: the outcome is
 * recorded but not yet announced, so the task fails and is retried (the event's id stays the same).
 */
export class ImageEventsUnavailableError extends Error {
  static readonly errorName = 'ImageEventsUnavailable';
  override readonly name = ImageEventsUnavailableError.errorName;
}

/** A queue message that is not an S3 event notification: it goes to the DLQ after its retries. */
export class MalformedEventError extends Error {
  static readonly errorName = 'MalformedEvent';
  override readonly name = MalformedEventError.errorName;
}

/** A workflow execution ended FAILED or TIMED_OUT: the message returns to the queue. */
export class WorkflowFailedError extends Error {
  static readonly errorName = 'WorkflowFailed';
  override readonly name = WorkflowFailedError.errorName;
}

/** Environment variables missing or invalid at cold start. */
export class ConfigurationError extends Error {
  static readonly errorName = 'ConfigurationError';
  override readonly name = ConfigurationError.errorName;
}

/** Task input that does not match the workflow's schema: a bug, never retried. */
export class InvalidTaskInputError extends Error {
  static readonly errorName = 'InvalidTaskInput';
  override readonly name = InvalidTaskInputError.errorName;
}

/** A deployment hook's smoke test found the new version broken: CodeDeploy is told Failed. */
export class SmokeTestFailedError extends Error {
  static readonly errorName = 'SmokeTestFailed';
  override readonly name = SmokeTestFailedError.errorName;
}

/** Every error class of the contract. */
export const ERROR_CLASSES = [
  ImageRejectedError,
  ImageInProgressError,
  RekognitionThrottledError,
  RekognitionUnavailableError,
  LabelStoreThrottledError,
  ImageEventsUnavailableError,
  MalformedEventError,
  WorkflowFailedError,
  ConfigurationError,
  InvalidTaskInputError,
  SmokeTestFailedError,
] as const;

/** The names Step Functions matches, read from the classes themselves (never written twice). */
export type ErrorName = (typeof ERROR_CLASSES)[number]['errorName'];
export const ERROR_NAMES: readonly ErrorName[] = ERROR_CLASSES.map((ErrorClass) => ErrorClass.errorName);

/** Parses the Cause that Step Functions hands to a Catch for a Lambda task error. */
export function parseTaskCause(cause: string | undefined): { errorType?: string; errorMessage: string } {
  if (!cause) return { errorMessage: '' };
  try {
    const parsed: unknown = JSON.parse(cause);
    if (parsed && typeof parsed === 'object') {
      const { errorType, errorMessage } = parsed as Record<string, unknown>;
      return {
        ...(typeof errorType === 'string' ? { errorType } : {}),
        errorMessage: typeof errorMessage === 'string' ? errorMessage : cause,
      };
    }
  } catch {
    // Not JSON: States.* errors carry a plain-text cause.
  }
  return { errorMessage: cause };
}

/** Reads the rejection reason back out of an ImageRejected error message. */
export function parseRejection(message: string): { reason: RejectionReason; detail: string } {
  const match = /^([A-Z_]+): ([\s\S]*)$/.exec(message);
  const code = match?.[1];
  if (code && (REJECTION_REASONS as readonly string[]).includes(code)) {
    return { reason: code as RejectionReason, detail: match?.[2] ?? '' };
  }
  return { reason: 'REJECTED_BY_LABEL_SERVICE', detail: message };
}
