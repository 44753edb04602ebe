import { describe, expect, it } from 'vitest';
import {
  boundLabels,
  confidenceSortKey,
  IMAGE_SK,
  type ImageItem,
  ITEM_BOUNDS,
  imagePk,
  imagesIndexAttributes,
  keyHash,
  LABELS_TABLE_SCHEMA,
  labelIndexPk,
  labelItems,
  labelSk,
  objectVersionOf,
  versionSk,
} from '../../../functions/core/labels-table';
import type { Label, ObjectRef } from '../../../functions/core/workflow-schemas';
import { label } from '../../support/workflow';

const object: ObjectRef = {
  bucket: 'uploads-bucket',
  key: 'albums/summer/beach.jpg',
  versionId: 'v1',
  eTag: 'etag1',
  size: 1234,
  sequencer: '00AA',
};

describe('key builders', () => {
  it('build the item keys of an image, a version and a label', () => {
    expect(imagePk('a/b c.jpg')).toBe('IMAGE#a/b c.jpg');
    expect(IMAGE_SK).toBe('IMAGE');
    expect(versionSk('v1')).toBe('VERSION#v1');
    expect(labelSk('Golden Retriever')).toBe('LABEL#Golden Retriever');
  });

  it('lower-cases the label index key so lookups by name ignore case', () => {
    expect(labelIndexPk('Golden Retriever')).toBe('LABEL#golden retriever');
    expect(labelIndexPk('DOG')).toBe(labelIndexPk('dog'));
  });
});

