import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { AwsChunkedDecoder, isAwsChunked, storedContentEncoding } from './chunked';
import { S3Error } from './errors';
import type { NewObjectMeta } from './store';

// Request bodies and headers: an object body streamed to a file with its integrity checks, a
// small XML body, object metadata headers, the caller's access key.

const MAX_XML_BODY = 4 * 1024 * 1024;

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

const crc32Base64 = (value: number): string => {
  const buf = Buffer.alloc(4);
  buf.writeUInt32BE(value >>> 0);
  return buf.toString('base64');
};

type Algorithm = 'crc32' | 'sha1' | 'sha256';
const ALGORITHMS: readonly Algorithm[] = ['crc32', 'sha1', 'sha256'];
/** An x-amz-content-sha256 that is a digest (not UNSIGNED-PAYLOAD or a STREAMING-* mode). */
const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * Computes MD5 (the ETag) and the checksums the request claims, of the bytes flowing through.
 * Only those: SHA-256 and SHA-1 of every upload were most of what a burst of uploads cost the
 * emulators' thread, and the SDK's default upload claims only CRC32.
 */
class Digests extends Transform {
  size = 0;
  private crc: number | undefined;
  private readonly md5 = createHash('md5');
  private readonly sha256;
  private readonly sha1;

  constructor(readonly algorithms: ReadonlySet<Algorithm>) {
    super();
    if (algorithms.has('crc32')) this.crc = 0;
    this.sha256 = algorithms.has('sha256') ? createHash('sha256') : undefined;
    this.sha1 = algorithms.has('sha1') ? createHash('sha1') : undefined;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.crc !== undefined) this.crc = crc32(chunk, this.crc);
    this.md5.update(chunk);
    this.sha256?.update(chunk);
    this.sha1?.update(chunk);
    callback(null, chunk);
  }

  result() {
    return {
      size: this.size,
      md5: this.md5.digest(),
      sha256: this.sha256?.digest(),
      sha1: this.sha1?.digest(),
      crc32: this.crc === undefined ? undefined : crc32Base64(this.crc),
    };
  }
}

/**
 * The checksums a request can claim, known before its body: as headers, as presigned-URL
 * parameters, or as aws-chunked trailers that `x-amz-trailer` announces. A chunked body that
 * announces none may still end with any: then every one is computed.
 */
function algorithmsToCompute(req: IncomingMessage, query: URLSearchParams, chunked: boolean): Set<Algorithm> {
  const announced = header(req, 'x-amz-trailer');
  if (chunked && announced === undefined) return new Set(ALGORITHMS);
  const trailers = (announced ?? '')
    .toLowerCase()
    .split(',')
    .map((name) => name.trim());
  const wanted = new Set(
    ALGORITHMS.filter((algorithm) => {
      const name = `x-amz-checksum-${algorithm}`;
      return header(req, name) !== undefined || query.has(name) || trailers.includes(name);
    }),
  );
  if (HEX_SHA256.test(header(req, 'x-amz-content-sha256') ?? '')) wanted.add('sha256');
  return wanted;
}

interface BodyResult {
  size: number;
  md5Hex: string;
  /** Checksum headers to echo back (e.g. x-amz-checksum-crc32) for the ones the client sent. */
  checksumHeaders: Record<string, string>;
}

/**
 * Streams the request body (aws-chunked framing removed) into `file`, fsyncs it, and verifies
 * every integrity claim the request makes: Content-MD5, x-amz-content-sha256 (when a hex
 * digest), x-amz-checksum-{crc32,sha1,sha256} as header, presigned-URL query parameter or
 * aws-chunked trailer, and x-amz-decoded-content-length. Throws S3Error (and removes the file)
 * on a mismatch, as S3 does.
 */
