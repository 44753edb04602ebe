/**
 * Test images built in code: real encodings from pngjs and jpeg-js for valid inputs, and
 * hand-made headers for what would be too big to encode (10,001 px sides) or is not an image.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export const PHOTOS_DIR = path.join(import.meta.dirname, '..', 'fixtures', 'photos');

/** A photo from test/fixtures/photos (see its LICENSE.md). */
export function photo(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(PHOTOS_DIR, name)));
}

/** A gradient, so the encoders produce more than a handful of bytes. */
function pixels(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 7) & 0xff;
      data[i + 1] = (y * 13) & 0xff;
      data[i + 2] = ((x + y) * 3) & 0xff;
      data[i + 3] = 0xff;
    }
  }
  return data;
}

export function makePng(width: number, height: number): Uint8Array {
  const png = new PNG({ width, height });
  pixels(width, height).copy(png.data);
  return new Uint8Array(PNG.sync.write(png));
}

export function makeJpeg(width: number, height: number, quality = 80): Uint8Array {
  return new Uint8Array(jpeg.encode({ width, height, data: pixels(width, height) }, quality).data);
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** One PNG chunk: length, type, data and its CRC. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * Just a PNG's frame: signature, an IHDR claiming width x height, then a valid IEND. Enough
 * for header-based inspection without encoding a huge image.
 */
export function pngHeaderOnly(width: number, height: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no filter, no interlace
  return new Uint8Array(
    Buffer.concat([Buffer.from(PNG_SIGNATURE), pngChunk('IHDR', ihdr), pngChunk('IEND', new Uint8Array())]),
  );
}

/** A file whose first bytes are `head` (a format's magic), padded to `size` bytes. */
export function withHeader(head: Uint8Array | string, size = 2048): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set(typeof head === 'string' ? Buffer.from(head, 'latin1') : head);
  return bytes;
}

/** The first bytes of formats that are not JPEG or PNG. */
export const OTHER_FORMAT_HEADERS = {
  GIF: withHeader('GIF89a\x50\x00\x50\x00'),
  WebP: withHeader('RIFF\x00\x10\x00\x00WEBPVP8 '),
  BMP: withHeader('BM\x36\x00\x0c\x00'),
  'TIFF (little-endian)': withHeader(new Uint8Array([0x49, 0x49, 0x2a, 0x00, 0x08, 0, 0, 0])),
  'TIFF (big-endian)': withHeader(new Uint8Array([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 0x08])),
  HEIC: withHeader('\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic'),
  AVIF: withHeader('\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1'),
  PDF: withHeader('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'),
  SVG: withHeader('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"></svg>'),
  'SVG with XML prolog': withHeader('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'),
} as const;
