/**
 * The stored flags document (AppConfig's AWS.AppConfig.FeatureFlags format: version "1", flag
 * definitions with attribute constraints, values) and its retrieval format, which is what
 * GetLatestConfiguration returns: `{ "<flag>": { "enabled": bool, ...attributes } }`, the
 * attributes only for enabled flags. AppConfig checks a document against the constraints when a
 * version is created; the same checks run here at `cdk synth` and in the local cloud, so a
 * document that AppConfig would refuse fails early. Not used by the functions themselves.
 */
import * as z from './zod';
import { issueLines } from './zod-issues';

const KEY = /^[a-z][a-zA-Z\d_-]{0,63}$/;
const key = z.string().check(z.regex(KEY, 'must match ^[a-z][a-zA-Z\\d_-]{0,63}$'));

const NumberConstraints = z.strictObject({
  type: z.literal('number'),
  required: z.optional(z.boolean()),
  minimum: z.optional(z.int()),
  maximum: z.optional(z.int()),
});
const StringConstraints = z
  .strictObject({
    type: z.literal('string'),
    required: z.optional(z.boolean()),
    pattern: z.optional(z.string().check(z.maxLength(1024))),
    enum: z.optional(
      z.array(z.union([z.string().check(z.maxLength(1024)), z.int()])).check(z.maxLength(100)),
    ),
  })
  .check(z.refine((c) => !(c.pattern && c.enum), 'pattern and enum are exclusive'));
const Constraints = z.union([
  NumberConstraints,
  StringConstraints,
  z.strictObject({
    type: z.literal('array'),
    required: z.optional(z.boolean()),
    elements: z.optional(z.union([NumberConstraints, StringConstraints])),
  }),
  z.strictObject({ type: z.literal('boolean'), required: z.optional(z.boolean()) }),
]);
type Constraint = z.infer<typeof Constraints>;

const AttributeValue = z.union([
  z.string().check(z.maxLength(1024)),
  z.number(),
  z.boolean(),
  z.array(z.string().check(z.maxLength(1024))),
  z.array(z.number()),
]);

export const FlagDocumentSchema = z.strictObject({
  version: z.literal('1'),
  flags: z.optional(
    z.record(
      key,
      z.strictObject({
        name: z.optional(z.string().check(z.regex(/^[^\n]{1,64}$/))),
        description: z.optional(z.string().check(z.maxLength(1024))),
        _createdAt: z.optional(z.string()),
        _updatedAt: z.optional(z.string()),
        _deprecation: z.optional(
          z.strictObject({ status: z.literal('planned'), date: z.optional(z.string()) }),
        ),
        attributes: z.optional(
          z
            .record(
              key,
              z.strictObject({
                description: z.optional(z.string().check(z.maxLength(1024))),
                constraints: Constraints,
              }),
            )
            .check(z.refine((attributes) => Object.keys(attributes).length <= 25, 'at most 25 attributes')),
        ),
      }),
    ),
  ),
  values: z.optional(
    z.record(
      key,
      z.catchall(
        z.object({
          enabled: z.optional(z.boolean()),
          _createdAt: z.optional(z.string()),
          _updatedAt: z.optional(z.string()),
        }),
        AttributeValue,
      ),
    ),
  ),
});
export type FlagDocument = z.infer<typeof FlagDocumentSchema>;

export type RetrievedConfiguration = Record<string, { enabled: boolean } & Record<string, unknown>>;

function checkValue(path: string, value: unknown, constraint: Constraint): string[] {
  const problems: string[] = [];
  const one = (v: unknown, c: Exclude<Constraint, { type: 'array' } | { type: 'boolean' }>, at: string) => {
    if (c.type === 'number') {
      if (typeof v !== 'number') return [`${at}: must be a number`];
      if (c.minimum !== undefined && v < c.minimum) return [`${at}: must be >= ${c.minimum}`];
      if (c.maximum !== undefined && v > c.maximum) return [`${at}: must be <= ${c.maximum}`];
      return [];
    }
    if (typeof v !== 'string') return [`${at}: must be a string`];
    if (c.pattern && !new RegExp(c.pattern).test(v)) return [`${at}: must match ${c.pattern}`];
    if (c.enum && !c.enum.includes(v)) return [`${at}: must be one of ${c.enum.join(', ')}`];
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
  const parsed = FlagDocumentSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      problems: issueLines(parsed.error),
    };
  }
  const document = parsed.data;
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
