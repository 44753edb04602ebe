/**
 * What the workflow's writes of the labels table decide: what a refused claim means, which
 * items make a key's current record, when an older version loses, and what a final version
 * keeps. The writes themselves, on the local DynamoDB: test/functions/adapters/dynamodb/
 * labels-store.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ImageInProgressError } from '../../../functions/core/errors';
import {
  claimed,
  claimRefused,
  isSuperseded,
  keepsDetection,
  recordWrites,
} from '../../../functions/core/labels-store';
import { keyHash } from '../../../functions/core/labels-table';
import type { FinalRecord } from '../../../functions/core/outcome';
import type { Label, ObjectRef } from '../../../functions/core/workflow-schemas';
import { label } from '../../support/workflow';

const object: ObjectRef = {
  bucket: 'uploads-bucket',
  key: 'albums/beach.jpg',
  versionId: 'v2',
  eTag: 'etag2',
  size: 5000,
  sequencer: '0055AED6DCD90281E6',
};
const now = new Date('2024-06-01T12:00:00.000Z');

function imageOf(labels: Label[], overrides: Partial<FinalRecord> = {}): FinalRecord {
  return {
    bucket: object.bucket,
    key: object.key,
    status: 'LABELED',
    objectVersion: 'v2',
    versionId: 'v2',
    eTag: object.eTag,
    sequencer: object.sequencer,
    size: object.size,
    labels,
    updatedAt: now.toISOString(),
    ...overrides,
  };
}

describe('claimed', () => {
  it('reports the attempt the claim wrote (the first when none is returned)', () => {
    expect(claimed(3)).toEqual({ status: 'CLAIMED', attempt: 3 });
    expect(claimed(undefined)).toEqual({ status: 'CLAIMED', attempt: 1 });
  });
});

describe('claimRefused', () => {
  it.each(['LABELED', 'REJECTED'] as const)('reports a version already %s as ALREADY_DONE', (status) => {
    expect(claimRefused({ status, attempts: 2 }, object)).toEqual({ status: 'ALREADY_DONE', attempt: 2 });
  });

  it.each([
    ['a live claim', { status: 'IN_PROGRESS' as const, attempts: 1 }],
    ['a record gone since the claim failed', undefined],
  ])('throws ImageInProgress for %s', (_case, current) => {
    expect(() => claimRefused(current, object)).toThrow(ImageInProgressError);
    expect(() => claimRefused(current, object)).toThrow(
      'Object version v2 of "albums/beach.jpg" is being processed by another run.',
    );
  });

  it('names an unversioned object by its ETag', () => {
    const { versionId: _unused, ...unversioned } = object;
    expect(() => claimRefused({ status: 'IN_PROGRESS' }, unversioned)).toThrow(
      /Object version etag:etag2 of/,
    );
  });
});

describe('isSuperseded', () => {
  const previous = { sequencer: '0055AED6DCD90281E7', objectVersion: 'v3', labelNames: ['Cat'] };

  it('lets a newer sequencer already recorded win over an older version', () => {
    expect(isSuperseded(previous, imageOf([]), object)).toBe(true);
  });

  it('lets the same version rewrite its record even when its recorded sequencer compares higher', () => {
    expect(isSuperseded({ ...previous, objectVersion: 'v2' }, imageOf([]), object)).toBe(false);
  });

  it('lets a newer version, or the first one, write', () => {
    expect(isSuperseded({ ...previous, sequencer: '0055AED6DCD90281E5' }, imageOf([]), object)).toBe(false);
    expect(isSuperseded(undefined, imageOf([]), object)).toBe(false);
  });
});

describe('recordWrites', () => {
  it('puts the label items and the IMAGE record, and names the stale labels of the previous version', () => {
    const image = imageOf([label('Dog', 97.5), label('Beach', 88)]);
    const previous = {
      sequencer: '0055AED6DCD90281E5',
      objectVersion: 'v1',
      labelNames: ['Dog', 'Cat', 'Sofa'],
    };

    const writes = recordWrites(image, object, previous);

    const hash = keyHash(object.key);
    expect(writes.labels).toEqual([
      {
        pk: 'IMAGE#albums/beach.jpg',
        sk: 'LABEL#Dog',
        gsi1pk: 'LABEL#dog',
        gsi1sk: `097.500#${hash}`,
        key: 'albums/beach.jpg',
        name: 'Dog',
        confidence: 97.5,
        objectVersion: 'v2',
      },
      {
        pk: 'IMAGE#albums/beach.jpg',
        sk: 'LABEL#Beach',
        gsi1pk: 'LABEL#beach',
        gsi1sk: `088.000#${hash}`,
        key: 'albums/beach.jpg',
        name: 'Beach',
        confidence: 88,
        objectVersion: 'v2',
      },
    ]);
    expect(writes.stale).toEqual(['Cat', 'Sofa']);
    expect(writes.record).toEqual({
      ...image,
      pk: 'IMAGE#albums/beach.jpg',
      sk: 'IMAGE',
      labelNames: ['Dog', 'Beach'],
      // Its entry in the images index: last updated first, top label names.
      gsi2pk: 'IMAGES',
      gsi2sk: `${now.toISOString()}#${hash}`,
      topLabels: ['Dog', 'Beach'],
    });
  });

  it('has nothing stale for the first version of a key', () => {
    expect(recordWrites(imageOf([label('Dog')]), object, undefined).stale).toEqual([]);
  });
});

describe('keepsDetection', () => {
  it('keeps the cached detection of a FAILED version only, for the retry', () => {
    expect(keepsDetection('FAILED')).toBe(true);
    expect(keepsDetection('LABELED')).toBe(false);
    expect(keepsDetection('REJECTED')).toBe(false);
  });
});
