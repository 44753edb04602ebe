/**
 * The data that flows through the label-image state machine. Each task receives the whole
 * state (`"Payload.$": "$"`) and returns only its own part, which the ASL merges in with
 * ResultPath. These schemas validate every task's input at the edge.
 *
 * Rekognition's answer (the labels, and StoreLabels' input) is in detection-schemas.ts: only
 * StoreLabels parses it, and the other tasks do not build it at cold start.
 */
import * as z from './zod';

export type { Detection, Label } from './detection-schemas';

/** One S3 object version: the unit of idempotency. */
export const ObjectRefSchema = z.object({
  bucket: z.string().check(z.minLength(3), z.maxLength(63)),
  key: z.string().check(z.minLength(1), z.maxLength(1024)),
  /** Present when the bucket is versioned (ours is); the ETag stands in for it otherwise. */
  versionId: z.optional(z.string().check(z.minLength(1))),
  eTag: z.string().check(z.minLength(1)),
  size: z.int().check(z.nonnegative()),
  /** S3's per-key event order, used so an older version never overwrites a newer one. */
  sequencer: z.string().check(z.regex(/^[0-9A-Fa-f]+$/)),
});
export type ObjectRef = z.infer<typeof ObjectRefSchema>;

/**
 * Set only by a reconcile pass (functions/core/reconcile.ts) that asks to label a version again
 * that already ended LABELED or REJECTED: the claim takes that version over only while its
 * `attempts` is still the number the reconcile saw, so two passes that saw the same state cause
 * one run, not two.
 */
export const ReprocessSchema = z.object({ ifAttempts: z.int().check(z.nonnegative()) });
export type Reprocess = z.infer<typeof ReprocessSchema>;

export const WorkflowInputSchema = z.object({
  object: ObjectRefSchema,
  eventTime: z.string(),
  reprocess: z.optional(ReprocessSchema),
});
export type WorkflowInput = z.infer<typeof WorkflowInputSchema>;

export const ClaimResultSchema = z.object({
  status: z.enum(['CLAIMED', 'ALREADY_DONE']),
  attempt: z.int().check(z.positive()),
});
export type ClaimResult = z.infer<typeof ClaimResultSchema>;

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

export const ClaimInputSchema = WorkflowInputSchema;
export const ValidateInputSchema = WorkflowInputSchema;
export const DetectInputSchema = z.extend(WorkflowInputSchema, { image: ImageMetadataSchema });

/** What a Catch puts at `$.error`. */
export const TaskErrorSchema = z.object({ Error: z.string(), Cause: z.optional(z.string()) });

export const RecordOutcomeInputSchema = z.object({
  outcome: z.enum(['REJECTED', 'FAILED']),
  state: z.extend(WorkflowInputSchema, {
    /** Absent when ClaimImage itself failed: the run never held the version. */
    claim: z.optional(ClaimResultSchema),
    image: z.optional(ImageMetadataSchema),
    error: TaskErrorSchema,
  }),
});
export type RecordOutcomeInput = z.infer<typeof RecordOutcomeInputSchema>;
