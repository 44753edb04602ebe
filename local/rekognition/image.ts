/**
 * Image sniffing, header inspection and pure-JS decoding (jpeg-js, pngjs) into packed RGB.
 * Dimensions are read from the header BEFORE any pixel is decoded, so decompression bombs are
 * rejected cheaply.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { RekognitionError } from './errors';
import { applyOrientation, exifOrientation } from './orientation';

/** Rekognition rejects images with a side longer than this (ImageTooLargeException). */
export const MAX_SIDE = 10_000;
/** Local memory guard: images above this many pixels are not decoded (ImageTooLargeException). */
export const MAX_PIXELS = 50_000_000;

export type ImageFormat = 'jpeg' | 'png';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

/** Packed 8-bit RGB pixels, row-major, `data.length === width * height * 3`. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

function invalidFormat(message = 'Request has invalid image format'): RekognitionError {
  return new RekognitionError('InvalidImageFormatException', message);
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Format by magic bytes, or undefined when neither JPEG nor PNG. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  return undefined;
}

function u16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function u32(bytes: Uint8Array, at: number): number {
  return u16(bytes, at) * 65536 + u16(bytes, at + 2);
}

function pngDimensions(bytes: Uint8Array): { width: number; height: number } | undefined {
  // signature (8) + chunk length (4) + "IHDR" (4) + width (4) + height (4)
  if (bytes.length < 24) return undefined;
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (type !== 'IHDR') return undefined;
  return { width: u32(bytes, 16), height: u32(bytes, 20) };
}

/** SOF markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) are not frames. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegDimensions(bytes: Uint8Array): { width: number; height: number } | undefined {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      at += 2; // markers without a length
      continue;
    }
    const length = u16(bytes, at + 2);
    if (isStartOfFrame(marker)) {
      if (at + 9 > bytes.length) return undefined;
      return { height: u16(bytes, at + 5), width: u16(bytes, at + 7) };
    }
    if (length < 2) return undefined;
    at += 2 + length;
  }
  return undefined;
}

/**
 * Validates format and size from the header only. Throws InvalidImageFormatException
 * (not JPEG/PNG, unreadable header) or ImageTooLargeException (side > 10000 px, too many pixels).
 */
export function inspectImage(bytes: Uint8Array): ImageHeader {
  const format = sniffFormat(bytes);
  if (!format) throw invalidFormat('Request has invalid image format');
  const dims = format === 'png' ? pngDimensions(bytes) : jpegDimensions(bytes);
  if (!dims || dims.width === 0 || dims.height === 0) throw invalidFormat('Request has invalid image format');
  if (dims.width > MAX_SIDE || dims.height > MAX_SIDE) {
    throw new RekognitionError(
      'ImageTooLargeException',
      `Image dimensions ${dims.width}x${dims.height} exceed the maximum of ${MAX_SIDE} pixels per side`,
    );
  }
  if (dims.width * dims.height > MAX_PIXELS) {
    throw new RekognitionError(
      'ImageTooLargeException',
      `Image has ${dims.width * dims.height} pixels, above the local limit of ${MAX_PIXELS}`,
    );
  }
  return { format, ...dims };
}

/** RGBA (8- or 16-bit samples) to packed RGB, compositing transparent pixels over white. */
function rgbaToRgb(rgba: Uint8Array | Uint16Array, width: number, height: number): Uint8Array {
  const shift = rgba instanceof Uint16Array ? 8 : 0;
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; j < out.length; i += 4, j += 3) {
    const a = ((rgba[i + 3] ?? 0) >> shift) / 255;
    const white = 255 * (1 - a);
    out[j] = ((rgba[i] ?? 0) >> shift) * a + white;
    out[j + 1] = ((rgba[i + 1] ?? 0) >> shift) * a + white;
    out[j + 2] = ((rgba[i + 2] ?? 0) >> shift) * a + white;
  }
  return out;
}

/**
 * Decodes a JPEG or PNG (grayscale, palette, RGB, RGBA, 8/16-bit) into packed RGB, a JPEG
 * turned as its EXIF orientation says (local/rekognition/orientation.ts).
 * Calls `inspectImage` first; undecodable or truncated data gives InvalidImageFormatException.
 */
export function decodeImage(bytes: Uint8Array): RgbImage {
  const header = inspectImage(bytes);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (header.format === 'jpeg') {
      const decoded = jpeg.decode(buffer, {
        useTArray: true,
        formatAsRGBA: false, // packed RGB; grayscale and CMYK are converted by jpeg-js
        tolerantDecoding: false, // strict: damaged files are errors, as on Rekognition
        maxResolutionInMP: MAX_PIXELS / 1_000_000,
        maxMemoryUsageInMB: 1024,
      });
      if (decoded.data.length !== decoded.width * decoded.height * 3)
        throw new Error('unexpected JPEG layout');
      // As Rekognition does: pixels as displayed, so boxes are ratios of the displayed image.
      const stored = { width: decoded.width, height: decoded.height, data: decoded.data };
      return applyOrientation(stored, exifOrientation(bytes));
    }
    // pngjs expands grayscale/palette to RGBA and rescales 16-bit samples to 8-bit by default.
    const png = PNG.sync.read(buffer);
    const data = png.data as Uint8Array | Uint16Array;
    return { width: png.width, height: png.height, data: rgbaToRgb(data, png.width, png.height) };
  } catch (err) {
    throw invalidFormat(
      `Request has invalid image format: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
