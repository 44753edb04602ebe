/**
 * Opaque, tamper-proof page cursors: the DynamoDB LastEvaluatedKey, base64url JSON, signed
 * with HMAC-SHA256 under a secret key (Secrets Manager in AWS, a generated file locally) over
 * the query it belongs to. A modified cursor, one signed with another key, or one from another
 * query (another label or minConfidence) fails verification: a 400, never a 500 and never a
 * page of some other query.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApiProblem } from './problems';

export const MAX_CURSOR_LENGTH = 2048;
const VERSION = 'v1';

function mac(secret: Uint8Array, binding: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${VERSION}\n${binding}\n${payload}`).digest();
}

export function encodeCursor(secret: Uint8Array, binding: string, position: Record<string, string>): string {
  const payload = Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
  return `${payload}.${mac(secret, binding, payload).toString('base64url')}`;
}

/** The position a cursor stands for, with exactly `fields` as string attributes. */
export function decodeCursor(
  secret: Uint8Array,
  binding: string,
  cursor: string,
  fields: readonly string[],
): Record<string, string> {
  const invalid = () =>
    new ApiProblem('invalid-cursor', 'Use the nextCursor of the same query, unchanged.', 'cursor');
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  const [payload = '', signature = ''] = cursor.split('.');
  const expected = mac(secret, binding, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (
    !position ||
    typeof position !== 'object' ||
    Array.isArray(position) ||
    Object.keys(position).length !== fields.length ||
    !fields.every((field) => typeof (position as Record<string, unknown>)[field] === 'string')
  ) {
    throw invalid();
  }
  return position as Record<string, string>;
}
