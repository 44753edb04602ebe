import { describe, expect, it } from 'vitest';
import { generalLabelsSettings, mapRekognitionError, toLabel } from '../../../functions/core/labeling';

describe('toLabel', () => {
  it('fills in defaults and skips instances without a bounding box', () => {
    expect(
      toLabel({ Confidence: 80, Instances: [{ Confidence: 70 }, { BoundingBox: { Left: 0.5 } }] }),
    ).toEqual({
      name: 'Unknown',
      confidence: 80,
      parents: [],
      categories: [],
      aliases: [],
      instances: [{ confidence: 80, box: { left: 0.5, top: 0, width: 0, height: 0 } }],
    });
  });
});

describe('mapRekognitionError', () => {
  it('returns a non-Error value as it is', () => {
    expect(mapRekognitionError('weird')).toBe('weird');
  });
});

describe('generalLabelsSettings', () => {
  it('sends no Settings when no filter is set', () => {
    expect(
      generalLabelsSettings({ minConfidence: 70, maxLabels: 25, includeLabels: [], excludeLabels: [] }),
    ).toBeUndefined();
  });

  it('sends the filters that are set, and only those', () => {
    expect(
      generalLabelsSettings({ minConfidence: 70, maxLabels: 25, includeLabels: ['Dog'], excludeLabels: [] }),
    ).toEqual({ LabelInclusionFilters: ['Dog'] });
  });
});
