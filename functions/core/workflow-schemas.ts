/**
 * The data that flows through the label-image state machine. Each task receives the whole
 * state (`"Payload.$": "$"`) and returns only its own part, which the ASL merges in with
 * ResultPath. These schemas validate every task's input at the edge.
 */
import * as z from 'zod';

/** One S3 object version: the unit of idempotency. */
export const ObjectRefSchema = z.object({
  bucket: z.string().min(3).max(63),
  key: z.string().min(1).max(1024),
  /** Present when the bucket is versioned (ours is); the ETag stands in for it otherwise. */
  versionId: z.string().min(1).optional(),
  eTag: z.string().min(1),
  size: z.number().int().nonnegative(),
  /** S3's per-key event order, used so an older version never overwrites a newer one. */
  sequencer: z.string().regex(/^[0-9A-Fa-f]+$/),
});
export type ObjectRef = z.infer<typeof ObjectRefSchema>;

/**
 * Set only by a reconcile pass (functions/core/reconcile.ts) that asks to label a version again
 * that already ended LABELED or REJECTED: the claim takes that version over only while its
 * `attempts` is still the number the reconcile saw, so two passes that saw the same state cause
 * one run, not two.
 */
export const ReprocessSchema = z.object({ ifAttempts: z.number().int().nonnegative() });
export type Reprocess = z.infer<typeof ReprocessSchema>;

export const WorkflowInputSchema = z.object({
  object: ObjectRefSchema,
  eventTime: z.string(),
  reprocess: ReprocessSchema.optional(),
});
export type WorkflowInput = z.infer<typeof WorkflowInputSchema>;

export const ClaimResultSchema = z.object({
  status: z.enum(['CLAIMED', 'ALREADY_DONE']),
  attempt: z.number().int().positive(),
});
export type ClaimResult = z.infer<typeof ClaimResultSchema>;

export const ImageMetadataSchema = z.object({
  format: z.enum(['jpeg', 'png']),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  size: z.number().int().positive(),
  contentType: z.string().optional(),
  /** EXIF orientation (1-8) of a JPEG, when present. */
  orientation: z.number().int().min(1).max(8).optional(),
});
export type ImageMetadata = z.infer<typeof ImageMetadataSchema>;

export const BoundingBoxSchema = z.object({
  left: z.number(),
  top: z.number(),
  width: z.number(),
  height: z.number(),
});

export const LabelSchema = z.object({
  name: z.string().min(1),
  confidence: z.number().min(0).max(100),
  parents: z.array(z.string()),
  categories: z.array(z.string()),
  aliases: z.array(z.string()),
  instances: z.array(z.object({ confidence: z.number().min(0).max(100), box: BoundingBoxSchema })),
});
export type Label = z.infer<typeof LabelSchema>;

export const DetectionSchema = z.object({
  labels: z.array(LabelSchema),
  labelModelVersion: z.string(),
  settings: z.object({
    minConfidence: z.number(),
    maxLabels: z.number().int(),
    /** GeneralLabels filters from the labelFilters flag, recorded only when one was set. */
    includeLabels: z.array(z.string()).optional(),
    excludeLabels: z.array(z.string()).optional(),
    includeCategories: z.array(z.string()).optional(),
    excludeCategories: z.array(z.string()).optional(),
    /** The AppConfig version label of the flags this run used (`defaults` after a fallback). */
    flagsVersion: z.string().optional(),
    flagsSource: z.enum(['appconfig', 'defaults']).optional(),
  }),
  detectedAt: z.string(),
  /** True when the labels came from this version's earlier, recorded Rekognition answer. */
  fromCache: z.boolean(),
});
export type Detection = z.infer<typeof DetectionSchema>;

export const ClaimInputSchema = WorkflowInputSchema;
export const ValidateInputSchema = WorkflowInputSchema;
export const DetectInputSchema = WorkflowInputSchema.extend({ image: ImageMetadataSchema });
export const StoreInputSchema = WorkflowInputSchema.extend({
  image: ImageMetadataSchema,
  detection: DetectionSchema,
});

/** What a Catch puts at `$.error`. */
export const TaskErrorSchema = z.object({ Error: z.string(), Cause: z.string().optional() });

export const RecordOutcomeInputSchema = z.object({
  outcome: z.enum(['REJECTED', 'FAILED']),
  state: WorkflowInputSchema.extend({
    /** Absent when ClaimImage itself failed: the run never held the version. */
    claim: ClaimResultSchema.optional(),
    image: ImageMetadataSchema.optional(),
    error: TaskErrorSchema,
  }),
});
export type RecordOutcomeInput = z.infer<typeof RecordOutcomeInputSchema>;
