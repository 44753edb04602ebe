/** Rekognition error types served by the local endpoint (JSON 1.1 `__type`). */
export type RekognitionErrorType =
  | 'InvalidImageFormatException'
  | 'ImageTooLargeException'
  | 'InvalidS3ObjectException'
  | 'InvalidParameterException'
  | 'ThrottlingException'
  | 'ProvisionedThroughputExceededException'
  | 'InternalServerError'
  | 'UnknownOperationException'
  | 'SerializationException'
  | 'AccessDeniedException';

/**
 * HTTP status per error, as in the Rekognition API reference and the SDK model:
 * ThrottlingException and InternalServerError are server faults (500), the rest client faults.
 * The SDK's JSON 1.1 deserializer picks the error class from `__type`/`x-amzn-ErrorType`,
 * so the status only matters for retry classification.
 */
const STATUS: Readonly<Record<RekognitionErrorType, number>> = {
  InvalidImageFormatException: 400,
  ImageTooLargeException: 400,
  InvalidS3ObjectException: 400,
  InvalidParameterException: 400,
  ThrottlingException: 500,
  ProvisionedThroughputExceededException: 400,
  InternalServerError: 500,
  UnknownOperationException: 400,
  SerializationException: 400,
  AccessDeniedException: 400,
};

export class RekognitionError extends Error {
  readonly type: RekognitionErrorType;
  readonly statusCode: number;

  constructor(type: RekognitionErrorType, message: string) {
    super(message);
    this.name = type;
    this.type = type;
    this.statusCode = STATUS[type];
  }
}

export function isRekognitionError(err: unknown): err is RekognitionError {
  return err instanceof RekognitionError;
}
