/**
 * Rekognition's answer as the workflow carries it from DetectLabels to StoreLabels
 * (functions/core/workflow-schemas.ts has the rest of the workflow's data), and StoreLabels'
 * input. A module of its own so that only StoreLabels, which parses it, builds it at cold start.
 */
import * as v from 'valibot';
import { ImageMetadataSchema } from './validated-image-schemas';
import { int } from './validation';
import { WorkflowInputSchema } from './workflow-schemas';

const confidence = v.pipe(v.number(), v.minValue(0), v.maxValue(100));

export const BoundingBoxSchema = v.object({
  left: v.number(),
  top: v.number(),
  width: v.number(),
  height: v.number(),
});

export const LabelSchema = v.object({
  name: v.pipe(v.string(), v.minLength(1)),
  confidence,
  parents: v.array(v.string()),
  categories: v.array(v.string()),
  aliases: v.array(v.string()),
  instances: v.array(v.object({ confidence, box: BoundingBoxSchema })),
});
export type Label = v.InferOutput<typeof LabelSchema>;

export const DetectionSchema = v.object({
  labels: v.array(LabelSchema),
  labelModelVersion: v.string(),
  settings: v.object({
    minConfidence: v.number(),
    maxLabels: int,
    /** GeneralLabels filters from the labelFilters flag, recorded only when one was set. */
    includeLabels: v.optional(v.array(v.string())),
    excludeLabels: v.optional(v.array(v.string())),
    includeCategories: v.optional(v.array(v.string())),
    excludeCategories: v.optional(v.array(v.string())),
    /** The AppConfig version label of the flags this run used (`defaults` after a fallback). */
    flagsVersion: v.optional(v.string()),
    flagsSource: v.optional(v.picklist(['appconfig', 'defaults'])),
  }),
  detectedAt: v.string(),
  /** True when the labels came from this version's earlier, recorded Rekognition answer. */
  fromCache: v.boolean(),
});
export type Detection = v.InferOutput<typeof DetectionSchema>;

export const StoreInputSchema = v.object({
  ...WorkflowInputSchema.entries,
  image: ImageMetadataSchema,
  detection: DetectionSchema,
});
