import { describe, expect, it } from 'vitest';
import { CALIBRATION_KNOTS, calibrate, rawThresholdFor } from '../../../local/rekognition/calibration';
import {
  type Detection,
  decodeCenterNetRows,
  suppressDuplicates,
} from '../../../local/rekognition/centernet';
import { buildLabels, parseLabelOptions, passesFilters } from '../../../local/rekognition/detect-labels';
import {
  ancestorsOf,
  COCO_CLASSES,
  categoriesOf,
  isKnownLabel,
  rekognitionName,
} from '../../../local/rekognition/taxonomy';

const box = { left: 0.1, top: 0.2, width: 0.3, height: 0.4 };
const det = (className: string, score: number, b = box): Detection => ({ className, score, box: b });
const defaults = { minConfidence: 55, maxLabels: 1000 };

describe('rekognitionName (COCO -> Rekognition naming)', () => {
  it('title-cases simple COCO classes', () => {
    expect(rekognitionName('person')).toBe('Person');
    expect(rekognitionName('cup')).toBe('Cup');
    expect(rekognitionName('cat')).toBe('Cat');
    expect(rekognitionName('dining table')).toBe('Dining Table');
  });

  it("uses Rekognition's own names where they differ from COCO's", () => {
    expect(rekognitionName('cell phone')).toBe('Mobile Phone');
    expect(rekognitionName('tv')).toBe('TV');
    expect(rekognitionName('hair drier')).toBe('Blow Dryer');
    expect(rekognitionName('sports ball')).toBe('Ball');
  });

  it('knows every COCO class and every ancestor in the taxonomy', () => {
    expect(COCO_CLASSES).toHaveLength(80);
    const unknown = COCO_CLASSES.map(rekognitionName).flatMap((name) =>
      [name, ...ancestorsOf(name)].filter((n) => !isKnownLabel(n) || categoriesOf(n).length === 0),
    );
    expect(unknown).toEqual([]);
  });
});

describe('ancestorsOf / categoriesOf (label hierarchy)', () => {
  it('lists all ancestors of a label, sorted by name', () => {
    expect(ancestorsOf('Cat')).toEqual(['Animal', 'Mammal', 'Pet']);
    expect(ancestorsOf('Dog')).toEqual(['Animal', 'Canine', 'Mammal', 'Pet']);
    expect(ancestorsOf('Person')).toEqual([]);
  });

  it('gives categories in Rekognition style', () => {
    expect(categoriesOf('Cat')).toEqual(['Animals and Pets']);
    expect(categoriesOf('Cup')).toEqual(['Kitchen and Dining']);
  });
});

describe('calibrate (raw score -> Rekognition confidence)', () => {
  it('is strictly increasing over 0..1 and stays within 0..100', () => {
    const values = Array.from({ length: 1001 }, (_, i) => calibrate(i / 1000));
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1] ?? Number.NaN);
    expect(values[0]).toBe(0);
    expect(values[1000]).toBeLessThanOrEqual(100);
  });

  it('passes through its knots: clear subjects (raw 0.45-0.60) land at 85-97', () => {
    for (const [raw, confidence] of CALIBRATION_KNOTS) expect(calibrate(raw)).toBeCloseTo(confidence, 9);
    expect(calibrate(0.3)).toBeCloseTo(55, 9);
    expect(calibrate(0.6)).toBeCloseTo(97, 9);
  });

  it('clamps out-of-range input and is inverted by rawThresholdFor', () => {
    expect(calibrate(-1)).toBe(0);
    expect(calibrate(Number.NaN)).toBe(0);
    expect(calibrate(2)).toBeCloseTo(99.9, 9);
    for (const c of [10, 55, 80, 90, 98]) expect(calibrate(rawThresholdFor(c))).toBeCloseTo(c, 9);
  });
});

