/** An error in EventBridge's shape: the `__type` (e.g. ResourceNotFoundException) and a message. */
export class EventBridgeError extends Error {
  override readonly name = 'EventBridgeError';
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export const eventsError = {
  validation: (message: string) => new EventBridgeError('ValidationException', message),
  notFound: (message: string) => new EventBridgeError('ResourceNotFoundException', message),
  invalidPattern: (message: string) => new EventBridgeError('InvalidEventPatternException', message),
  limitExceeded: (message: string) => new EventBridgeError('LimitExceededException', message),
};
