/**
 * The data that flows through the label-image state machine. Each task receives the whole
 * state (`"Payload.$": "$"`) and returns only its own part, which the ASL merges in with
 * ResultPath. These schemas validate every task's input at the edge.
 *
 * Each task's schemas live where only the functions that parse them import them, since a module
 * builds all its schemas at cold start (esbuild cannot drop an unused one: evanw/esbuild#4369):
 * this module holds the object version and the workflow's input, which ClaimImage,
 * ValidateImage and the ingest parse; validated-image-schemas.ts what ValidateImage adds;
 * detection-schemas.ts Rekognition's answer; record-outcome-schemas.ts RecordOutcome's input.
 */
import * as v from 'valibot';
import { int } from './validation';

export type { Detection, Label } from './detection-schemas';
export type { ClaimResult, RecordOutcomeInput } from './record-outcome-schemas';
export type { ImageMetadata } from './validated-image-schemas';

/** One S3 object version: the unit of idempotency. */
export const ObjectRefSchema = v.object({
  bucket: v.pipe(v.string(), v.minLength(3), v.maxLength(63)),
  key: v.pipe(v.string(), v.minLength(1), v.maxLength(1024)),
  /** Present when the bucket is versioned (ours is); the ETag stands in for it otherwise. */
  versionId: v.optional(v.pipe(v.string(), v.minLength(1))),
  eTag: v.pipe(v.string(), v.minLength(1)),
  size: v.pipe(int, v.minValue(0)),
  /** S3's per-key event order, used so an older version never overwrites a newer one. */
  sequencer: v.pipe(v.string(), v.regex(/^[0-9A-Fa-f]+$/)),
});
export type ObjectRef = v.InferOutput<typeof ObjectRefSchema>;

/**
 * Set only by a reconcile pass (functions/core/reconcile.ts) that asks to label a version again
 * that already ended LABELED or REJECTED: the claim takes that version over only while its
 * `attempts` is still the number the reconcile saw, so two passes that saw the same state cause
 * one run, not two.
 */
export const ReprocessSchema = v.object({ ifAttempts: v.pipe(int, v.minValue(0)) });
export type Reprocess = v.InferOutput<typeof ReprocessSchema>;

export const WorkflowInputSchema = v.object({
  object: ObjectRefSchema,
  eventTime: v.string(),
  reprocess: v.optional(ReprocessSchema),
});
export type WorkflowInput = v.InferOutput<typeof WorkflowInputSchema>;

export const ClaimInputSchema = WorkflowInputSchema;
export const ValidateInputSchema = WorkflowInputSchema;
