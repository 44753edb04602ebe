/**
 * What ValidateImage adds to the workflow's data (workflow-schemas.ts): the image's metadata,
 * and DetectLabels' input, the workflow input with it. A module of its own so that the tasks
 * before ValidateImage, and the ingest, do not build these at cold start.
 */
import { WorkflowInputSchema } from './workflow-schemas';
import * as z from './zod';

export const ImageMetadataSchema = z.object({
  format: z.enum(['jpeg', 'png']),
  width: z.int().check(z.positive()),
  height: z.int().check(z.positive()),
  size: z.int().check(z.positive()),
  contentType: z.optional(z.string()),
  /** EXIF orientation (1-8) of a JPEG, when present. */
  orientation: z.optional(z.int().check(z.gte(1), z.lte(8))),
});
export type ImageMetadata = z.infer<typeof ImageMetadataSchema>;

export const DetectInputSchema = z.extend(WorkflowInputSchema, { image: ImageMetadataSchema });
