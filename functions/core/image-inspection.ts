/**
 * Decides, from a few bytes, whether an object is an image Rekognition can label, before we
 * pay for a DetectLabels call. Pure: the caller reads the bytes (the first HEADER_BYTES and the
 * last TRAILER_BYTES of the object) and passes them in.
 *
 * Limits are Rekognition's for an S3 object: JPEG or PNG, at most 15 MB, sides of 80 to
 * 10,000 px. Formats are recognised by magic bytes, never by the file name or Content-Type.
 */
import { crc32 } from 'node:zlib';
import { imageSize } from 'image-size';
import { ImageRejectedError } from './errors';
import { IMAGE_LIMITS } from './image-limits';
import type { ImageMetadata } from './workflow-schemas';

/** Enough for the SOF marker of a JPEG behind a full 64 KB EXIF block and an ICC profile. */
export const HEADER_BYTES = 256 * 1024;
/** The end of a complete file: JPEG's EOI marker, PNG's IEND chunk (maybe with padding). */
export const TRAILER_BYTES = 1024;

type Signature = { name: string; test: (b: Uint8Array) => boolean };

const startsWith = (bytes: Uint8Array, prefix: number[], offset = 0) =>
  prefix.every((value, index) => bytes[offset + index] === value);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

/** Formats we recognise only to say precisely what was uploaded instead. */
const OTHER_FORMATS: Signature[] = [
  { name: 'GIF', test: (b) => startsWith(b, ascii('GIF8')) },
  { name: 'WebP', test: (b) => startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8) },
  { name: 'BMP', test: (b) => startsWith(b, ascii('BM')) },
  {
    name: 'TIFF',
    test: (b) => startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a]),
  },
  {
    name: 'HEIC/AVIF',
    test: (b) =>
      startsWith(b, ascii('ftyp'), 4) && /^(heic|heix|hevc|mif1|msf1|avif|avis)/.test(asciiAt(b, 8, 4)),
  },
  { name: 'PDF', test: (b) => startsWith(b, ascii('%PDF')) },
  { name: 'SVG or XML', test: (b) => /^\s*(<\?xml|<svg)/i.test(asciiAt(b, 0, 64)) },
];

function asciiAt(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

export function detectFormat(header: Uint8Array): 'jpeg' | 'png' | undefined {
  if (startsWith(header, PNG_SIGNATURE)) return 'png';
  if (startsWith(header, JPEG_SIGNATURE)) return 'jpeg';
  return undefined;
}

export function describeFormat(header: Uint8Array): string {
  return OTHER_FORMATS.find((format) => format.test(header))?.name ?? 'an unrecognised format';
}

function hasJpegEnd(trailer: Uint8Array): boolean {
  // EOI (FF D9). Cameras and editors sometimes pad after it, so look in the whole trailer
  // window; inside entropy-coded data FF is always stuffed (FF 00), so FF D9 only marks an end.
  for (let i = trailer.length - 2; i >= 0; i--) {
    if (trailer[i] === 0xff && trailer[i + 1] === 0xd9) return true;
  }
  return false;
}

function hasPngEnd(trailer: Uint8Array): boolean {
  const iend = [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]; // "IEND" + its fixed CRC
  for (let i = trailer.length - iend.length; i >= 0; i--) {
    if (startsWith(trailer, iend, i)) return true;
  }
  return false;
}

/** A PNG's first chunk must be IHDR with a matching CRC: a flipped bit in the header is corruption. */
function hasValidPngHeaderChunk(header: Uint8Array): boolean {
  if (header.length < 33) return false;
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const length = view.getUint32(8);
  if (length !== 13 || asciiAt(header, 12, 4) !== 'IHDR') return false;
  return crc32(header.subarray(12, 29)) === view.getUint32(29);
}

export interface InspectInput {
  size: number;
  contentType?: string | undefined;
  header: Uint8Array;
  trailer: Uint8Array;
}

/** Returns the image's metadata, or throws ImageRejectedError with a precise reason. */
export function inspectImage({ size, contentType, header, trailer }: InspectInput): ImageMetadata {
  if (size < IMAGE_LIMITS.minBytes) {
    throw new ImageRejectedError('EMPTY_FILE', 'The object is empty (0 bytes).');
  }
  if (size > IMAGE_LIMITS.maxBytes) {
    throw new ImageRejectedError(
      'FILE_TOO_LARGE',
      `The object is ${size} bytes; the limit is ${IMAGE_LIMITS.maxBytes} bytes (15 MiB).`,
    );
  }
  const format = detectFormat(header);
  if (!format) {
    throw new ImageRejectedError(
      'UNSUPPORTED_FORMAT',
      `The object is ${describeFormat(header)}, not a JPEG or PNG image.`,
    );
  }

  if (format === 'png' && !hasValidPngHeaderChunk(header)) {
    throw new ImageRejectedError(
      'CORRUPT_IMAGE',
      'The PNG header chunk (IHDR) is damaged: its checksum does not match.',
    );
  }

  let dimensions: { width: number; height: number; orientation?: number | undefined };
  try {
    dimensions = imageSize(header);
  } catch {
    throw new ImageRejectedError('CORRUPT_IMAGE', `The ${format.toUpperCase()} header cannot be read.`);
  }
  const { width, height } = dimensions;
  if (!(width > 0 && height > 0)) {
    throw new ImageRejectedError('CORRUPT_IMAGE', `The ${format.toUpperCase()} header has no dimensions.`);
  }

  const complete = format === 'jpeg' ? hasJpegEnd(trailer) : hasPngEnd(trailer);
  if (!complete) {
    throw new ImageRejectedError(
      'CORRUPT_IMAGE',
      `The ${format.toUpperCase()} file is truncated: its end marker is missing.`,
    );
  }

  const shortest = Math.min(width, height);
  const longest = Math.max(width, height);
  if (shortest < IMAGE_LIMITS.minSide) {
    throw new ImageRejectedError(
      'DIMENSIONS_TOO_SMALL',
      `The image is ${width}x${height} px; each side must be at least ${IMAGE_LIMITS.minSide} px.`,
    );
  }
  if (longest > IMAGE_LIMITS.maxSide) {
    throw new ImageRejectedError(
      'DIMENSIONS_TOO_LARGE',
      `The image is ${width}x${height} px; each side must be at most ${IMAGE_LIMITS.maxSide} px.`,
    );
  }

  return {
    format,
    width,
    height,
    size,
    ...(contentType ? { contentType } : {}),
    ...(dimensions.orientation ? { orientation: dimensions.orientation } : {}),
  };
}
