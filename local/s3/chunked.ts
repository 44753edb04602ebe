import { Transform, type TransformCallback } from 'node:stream';

/**
 * Decodes the `aws-chunked` content encoding (SigV4 streaming uploads) into the raw object bytes.
 *
 * Current @aws-sdk/client-s3 defaults send stream bodies as
 * `<hex-size>[;chunk-signature=...]\r\n<bytes>\r\n ... 0\r\n<trailer>:<value>\r\n\r\n`
 * with `Content-Encoding: aws-chunked`, `x-amz-decoded-content-length` and a CRC32 trailer.
 * s3rver 3.7.1 stored this framing as the object (notes, bug 1); here it is decoded in this one
 * place and the trailers (e.g. `x-amz-checksum-crc32`) are collected for verification.
 */
export class AwsChunkedDecoder extends Transform {
  readonly trailers = new Map<string, string>();
  private pending: Buffer = Buffer.alloc(0);
  private state: 'size' | 'data' | 'data-end' | 'trailers' | 'done' = 'size';
  private remaining = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    try {
      this.drain();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    // Some clients end the body right after the last trailer line, without the final CRLF.
    if (this.state === 'trailers' && this.pending.length > 0) {
      this.readTrailer(this.pending.toString('latin1'));
      this.pending = Buffer.alloc(0);
      this.state = 'done';
    }
    if (this.state !== 'done' && this.state !== 'trailers') {
      callback(new Error('aws-chunked body ended before its final chunk'));
      return;
    }
    callback();
  }

  private drain(): void {
    for (;;) {
      if (this.state === 'data') {
        if (this.pending.length === 0) return;
        const take = Math.min(this.remaining, this.pending.length);
        this.push(this.pending.subarray(0, take));
        this.pending = this.pending.subarray(take);
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'data-end';
        continue;
      }
      if (this.state === 'done') {
        this.pending = Buffer.alloc(0);
        return;
      }
      const eol = this.pending.indexOf('\r\n');
      if (eol < 0) {
        if (this.pending.length > 64 * 1024) throw new Error('aws-chunked line too long');
        return;
      }
      const line = this.pending.subarray(0, eol).toString('latin1');
      this.pending = this.pending.subarray(eol + 2);
      if (this.state === 'data-end') {
        if (line !== '') throw new Error('aws-chunked chunk not followed by CRLF');
        this.state = 'size';
      } else if (this.state === 'size') {
        const sizeText = line.split(';')[0]?.trim() ?? '';
        if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new Error(`bad aws-chunked size line: ${line}`);
        this.remaining = Number.parseInt(sizeText, 16);
        this.state = this.remaining === 0 ? 'trailers' : 'data';
      } else if (line === '') {
        this.state = 'done';
      } else {
        this.readTrailer(line);
      }
    }
  }

  private readTrailer(line: string): void {
    for (const part of line.split('\r\n')) {
      const colon = part.indexOf(':');
      if (colon > 0)
        this.trailers.set(part.slice(0, colon).trim().toLowerCase(), part.slice(colon + 1).trim());
    }
  }
}

/** True when the request body uses the aws-chunked framing. */
export function isAwsChunked(headers: Record<string, string | string[] | undefined>): boolean {
  const encoding = String(headers['content-encoding'] ?? '').toLowerCase();
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  return encoding.split(',').some((e) => e.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}

/** Content-Encoding to store: the request's, without `aws-chunked`. */
export function storedContentEncoding(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const rest = header
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e.toLowerCase() !== 'aws-chunked');
  return rest.length > 0 ? rest.join(', ') : undefined;
}
