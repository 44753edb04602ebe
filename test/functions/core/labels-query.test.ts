/** How the API's reads of the labels table become hits, summaries and ranked label counts. */
import { describe, expect, it } from 'vitest';
import {
  confidenceLowerBound,
  imageSummaryOf,
  labelHitOf,
  rankLabelCounts,
} from '../../../functions/core/labels-query';

describe('confidenceLowerBound', () => {
  it('is the padded confidence, so it compares as a string like gsi1sk does', () => {
    expect(confidenceLowerBound(80)).toBe('080.000');
    expect(confidenceLowerBound(5.5) < confidenceLowerBound(50)).toBe(true);
  });

  it('clamps to 0..100', () => {
    expect(confidenceLowerBound(-1)).toBe('000.000');
    expect(confidenceLowerBound(101)).toBe('100.000');
  });
});

describe('labelHitOf', () => {
  it('keeps the key, name, confidence and object version of a LABEL item', () => {
    const item = {
      pk: 'IMAGE#a',
      sk: 'LABEL#Dog',
      key: 'a',
      name: 'Dog',
      confidence: 91.5,
      objectVersion: 'v1',
      gsi1pk: 'x',
    };
    expect(labelHitOf(item)).toEqual({ key: 'a', name: 'Dog', confidence: 91.5, objectVersion: 'v1' });
  });
});

describe('imageSummaryOf', () => {
  it('lists the top labels and the version id when the item has them', () => {
    const item = { key: 'a', status: 'LABELED', updatedAt: 't', topLabels: ['Dog', 'Ball'], versionId: 'v1' };
    expect(imageSummaryOf(item)).toEqual({
      key: 'a',
      status: 'LABELED',
      updatedAt: 't',
      topLabels: ['Dog', 'Ball'],
      versionId: 'v1',
    });
  });

  it('gives an item without top labels an empty list and no version id', () => {
    expect(imageSummaryOf({ key: 'a', status: 'REJECTED', updatedAt: 't' })).toEqual({
      key: 'a',
      status: 'REJECTED',
      updatedAt: 't',
      topLabels: [],
    });
  });
});

describe('rankLabelCounts', () => {
  const items = [
    { name: 'Cat', imageCount: 2 },
    { name: 'Dog', imageCount: 5 },
    { name: 'Ball', imageCount: 2 },
    { name: 'Gone', imageCount: 0 },
    { name: 'Unset' },
  ];

  it('ranks most frequent first, ties by name, and leaves out labels no image carries', () => {
    expect(rankLabelCounts(items, 10)).toEqual([
      { name: 'Dog', imageCount: 5 },
      { name: 'Ball', imageCount: 2 },
      { name: 'Cat', imageCount: 2 },
    ]);
  });

  it('keeps at most `limit`', () => {
    expect(rankLabelCounts(items, 2).map((count) => count.name)).toEqual(['Dog', 'Ball']);
  });
});
