import { describe, expect, it } from 'vitest';
import { ImageRejectedError, type RejectionReason } from '../../../functions/core/errors';
import {
  describeFormat,
  detectFormat,
  HEADER_BYTES,
  inspectImage,
  TRAILER_BYTES,
} from '../../../functions/core/image-inspection';
import { IMAGE_LIMITS } from '../../../functions/core/image-limits';
import { makeJpeg, makePng, OTHER_FORMAT_HEADERS, photo, pngHeaderOnly } from '../../support/images';

/** What image-validation reads of a whole file: its first and last bytes. */
function inputOf(bytes: Uint8Array, size = bytes.length) {
  return {
    size,
    header: bytes.subarray(0, HEADER_BYTES),
    trailer: bytes.subarray(Math.max(0, bytes.length - TRAILER_BYTES)),
  };
}

function rejection(action: () => unknown): ImageRejectedError {
  try {
    action();
  } catch (error) {
    if (error instanceof ImageRejectedError) return error;
    throw error;
  }
  throw new Error('expected an ImageRejectedError');
}

function expectRejected(action: () => unknown, reason: RejectionReason): ImageRejectedError {
  const error = rejection(action);
  expect(error.name).toBe('ImageRejected');
  expect(error.reason).toBe(reason);
  expect(error.message.startsWith(`${reason}: `)).toBe(true);
  return error;
}

describe('detectFormat', () => {
  it('recognises PNG and JPEG by their magic bytes', () => {
    expect(detectFormat(makePng(80, 80))).toBe('png');
    expect(detectFormat(makeJpeg(80, 80))).toBe('jpeg');
  });

  it('recognises nothing else', () => {
    for (const header of Object.values(OTHER_FORMAT_HEADERS)) expect(detectFormat(header)).toBeUndefined();
    expect(detectFormat(new Uint8Array())).toBeUndefined();
  });
});

describe('describeFormat', () => {
  it('names an unrecognised format as such', () => {
    expect(describeFormat(new TextEncoder().encode('hello world'))).toBe('an unrecognised format');
  });
});

