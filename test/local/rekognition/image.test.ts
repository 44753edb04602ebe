import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { decodeImage, inspectImage, sniffFormat } from '../../../local/rekognition/image';

const photo = (name: string): Buffer =>
  readFileSync(new URL(`../../fixtures/photos/${name}`, import.meta.url));

/** A PNG whose IHDR claims width x height, with no pixel data at all. */
function pngHeaderOnly(width: number, height: number): Uint8Array {
  const ihdr = Buffer.alloc(8 + 25);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(ihdr, 0);
  ihdr.writeUInt32BE(13, 8);
  ihdr.write('IHDR', 12, 'ascii');
  ihdr.writeUInt32BE(width, 16);
  ihdr.writeUInt32BE(height, 20);
  ihdr.set([8, 2, 0, 0, 0], 24); // 8-bit RGB; CRC left zero: never read
  return ihdr;
}

function encodePng(
  width: number,
  height: number,
  pixel: number[],
  options: { colorType: 0 | 2 | 4 | 6; bitDepth: 8 | 16 },
) {
  const png = new PNG({ width, height });
  const samples = options.bitDepth === 16 ? new Uint16Array(width * height * 4) : png.data;
  for (let i = 0; i < width * height; i++) samples.set(pixel, i * 4);
  if (options.bitDepth === 16) png.data = Buffer.from(samples.buffer);
  return PNG.sync.write(png, {
    colorType: options.colorType,
    bitDepth: options.bitDepth,
    inputHasAlpha: true,
  });
}

describe('sniffFormat', () => {
  it('recognises JPEG and PNG by magic bytes only', () => {
    expect(sniffFormat(photo('rocket.jpg'))).toBe('jpeg');
    expect(sniffFormat(photo('coffee.png'))).toBe('png');
    expect(sniffFormat(Buffer.from('GIF89a...'))).toBeUndefined();
    expect(sniffFormat(Buffer.from('hello, not an image'))).toBeUndefined();
  });
});

describe('inspectImage (header only)', () => {
  it('reads dimensions of PNG and JPEG files', () => {
    expect(inspectImage(photo('coffee.png'))).toEqual({ format: 'png', width: 600, height: 400 });
    expect(inspectImage(photo('rocket.jpg'))).toEqual({ format: 'jpeg', width: 640, height: 427 });
  });

  it('rejects a side over 10000 px from the header, with no pixel data present', () => {
    expect(() => inspectImage(pngHeaderOnly(10001, 10))).toThrowError(
      expect.objectContaining({ name: 'ImageTooLargeException' }),
    );
    expect(inspectImage(pngHeaderOnly(10000, 10))).toMatchObject({ width: 10000, height: 10 });
  });

  it('caps the pixel count below the per-side limit (decompression bomb guard)', () => {
    expect(() => inspectImage(pngHeaderOnly(10000, 10000))).toThrowError(
      expect.objectContaining({ name: 'ImageTooLargeException' }),
    );
  });

  it('rejects unknown formats and unreadable headers', () => {
    for (const bytes of [Buffer.from('plain text'), Buffer.from([0xff, 0xd8, 0xff]), pngHeaderOnly(0, 10)]) {
      expect(() => inspectImage(bytes)).toThrowError(
        expect.objectContaining({ name: 'InvalidImageFormatException' }),
      );
    }
  });
});

describe('decodeImage (pure-JS decoding to packed RGB)', () => {
  it('decodes RGB PNG and JPEG photos', () => {
    const png = decodeImage(photo('coffee.png'));
    const jpg = decodeImage(photo('rocket.jpg'));
    expect([png.width, png.height, png.data.length]).toEqual([600, 400, 600 * 400 * 3]);
    expect([jpg.width, jpg.height, jpg.data.length]).toEqual([640, 427, 640 * 427 * 3]);
  });

  it('expands 8-bit grayscale PNG to RGB', () => {
    const image = decodeImage(photo('brick.png'));
    expect(image.data.length).toBe(512 * 512 * 3);
    expect([image.data[0], image.data[1]]).toEqual([image.data[2], image.data[2]]);
  });

  it('rescales 16-bit PNG samples to 8 bits', () => {
    const bytes = encodePng(2, 2, [0xffff, 0x8000, 0x0000, 0xffff], { colorType: 6, bitDepth: 16 });
    expect(decodeImage(bytes).data.subarray(0, 3)).toEqual(new Uint8Array([255, 128, 0]));
  });

  it('composites RGBA over white', () => {
    const bytes = encodePng(2, 1, [0, 0, 0, 0], { colorType: 6, bitDepth: 8 });
    expect([...decodeImage(bytes).data]).toEqual([255, 255, 255, 255, 255, 255]);
  });

  it('decodes a grayscale PNG with alpha', () => {
    const bytes = encodePng(1, 1, [100, 100, 100, 255], { colorType: 4, bitDepth: 8 });
    expect([...decodeImage(bytes).data]).toEqual([100, 100, 100]);
  });

  it('decodes a small JPEG written by jpeg-js', () => {
    const rgba = Buffer.alloc(8 * 8 * 4, 200);
    const encoded = jpeg.encode({ data: rgba, width: 8, height: 8 }, 90).data;
    const image = decodeImage(encoded);
    expect(image.width).toBe(8);
    expect(Math.abs((image.data[0] ?? 0) - 200)).toBeLessThan(5);
  });

  it('fails with InvalidImageFormatException on a truncated JPEG', () => {
    expect(() => decodeImage(photo('truncated.jpg'))).toThrowError(
      expect.objectContaining({ name: 'InvalidImageFormatException' }),
    );
  });

  it('fails with InvalidImageFormatException on a PNG cut after its header', () => {
    const png = photo('chelsea.png');
    expect(() => decodeImage(png.subarray(0, 2000))).toThrowError(
      expect.objectContaining({ name: 'InvalidImageFormatException' }),
    );
    expect(() =>
      decodeImage(Buffer.concat([pngHeaderOnly(4, 4), deflateSync(Buffer.alloc(3))])),
    ).toThrowError(expect.objectContaining({ name: 'InvalidImageFormatException' }));
  });
});
