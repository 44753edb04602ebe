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
 * detail's schema is functions/core/image-event-schema.ts, a module of its own so that the
 * functions that publish do not build it at cold start.
 */
import { createHash } from 'node:crypto';
import type { ImageEventDetail } from './image-event-schema';

export type { ImageEventDetail } from './image-event-schema';

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
