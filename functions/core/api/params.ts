/**
 * Validation at the edge: path keys, query parameters and bodies. Every failure is an
 * ApiProblem naming the offending parameter; values are checked by schema, never coerced
 * loosely (`limit=1.5`, `limit=-1`, `minConfidence=abc` are 400s, not defaults).
 */
import * as v from 'valibot';
import { isMissingKey, isUnknownKey } from '../validation';
import { ApiProblem } from './problems';

/** S3's limit on an object key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/**
 * The object key from the path (API Gateway has already percent-decoded it). Accepts any key
 * S3 accepts, except: dot segments (`.`/`..`: clients and proxies normalise them away, so such
 * a key cannot be addressed reliably in a URL), control characters, U+FFFD (what invalid
 * UTF-8 percent-encoding decodes to) and lone surrogates.
 */
export function parseImageKey(raw: string | undefined): string {
  if (raw === undefined || raw.length === 0) {
    throw new ApiProblem('invalid-key', 'The image key is empty.', 'key');
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects.
  if (/[\u0000-\u001f\u007f\ufffd]/.test(raw) || /\p{Cs}/u.test(raw)) {
    throw new ApiProblem('invalid-key', 'The image key has control characters or invalid UTF-8.', 'key');
  }
  if (Buffer.byteLength(raw, 'utf8') > MAX_KEY_BYTES) {
    throw new ApiProblem(
      'invalid-key',
      `The image key is longer than ${MAX_KEY_BYTES} bytes of UTF-8.`,
      'key',
    );
  }
  if (raw.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new ApiProblem('invalid-key', 'The image key has a "." or ".." path segment.', 'key');
  }
  return raw;
}

/** One query parameter: a schema over the raw string and the message when it fails. */
export interface ParamSpec<T> {
  schema: v.GenericSchema<string | undefined, T>;
  message: string;
}

export const param = <T>(schema: v.GenericSchema<string | undefined, T>, message: string): ParamSpec<T> => ({
  schema,
  message,
});

/** A whole number in [min, max], written as plain digits. */
export const intParam = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.regex(/^\d{1,6}$/),
    v.transform(Number),
    v.integer(),
    v.minValue(min),
    v.maxValue(max),
  );

/** A decimal in [min, max] with at most 3 decimals. */
export const decimalParam = (min: number, max: number) =>
  v.pipe(v.string(), v.regex(/^\d{1,3}(\.\d{1,3})?$/), v.transform(Number), v.minValue(min), v.maxValue(max));

type Parsed<S extends Record<string, ParamSpec<unknown>>> = {
  [K in keyof S]: S[K] extends ParamSpec<infer T> ? T : never;
};

/**
 * Parses API Gateway's queryStringParameters (decoded; a repeated name arrives comma-joined)
 * against `specs`. Unknown names are rejected. A missing parameter is passed to its schema as
 * undefined, so optional ones use `v.optional()`, with a default when they have one.
 */
export function parseQuery<S extends Record<string, ParamSpec<unknown>>>(
  query: Record<string, string | undefined> | undefined,
  specs: S,
): Parsed<S> {
  const values = query ?? {};
  for (const name of Object.keys(values)) {
    if (!Object.hasOwn(specs, name)) {
      throw new ApiProblem(
        'unknown-parameter',
        `Unknown query parameter "${name.slice(0, 64)}"; this route accepts: ${Object.keys(specs).join(', ')}.`,
        name.slice(0, 64),
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const result = v.safeParse(spec.schema, values[name]);
    if (!result.success) throw new ApiProblem('invalid-parameter', spec.message, name);
    out[name] = result.output;
  }
  return out as Parsed<S>;
}

/** A JSON request body: content type, size and JSON syntax checked, then the schema. */
export function parseJsonBody<T>(
  body: { raw: string | undefined; isBase64Encoded: boolean; contentType: string | undefined },
  schema: v.GenericSchema<unknown, T>,
  maxBytes = 4096,
): T {
  const mediaType = body.contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new ApiProblem('unsupported-media-type', 'Send the body as application/json.', 'content-type');
  }
  const text = body.isBase64Encoded
    ? Buffer.from(body.raw ?? '', 'base64').toString('utf8')
    : (body.raw ?? '');
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new ApiProblem('payload-too-large', `The body must be at most ${maxBytes} bytes.`, 'body');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiProblem('invalid-body', 'The body is not valid JSON.', 'body');
  }
  const result = v.safeParse(schema, json);
  if (!result.success) {
    const [issue] = result.issues;
    const path = (issue && v.getDotPath(issue)) || 'body';
    const unknownKeys = result.issues.filter(isUnknownKey).map((problem) => v.getDotPath(problem) ?? '');
    const firstUnknown = issue !== undefined && isUnknownKey(issue);
    const detail = firstUnknown
      ? `Unknown field(s): ${unknownKeys.join(', ').slice(0, 200)}.`
      : issue && isMissingKey(issue)
        ? `Missing field "${path}".`
        : `Invalid field "${path}": ${issue?.message ?? 'invalid'}.`;
    throw new ApiProblem(
      'invalid-body',
      detail,
      firstUnknown ? (unknownKeys[0]?.slice(0, 64) ?? 'body') : path,
    );
  }
  return result.output;
}
