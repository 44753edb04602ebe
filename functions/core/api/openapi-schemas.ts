/**
 * The component schemas of the labels API's OpenAPI document (openapi.ts), generated from the
 * schemas the code uses (schemas.ts, answer-schemas.ts) with @valibot/to-json-schema: JSON Schema
 * 2020-12, one component per schema, nested ones by `$ref`. openapi.ts imports this module
 * dynamically, on the first request for the document.
 */
import { toJsonSchemaDefs } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { int } from '../validation';
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
const ProblemSchema = v.strictObject({
  type: v.picklist(Object.keys(PROBLEMS).map((slug) => `${PROBLEM_TYPE_BASE}${slug}`)),
  title: v.string(),
  status: v.pipe(int, v.minValue(400), v.maxValue(599)),
  detail: v.optional(v.string()),
  parameter: v.optional(v.pipe(v.string(), v.description('The offending parameter, body field or header.'))),
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
  const schemas = toJsonSchemaDefs(COMPONENTS, {
    target: 'draft-2020-12',
    // Answers as the API writes them (output); the upload request is input, the same here.
    typeMode: 'output',
    // The upload request's control-character check is code, not JSON Schema: it is left out.
    ignoreActions: ['check'],
    overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
  });
  return schemas as Record<ComponentName, unknown>;
}