export async function receiveBody(
  req: IncomingMessage,
  query: URLSearchParams,
  file: string,
): Promise<BodyResult> {
  const chunked = isAwsChunked(req.headers);
  const decodedLength = header(req, 'x-amz-decoded-content-length');
  if (header(req, 'content-length') === undefined && !(chunked && decodedLength !== undefined)) {
    req.resume();
    throw new S3Error('MissingContentLength', 411, 'You must provide the Content-Length HTTP header.');
  }
  const digests = new Digests(algorithmsToCompute(req, query, chunked));
  const decoder = chunked ? new AwsChunkedDecoder() : undefined;
  try {
    const sink = createWriteStream(file, { flush: true });
    if (decoder) await pipeline(req, decoder, digests, sink);
    else await pipeline(req, digests, sink);
    const got = digests.result();
    const claims = new Map<Algorithm, string>();
    for (const algorithm of ALGORITHMS) {
      const name = `x-amz-checksum-${algorithm}`;
      const claimed = header(req, name) ?? query.get(name) ?? decoder?.trailers.get(name);
      if (claimed !== undefined) claims.set(algorithm, claimed);
    }
    if (decoder && decodedLength !== undefined && Number(decodedLength) !== got.size) {
      throw new S3Error(
        'IncompleteBody',
        400,
        'You did not provide the number of bytes specified by the x-amz-decoded-content-length header.',
      );
    }
    const md5 = header(req, 'content-md5');
    if (md5 !== undefined && md5 !== got.md5.toString('base64')) {
      throw new S3Error('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.');
    }
    const contentSha = header(req, 'x-amz-content-sha256');
    if (contentSha && HEX_SHA256.test(contentSha) && contentSha !== got.sha256?.toString('hex')) {
      throw new S3Error(
        'XAmzContentSHA256Mismatch',
        400,
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
    const actual: Record<Algorithm, string | undefined> = {
      crc32: got.crc32,
      sha1: got.sha1?.toString('base64'),
      sha256: got.sha256?.toString('base64'),
    };
    const checksumHeaders: Record<string, string> = {};
    for (const [algorithm, claimed] of claims) {
      if (!digests.algorithms.has(algorithm)) {
        throw new S3Error(
          'MalformedTrailerError',
          400,
          `The trailer x-amz-checksum-${algorithm} was not announced in x-amz-trailer.`,
        );
      }
      if (claimed !== actual[algorithm]) {
        throw new S3Error(
          'BadDigest',
          400,
          `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
        );
      }
      checksumHeaders[`x-amz-checksum-${algorithm}`] = claimed;
    }
    return { size: got.size, md5Hex: got.md5.toString('hex'), checksumHeaders };
  } catch (error) {
    await rm(file, { force: true });
    if (error instanceof S3Error) throw error;
    throw new S3Error('IncompleteBody', 400, `Could not read the request body: ${(error as Error).message}`);
  }
}

export async function receiveSmallBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const source = isAwsChunked(req.headers) ? req.pipe(new AwsChunkedDecoder()) : req;
  for await (const chunk of source) {
    size += (chunk as Buffer).length;
    if (size > MAX_XML_BODY) throw new S3Error('MaxMessageLengthExceeded', 400, 'Your request was too big.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new S3Error('InvalidURI', 400, "Couldn't parse the specified URI.");
  }
}

/** Metadata headers of a PutObject / CreateMultipartUpload / CopyObject(REPLACE) request. */
export function metaFromHeaders(req: IncomingMessage): Omit<NewObjectMeta, 'size' | 'etag' | 'sequencer'> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) {
      metadata[name.slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
    }
  }
  const optional = {
    contentEncoding: storedContentEncoding(header(req, 'content-encoding')),
    contentDisposition: header(req, 'content-disposition'),
    contentLanguage: header(req, 'content-language'),
    cacheControl: header(req, 'cache-control'),
    expires: header(req, 'expires'),
  };
  const meta: Omit<NewObjectMeta, 'size' | 'etag' | 'sequencer'> = {
    contentType: header(req, 'content-type') ?? 'binary/octet-stream',
    metadata,
  };
  for (const [name, value] of Object.entries(optional)) {
    if (value !== undefined) Object.assign(meta, { [name]: value });
  }
  return meta;
}

export function accessKeyOf(req: IncomingMessage, query: URLSearchParams): string | undefined {
  const credential =
    /Credential=([^/,\s]+)/.exec(header(req, 'authorization') ?? '')?.[1] ??
    query.get('X-Amz-Credential')?.split('/')[0];
  return credential || undefined;
}
