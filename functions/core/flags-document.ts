/**
 * The stored flags document (AppConfig's AWS.AppConfig.FeatureFlags format: version "1", flag
 * definitions with attribute constraints, values) and its retrieval format, which is what
 * GetLatestConfiguration returns: `{ "<flag>": { "enabled": bool, ...attributes } }`, the
 * attributes only for enabled flags. AppConfig checks a document against the constraints when a
 * version is created; the same checks run here at `cdk synth` and in the local cloud, so a
 * document that AppConfig would refuse fails early. Not used by the functions themselves.
 */
import * as v from 'valibot';
import { int, issueLines, jsonObject } from './validation';

const KEY = /^[a-z][a-zA-Z\d_-]{0,63}$/;
const key = v.pipe(v.string(), v.regex(KEY, 'must match ^[a-z][a-zA-Z\\d_-]{0,63}$'));
const text1024 = v.pipe(v.string(), v.maxLength(1024));

const NumberConstraints = v.strictObject({
  type: v.literal('number'),
  required: v.optional(v.boolean()),
  minimum: v.optional(int),
  maximum: v.optional(int),
});
const StringConstraints = v.pipe(
  v.strictObject({
    type: v.literal('string'),
    required: v.optional(v.boolean()),
    pattern: v.optional(text1024),
    enum: v.optional(v.pipe(v.array(v.union([text1024, int])), v.maxLength(100))),
  }),
  v.check((c) => !(c.pattern && c.enum), 'pattern and enum are exclusive'),
);
const Constraints = v.union([
  NumberConstraints,
  StringConstraints,
  v.strictObject({
    type: v.literal('array'),
    required: v.optional(v.boolean()),
    elements: v.optional(v.union([NumberConstraints, StringConstraints])),
  }),
  v.strictObject({ type: v.literal('boolean'), required: v.optional(v.boolean()) }),
]);
type Constraint = v.InferOutput<typeof Constraints>;

const AttributeValue = v.union([text1024, v.number(), v.boolean(), v.array(text1024), v.array(v.number())]);

export const FlagDocumentSchema = jsonObject(
  v.strictObject({
    version: v.literal('1'),
    flags: v.optional(
      v.record(
        key,
        v.strictObject({
          name: v.optional(v.pipe(v.string(), v.regex(/^[^\n]{1,64}$/))),
          description: v.optional(text1024),
          _createdAt: v.optional(v.string()),
          _updatedAt: v.optional(v.string()),
          _deprecation: v.optional(
            v.strictObject({ status: v.literal('planned'), date: v.optional(v.string()) }),
          ),
          attributes: v.optional(
            v.pipe(
              v.record(key, v.strictObject({ description: v.optional(text1024), constraints: Constraints })),
              v.check((attributes) => Object.keys(attributes).length <= 25, 'at most 25 attributes'),
            ),
          ),
        }),
      ),
    ),
    values: v.optional(
      v.record(
        key,
        v.objectWithRest(
          {
            enabled: v.optional(v.boolean()),
            _createdAt: v.optional(v.string()),
            _updatedAt: v.optional(v.string()),
          },
          AttributeValue,
        ),
      ),
    ),
  }),
);
export type FlagDocument = v.InferOutput<typeof FlagDocumentSchema>;

export type RetrievedConfiguration = Record<string, { enabled: boolean } & Record<string, unknown>>;

function checkValue(path: string, value: unknown, constraint: Constraint): string[] {
  const problems: string[] = [];
  const one = (x: unknown, c: Exclude<Constraint, { type: 'array' } | { type: 'boolean' }>, at: string) => {
    if (c.type === 'number') {
      if (typeof x !== 'number') return [`${at}: must be a number`];
      if (c.minimum !== undefined && x < c.minimum) return [`${at}: must be >= ${c.minimum}`];
      if (c.maximum !== undefined && x > c.maximum) return [`${at}: must be <= ${c.maximum}`];
      return [];
    }
    if (typeof x !== 'string') return [`${at}: must be a string`];
    if (c.pattern && !new RegExp(c.pattern).test(x)) return [`${at}: must match ${c.pattern}`];
    if (c.enum && !c.enum.includes(x)) return [`${at}: must be one of ${c.enum.join(', ')}`];
    return [];
  };
  if (constraint.type === 'boolean') {
    if (typeof value !== 'boolean') problems.push(`${path}: must be a boolean`);
  } else if (constraint.type === 'array') {
    if (!Array.isArray(value)) problems.push(`${path}: must be an array`);
    else if (constraint.elements) {
      const elements = constraint.elements;
      value.forEach((element, index) => {
        problems.push(...one(element, elements, `${path}[${index}]`));
      });
    }
  } else {
    problems.push(...one(value, constraint, path));
  }
  return problems;
}

/**
 * Validates a stored document (structure and attribute constraints) and returns its retrieval
 * format, or every problem found.
 */
export function toRetrievalFormat(
  text: string,
):
  | { ok: true; document: FlagDocument; configuration: RetrievedConfiguration }
  | { ok: false; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`not JSON: ${error instanceof Error ? error.message : String(error)}`] };
  }
  const parsed = v.safeParse(FlagDocumentSchema, json);
  if (!parsed.success) {
    return {
      ok: false,
      problems: issueLines(parsed.issues),
    };
  }
  const document = parsed.output;
  const flags = document.flags ?? {};
  const values = document.values ?? {};
  const problems: string[] = [];
  const configuration: RetrievedConfiguration = {};
  for (const name of Object.keys(values)) {
    if (!(name in flags)) problems.push(`values.${name}: no flag of that name is defined`);
  }
  for (const [name, definition] of Object.entries(flags)) {
    const { enabled = false, _createdAt, _updatedAt, ...attributeValues } = values[name] ?? {};
    const attributes = definition.attributes ?? {};
    for (const attribute of Object.keys(attributeValues)) {
      if (!(attribute in attributes))
        problems.push(`values.${name}.${attribute}: no attribute of that name is defined`);
    }
    for (const [attribute, { constraints }] of Object.entries(attributes)) {
      const value = attributeValues[attribute];
      if (value === undefined) {
        if (constraints.required) problems.push(`values.${name}.${attribute}: required`);
        continue;
      }
      problems.push(...checkValue(`values.${name}.${attribute}`, value, constraints));
    }
    configuration[name] = enabled ? { enabled, ...attributeValues } : { enabled };
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, document, configuration };
}
