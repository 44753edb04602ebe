/**
 * What ValidateImage adds to the workflow's data (workflow-schemas.ts): the image's metadata,
 * and DetectLabels' input, the workflow input with it. A module of its own so that the tasks
 * before ValidateImage, and the ingest, do not build these at cold start.
 */
import * as v from 'valibot';
import { int } from './validation';
import { WorkflowInputSchema } from './workflow-schemas';

export const ImageMetadataSchema = v.object({
  format: v.picklist(['jpeg', 'png']),
  width: v.pipe(int, v.minValue(1)),
  height: v.pipe(int, v.minValue(1)),
  size: v.pipe(int, v.minValue(1)),
  contentType: v.optional(v.string()),
  /** EXIF orientation (1-8) of a JPEG, when present. */
  orientation: v.optional(v.pipe(int, v.minValue(1), v.maxValue(8))),
});
export type ImageMetadata = v.InferOutput<typeof ImageMetadataSchema>;

export const DetectInputSchema = v.object({ ...WorkflowInputSchema.entries, image: ImageMetadataSchema });
