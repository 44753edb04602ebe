import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { AwsChunkedDecoder, isAwsChunked, storedContentEncoding } from '../../../local/s3/chunked';

function frame(payload: Buffer, chunkSize: number, trailer: string, signed: boolean): Buffer {
  const parts: Buffer[] = [];
  const sig = signed ? `;chunk-signature=${'a'.repeat(64)}` : '';
  for (let offset = 0; offset < payload.length; offset += chunkSize) {
    const chunk = payload.subarray(offset, offset + chunkSize);
    parts.push(Buffer.from(`${chunk.length.toString(16)}${sig}\r\n`), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`0${sig}\r\n${trailer}\r\n`));
  return Buffer.concat(parts);
}

/** Feeds `data` to the decoder in pieces of `piece` bytes, to cross every framing boundary. */
async function decode(data: Buffer, piece: number) {
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += piece) pieces.push(data.subarray(i, i + piece));
  const decoder = new AwsChunkedDecoder();
  const out = await buffer(Readable.from(pieces).pipe(decoder));
  return { out, trailers: decoder.trailers };
}

describe('AwsChunkedDecoder', () => {
  const payload = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));

  it.each([1, 7, 8192, 1 << 20])(
    'recovers the exact bytes and the trailer when fed %i bytes at a time',
    async (piece) => {
      const body = frame(payload, 65_536, 'x-amz-checksum-crc32:AbCdEg==\r\n', false);
      const { out, trailers } = await decode(body, piece);
      expect(out.equals(payload)).toBe(true);
      expect(trailers.get('x-amz-checksum-crc32')).toBe('AbCdEg==');
    },
  );

  it('drops chunk signatures of signed streaming bodies', async () => {
    const { out } = await decode(frame(payload, 8192, '', true), 1000);
    expect(out.equals(payload)).toBe(true);
  });

  it('decodes an empty body', async () => {
    const { out, trailers } = await decode(Buffer.from('0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n'), 3);
    expect(out.length).toBe(0);
    expect(trailers.get('x-amz-checksum-crc32')).toBe('AAAAAA==');
  });

  it('fails on a body cut before its final chunk', async () => {
    const body = frame(payload, 8192, '', false);
    await expect(decode(body.subarray(0, 20_000), 4096)).rejects.toThrow(/ended before/);
  });

  it('fails on a malformed size line', async () => {
    await expect(decode(Buffer.from('zz\r\nabc\r\n0\r\n\r\n'), 100)).rejects.toThrow(/size line/);
  });
});

describe('aws-chunked request detection', () => {
  it('recognises the content encoding and the streaming payload hash', () => {
    expect(isAwsChunked({ 'content-encoding': 'aws-chunked' })).toBe(true);
    expect(isAwsChunked({ 'content-encoding': 'gzip, aws-chunked' })).toBe(true);
    expect(isAwsChunked({ 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' })).toBe(true);
    expect(isAwsChunked({ 'content-encoding': 'gzip', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' })).toBe(
      false,
    );
  });

  it('stores the content encoding without aws-chunked', () => {
    expect(storedContentEncoding('aws-chunked')).toBeUndefined();
    expect(storedContentEncoding('gzip,aws-chunked')).toBe('gzip');
    expect(storedContentEncoding(undefined)).toBeUndefined();
  });
});
