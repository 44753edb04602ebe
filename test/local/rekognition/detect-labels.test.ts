import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Detection } from '../../../local/rekognition/centernet';
import { detectLabels, type ReadObject } from '../../../local/rekognition/detect-labels';
import type { LabelModel } from '../../../local/rekognition/model';

const photo = (name: string): Buffer =>
  readFileSync(new URL(`../../fixtures/photos/${name}`, import.meta.url));

/** A model that returns fixed detections and records what it was asked to look at. */
function fakeModel(detections: Detection[]): LabelModel & { seen: Uint8Array[] } {
  const seen: Uint8Array[] = [];
  return {
    version: 'fake-1',
    seen,
    detect: async (image) => {
      seen.push(image);
      return detections;
    },
    warmUp: async () => {},
    close: async () => {},
  };
}

const person: Detection = {
  className: 'person',
  score: 0.6,
  box: { left: 0, top: 0, width: 0.5, height: 1 },
};
const rejectsWith = (name: string) => expect.objectContaining({ name });

describe('detectLabels', () => {
  it('accepts Image.Bytes as base64 (JSON) and returns labels with the model version', async () => {
    const model = fakeModel([person]);
    const out = await detectLabels(model, { Image: { Bytes: photo('coffee.png').toString('base64') } });
    expect(out.LabelModelVersion).toBe('fake-1');
    expect(out.Labels?.map((l) => l.Name)).toEqual(['Person']);
    expect(out).not.toHaveProperty('OrientationCorrection');
    expect(Buffer.from(model.seen[0] ?? []).equals(photo('coffee.png'))).toBe(true);
  });

  it('reads Image.S3Object through readObject, passing bucket, key and version', async () => {
    const calls: unknown[][] = [];
    const readObject: ReadObject = async (...args) => {
      calls.push(args);
      return photo('astronaut.png');
    };
    const out = await detectLabels(
      fakeModel([person]),
      { Image: { S3Object: { Bucket: 'photos', Name: 'a/b.png', Version: 'v1' } } },
      { readObject },
    );
    expect(calls).toEqual([['photos', 'a/b.png', 'v1']]);
    expect(out.Labels?.[0]?.Name).toBe('Person');
  });

  it('maps a missing S3 object to InvalidS3ObjectException', async () => {
    const readObject: ReadObject = async () => {
      throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
    };
    await expect(
      detectLabels(
        fakeModel([]),
        { Image: { S3Object: { Bucket: 'b', Name: 'missing.jpg' } } },
        { readObject },
      ),
    ).rejects.toThrowError(rejectsWith('InvalidS3ObjectException'));
  });

  it('rejects S3 objects over 15 MB and Bytes over 5 MB with ImageTooLargeException', async () => {
    const big = Buffer.concat([photo('coffee.png'), Buffer.alloc(15 * 1024 * 1024)]);
    const model = fakeModel([]);
    await expect(
      detectLabels(
        model,
        { Image: { S3Object: { Bucket: 'b', Name: 'k' } } },
        { readObject: async () => big },
      ),
    ).rejects.toThrowError(rejectsWith('ImageTooLargeException'));
    await expect(
      detectLabels(model, { Image: { Bytes: big.subarray(0, 5 * 1024 * 1024 + 1) } }),
    ).rejects.toThrowError(rejectsWith('ImageTooLargeException'));
    expect(model.seen).toHaveLength(0);
  });

  it('never hands a non-image or an oversized header to the model', async () => {
    const model = fakeModel([person]);
    await expect(detectLabels(model, { Image: { Bytes: Buffer.from('just text') } })).rejects.toThrowError(
      rejectsWith('InvalidImageFormatException'),
    );
    expect(model.seen).toHaveLength(0);
  });

  it.each([
    [{}],
    [{ Image: {} }],
    [{ Image: { Bytes: 'aGk=', S3Object: { Bucket: 'b', Name: 'k' } } }],
    [{ Image: { S3Object: { Bucket: 'b' } } }],
    [{ Image: { Bytes: '' } }],
  ])('rejects a malformed Image %j with InvalidParameterException', async (input) => {
    await expect(detectLabels(fakeModel([]), input)).rejects.toThrowError(
      rejectsWith('InvalidParameterException'),
    );
  });

  it('honours MinConfidence and MaxLabels from the request', async () => {
    const cup: Detection = { className: 'cup', score: 0.4, box: { left: 0, top: 0, width: 1, height: 1 } };
    const image = { Bytes: photo('coffee.png') };
    const strict = await detectLabels(fakeModel([person, cup]), { Image: image, MinConfidence: 90 });
    const one = await detectLabels(fakeModel([person, cup]), { Image: image, MaxLabels: 1 });
    expect(strict.Labels?.map((l) => l.Name)).toEqual(['Person']);
    expect(one.Labels?.map((l) => l.Name)).toEqual(['Person']);
  });

  it('skips the model when Features does not ask for GENERAL_LABELS', async () => {
    const model = fakeModel([person]);
    const out = await detectLabels(model, {
      Image: { Bytes: photo('coffee.png') },
      Features: ['IMAGE_PROPERTIES'],
    });
    expect(out.Labels).toEqual([]);
    expect(model.seen).toHaveLength(0);
  });
});
