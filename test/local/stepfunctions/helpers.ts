import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SFNClient } from '@aws-sdk/client-sfn';
import { substituteDefinition } from '../../../local/stepfunctions';

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';
export const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}:live`;

/** The test ASL with its placeholders filled as CDK's definitionSubstitutions would. */
export function labelImageDefinition(): string {
  const text = readFileSync(new URL('./fixtures/label-image.asl.json', import.meta.url), 'utf8');
  return substituteDefinition(text, {
    DetectLabelsFunctionArn: fnArn('detect-labels'),
    StoreLabelsFunctionArn: fnArn('store-labels'),
    MarkInvalidFunctionArn: fnArn('mark-invalid'),
  });
}

/** An Error as the local Lambda runner reports a function error (name = errorType). */
export function functionError(errorType: string, errorMessage: string): Error {
  const error = new Error(errorMessage);
  error.name = errorType;
  return error;
}

export async function listen(
  handler: http.RequestListener,
): Promise<{ server: http.Server; endpoint: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, endpoint: `http://127.0.0.1:${port}` };
}

export function close(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

/** A real SDK client for the local endpoint. StartSyncExecution needs `disableHostPrefix`
 * (otherwise the SDK sends it to `sync-127.0.0.1`, which does not resolve). */
export function sfnClient(endpoint: string): SFNClient {
  return new SFNClient({
    region: REGION,
    endpoint,
    disableHostPrefix: true,
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}
