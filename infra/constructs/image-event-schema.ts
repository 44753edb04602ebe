/**
 * The schema of an image event's detail (functions/core/image-events.ts): the contract that
 * image-events.ts publishes to the EventBridge schema registry (as JSON Schema draft-04, which
 * zod writes), and that the tests hold every built event to. The functions build events from
 * data and never parse them, so the schema lives here, with the infrastructure that publishes it.
 */
import * as z from 'zod';
import {
  type ImageEventDetail,
  MAX_EVENT_ERROR_MESSAGE,
  MAX_EVENT_LABELS,
} from '../../functions/core/image-events';

export const ImageEventLabelSchema = z.object({
  name: z.string().min(1),
  confidence: z.number().min(0).max(100),
});

export const ImageEventDetailSchema = z.object({
  /** Stable across re-publishes of the same outcome: deduplicate on it. */
  eventId: z.string().regex(/^[0-9a-f]{64}$/),
  bucket: z.string().min(1),
  key: z.string().min(1),
  /** The S3 version id, or null for an unversioned object. */
  versionId: z.string().nullable(),
  /** The version id, or the ETag when there is none: the unit of idempotency. */
  objectVersion: z.string().min(1),
  status: z.enum(['LABELED', 'REJECTED', 'FAILED', 'DELETED']),
  /** LABELED: the labels, highest confidence first, at most MAX_EVENT_LABELS. Empty otherwise. */
  labels: z.array(ImageEventLabelSchema).max(MAX_EVENT_LABELS),
  labelCount: z.int().nonnegative(),
  labelModelVersion: z.string().nullable(),
  /** REJECTED: the rejection code (functions/core/errors.ts REJECTION_REASONS). */
  reason: z.string().nullable(),
  /** FAILED: the error's name and message. */
  error: z.object({ name: z.string(), message: z.string().max(MAX_EVENT_ERROR_MESSAGE) }).nullable(),
  /** When the outcome was recorded (ISO 8601). Not part of eventId. */
  occurredAt: z.iso.datetime(),
}) satisfies z.ZodType<ImageEventDetail>;
