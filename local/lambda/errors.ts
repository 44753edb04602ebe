import type { ErrorInfo } from './protocol';

/**
 * A failed invocation. `name` is the errorType Step Functions matches on (the thrown error's `name`,
 * `Sandbox.Timedout` for a timeout, `Runtime.ExitError` for a crash), `message` the errorMessage.
 */
export class LambdaFunctionError extends Error {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: string[];
  readonly requestId: string;

  constructor(info: ErrorInfo, requestId: string) {
    super(info.message);
    this.name = info.name;
    this.errorType = info.name;
    this.errorMessage = info.message;
    this.trace = info.stack ? info.stack.split('\n') : [];
    this.requestId = requestId;
  }

  /** The JSON payload Lambda returns for a function error (Step Functions puts it in `Cause`). */
  toPayload(): { errorType: string; errorMessage: string; trace: string[] } {
    return { errorType: this.errorType, errorMessage: this.errorMessage, trace: this.trace };
  }
}
