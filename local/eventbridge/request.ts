/** The AWS JSON 1.1 protocol as the local EventBridge reads and answers it. */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { eventsError } from './errors';

export type Input = Record<string, unknown>;

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

export function text(input: Input, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw eventsError.validation(`${field} must be a string.`);
  return value;
}

export function named(input: Input, field: string): string {
  const value = text(input, field) ?? '';
  if (!NAME.test(value)) {
    throw eventsError.validation(
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ (1 to 64 characters).`,
    );
  }
  return value;
}

/** A page of `items` from `NextToken` (an offset), at most `Limit` long. */
export function page<T>(items: T[], input: Input): { items: T[]; NextToken?: string } {
  const limit = typeof input.Limit === 'number' ? input.Limit : 100;
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= 100)) {
    throw eventsError.validation('Limit must be a whole number from 1 to 100.');
  }
  const token = text(input, 'NextToken');
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!(Number.isInteger(start) && start >= 0)) throw eventsError.validation('The NextToken is not valid.');
  const end = start + limit;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { NextToken: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}

export function send(res: http.ServerResponse, status: number, body: unknown, errorType?: string): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(payload);
}