describe('the images index', () => {
  const at = (iso: string, key = 'a.jpg') => imagesIndexAttributes({ key, labels: [], updatedAt: iso });

  it('puts every IMAGE record into one partition, sorted by when it was last written', () => {
    const earlier = at('2026-01-01T09:59:59.999Z');
    const later = at('2026-01-01T10:00:00.000Z');
    expect(earlier.gsi2pk).toBe('IMAGES');
    expect(later.gsi2pk).toBe('IMAGES');
    expect(earlier.gsi2sk < later.gsi2sk).toBe(true);
    expect(later.gsi2sk).toBe(`2026-01-01T10:00:00.000Z#${keyHash('a.jpg')}`);
  });

  it('keeps two images written in the same millisecond apart by their key hash', () => {
    const time = '2026-01-01T10:00:00.000Z';
    expect(at(time, 'a.jpg').gsi2sk).not.toBe(at(time, 'b.jpg').gsi2sk);
  });

  it('carries the 5 label names of highest confidence, highest first', () => {
    const labels = [10, 90, 50, 70, 30, 80, 60].map((confidence) => label(`L${confidence}`, confidence));
    const { topLabels } = imagesIndexAttributes({
      key: 'a.jpg',
      labels,
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(topLabels).toEqual(['L90', 'L80', 'L70', 'L60', 'L50']);
  });

  it('only adds indexes: the labels index keeps its keys and projection', () => {
    expect(LABELS_TABLE_SCHEMA.indexes.map((index) => index.name)).toEqual(['gsi1', 'gsi2']);
    expect(LABELS_TABLE_SCHEMA.indexes[0]).toEqual({
      name: 'gsi1',
      partitionKey: 'gsi1pk',
      sortKey: 'gsi1sk',
      nonKeyAttributes: ['key', 'name', 'confidence', 'objectVersion'],
    });
    expect(LABELS_TABLE_SCHEMA.imagesIndex.nonKeyAttributes).toEqual([
      'key',
      'status',
      'updatedAt',
      'topLabels',
      'versionId',
    ]);
  });
});

describe('objectVersionOf', () => {
  it('uses the version id when there is one, the ETag otherwise', () => {
    expect(objectVersionOf({ versionId: 'abc', eTag: 'e' })).toBe('abc');
    expect(objectVersionOf({ eTag: 'e' })).toBe('etag:e');
  });
});

describe('keyHash', () => {
  it('is short and fixed-length even for a 1024-byte key', () => {
    const longKey = 'k'.repeat(1024);
    const multiByteKey = '猫'.repeat(341); // 1023 UTF-8 bytes

    expect(keyHash(longKey)).toHaveLength(22);
    expect(keyHash(multiByteKey)).toHaveLength(22);
    expect(keyHash('a')).toHaveLength(22);
    expect(keyHash(longKey)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('is deterministic and tells keys apart', () => {
    expect(keyHash('a.jpg')).toBe(keyHash('a.jpg'));
    expect(keyHash('a.jpg')).not.toBe(keyHash('b.jpg'));
  });
});

describe('confidenceSortKey', () => {
  it('zero-pads the confidence to three decimals', () => {
    expect(confidenceSortKey(98.5, 'k')).toBe(`098.500#${keyHash('k')}`);
    expect(confidenceSortKey(100, 'k').startsWith('100.000#')).toBe(true);
    expect(confidenceSortKey(5, 'k').startsWith('005.000#')).toBe(true);
  });

  it('sorts as strings in numeric order', () => {
    const confidences = [100, 9.5, 55.123, 99.999, 0, 10, 9.49, 75];

    const byString = confidences.map((c) => ({ c, sk: confidenceSortKey(c, 'same-key') }));
    byString.sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));

    expect(byString.map((entry) => entry.c)).toEqual([...confidences].sort((a, b) => a - b));
  });

  it('clamps values outside 0..100', () => {
    expect(confidenceSortKey(-3, 'k').startsWith('000.000#')).toBe(true);
    expect(confidenceSortKey(120, 'k').startsWith('100.000#')).toBe(true);
  });

  it('stays far below the 1024-byte sort key limit for a 1024-byte object key', () => {
    expect(Buffer.byteLength(confidenceSortKey(50, 'x'.repeat(1024)))).toBe(30);
  });
});

describe('labelItems', () => {
  it('makes one indexed item per label', () => {
    const items = labelItems(object, [label('Dog', 97.25), label('Beach', 88)]);

    expect(items).toEqual([
      {
        pk: 'IMAGE#albums/summer/beach.jpg',
        sk: 'LABEL#Dog',
        gsi1pk: 'LABEL#dog',
        gsi1sk: `097.250#${keyHash(object.key)}`,
        key: object.key,
        name: 'Dog',
        confidence: 97.25,
        objectVersion: 'v1',
      },
      {
        pk: 'IMAGE#albums/summer/beach.jpg',
        sk: 'LABEL#Beach',
        gsi1pk: 'LABEL#beach',
        gsi1sk: `088.000#${keyHash(object.key)}`,
        key: object.key,
        name: 'Beach',
        confidence: 88,
        objectVersion: 'v1',
      },
    ]);
  });
});

describe('boundLabels', () => {
  const longName = (prefix: string, i: number) => `${prefix}${i}-${'x'.repeat(300)}`;

  /** Rekognition at its most verbose: far more of everything than the bounds allow. */
  function worstCase(): Label[] {
    return Array.from({ length: 1000 }, (_, i) =>
      label(longName('Label', i), 50 + (i % 500) / 10 + 0.123456789, {
        parents: Array.from({ length: 30 }, (_, p) => longName('Parent', p)),
        categories: Array.from({ length: 20 }, (_, c) => longName('Category', c)),
        aliases: Array.from({ length: 20 }, (_, a) => longName('Alias', a)),
        instances: Array.from({ length: 100 }, (_, n) => ({
          confidence: 40 + n / 2 + 0.987654321,
          box: { left: 0.123456789, top: 0.987654321, width: 0.333333333, height: 0.666666666 },
        })),
      }),
    );
  }

  it('keeps the highest-confidence labels and instances, up to the bounds', () => {
    const labels = [
      label('Low', 10),
      label('High', 99, {
        instances: Array.from({ length: 15 }, (_, n) => ({
          confidence: n,
          box: { left: 0, top: 0, width: 1, height: 1 },
        })),
      }),
      label('Mid', 50),
    ];

    const bounded = boundLabels(labels);

    expect(bounded.map((l) => l.name)).toEqual(['High', 'Mid', 'Low']);
    expect(bounded[0]?.instances.map((instance) => instance.confidence)).toEqual([
      14, 13, 12, 11, 10, 9, 8, 7, 6, 5,
    ]);
  });

  it('trims every list and name to ITEM_BOUNDS and rounds the numbers', () => {
    const bounded = boundLabels(worstCase());

    expect(bounded).toHaveLength(ITEM_BOUNDS.maxLabels);
    for (const l of bounded) {
      expect(l.name.length).toBeLessThanOrEqual(ITEM_BOUNDS.maxNameLength);
      expect(l.parents).toHaveLength(ITEM_BOUNDS.maxParentsPerLabel);
      expect(l.categories).toHaveLength(ITEM_BOUNDS.maxCategoriesPerLabel);
      expect(l.aliases).toHaveLength(ITEM_BOUNDS.maxAliasesPerLabel);
      expect(l.instances).toHaveLength(ITEM_BOUNDS.maxInstancesPerLabel);
      for (const name of [...l.parents, ...l.categories, ...l.aliases]) {
        expect(name.length).toBeLessThanOrEqual(ITEM_BOUNDS.maxNameLength);
      }
      expect(Number.isInteger(l.confidence * 1000)).toBe(true);
      expect(l.instances[0]?.box.left).toBe(0.1235);
    }
    // Sorted, highest first.
    const confidences = bounded.map((l) => l.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
  });

  it('does not modify its input', () => {
    const labels = [label('B', 1), label('A', 2)];

    boundLabels(labels);

    expect(labels.map((l) => l.name)).toEqual(['B', 'A']);
  });

  it('keeps the IMAGE item of a worst-case Rekognition answer well under 400 KB', () => {
    const labels = boundLabels(worstCase());
    const longKey = 'k'.repeat(1024);
    const item: ImageItem = {
      pk: imagePk(longKey),
      sk: IMAGE_SK,
      bucket: 'b'.repeat(63),
      key: longKey,
      status: 'LABELED',
      objectVersion: 'v'.repeat(1024),
      versionId: 'v'.repeat(1024),
      eTag: 'e'.repeat(64),
      sequencer: 'F'.repeat(32),
      size: 15 * 1024 * 1024,
      image: {
        format: 'jpeg',
        width: 10_000,
        height: 10_000,
        size: 15 * 1024 * 1024,
        contentType: 'image/jpeg',
      },
      labels,
      labelNames: labels.map((l) => l.name),
      labelModelVersion: '3.0',
      settings: { minConfidence: 0, maxLabels: 100 },
      updatedAt: new Date(0).toISOString(),
    };

    const bytes = Buffer.byteLength(JSON.stringify(item));

    expect(bytes).toBeLessThan(300 * 1024);
  });

  it('keeps the workflow state carrying a worst-case detection under the 256 KiB Step Functions limit', () => {
    const longKey = 'k'.repeat(1024);
    const state = {
      object: { ...object, key: longKey, versionId: 'v'.repeat(1024) },
      eventTime: new Date(0).toISOString(),
      claim: { status: 'CLAIMED', attempt: 1 },
      image: { format: 'jpeg', width: 10_000, height: 10_000, size: 15 * 1024 * 1024 },
      detection: {
        labels: boundLabels(worstCase()),
        labelModelVersion: '3.0',
        settings: { minConfidence: 0, maxLabels: 100 },
        detectedAt: new Date(0).toISOString(),
        fromCache: false,
      },
    };

    // Leaves room for the error a Catch adds before RecordFailure.
    expect(Buffer.byteLength(JSON.stringify(state))).toBeLessThan(232 * 1024);
  });
});
