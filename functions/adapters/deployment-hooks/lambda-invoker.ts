/** Synchronous invocation of one function version, for the pre-traffic smoke tests. */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { FunctionInvoker, Invocation } from '../../core/deployment-hooks/pre-traffic';

/** A function error is a value, not a throw: the check decides what it means. */
export async function invokeVersion(
  client: LambdaClient,
  functionArn: string,
  payload: unknown,
): Promise<Invocation> {
  const response = await client.send(
    new InvokeCommand({
      FunctionName: functionArn,
      InvocationType: 'RequestResponse',
      Payload: Buffer.from(JSON.stringify(payload)),
    }),
  );
  const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (response.FunctionError) {
    const error = (body ?? {}) as { errorType?: unknown; errorMessage?: unknown };
    return {
      ok: false,
      errorType: typeof error.errorType === 'string' ? error.errorType : response.FunctionError,
      errorMessage: typeof error.errorMessage === 'string' ? error.errorMessage : text,
      statusCode: response.StatusCode,
    };
  }
  return { ok: true, result: body };
}

export function lambdaInvoker(client: LambdaClient): FunctionInvoker {
  return { invoke: (functionArn, payload) => invokeVersion(client, functionArn, payload) };
}
