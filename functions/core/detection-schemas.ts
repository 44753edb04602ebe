/**
 * Rekognition's answer as the workflow carries it from DetectLabels to StoreLabels
 * (functions/core/workflow-schemas.ts has the rest of the workflow's data), and StoreLabels'
 * input. A module of its own so that only StoreLabels, which parses it, builds it at cold start.
 */
import { ImageMetadataSchema } from './validated-image-schemas';
import { WorkflowInputSchema } from './workflow-schemas';
import * as z from './zod';

export const BoundingBoxSchema = z.object({
  left: z.number(),
  top: z.number(),
  width: z.number(),
  height: z.number(),
});

export const LabelSchema = z.object({
  name: z.string().check(z.minLength(1)),
  confidence: z.number().check(z.gte(0), z.lte(100)),
  parents: z.array(z.string()),
  categories: z.array(z.string()),
  aliases: z.array(z.string()),
  instances: z.array(
    z.object({ confidence: z.number().check(z.gte(0), z.lte(100)), box: BoundingBoxSchema }),
  ),
});
export type Label = z.infer<typeof LabelSchema>;

export const DetectionSchema = z.object({
  labels: z.array(LabelSchema),
  labelModelVersion: z.string(),
  settings: z.object({
    minConfidence: z.number(),
    maxLabels: z.int(),
    /** GeneralLabels filters from the labelFilters flag, recorded only when one was set. */
    includeLabels: z.optional(z.array(z.string())),
    excludeLabels: z.optional(z.array(z.string())),
    includeCategories: z.optional(z.array(z.string())),
    excludeCategories: z.optional(z.array(z.string())),
    /** The AppConfig version label of the flags this run used (`defaults` after a fallback). */
    flagsVersion: z.optional(z.string()),
    flagsSource: z.optional(z.enum(['appconfig', 'defaults'])),
  }),
  detectedAt: z.string(),
  /** True when the labels came from this version's earlier, recorded Rekognition answer. */
  fromCache: z.boolean(),
});
export type Detection = z.infer<typeof DetectionSchema>;

export const StoreInputSchema = z.extend(WorkflowInputSchema, {
  image: ImageMetadataSchema,
  detection: DetectionSchema,
});
