import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { int, isMissingKey, issueLines, jsonObject } from '../../../functions/core/validation';

const issuesOf = (schema: v.GenericSchema, input: unknown) => {
  const result = v.safeParse(schema, input);
  if (result.success) throw new Error('expected the input to be refused');
  return result.issues;
};

describe('issueLines', () => {
  it('says a required key that is absent is missing, at its path', () => {
    const schema = v.object({ image: v.object({ key: v.string(), size: int }) });

    expect(issueLines(issuesOf(schema, { image: { size: 3 } }))).toEqual(['image.key: Missing']);
  });

  it('keeps valibot’s message for a value of the wrong kind', () => {
    const schema = v.object({ size: int });

    expect(issueLines(issuesOf(schema, { size: 1.5 }))).toEqual(['size: Invalid integer: Received 1.5']);
  });

  it('names the value itself (root) when it is not an object at all', () => {
    expect(issueLines(issuesOf(v.object({ a: v.string() }), undefined))).toEqual([
      '(root): Invalid type: Expected Object but received undefined',
    ]);
  });
});

describe('isMissingKey', () => {
  it('tells a missing key from an unknown one and from a missing object', () => {
    const strict = v.strictObject({ a: v.string() });

    expect(issuesOf(strict, {}).map(isMissingKey)).toEqual([true]);
    expect(issuesOf(strict, { a: 'x', b: 1 }).map(isMissingKey)).toEqual([false]);
    expect(issuesOf(strict, undefined).map(isMissingKey)).toEqual([false]);
  });
});

describe('jsonObject', () => {
  const schema = jsonObject(v.object({ a: v.optional(v.string()) }));

  it('takes a plain object', () => {
    expect(v.parse(schema, { a: 'x' })).toEqual({ a: 'x' });
  });

  it('refuses an array, which valibot’s object schemas would take', () => {
    expect(issueLines(issuesOf(schema, []))).toEqual([
      '(root): Invalid type: Expected Object but received Array',
    ]);
  });
});
