/** An error in AWS Step Functions' JSON 1.0 shape: HTTP status, `__type` and message. */
export class SfnServiceError extends Error {
  readonly type: string;
  readonly statusCode: number;

  constructor(type: string, message: string, statusCode = 400) {
    super(message);
    this.name = type;
    this.type = type;
    this.statusCode = statusCode;
  }
}

export const sfnError = {
  stateMachineDoesNotExist: (arn: string) =>
    new SfnServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`),
  executionDoesNotExist: (arn: string) =>
    new SfnServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`),
  invalidArn: (arn: string) => new SfnServiceError('InvalidArn', `Invalid Arn: '${arn}'`),
  invalidDefinition: (detail: string) =>
    new SfnServiceError('InvalidDefinition', `Invalid State Machine Definition: '${detail}'`),
  invalidName: (name: string) => new SfnServiceError('InvalidName', `Invalid Name: '${name}'`),
  validation: (message: string) => new SfnServiceError('ValidationException', message),
};