describe('buildLabels (detections -> Rekognition labels)', () => {
  it('returns one label per class with all its instances; confidence = best instance', () => {
    const labels = buildLabels(
      [det('person', 0.6), det('person', 0.45, { left: 0.6, top: 0, width: 0.2, height: 0.5 })],
      defaults,
    );
    expect(labels).toHaveLength(1);
    const [person] = labels;
    expect(person?.Name).toBe('Person');
    expect(person?.Confidence).toBeCloseTo(calibrate(0.6), 9);
    expect(person?.Instances?.map((i) => i.Confidence)).toEqual([calibrate(0.6), calibrate(0.45)]);
    expect(person).toMatchObject({ Parents: [], Aliases: [], Categories: [{ Name: 'Person Description' }] });
  });

  it('reports bounding boxes as ratios (Width, Height, Left, Top)', () => {
    const [cup] = buildLabels([det('cup', 0.5)], defaults);
    expect(cup?.Instances?.[0]?.BoundingBox).toEqual({ Width: 0.3, Height: 0.4, Left: 0.1, Top: 0.2 });
  });

  it('also returns every parent as its own label without instances', () => {
    const labels = buildLabels([det('cat', 0.5)], defaults);
    expect(labels.map((l) => l.Name).sort()).toEqual(['Animal', 'Cat', 'Mammal', 'Pet']);
    const cat = labels.find((l) => l.Name === 'Cat');
    const mammal = labels.find((l) => l.Name === 'Mammal');
    expect(cat?.Parents).toEqual([{ Name: 'Animal' }, { Name: 'Mammal' }, { Name: 'Pet' }]);
    expect(cat?.Categories).toEqual([{ Name: 'Animals and Pets' }]);
    expect(mammal).toMatchObject({
      Instances: [],
      Parents: [{ Name: 'Animal' }],
      Confidence: cat?.Confidence,
    });
  });

  it('gives a parent the confidence of its most confident child', () => {
    const labels = buildLabels([det('cat', 0.4), det('dog', 0.55)], defaults);
    expect(labels.find((l) => l.Name === 'Animal')?.Confidence).toBeCloseTo(calibrate(0.55), 9);
  });

  it('drops labels and instances below MinConfidence', () => {
    const detections = [det('person', 0.6), det('person', 0.32), det('cup', 0.2)];
    const labels = buildLabels(detections, { ...defaults, minConfidence: 60 });
    expect(labels.map((l) => l.Name)).toEqual(['Person']);
    expect(labels[0]?.Instances).toHaveLength(1);
    expect(buildLabels(detections, { ...defaults, minConfidence: 0 }).map((l) => l.Name)).toEqual([
      'Person',
      'Cup',
    ]);
  });

  it('sorts by confidence and keeps at most MaxLabels', () => {
    const detections = [det('cup', 0.5), det('person', 0.6), det('bottle', 0.4)];
    expect(buildLabels(detections, defaults).map((l) => l.Name)).toEqual(['Person', 'Cup', 'Bottle']);
    expect(buildLabels(detections, { ...defaults, maxLabels: 2 }).map((l) => l.Name)).toEqual([
      'Person',
      'Cup',
    ]);
    expect(buildLabels(detections, { ...defaults, maxLabels: 0 })).toEqual([]);
  });

  it('applies label and category inclusion/exclusion filters', () => {
    const detections = [det('cat', 0.5), det('cup', 0.5), det('person', 0.6)];
    const names = (filters: Parameters<typeof buildLabels>[1]['filters']): string[] =>
      buildLabels(detections, { ...defaults, filters })
        .map((l) => l.Name ?? '')
        .sort();
    expect(names({ LabelInclusionFilters: ['Cat'] })).toEqual(['Cat']);
    expect(names({ LabelCategoryInclusionFilters: ['Animals and Pets'] })).toEqual([
      'Animal',
      'Cat',
      'Mammal',
      'Pet',
    ]);
    expect(names({ LabelExclusionFilters: ['Person', 'Animal'] })).toEqual(['Cat', 'Cup', 'Mammal', 'Pet']);
    expect(names({ LabelCategoryExclusionFilters: ['Animals and Pets'] })).toEqual(['Cup', 'Person']);
    expect(
      names({ LabelInclusionFilters: ['Cup'], LabelCategoryInclusionFilters: ['Person Description'] }),
    ).toEqual(['Cup', 'Person']);
  });
});

describe('passesFilters', () => {
  it('applies exclusions after inclusions and matches names case-insensitively', () => {
    const filters = { LabelCategoryInclusionFilters: ['animals and pets'], LabelExclusionFilters: ['pet'] };
    expect(passesFilters('Cat', ['Animals and Pets'], filters)).toBe(true);
    expect(passesFilters('Pet', ['Animals and Pets'], filters)).toBe(false);
    expect(passesFilters('Cup', ['Kitchen and Dining'], filters)).toBe(false);
    expect(passesFilters('Cup', ['Kitchen and Dining'])).toBe(true);
  });
});

describe('parseLabelOptions (request validation)', () => {
  it('defaults MinConfidence to 55 and MaxLabels to 1000', () => {
    expect(parseLabelOptions({})).toMatchObject({ minConfidence: 55, maxLabels: 1000, generalLabels: true });
  });

  it.each([
    [{ MinConfidence: -1 }],
    [{ MinConfidence: 101 }],
    [{ MinConfidence: '50' as unknown as number }],
    [{ MaxLabels: -1 }],
    [{ MaxLabels: 1.5 }],
    [{ Features: ['FACES'] }],
    [{ Settings: { GeneralLabels: { LabelInclusionFilters: 'Cat' as unknown as string[] } } }],
  ])('rejects %j with InvalidParameterException', (input) => {
    expect(() => parseLabelOptions(input)).toThrowError(
      expect.objectContaining({ name: 'InvalidParameterException' }),
    );
  });

  it('turns general labels off when Features omits GENERAL_LABELS', () => {
    expect(parseLabelOptions({ Features: ['IMAGE_PROPERTIES'] }).generalLabels).toBe(false);
    expect(parseLabelOptions({ Features: ['GENERAL_LABELS'] }).generalLabels).toBe(true);
  });
});

describe('decodeCenterNetRows (model output -> detections)', () => {
  it('converts model-input pixels to ratios, clamps to the image and maps class indexes', () => {
    const rows = [
      [128, 256, 384, 512, 0.6, 0],
      [-10, 0, 256, 600, 0.5, 41],
    ];
    expect(decodeCenterNetRows(rows, 512)).toEqual([
      { className: 'person', score: 0.6, box: { left: 0.25, top: 0.5, width: 0.5, height: 0.5 } },
      { className: 'cup', score: 0.5, box: { left: 0, top: 0, width: 0.5, height: 1 } },
    ]);
  });

  it('skips low scores, unknown classes and empty boxes', () => {
    const rows = [
      [0, 0, 10, 10, 0.01, 0],
      [0, 0, 10, 10, 0.5, Number.NaN],
      [0, 0, 10, 10, 0.5, 80],
      [10, 10, 10, 20, 0.5, 0],
    ];
    expect(decodeCenterNetRows(rows, 512)).toEqual([]);
  });

  it('merges overlapping boxes of the same class but keeps other classes', () => {
    const near = { left: 0.11, top: 0.2, width: 0.3, height: 0.4 };
    const kept = suppressDuplicates([
      det('cup', 0.35, near),
      det('cup', 0.46),
      det('dining table', 0.4, near),
    ]);
    expect(kept.map((d) => [d.className, d.score])).toEqual([
      ['cup', 0.46],
      ['dining table', 0.4],
    ]);
  });
});
