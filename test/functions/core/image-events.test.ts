import { describe, expect, it } from 'vitest';
import {
  buildImageEvent,
  IMAGE_EVENT_SOURCE,
  type ImageOutcome,
  imageEventBusName,
  MAX_EVENT_ERROR_MESSAGE,
  MAX_EVENT_LABELS,
} from '../../../functions/core/image-events';
import { ImageEventDetailSchema } from '../../../infra/constructs/image-event-schema';

const LABELS = [
  { name: 'Beach', confidence: 80.5 },
  { name: 'Dog', confidence: 99.1 },
];
const labeled: ImageOutcome = {
  bucket: 'images',
  key: 'albums/dog.jpg',
  versionId: 'v2',
  objectVersion: 'v2',
  status: 'LABELED',
  labels: LABELS,
  labelModelVersion: '3.0',
  occurredAt: '2026-12-02T10:00:00.000Z',
};

describe('image events', () => {
  it('names the bus after the stage', () => {
    expect(imageEventBusName('prod')).toBe('image-labeling-prod');
  });

  it('builds an Image Labeled event with the labels, highest confidence first, valid by its schema', () => {
    const event = buildImageEvent(labeled);

    expect(event).toMatchObject({ source: IMAGE_EVENT_SOURCE, detailType: 'Image Labeled' });
    expect(event.detail).toMatchObject({
      bucket: 'images',
      key: 'albums/dog.jpg',
      versionId: 'v2',
      status: 'LABELED',
      labels: [
        { name: 'Dog', confidence: 99.1 },
        { name: 'Beach', confidence: 80.5 },
      ],
      labelCount: 2,
      labelModelVersion: '3.0',
      reason: null,
      error: null,
    });
    expect(ImageEventDetailSchema.parse(event.detail)).toEqual(event.detail);
  });

  it.each([
    ['REJECTED', 'Image Rejected', { reason: 'CORRUPT_IMAGE', labels: [] }],
    [
      'FAILED',
      'Image Failed',
      { error: { name: 'RekognitionThrottled', message: 'Rate exceeded' }, labels: [] },
    ],
    ['DELETED', 'Image Deleted', { labels: [] }],
  ] as const)('builds a %s outcome as "%s"', (status, detailType, extra) => {
    const event = buildImageEvent({ ...labeled, labelModelVersion: null, ...extra, status });

    expect(event.detailType).toBe(detailType);
    expect(ImageEventDetailSchema.parse(event.detail).status).toBe(status);
  });

  it('gives the same outcome the same eventId whenever it is published', () => {
    const first = buildImageEvent(labeled);
    const again = buildImageEvent({
      ...labeled,
      occurredAt: '2026-12-02T10:00:07.000Z',
      labels: [...LABELS].reverse(),
    });

    expect(again.detail.eventId).toBe(first.detail.eventId);
    expect(again.detail.occurredAt).not.toBe(first.detail.occurredAt);
  });

  it.each([
    ['another version', { objectVersion: 'v3', versionId: 'v3' }],
    ['another key', { key: 'albums/cat.jpg' }],
    ['other labels', { labels: [{ name: 'Dog', confidence: 98 }] }],
    ['another label model', { labelModelVersion: '3.1' }],
    ['another outcome', { status: 'DELETED' as const }],
  ])('gives %s a new eventId', (_, change) => {
    expect(buildImageEvent({ ...labeled, ...change }).detail.eventId).not.toBe(
      buildImageEvent(labeled).detail.eventId,
    );
  });

  it('bounds what an event carries: the top labels, counted, and a cut error message', () => {
    const labels = Array.from({ length: MAX_EVENT_LABELS + 20 }, (_, i) => ({
      name: `L${i}`,
      confidence: i,
    }));
    const many = buildImageEvent({ ...labeled, labels });
    const failed = buildImageEvent({
      ...labeled,
      status: 'FAILED',
      labels: [],
      error: { name: 'X', message: 'm'.repeat(MAX_EVENT_ERROR_MESSAGE * 3) },
    });

    expect(many.detail.labels).toHaveLength(MAX_EVENT_LABELS);
    expect(many.detail.labels[0]?.name).toBe(`L${MAX_EVENT_LABELS + 19}`);
    expect(many.detail.labelCount).toBe(MAX_EVENT_LABELS + 20);
    expect(failed.detail.error?.message).toHaveLength(MAX_EVENT_ERROR_MESSAGE);
    expect(ImageEventDetailSchema.safeParse(many.detail).success).toBe(true);
  });
});
