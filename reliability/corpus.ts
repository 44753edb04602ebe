/**
 * The bad-input corpus: every kind of upload a real bucket receives, generated in code (no
 * binary blobs in git), with the outcome the pipeline must reach for each. Where the outcome
 * depends on the label service (a valid header over a garbage body, an EXIF-rotated or a
 * 16-bit image), either final state is accepted, but it must be final and precise.
 */
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import {
  makeJpeg,
  makePng,
  OTHER_FORMAT_HEADERS,
  photo,
  pngChunk,
  pngHeaderOnly,
} from '../test/support/images';

export type Expected =
  | { status: 'REJECTED'; reason: string }
  | { status: 'LABELED' }
  | { status: 'LABELED or REJECTED' };

export interface CorpusEntry {
  kind: string;
  key: string;
  body: Uint8Array;
  contentType: string;
  expected: Expected;
}

const rejected = (reason: string): Expected => ({ status: 'REJECTED', reason });
const labeled: Expected = { status: 'LABELED' };
const either: Expected = { status: 'LABELED or REJECTED' };

/**
 * A decompression bomb: a real, valid PNG of 10,001 x 10,001 grayscale pixels (100 MB
 * decoded) that is about 100 KB on disk. Only its header may ever be read.
 */
export function pngBomb(side = 10_001): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit grayscale
  const raw = Buffer.alloc((side + 1) * side); // a filter byte + a row of zeros, per row
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(
    Buffer.concat([
      signature,
      pngChunk('IHDR', ihdr),
      pngChunk('IDAT', deflateSync(raw, { level: 9 })),
      pngChunk('IEND', new Uint8Array()),
    ]),
  );
}

/**
 * An EXIF APP1 segment whose IFD0 holds one entry, Orientation (0x0112) = 6 ("rotate 90°
 * clockwise to display"), inserted right after a JPEG's SOI marker.
 */
export function withExifOrientation6(jpeg: Uint8Array): Uint8Array {
  const tiff = Buffer.from([
    0x4d,
    0x4d,
    0x00,
    0x2a,
    0x00,
    0x00,
    0x00,
    0x08, // big-endian TIFF header, IFD at 8
    0x00,
    0x01, // one entry
    0x01,
    0x12,
    0x00,
    0x03,
    0x00,
    0x00,
    0x00,
    0x01,
    0x00,
    0x06,
    0x00,
    0x00, // Orientation SHORT 1 = 6
    0x00,
    0x00,
    0x00,
    0x00, // no next IFD
  ]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const app1 = Buffer.concat([
    Buffer.from([0xff, 0xe1]),
    Buffer.from([(payload.length + 2) >> 8, (payload.length + 2) & 0xff]),
    payload,
  ]);
  return new Uint8Array(
    Buffer.concat([Buffer.from(jpeg.subarray(0, 2)), app1, Buffer.from(jpeg.subarray(2))]),
  );
}

/** A JPEG with an EXIF APP1 segment saying "rotate 90° clockwise" (orientation 6). */
export function exifRotatedJpeg(): Uint8Array {
  return withExifOrientation6(makeJpeg(160, 120));
}

export function png16Bit(): Uint8Array {
  const png = new PNG({ width: 120, height: 120, bitDepth: 16, colorType: 6, inputHasAlpha: true });
  for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 31) & 0xff;
  return new Uint8Array(PNG.sync.write(png, { bitDepth: 16, colorType: 6, inputColorType: 6 }));
}

export function pngGrayscale(): Uint8Array {
  const png = new PNG({ width: 120, height: 120 });
  for (let i = 0; i < png.data.length; i++) png.data[i] = i % 4 === 3 ? 255 : (i * 7) & 0xff;
  return new Uint8Array(PNG.sync.write(png, { colorType: 0 }));
}

function withBadCrc(png: Uint8Array): Uint8Array {
  const copy = new Uint8Array(png);
  copy[30] = (copy[30] ?? 0) ^ 0xff; // a byte of the IHDR chunk's CRC
  return copy;
}

/** A JPEG's real header (SOI, APP0, tables, SOF, SOS) followed by random bytes and an EOI. */
function jpegHeaderGarbageBody(): Uint8Array {
  const jpeg = makeJpeg(200, 200);
  const headerEnd = jpeg.length > 700 ? 620 : Math.floor(jpeg.length / 2);
  const garbage = Buffer.alloc(20_000);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 2654435761) & 0xfe; // never 0xFF
  return new Uint8Array(
    Buffer.concat([Buffer.from(jpeg.subarray(0, headerEnd)), garbage, Buffer.from([0xff, 0xd9])]),
  );
}

