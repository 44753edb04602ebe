/**
 * Image events: the contract between this application and whoever reacts to it. Every final
 * outcome of an image (LABELED, REJECTED, FAILED) and every removal is published on the stage's
 * EventBridge bus, `image-labeling-<stage>`, with source `image-labeling`.
 *
 * Delivery is at least once. The envelope's `id` is EventBridge's and differs per publish; the
 * detail's `eventId` is ours and is the same every time the same outcome of the same object
 * version is published (a task retried after a crash, a run repeated after its record was
 * written): consumers deduplicate on `detail.eventId`. It is a digest of what the event says
 * (bucket, key, version, detail type and content), so a version labeled again with a different
 * result is a new event, and the same result again is not.
 *
 * Pure: builds entries from data. The adapter that sends them is functions/adapters/event-bus.ts;
 * the bus, its schema in the registry and its rules are infra/constructs/image-events.ts. The
 * detail's schema, which the registry publishes and the tests hold every built event to, is
 * infra/constructs/image-event-schema.ts: the functions build events and never parse them.
 */
import { createHash } from 'node:crypto';

export const IMAGE_EVENT_SOURCE = 'image-labeling';

export const IMAGE_EVENT_TYPES = {
  LABELED: 'Image Labeled',
  REJECTED: 'Image Rejected',
  FAILED: 'Image Failed',
  DELETED: 'Image Deleted',
} as const;
export type ImageEventStatus = keyof typeof IMAGE_EVENT_TYPES;
export type ImageEventType = (typeof IMAGE_EVENT_TYPES)[ImageEventStatus];

/** The stage's bus. Its name is fixed by the stage so that rules in other stacks can name it. */
export const imageEventBusName = (stage: string) => `image-labeling-${stage}`;

/** At most this many labels ride in an event (the highest confidence first); `labelCount` says how many there are. */
export const MAX_EVENT_LABELS = 50;
/** Error messages are cut to this many characters. */
export const MAX_EVENT_ERROR_MESSAGE = 1000;

/** An image event's detail (the schema: infra/constructs/image-event-schema.ts). */
export interface ImageEventDetail {
  /** Stable across re-publishes of the same outcome: deduplicate on it. */
  eventId: string;
  bucket: string;
  key: string;
  /** The S3 version id, or null for an unversioned object. */
  versionId: string | null;
  /** The version id, or the ETag when there is none: the unit of idempotency. */
  objectVersion: string;
  status: ImageEventStatus;
  /** LABELED: the labels, highest confidence first, at most MAX_EVENT_LABELS. Empty otherwise. */
  labels: { name: string; confidence: number }[];
  labelCount: number;
  labelModelVersion: string | null;
  /** REJECTED: the rejection code (functions/core/errors.ts REJECTION_REASONS). */
  reason: string | null;
  /** FAILED: the error's name and message. */
  error: { name: string; message: string } | null;
  /** When the outcome was recorded (ISO 8601). Not part of eventId. */
  occurredAt: string;
}

/** One PutEvents entry, without the bus name (the adapter adds it). */
export interface ImageEvent {
  source: typeof IMAGE_EVENT_SOURCE;
  detailType: ImageEventType;
  detail: ImageEventDetail;
}

/** What a task knows about an outcome when it publishes it. */
export interface ImageOutcome {
  bucket: string;
  key: string;
  versionId?: string | null | undefined;
  objectVersion: string;
  status: ImageEventStatus;
  labels?: readonly { name: string; confidence: number }[] | undefined;
  labelModelVersion?: string | null | undefined;
  reason?: string | null | undefined;
  error?: { name: string; message: string } | null | undefined;
  occurredAt: string;
}

/** The interface the tasks publish through (an EventBridge adapter, or a fake in tests). */
export interface ImageEventPublisher {
  publish(events: readonly ImageEvent[]): Promise<void>;
}

export function buildImageEvent(outcome: ImageOutcome): ImageEvent {
  const labels = [...(outcome.labels ?? [])]
    .sort((a, b) => b.confidence - a.confidence || a.name.localeCompare(b.name))
    .map(({ name, confidence }) => ({ name, confidence }));
  const error = outcome.error
    ? { name: outcome.error.name, message: outcome.error.message.slice(0, MAX_EVENT_ERROR_MESSAGE) }
    : null;
  const content = {
    bucket: outcome.bucket,
    key: outcome.key,
    versionId: outcome.versionId ?? null,
    objectVersion: outcome.objectVersion,
    status: outcome.status,
    labels: labels.slice(0, MAX_EVENT_LABELS),
    labelCount: labels.length,
    labelModelVersion: outcome.labelModelVersion ?? null,
    reason: outcome.reason ?? null,
    error,
  };
  // Everything but the time: the same outcome published again gets the same id.
  const eventId = createHash('sha256').update(JSON.stringify(content)).digest('hex');
  return {
    source: IMAGE_EVENT_SOURCE,
    detailType: IMAGE_EVENT_TYPES[outcome.status],
    detail: { eventId, ...content, occurredAt: outcome.occurredAt },
  };
}
