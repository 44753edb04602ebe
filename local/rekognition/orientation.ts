/**
 * EXIF orientation, as Rekognition applies it: for a JPEG whose EXIF Orientation tag says the
 * stored pixels must be turned or mirrored to display, DetectLabels answers with boxes for the
 * image as displayed (https://docs.aws.amazon.com/rekognition/latest/dg/images-orientation.html).
 * Browsers display such a JPEG the same way (`image-orientation: from-image`), so boxes drawn
 * as ratios over an `<img>` land on the object. PNGs and JPEGs without the tag are not turned.
 */
import { imageSize } from 'image-size';
import type { RgbImage } from './image';

/** The EXIF orientation (1-8) of a JPEG, or 1 when it has none or is not a JPEG. */
export function exifOrientation(bytes: Uint8Array): number {
  try {
    const { type, orientation } = imageSize(bytes);
    return type === 'jpg' && orientation && orientation >= 1 && orientation <= 8 ? orientation : 1;
  } catch {
    return 1;
  }
}

/**
 * Where the displayed pixel (x, y) comes from in the stored image of size w x h, for each
 * orientation (EXIF 2.32, tag 0x0112). Orientations 5-8 swap width and height.
 */
const SOURCE: Record<number, (x: number, y: number, w: number, h: number) => [number, number]> = {
  1: (x, y) => [x, y],
  2: (x, y, w) => [w - 1 - x, y], // mirrored horizontally
  3: (x, y, w, h) => [w - 1 - x, h - 1 - y], // turned 180°
  4: (x, y, _w, h) => [x, h - 1 - y], // mirrored vertically
  5: (x, y) => [y, x], // transposed
  6: (x, y, _w, h) => [y, h - 1 - x], // turn 90° clockwise to display
  7: (x, y, w, h) => [w - 1 - y, h - 1 - x], // transversed
  8: (x, y, w) => [w - 1 - y, x], // turn 90° counter-clockwise to display
};

/** The image as displayed: its pixels turned and mirrored as its EXIF orientation says. */
export function applyOrientation(image: RgbImage, orientation: number): RgbImage {
  const source = SOURCE[orientation];
  if (!source || orientation === 1) return image;
  const swap = orientation >= 5;
  const width = swap ? image.height : image.width;
  const height = swap ? image.width : image.height;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = source(x, y, image.width, image.height);
      const from = (sy * image.width + sx) * 3;
      const to = (y * width + x) * 3;
      data[to] = image.data[from] ?? 0;
      data[to + 1] = image.data[from + 1] ?? 0;
      data[to + 2] = image.data[from + 2] ?? 0;
    }
  }
  return { width, height, data };
}