export function buildCorpus(prefix = 'corpus'): CorpusEntry[] {
  const entry = (
    kind: string,
    name: string,
    body: Uint8Array,
    contentType: string,
    expected: Expected,
  ): CorpusEntry => ({
    kind,
    key: `${prefix}/${name}`,
    body,
    contentType,
    expected,
  });
  const sixteenMb = new Uint8Array(16 * 1024 * 1024);
  sixteenMb.set(makePng(100, 100).subarray(0, 64));
  return [
    entry('empty file', 'empty.jpg', new Uint8Array(), 'image/jpeg', rejected('EMPTY_FILE')),
    entry(
      'text named .jpg',
      'notes.jpg',
      new TextEncoder().encode('not an image\n'),
      'image/jpeg',
      rejected('UNSUPPORTED_FORMAT'),
    ),
    entry('truncated JPEG', 'truncated.jpg', photo('truncated.jpg'), 'image/jpeg', rejected('CORRUPT_IMAGE')),
    entry(
      'PNG with a bad CRC',
      'bad-crc.png',
      withBadCrc(makePng(120, 120)),
      'image/png',
      rejected('CORRUPT_IMAGE'),
    ),
    entry(
      'valid JPEG header, garbage body',
      'garbage-body.jpg',
      jpegHeaderGarbageBody(),
      'image/jpeg',
      either,
    ),
    entry('GIF', 'animation.gif', OTHER_FORMAT_HEADERS.GIF, 'image/gif', rejected('UNSUPPORTED_FORMAT')),
    entry('WebP', 'photo.webp', OTHER_FORMAT_HEADERS.WebP, 'image/webp', rejected('UNSUPPORTED_FORMAT')),
    entry('BMP', 'bitmap.bmp', OTHER_FORMAT_HEADERS.BMP, 'image/bmp', rejected('UNSUPPORTED_FORMAT')),
    entry(
      'TIFF',
      'scan.tiff',
      OTHER_FORMAT_HEADERS['TIFF (little-endian)'],
      'image/tiff',
      rejected('UNSUPPORTED_FORMAT'),
    ),
    entry('SVG', 'vector.svg', OTHER_FORMAT_HEADERS.SVG, 'image/svg+xml', rejected('UNSUPPORTED_FORMAT')),
    entry('HEIC', 'iphone.heic', OTHER_FORMAT_HEADERS.HEIC, 'image/heic', rejected('UNSUPPORTED_FORMAT')),
    entry('AVIF', 'modern.avif', OTHER_FORMAT_HEADERS.AVIF, 'image/avif', rejected('UNSUPPORTED_FORMAT')),
    entry('79 px side', 'too-small.png', makePng(79, 200), 'image/png', rejected('DIMENSIONS_TOO_SMALL')),
    entry(
      '10,001 px side (header only)',
      'too-wide.png',
      pngHeaderOnly(10_001, 100),
      'image/png',
      rejected('DIMENSIONS_TOO_LARGE'),
    ),
    entry(
      'decompression bomb, 10,001 px square',
      'bomb.png',
      pngBomb(),
      'image/png',
      rejected('DIMENSIONS_TOO_LARGE'),
    ),
    entry('16 MB file', 'huge.png', sixteenMb, 'image/png', rejected('FILE_TOO_LARGE')),
    entry('EXIF-rotated JPEG', 'rotated.jpg', exifRotatedJpeg(), 'image/jpeg', either),
    entry('16-bit PNG', 'deep.png', png16Bit(), 'image/png', either),
    entry('grayscale PNG', 'gray.png', pngGrayscale(), 'image/png', either),
    entry('a real photo', 'astronaut.png', photo('astronaut.png'), 'image/png', labeled),
    entry('key with spaces', 'with some spaces.png', photo('coffee.png'), 'image/png', labeled),
    entry('key with +', 'a+b=c.png', photo('coffee.png'), 'image/png', labeled),
    entry('key with %', '100% real.png', photo('coffee.png'), 'image/png', labeled),
    entry('key with unicode', 'ünïcødé/猫/😀.png', photo('chelsea.png'), 'image/png', labeled),
    entry(
      'key with control characters',
      'tab\there\u0007bell.png',
      photo('coffee.png'),
      'image/png',
      labeled,
    ),
    entry('deep prefix', 'a/b/c/d/e/f/g/h/i/j/deep.jpg', photo('rocket.jpg'), 'image/jpeg', labeled),
  ];
}
