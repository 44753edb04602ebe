/** The AWS JSON 1.0 protocol's parts the SQS endpoint shares: reading input fields, writing answers. */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { SqsError } from './queue';

export type Input = Record<string, unknown>;

/** Error codes and the legacy (query protocol) codes the SDK reads from `x-amzn-query-error`. */
export const QUERY_CODES: Record<string, string> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
  QueueNameExists: 'QueueAlreadyExists',
};

export const MAX_BODY_BYTES = 2 * 1024 * 1024;

export function str(input: Input, key: string): string | undefined {
  const value = input[key];
  return typeof value === 'string' ? value : undefined;
}

export function required(input: Input, key: string): string {
  const value = str(input, key);
  if (value === undefined || value === '') {
    throw new SqsError('MissingParameter', `The request must contain the parameter ${key}.`);
  }
  return value;
}

export function num(input: Input, key: string): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SqsError('InvalidParameterValue', `Value for parameter ${key} is invalid.`);
  }
  return value;
}

export function list(input: Input, key: string): string[] {
  const value = input[key];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(text);
}