describe('inspectImage', () => {
  it('accepts a generated PNG and returns its metadata', () => {
    const png = makePng(120, 90);

    expect(inspectImage({ ...inputOf(png), contentType: 'image/png' })).toEqual({
      format: 'png',
      width: 120,
      height: 90,
      size: png.length,
      contentType: 'image/png',
    });
  });

  it('accepts a generated JPEG and returns its metadata', () => {
    const jpeg = makeJpeg(100, 200);

    expect(inspectImage(inputOf(jpeg))).toEqual({
      format: 'jpeg',
      width: 100,
      height: 200,
      size: jpeg.length,
    });
  });

  it('accepts the real photos astronaut.png and rocket.jpg', () => {
    const astronaut = photo('astronaut.png');
    const rocket = photo('rocket.jpg');

    expect(inspectImage(inputOf(astronaut))).toMatchObject({ format: 'png', width: 512, height: 512 });
    expect(inspectImage(inputOf(rocket))).toMatchObject({ format: 'jpeg', width: 640, height: 427 });
  });

  it('accepts sides of exactly 80 and 10000 px', () => {
    expect(inspectImage(inputOf(makePng(80, 80)))).toMatchObject({ width: 80, height: 80 });
    expect(inspectImage(inputOf(pngHeaderOnly(10_000, 80)))).toMatchObject({ width: 10_000, height: 80 });
  });

  it('judges the format by its bytes, not by the Content-Type', () => {
    const result = inspectImage({ ...inputOf(makeJpeg(90, 90)), contentType: 'application/octet-stream' });

    expect(result.format).toBe('jpeg');
  });

  it('rejects a text file named .jpg as UNSUPPORTED_FORMAT', () => {
    const text = new TextEncoder().encode('This is not a photo, just text saved as holiday.jpg\n'.repeat(10));

    const error = expectRejected(
      () => inspectImage({ ...inputOf(text), contentType: 'image/jpeg' }),
      'UNSUPPORTED_FORMAT',
    );
    expect(error.message).toContain('an unrecognised format');
  });

  it.each([
    ['GIF', OTHER_FORMAT_HEADERS.GIF],
    ['WebP', OTHER_FORMAT_HEADERS.WebP],
    ['BMP', OTHER_FORMAT_HEADERS.BMP],
    ['TIFF', OTHER_FORMAT_HEADERS['TIFF (little-endian)']],
    ['TIFF', OTHER_FORMAT_HEADERS['TIFF (big-endian)']],
    ['HEIC/AVIF', OTHER_FORMAT_HEADERS.HEIC],
    ['HEIC/AVIF', OTHER_FORMAT_HEADERS.AVIF],
    ['PDF', OTHER_FORMAT_HEADERS.PDF],
    ['SVG or XML', OTHER_FORMAT_HEADERS.SVG],
    ['SVG or XML', OTHER_FORMAT_HEADERS['SVG with XML prolog']],
  ])('rejects a %s file as UNSUPPORTED_FORMAT, naming the format', (name, bytes) => {
    const error = expectRejected(() => inspectImage(inputOf(bytes)), 'UNSUPPORTED_FORMAT');

    expect(error.message).toContain(`The object is ${name}, not a JPEG or PNG image.`);
  });

  it('rejects an empty file as EMPTY_FILE', () => {
    expectRejected(() => inspectImage(inputOf(new Uint8Array())), 'EMPTY_FILE');
  });

  it('accepts exactly 15 MiB but rejects 15 MiB + 1 byte as FILE_TOO_LARGE', () => {
    const png = makePng(100, 100);

    expect(inspectImage(inputOf(png, IMAGE_LIMITS.maxBytes)).size).toBe(15 * 1024 * 1024);
    const error = expectRejected(() => inspectImage(inputOf(png, 15 * 1024 * 1024 + 1)), 'FILE_TOO_LARGE');
    expect(error.message).toContain('15728641 bytes');
  });

  it.each([
    ['a PNG 79 px wide', () => makePng(79, 200)],
    ['a PNG 79 px high', () => makePng(200, 79)],
    ['a JPEG 79 px wide', () => makeJpeg(79, 100)],
  ])('rejects %s as DIMENSIONS_TOO_SMALL', (_case, make) => {
    const error = expectRejected(() => inspectImage(inputOf(make())), 'DIMENSIONS_TOO_SMALL');

    expect(error.message).toContain('79');
  });

  it.each([
    [10_001, 100],
    [100, 10_001],
  ])('rejects a PNG of %ix%i px as DIMENSIONS_TOO_LARGE', (width, height) => {
    const error = expectRejected(
      () => inspectImage(inputOf(pngHeaderOnly(width, height))),
      'DIMENSIONS_TOO_LARGE',
    );

    expect(error.message).toContain(`${width}x${height}`);
  });

  it('rejects the real truncated.jpg (cut after 400 bytes) as CORRUPT_IMAGE', () => {
    const truncated = photo('truncated.jpg');
    expect(truncated.length).toBe(400);

    const error = expectRejected(() => inspectImage(inputOf(truncated)), 'CORRUPT_IMAGE');
    expect(error.message).toContain('The JPEG file is truncated');
  });

  it('rejects a generated JPEG cut before its end marker as CORRUPT_IMAGE (truncated)', () => {
    const jpeg = makeJpeg(200, 200);

    const error = expectRejected(
      () => inspectImage(inputOf(jpeg.subarray(0, jpeg.length - 100))),
      'CORRUPT_IMAGE',
    );
    expect(error.message).toContain('truncated');
  });

  it('rejects a truncated PNG (its IEND chunk missing) as CORRUPT_IMAGE', () => {
    const png = makePng(200, 200);

    const error = expectRejected(
      () => inspectImage(inputOf(png.subarray(0, Math.floor(png.length / 2)))),
      'CORRUPT_IMAGE',
    );
    expect(error.message).toContain('The PNG file is truncated');
  });

  it('rejects a PNG whose header chunk fails its CRC as CORRUPT_IMAGE', () => {
    const png = new Uint8Array(makePng(100, 100));
    png[30] = (png[30] ?? 0) ^ 0xff; // a byte of the IHDR CRC

    const error = expectRejected(() => inspectImage(inputOf(png)), 'CORRUPT_IMAGE');
    expect(error.message).toContain('checksum');
  });

  it('rejects a PNG with only its signature (no readable header) as CORRUPT_IMAGE', () => {
    const png = makePng(100, 100).subarray(0, 8);

    expectRejected(() => inspectImage(inputOf(png)), 'CORRUPT_IMAGE');
  });

  it('accepts padding after a JPEG end marker', () => {
    const jpeg = makeJpeg(100, 100);
    const padded = new Uint8Array(jpeg.length + 64);
    padded.set(jpeg);

    expect(inspectImage(inputOf(padded)).format).toBe('jpeg');
  });
});
