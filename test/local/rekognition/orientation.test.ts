import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { decodeImage, type RgbImage } from '../../../local/rekognition/image';
import { applyOrientation, exifOrientation } from '../../../local/rekognition/orientation';

const photo = (name: string): Buffer =>
  readFileSync(new URL(`../../fixtures/photos/${name}`, import.meta.url));

/** A 3x2 stored image whose pixel at (x, y) has red = 10 * (y * 3 + x) + 1. */
const stored: RgbImage = {
  width: 3,
  height: 2,
  data: Uint8Array.from({ length: 18 }, (_, i) => (i % 3 === 0 ? 10 * (i / 3) + 1 : 0)),
};
const redAt = (image: RgbImage, x: number, y: number) => image.data[(y * image.width + x) * 3];
/** Stored pixels, by position: 1 21 / 31 51 style values (a = top-left ... f = bottom-right). */
const [a, b, c, d, e, f] = [1, 11, 21, 31, 41, 51];

describe('applyOrientation (EXIF orientation, as Rekognition and browsers apply it)', () => {
  it.each([
    [
      1,
      3,
      2,
      [
        [a, b, c],
        [d, e, f],
      ],
    ],
    [
      2,
      3,
      2,
      [
        [c, b, a],
        [f, e, d],
      ],
    ],
    [
      3,
      3,
      2,
      [
        [f, e, d],
        [c, b, a],
      ],
    ],
    [
      4,
      3,
      2,
      [
        [d, e, f],
        [a, b, c],
      ],
    ],
    [
      5,
      2,
      3,
      [
        [a, d],
        [b, e],
        [c, f],
      ],
    ],
    [
      6,
      2,
      3,
      [
        [d, a],
        [e, b],
        [f, c],
      ],
    ],
    [
      7,
      2,
      3,
      [
        [f, c],
        [e, b],
        [d, a],
      ],
    ],
    [
      8,
      2,
      3,
      [
        [c, f],
        [b, e],
        [a, d],
      ],
    ],
  ])(
    'orientation %i shows a %ix%i image with the stored pixels where EXIF says',
    (orientation, width, height, rows) => {
      const shown = applyOrientation(stored, orientation);
      expect([shown.width, shown.height]).toEqual([width, height]);
      const actual = Array.from({ length: height }, (_, y) =>
        Array.from({ length: width }, (_, x) => redAt(shown, x, y)),
      );
      expect(actual).toEqual(rows);
    },
  );
});

describe('exifOrientation', () => {
  it('reads the tag of a JPEG that has one', () => {
    expect(exifOrientation(photo('astronaut-rotated.jpg'))).toBe(6);
  });

  it('is 1 for a JPEG without the tag, a PNG, and bytes that are no image', () => {
    expect(exifOrientation(photo('rocket.jpg'))).toBe(1);
    expect(exifOrientation(photo('astronaut.png'))).toBe(1);
    expect(exifOrientation(new TextEncoder().encode('not an image'))).toBe(1);
  });
});

describe('decodeImage of an EXIF-rotated JPEG', () => {
  it('returns the pixels as displayed: the upright astronaut, not the stored sideways frame', () => {
    const shown = decodeImage(photo('astronaut-rotated.jpg'));
    expect([shown.width, shown.height]).toEqual([384, 512]);
    // The fixture is astronaut.png cropped to x 64..447 (scripts/fixtures/rotated-jpeg.ts).
    const upright = PNG.sync.read(photo('astronaut.png'));
    let difference = 0;
    for (let y = 0; y < shown.height; y += 4) {
      for (let x = 0; x < shown.width; x += 4) {
        const expected = upright.data[(y * upright.width + x + 64) * 4] ?? 0;
        difference += Math.abs((redAt(shown, x, y) ?? 0) - expected);
      }
    }
    const samples = (shown.height / 4) * (shown.width / 4);
    // JPEG at quality 90 differs by a few levels; a wrong turn differs by tens.
    expect(difference / samples).toBeLessThan(6);
  });
});
