/**
 * The component schemas of the labels API's OpenAPI document (openapi.ts), generated from the zod
 * schemas the code uses (schemas.ts, answer-schemas.ts) with z.toJSONSchema: JSON Schema 2020-12,
 * one component per registered schema, nested ones by `$ref`. openapi.ts imports this module
 * dynamically, on the first request for the document.
 */
import * as z from '../zod';
import {
  ApiLabelSchema,
  BoxSchema,
  GatewayErrorSchema,
  ImageListSchema,
  ImagePageSchema,
  ImageSchema,
  LabelCountsSchema,
  UploadSchema,
} from './answer-schemas';
import { PROBLEM_TYPE_BASE, PROBLEMS } from './problems';
import { UploadRequestSchema } from './schemas';

/** RFC 9457 problem documents, as the API's own errors are written (http.ts). */
const ProblemSchema = z.strictObject({
  type: z.enum(Object.keys(PROBLEMS).map((slug) => `${PROBLEM_TYPE_BASE}${slug}`)),
  title: z.string(),
  status: z.int().check(z.gte(400), z.lte(599)),
  detail: z.optional(z.string()),
  parameter: z
    .optional(z.string())
    .check(z.meta({ description: 'The offending parameter, body field or header.' })),
});

const COMPONENTS = {
  Problem: ProblemSchema,
  GatewayError: GatewayErrorSchema,
  Box: BoxSchema,
  Label: ApiLabelSchema,
  Image: ImageSchema,
  ImageList: ImageListSchema,
  ImagePage: ImagePageSchema,
  LabelCounts: LabelCountsSchema,
  UploadRequest: UploadRequestSchema,
  Upload: UploadSchema,
};

export type ComponentName = keyof typeof COMPONENTS;

let built: Record<ComponentName, unknown> | undefined;

/**
 * The components, generated on first use (GET /openapi.json, the pre-traffic smoke test) and
 * kept for the life of the execution environment: not at cold start, and not on every request.
 */
export function apiSchemas(): Record<ComponentName, unknown> {
  built ??= generate();
  return built;
}

function generate(): Record<ComponentName, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    // Answers as the API writes them (output); the upload request is input, the same here.
    io: 'output',
    uri: (id) => `#/components/schemas/${id}`,
  });
  // Each component is embedded in the document, so drops its own $schema and $id.
  const components: Record<string, unknown> = {};
  for (const [id, { $schema: _schema, $id: _id, ...schema }] of Object.entries(schemas))
    components[id] = schema;
  return components as Record<ComponentName, unknown>;
}
