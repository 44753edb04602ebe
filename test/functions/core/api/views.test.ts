import { describe, expect, it } from 'vitest';
import { imageView, safeFileName } from '../../../../functions/core/api/views';
import type { ImageItem } from '../../../../functions/core/labels-table';
import { label } from '../../../support/workflow';

const item: ImageItem = {
  pk: 'IMAGE#a.png',
  sk: 'IMAGE',
  bucket: 'images',
  key: 'a.png',
  status: 'FAILED',
  objectVersion: 'etag:e',
  eTag: 'e',
  sequencer: '0A',
  size: 10,
  labels: [label('Cat', 90)],
  labelNames: ['Cat'],
  error: { name: 'Throttled', message: 'slow down' },
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('imageView', () => {
  it('shows the image and its labels, never table keys, bucket or event internals', () => {
    expect(imageView(item)).toEqual({
      key: 'a.png',
      status: 'FAILED',
      objectVersion: 'etag:e',
      size: 10,
      labels: [{ name: 'Cat', confidence: 90, parents: [], categories: [], aliases: [], instances: [] }],
      error: { name: 'Throttled', message: 'slow down' },
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('keeps only the documented fields of nested values', () => {
    const view = imageView({
      ...item,
      settings: { minConfidence: 70, maxLabels: 25, extra: 1 } as ImageItem['settings'],
      error: { name: 'E', message: 'm', stack: 'at x.ts' } as ImageItem['error'],
    });
    expect(view.settings).toEqual({ minConfidence: 70, maxLabels: 25 });
    expect(view.error).toEqual({ name: 'E', message: 'm' });
  });
});

describe('safeFileName', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\photo.jpg', 'photo.jpg'],
    ['My Photo (1).PNG', 'My-Photo-1-.PNG'],
    ['...', 'image'],
    ['ünïcödé.png', 'unicode.png'],
    [`${'x'.repeat(200)}.png`, `${'x'.repeat(96)}.png`],
  ])('makes %j a safe file name %j', (input, safe) => {
    expect(safeFileName(input)).toBe(safe);
  });
});
