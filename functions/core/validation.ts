/**
 * What the functions' schemas share. The functions validate with valibot: its schemas are plain
 * objects and its checks separate functions, so a bundle holds only what it uses and builds its
 * schemas at cold start in a fraction of zod's time (docs/decisions.md, decision 6).
 */
import * as v from 'valibot';

/** A whole number: JSON has only numbers. */
export const int = v.pipe(v.number(), v.integer());

const OBJECT_SCHEMAS = new Set(['object', 'strict_object', 'loose_object', 'object_with_rest']);

/**
 * Whether an issue is an object schema's report of a required key that is absent: valibot words
 * it as a wrong key (`Invalid key: Expected "a" but received undefined`), which reads as if the
 * sender had misspelt something.
 */
export function isMissingKey(issue: v.BaseIssue<unknown>): boolean {
  return (
    OBJECT_SCHEMAS.has(issue.type) &&
    issue.received === 'undefined' &&
    issue.expected?.startsWith('"') === true
  );
}

/** Whether an issue is a strict object's report of a key it does not know (one issue per key). */
export function isUnknownKey(issue: v.BaseIssue<unknown>): boolean {
  return issue.type === 'strict_object' && issue.expected === 'never';
}

/** An issue's message, with a missing key said plainly. */
export function issueMessage(issue: v.BaseIssue<unknown>): string {
  return isMissingKey(issue) ? 'Missing' : issue.message;
}

/** A schema's complaints, one `path: message` line each (`(root)` for the value itself). */
export function issueLines(issues: readonly v.BaseIssue<unknown>[]): string[] {
  return issues.map((issue) => `${v.getDotPath(issue) ?? '(root)'}: ${issueMessage(issue)}`);
}

/**
 * A JSON object, as JSON Schema and the senders mean it. valibot's object schemas take any
 * non-null object, arrays included, so a schema whose keys are all optional would let `[]`
 * through: this refuses anything but a plain object first, with valibot's kind of message.
 */
export const jsonObject = <TSchema extends v.GenericSchema<Record<string, unknown>>>(schema: TSchema) =>
  v.pipe(
    v.custom<v.InferInput<TSchema>>(
      (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
      (issue) => `Invalid type: Expected Object but received ${issue.received}`,
    ),
    schema,
  );
