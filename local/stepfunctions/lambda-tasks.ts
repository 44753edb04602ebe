/** Lambda tasks as Step Functions sees them: function ARNs, the Invoke response, function errors. */
import { randomUUID } from 'node:crypto';

/** The error a Task reports to the state machine: name = error name, message = Cause. */
export class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** Shapes a rejected `invokeLambda` as Step Functions reports a Lambda function error. */
export function lambdaErrorToTaskError(error: unknown): TaskError {
  const e = error instanceof Error ? error : new Error(String(error));
  const errorType = e.name || 'Error';
  const trace = (e as { trace?: unknown }).trace;
  // AWS's Cause for a function error is the function's error payload as JSON.
  const cause = JSON.stringify({
    errorType,
    errorMessage: e.message,
    trace: Array.isArray(trace) ? trace.map(String) : [],
  });
  return new TaskError(errorType, cause);
}

/** Accepts a function name, name:qualifier, partial or full ARN (as Lambda's FunctionName does). */
export function normalizeFunctionArn(functionName: unknown, region: string, accountId: string): string {
  if (typeof functionName !== 'string' || functionName.length === 0) {
    throw new TaskError(
      'States.Runtime',
      "The 'FunctionName' parameter of lambda:invoke must be a non-empty string",
    );
  }
  if (functionName.startsWith('arn:')) return functionName;
  if (/^\d{12}:function:/.test(functionName)) return `arn:aws:lambda:${region}:${functionName}`;
  return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
}

/** What `arn:aws:states:::lambda:invoke` returns on AWS (the Invoke API response). */
export function lambdaInvokeResponse(functionArn: string, payload: unknown) {
  const qualifier = functionArn.split(':')[7];
  const executedVersion =
    qualifier === undefined || qualifier === '$LATEST'
      ? '$LATEST'
      : /^\d+$/.test(qualifier)
        ? qualifier
        : '1';
  const requestId = randomUUID();
  const headers = {
    Connection: 'keep-alive',
    'Content-Type': 'application/json',
    'X-Amz-Executed-Version': executedVersion,
    'x-amzn-Remapped-Content-Length': '0',
    'x-amzn-RequestId': requestId,
  };
  return {
    ExecutedVersion: executedVersion,
    Payload: payload,
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      HttpHeaders: headers,
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}
