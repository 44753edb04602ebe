/**
 * The schema of an image event's detail (functions/core/image-events.ts): the contract that
 * infra/constructs/image-events.ts publishes to the EventBridge schema registry, and that the
 * tests hold every built event to.
 *
 * A module of its own: the functions that publish events build them from data and never parse
 * them, so they do not import this one, and do not build it at cold start (its timestamp check
 * alone compiles a large regular expression; `npm run bench`, docs/performance.md).
 */
import { MAX_EVENT_ERROR_MESSAGE, MAX_EVENT_LABELS } from './image-events';
import * as z from './zod';

export const ImageEventLabelSchema = z.object({
  name: z.string().check(z.minLength(1)),
  confidence: z.number().check(z.gte(0), z.lte(100)),
});

export const ImageEventDetailSchema = z.object({
  /** Stable across re-publishes of the same outcome: deduplicate on it. */
  eventId: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  bucket: z.string().check(z.minLength(1)),
  key: z.string().check(z.minLength(1)),
  /** The S3 version id, or null for an unversioned object. */
  versionId: z.nullable(z.string()),
  /** The version id, or the ETag when there is none: the unit of idempotency. */
  objectVersion: z.string().check(z.minLength(1)),
  status: z.enum(['LABELED', 'REJECTED', 'FAILED', 'DELETED']),
  /** LABELED: the labels, highest confidence first, at most MAX_EVENT_LABELS. Empty otherwise. */
  labels: z.array(ImageEventLabelSchema).check(z.maxLength(MAX_EVENT_LABELS)),
  labelCount: z.int().check(z.nonnegative()),
  labelModelVersion: z.nullable(z.string()),
  /** REJECTED: the rejection code (functions/core/errors.ts REJECTION_REASONS). */
  reason: z.nullable(z.string()),
  /** FAILED: the error's name and message. */
  error: z.nullable(
    z.object({ name: z.string(), message: z.string().check(z.maxLength(MAX_EVENT_ERROR_MESSAGE)) }),
  ),
  /** When the outcome was recorded (ISO 8601). Not part of eventId. */
  occurredAt: z.iso.datetime(),
});
export type ImageEventDetail = z.infer<typeof ImageEventDetailSchema>;
