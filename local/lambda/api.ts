/**
 * The `lambda` service on the edge port: Invoke (what the deployment hooks and
 * `aws lambda invoke` call) and Get/UpdateEventSourceMapping (what apply-flags calls).
 *
 * Invoke follows the Lambda API: POST /2015-03-31/functions/{FunctionName}/invocations, the name
 * as a name, a partial or a full ARN, with a qualifier in the name or in `?Qualifier=`. Locally
 * every qualifier (the `live` alias, a version number, $LATEST) runs the one version there is.
 * A function error answers 200 with X-Amz-Function-Error: Unhandled and the error as payload.
 */
import type http from 'node:http';
import { createEventSourceMappingApi, type ManagedEventSourceMapping } from './event-source-mappings';
import { LambdaFunctionError, type LocalFunction } from './function';

export interface LambdaApiOptions {
  mappings: ManagedEventSourceMapping[];
  /** Finds a function by its name (no qualifier). */
  functionNamed(name: string): LocalFunction | undefined;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** The function name and qualifier of any form of FunctionName Lambda accepts. */
export function parseFunctionName(raw: string): { name: string; qualifier?: string } {
  const arn = /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:([^:]+)(?::([^:]+))?$/.exec(raw);
  const partial = /^\d{12}:function:([^:]+)(?::([^:]+))?$/.exec(raw);
  const plain = /^([^:]+)(?::([^:]+))?$/.exec(raw);
  const match = arn ?? partial ?? plain;
  if (!match?.[1]) return { name: raw };
  return { name: match[1], ...(match[2] ? { qualifier: match[2] } : {}) };
}

function send(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body === undefined ? '' : JSON.stringify(body));
}

function userError(response: http.ServerResponse, status: number, type: string, message: string): void {
  send(response, status, { Type: 'User', message }, { 'x-amzn-errortype': type });
}

export function createLambdaApi(options: LambdaApiOptions): http.RequestListener {
  const mappingsApi = createEventSourceMappingApi(options.mappings);
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = INVOKE_PATH.exec(url.pathname);
    if (!match?.[1]) {
      mappingsApi(request, response);
      return;
    }
    if (request.method !== 'POST') {
      userError(response, 405, 'NotImplemented', `${request.method} is not supported here.`);
      return;
    }
    const { name, qualifier } = parseFunctionName(decodeURIComponent(match[1]));
    const fn = options.functionNamed(name);
    if (!fn) {
      userError(
        response,
        404,
        'ResourceNotFoundException',
        `Function not found: ${name}${qualifier ? `:${qualifier}` : ''}`,
      );
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_PAYLOAD_BYTES) {
        userError(
          response,
          413,
          'RequestTooLargeException',
          `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
        );
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      let event: unknown = null;
      try {
        event = text ? JSON.parse(text) : null;
      } catch {
        userError(response, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
        return;
      }
      const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      if (type === 'DryRun') {
        send(response, 204, undefined);
        return;
      }
      const executed = { 'x-amz-executed-version': qualifier && /^\d+$/.test(qualifier) ? qualifier : '1' };
      const result = fn.invoke(event);
      if (type === 'Event') {
        // Asynchronous: accepted now; the outcome goes only to the function's logs.
        result.catch(() => undefined);
        send(response, 202, undefined);
        return;
      }
      result.then(
        (payload) => send(response, 200, payload, executed),
        (error: unknown) => {
          if (error instanceof LambdaFunctionError) {
            send(response, 200, error.toPayload(), { ...executed, 'x-amz-function-error': 'Unhandled' });
          } else {
            send(
              response,
              500,
              { message: error instanceof Error ? error.message : String(error) },
              { 'x-amzn-errortype': 'ServiceException' },
            );
          }
        },
      );
    });
  };
}
