import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { AwsChunkedDecoder, isAwsChunked, storedContentEncoding } from './chunked';
import { type CorsRule, corsHeaders, matchingRule, requestedHeaders } from './cors';
import { buildEventRecord, type S3EventName, type S3EventRecord, Sequencer } from './events';
import { compareKeys, FileStore, type NewObjectMeta, type ObjectMeta } from './store';
import { doc, el, elements, escapeXml, text } from './xml';

export interface S3ServiceOptions {
  /** Directory holding buckets, objects and multipart uploads; reused across restarts. */
  dataDir: string;
  /** Buckets created at start if absent. */
  buckets?: string[];
  /** Called once per object change, after the change is durable; the response waits for it. */
  onObjectEvent?: (record: S3EventRecord) => void | Promise<void>;
  /** Region reported in events and GetBucketLocation. Default `us-east-1`. */
  region?: string;
  /** `s3.configurationId` of event records. Default `local-s3-notifications`. */
  configurationId?: string;
  /** Canonical owner id of the buckets. */
  ownerId?: string;
  /** Logger for errors thrown by onObjectEvent and internal errors. Default console.error. */
  logError?: (message: string, error: unknown) => void;
  /** Each bucket's CORS rules (its CORSConfiguration); a bucket without any answers no preflight. */
  cors?: Record<string, readonly CorsRule[]>;
}

export interface S3Service {
  handler: RequestListener;
  close(): Promise<void>;
  /** The bytes of an object (versionId other than undefined/'null' is NoSuchVersion: no versioning). */
  readObject(bucket: string, key: string, versionId?: string): Promise<Uint8Array>;
}

/** An S3 error response; also thrown by readObject (`name` and `code` are the S3 error code). */
export class S3Error extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
  }
}

const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_XML_BODY = 4 * 1024 * 1024;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Sub-resources this endpoint does not implement: answered with 501 NotImplemented. */
const UNSUPPORTED_SUBRESOURCES = [
  'acl',
  'tagging',
  'policy',
  'cors',
  'lifecycle',
  'notification',
  'website',
  'encryption',
  'replication',
  'logging',
  'versions',
  'retention',
  'legal-hold',
  'object-lock',
  'restore',
  'select',
  'torrent',
  'attributes',
  'accelerate',
  'analytics',
  'inventory',
  'metrics',
  'ownershipControls',
  'publicAccessBlock',
  'requestPayment',
  'intelligent-tiering',
];

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

const crc32Base64 = (value: number): string => {
  const buf = Buffer.alloc(4);
  buf.writeUInt32BE(value >>> 0);
  return buf.toString('base64');
};

/** Computes MD5 (and the other checksums a request may claim) of the bytes flowing through. */
class Digests extends Transform {
  size = 0;
  crc = 0;
  private readonly md5 = createHash('md5');
  private readonly sha256 = createHash('sha256');
  private readonly sha1 = createHash('sha1');

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    this.crc = crc32(chunk, this.crc);
    this.md5.update(chunk);
    this.sha256.update(chunk);
    this.sha1.update(chunk);
    callback(null, chunk);
  }

  result() {
    return {
      size: this.size,
      md5: this.md5.digest(),
      sha256: this.sha256.digest(),
      sha1: this.sha1.digest(),
      crc32: crc32Base64(this.crc),
    };
  }
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
async function receiveBody(req: IncomingMessage, query: URLSearchParams, file: string): Promise<BodyResult> {
  const chunked = isAwsChunked(req.headers);
  const decodedLength = header(req, 'x-amz-decoded-content-length');
  if (header(req, 'content-length') === undefined && !(chunked && decodedLength !== undefined)) {
    req.resume();
    throw new S3Error('MissingContentLength', 411, 'You must provide the Content-Length HTTP header.');
  }
  const digests = new Digests();
  const decoder = chunked ? new AwsChunkedDecoder() : undefined;
  try {
    const sink = createWriteStream(file, { flush: true });
    if (decoder) await pipeline(req, decoder, digests, sink);
    else await pipeline(req, digests, sink);
    const got = digests.result();
    const claims = new Map<string, string>();
    for (const algorithm of ['crc32', 'sha1', 'sha256']) {
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
    if (contentSha && /^[0-9a-f]{64}$/.test(contentSha) && contentSha !== got.sha256.toString('hex')) {
      throw new S3Error(
        'XAmzContentSHA256Mismatch',
        400,
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
    const actual: Record<string, string> = {
      crc32: got.crc32,
      sha1: got.sha1.toString('base64'),
      sha256: got.sha256.toString('base64'),
    };
    const checksumHeaders: Record<string, string> = {};
    for (const [algorithm, claimed] of claims) {
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

async function receiveSmallBody(req: IncomingMessage): Promise<string> {
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

function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new S3Error('InvalidURI', 400, "Couldn't parse the specified URI.");
  }
}

/** Metadata headers of a PutObject / CreateMultipartUpload / CopyObject(REPLACE) request. */
function metaFromHeaders(req: IncomingMessage): Omit<NewObjectMeta, 'size' | 'etag' | 'sequencer'> {
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

function accessKeyOf(req: IncomingMessage, query: URLSearchParams): string | undefined {
  const credential =
    /Credential=([^/,\s]+)/.exec(header(req, 'authorization') ?? '')?.[1] ??
    query.get('X-Amz-Credential')?.split('/')[0];
  return credential || undefined;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  bucket: string;
  key: string;
  query: URLSearchParams;
  requestId: string;
  hostId: string;
}

interface ListEntry {
  key?: ObjectMeta;
  prefix?: string;
}

export async function createS3Service(options: S3ServiceOptions): Promise<S3Service> {
  const region = options.region ?? 'us-east-1';
  const configurationId = options.configurationId ?? 'local-s3-notifications';
  const ownerId = options.ownerId ?? '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a';
  const logError = options.logError ?? ((message: string, error: unknown) => console.error(message, error));
  const store = new FileStore(options.dataDir);
  await mkdir(options.dataDir, { recursive: true });
  const sequencer = new Sequencer();
  for (const seq of await store.init()) sequencer.observe(seq);
  for (const bucket of options.buckets ?? []) {
    if (!BUCKET_NAME.test(bucket)) throw new Error(`invalid bucket name: ${bucket}`);
    await store.createBucket(bucket);
  }
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  async function emit(
    ctx: Ctx,
    eventName: S3EventName,
    key: string,
    seq: string,
    object?: { size: number; etag: string },
  ): Promise<void> {
    if (!options.onObjectEvent) return;
    const accessKey = accessKeyOf(ctx.req, ctx.query);
    const record = buildEventRecord({
      eventName,
      region,
      bucket: ctx.bucket,
      key,
      size: object?.size,
      eTag: object?.etag,
      sequencer: seq,
      sourceIp: (ctx.req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      requestId: ctx.requestId,
      hostId: ctx.hostId,
      principalId: accessKey ? `AWS:${accessKey}` : 'Anonymous',
      configurationId,
    });
    try {
      await options.onObjectEvent(record);
    } catch (error) {
      logError(`[local-s3] onObjectEvent failed for ${eventName} s3://${ctx.bucket}/${key}:`, error);
    }
  }

  function send(ctx: Ctx, status: number, body?: string, headers: Record<string, string> = {}): void {
    const { res } = ctx;
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (body !== undefined) {
      res.setHeader('Content-Type', 'application/xml');
      res.setHeader('Content-Length', Buffer.byteLength(body));
    } else if (!res.hasHeader('Content-Length')) {
      res.setHeader('Content-Length', 0);
    }
    res.writeHead(status);
    res.end(ctx.method === 'HEAD' ? undefined : body);
  }

  function sendError(ctx: Ctx, error: S3Error): void {
    const body = doc(
      'Error',
      el('Code', error.code) +
        el('Message', error.message) +
        Object.entries(error.extra)
          .map(([name, value]) => el(name, value))
          .join('') +
        el('RequestId', ctx.requestId) +
        el('HostId', ctx.hostId),
    ).replace(` xmlns="http://s3.amazonaws.com/doc/2006-03-01/"`, '');
    if (ctx.method === 'HEAD') {
      ctx.res.setHeader('Content-Length', 0);
      ctx.res.writeHead(error.statusCode);
      ctx.res.end();
    } else {
      send(ctx, error.statusCode, body);
    }
  }

  function requireBucket(ctx: Ctx): void {
    if (!store.hasBucket(ctx.bucket)) {
      throw new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', {
        BucketName: ctx.bucket,
      });
    }
  }

  function requireObject(ctx: Ctx): ObjectMeta {
    requireBucket(ctx);
    const meta = store.getObject(ctx.bucket, ctx.key);
    if (!meta) throw new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: ctx.key });
    return meta;
  }

  // ---------------------------------------------------------------- service and bucket operations

  function listBuckets(ctx: Ctx): void {
    const buckets = store
      .listBuckets()
      .map((b) => `<Bucket>${el('Name', b.name)}${el('CreationDate', b.creationDate)}</Bucket>`)
      .join('');
    send(
      ctx,
      200,
      doc(
        'ListAllMyBucketsResult',
        `<Owner>${el('ID', ownerId)}${el('DisplayName', 'local')}</Owner><Buckets>${buckets}</Buckets>`,
      ),
    );
  }

  async function createBucket(ctx: Ctx): Promise<void> {
    await receiveSmallBody(ctx.req);
    if (!BUCKET_NAME.test(ctx.bucket)) {
      throw new S3Error('InvalidBucketName', 400, 'The specified bucket is not valid.', {
        BucketName: ctx.bucket,
      });
    }
    if (!(await store.createBucket(ctx.bucket))) {
      throw new S3Error(
        'BucketAlreadyOwnedByYou',
        409,
        'Your previous request to create the named bucket succeeded and you already own it.',
        { BucketName: ctx.bucket },
      );
    }
    send(ctx, 200, undefined, { Location: `/${ctx.bucket}` });
  }

  async function deleteBucket(ctx: Ctx): Promise<void> {
    const result = await store.deleteBucket(ctx.bucket);
    if (result === 'missing') requireBucket(ctx);
    if (result === 'not-empty') {
      throw new S3Error('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty', {
        BucketName: ctx.bucket,
      });
    }
    send(ctx, 204);
  }

  function parseMaxKeys(ctx: Ctx): number {
    const raw = ctx.query.get('max-keys');
    if (raw === null) return 1000;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) {
      throw new S3Error('InvalidArgument', 400, 'Provided max-keys not an integer or within integer range');
    }
    return Math.min(value, 1000);
  }

  /**
   * One page of a listing: entries strictly after `marker`, matching `prefix`, rolled up into
   * common prefixes by `delimiter`; a marker that is a common prefix skips everything under it.
   */
  function listPage(bucket: string, prefix: string, delimiter: string, marker: string, maxKeys: number) {
    const entries: ListEntry[] = [];
    let truncated = false;
    let lastPrefix: string | undefined;
    for (const key of store.sortedKeys(bucket)) {
      if (marker !== '' && compareKeys(key, marker) <= 0) continue;
      if (!key.startsWith(prefix)) continue;
      if (
        delimiter !== '' &&
        marker.endsWith(delimiter) &&
        marker.startsWith(prefix) &&
        key.startsWith(marker)
      ) {
        continue;
      }
      const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
      const commonPrefix = cut < 0 ? undefined : key.slice(0, cut + delimiter.length);
      if (commonPrefix !== undefined && commonPrefix === lastPrefix) continue;
      if (entries.length >= maxKeys) {
        truncated = true;
        break;
      }
      if (commonPrefix !== undefined) {
        lastPrefix = commonPrefix;
        entries.push({ prefix: commonPrefix });
      } else {
        const meta = store.getObject(bucket, key);
        if (meta) entries.push({ key: meta });
      }
    }
    const last = entries.at(-1);
    return { entries, truncated, nextMarker: last?.prefix ?? last?.key?.key };
  }

  function renderEntries(entries: ListEntry[], encode: (s: string) => string, withOwner: boolean): string {
    const owner = withOwner ? `<Owner>${el('ID', ownerId)}${el('DisplayName', 'local')}</Owner>` : '';
    const contents = entries
      .filter((e) => e.key)
      .map((e) => {
        const m = e.key as ObjectMeta;
        return `<Contents>${el('Key', encode(m.key))}${el('LastModified', m.lastModified)}${el('ETag', m.etag)}${el('Size', m.size)}${owner}${el('StorageClass', 'STANDARD')}</Contents>`;
      })
      .join('');
    const prefixes = entries
      .filter((e) => e.prefix !== undefined)
      .map((e) => `<CommonPrefixes>${el('Prefix', encode(e.prefix ?? ''))}</CommonPrefixes>`)
      .join('');
    return contents + prefixes;
  }

  function listEncoder(ctx: Ctx): { encode: (s: string) => string; encodingType?: string } {
    const type = ctx.query.get('encoding-type');
    if (type === null) return { encode: (s) => s };
    if (type !== 'url')
      throw new S3Error('InvalidArgument', 400, 'Invalid Encoding Method specified in Request');
    return { encode: (s) => encodeURIComponent(s).replace(/%2F/g, '/'), encodingType: 'url' };
  }

  function listObjectsV2(ctx: Ctx): void {
    requireBucket(ctx);
    const prefix = ctx.query.get('prefix') ?? '';
    const delimiter = ctx.query.get('delimiter') ?? '';
    const startAfter = ctx.query.get('start-after') ?? '';
    const token = ctx.query.get('continuation-token');
    const maxKeys = parseMaxKeys(ctx);
    const { encode, encodingType } = listEncoder(ctx);
    let marker = startAfter;
    if (token !== null) {
      try {
        const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { m?: unknown };
        if (typeof parsed.m !== 'string') throw new Error('bad token');
        marker = parsed.m;
      } catch {
        throw new S3Error('InvalidArgument', 400, 'The continuation token provided is incorrect');
      }
    }
    const page = listPage(ctx.bucket, prefix, delimiter, marker, maxKeys);
    const nextToken =
      page.truncated && page.nextMarker !== undefined
        ? Buffer.from(JSON.stringify({ m: page.nextMarker })).toString('base64url')
        : undefined;
    const e = (s: string) => (s === '' ? undefined : encode(s));
    send(
      ctx,
      200,
      doc(
        'ListBucketResult',
        el('Name', ctx.bucket) +
          el('Prefix', encode(prefix)) +
          el('Delimiter', e(delimiter)) +
          el('MaxKeys', maxKeys) +
          el('EncodingType', encodingType) +
          el('KeyCount', page.entries.length) +
          el('IsTruncated', page.truncated) +
          el('ContinuationToken', token ?? undefined) +
          el('NextContinuationToken', nextToken) +
          el('StartAfter', e(startAfter)) +
          renderEntries(page.entries, encode, ctx.query.get('fetch-owner') === 'true'),
      ),
    );
  }

  function listObjectsV1(ctx: Ctx): void {
    requireBucket(ctx);
    const prefix = ctx.query.get('prefix') ?? '';
    const delimiter = ctx.query.get('delimiter') ?? '';
    const marker = ctx.query.get('marker') ?? '';
    const maxKeys = parseMaxKeys(ctx);
    const { encode, encodingType } = listEncoder(ctx);
    const page = listPage(ctx.bucket, prefix, delimiter, marker, maxKeys);
    const e = (s: string) => (s === '' ? undefined : encode(s));
    send(
      ctx,
      200,
      doc(
        'ListBucketResult',
        el('Name', ctx.bucket) +
          el('Prefix', encode(prefix)) +
          el('Marker', encode(marker)) +
          el(
            'NextMarker',
            page.truncated && page.nextMarker !== undefined ? encode(page.nextMarker) : undefined,
          ) +
          el('Delimiter', e(delimiter)) +
          el('MaxKeys', maxKeys) +
          el('EncodingType', encodingType) +
          el('IsTruncated', page.truncated) +
          renderEntries(page.entries, encode, true),
      ),
    );
  }

  async function deleteObjects(ctx: Ctx): Promise<void> {
    requireBucket(ctx);
    const body = await receiveSmallBody(ctx.req);
    const quiet = text(body, 'Quiet') === 'true';
    const keys = elements(body, 'Object').map((object) => text(object, 'Key'));
    if (keys.length === 0 || keys.length > 1000 || keys.some((k) => k === undefined || k === '')) {
      throw new S3Error('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate.');
    }
    let results = '';
    for (const key of keys as string[]) {
      const existed = await store.deleteObject(ctx.bucket, key);
      if (existed) await emit(ctx, 'ObjectRemoved:Delete', key, sequencer.next());
      if (!quiet) results += `<Deleted>${el('Key', key)}</Deleted>`;
    }
    send(ctx, 200, doc('DeleteResult', results));
  }

  // ---------------------------------------------------------------- object operations

  function rejectLongKey(ctx: Ctx): void {
    if (Buffer.byteLength(ctx.key) > 1024) {
      throw new S3Error('KeyTooLongError', 400, 'Your key is too long');
    }
  }

  async function putObject(ctx: Ctx): Promise<void> {
    requireBucket(ctx);
    rejectLongKey(ctx);
    const tmp = store.tempPath();
    const body = await receiveBody(ctx.req, ctx.query, tmp);
    if (header(ctx.req, 'if-none-match') === '*' && store.getObject(ctx.bucket, ctx.key)) {
      await rm(tmp, { force: true });
      throw new S3Error(
        'PreconditionFailed',
        412,
        'At least one of the pre-conditions you specified did not hold',
        {
          Condition: 'If-None-Match',
        },
      );
    }
    const seq = sequencer.next();
    const meta = await store.commitObject(ctx.bucket, ctx.key, tmp, {
      ...metaFromHeaders(ctx.req),
      size: body.size,
      etag: `"${body.md5Hex}"`,
      sequencer: seq,
    });
    await emit(ctx, 'ObjectCreated:Put', ctx.key, seq, meta);
    send(ctx, 200, undefined, { ETag: meta.etag, ...body.checksumHeaders });
  }

  function parseCopySource(ctx: Ctx): { bucket: string; key: string } {
    const raw = header(ctx.req, 'x-amz-copy-source') ?? '';
    const withoutVersion = raw.split('?')[0] ?? '';
    const decoded = decodePathPart(withoutVersion.replace(/^\//, ''));
    const slash = decoded.indexOf('/');
    if (slash <= 0 || slash === decoded.length - 1) {
      throw new S3Error(
        'InvalidArgument',
        400,
        'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      );
    }
    return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
  }

  async function copyObject(ctx: Ctx): Promise<void> {
    requireBucket(ctx);
    rejectLongKey(ctx);
    await receiveSmallBody(ctx.req);
    const source = parseCopySource(ctx);
    const sourceMeta = store.getObject(source.bucket, source.key);
    if (!store.hasBucket(source.bucket)) {
      throw new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', {
        BucketName: source.bucket,
      });
    }
    if (!sourceMeta)
      throw new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: source.key });
    const replace = (header(ctx.req, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase() === 'REPLACE';
    if (source.bucket === ctx.bucket && source.key === ctx.key && !replace) {
      throw new S3Error(
        'InvalidRequest',
        400,
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    const { key: _k, dataFile: _d, lastModified: _l, sequencer: _s, ...kept } = sourceMeta;
    const tmp = await store.copyToTemp(source.bucket, sourceMeta);
    const seq = sequencer.next();
    const newMeta: NewObjectMeta = replace
      ? { ...metaFromHeaders(ctx.req), size: kept.size, etag: kept.etag, sequencer: seq }
      : { ...kept, sequencer: seq };
    const meta = await store.commitObject(ctx.bucket, ctx.key, tmp, newMeta);
    await emit(ctx, 'ObjectCreated:Copy', ctx.key, seq, meta);
    send(ctx, 200, doc('CopyObjectResult', el('LastModified', meta.lastModified) + el('ETag', meta.etag)));
  }

  function checkConditions(ctx: Ctx, meta: ObjectMeta): boolean {
    const ifMatch = header(ctx.req, 'if-match');
    const ifNoneMatch = header(ctx.req, 'if-none-match');
    const ifModifiedSince = header(ctx.req, 'if-modified-since');
    const ifUnmodifiedSince = header(ctx.req, 'if-unmodified-since');
    const modified = Math.floor(Date.parse(meta.lastModified) / 1000) * 1000;
    const etagMatches = (list: string) =>
      list
        .split(',')
        .some((t) => t.trim() === '*' || t.trim().replace(/"/g, '') === meta.etag.replace(/"/g, ''));
    if (ifMatch !== undefined && !etagMatches(ifMatch)) {
      throw new S3Error(
        'PreconditionFailed',
        412,
        'At least one of the pre-conditions you specified did not hold',
        {
          Condition: 'If-Match',
        },
      );
    }
    if (
      ifMatch === undefined &&
      ifUnmodifiedSince !== undefined &&
      modified > Date.parse(ifUnmodifiedSince)
    ) {
      throw new S3Error(
        'PreconditionFailed',
        412,
        'At least one of the pre-conditions you specified did not hold',
        {
          Condition: 'If-Unmodified-Since',
        },
      );
    }
    if (ifNoneMatch !== undefined) return !etagMatches(ifNoneMatch);
    if (ifModifiedSince !== undefined && modified <= Date.parse(ifModifiedSince)) return false;
    return true;
  }

  function objectHeaders(meta: ObjectMeta): Record<string, string> {
    const headers: Record<string, string> = {
      ETag: meta.etag,
      'Last-Modified': new Date(meta.lastModified).toUTCString(),
      'Content-Type': meta.contentType,
      'Accept-Ranges': 'bytes',
    };
    if (meta.contentEncoding) headers['Content-Encoding'] = meta.contentEncoding;
    if (meta.contentDisposition) headers['Content-Disposition'] = meta.contentDisposition;
    if (meta.contentLanguage) headers['Content-Language'] = meta.contentLanguage;
    if (meta.cacheControl) headers['Cache-Control'] = meta.cacheControl;
    if (meta.expires) headers.Expires = meta.expires;
    for (const [name, value] of Object.entries(meta.metadata)) headers[`x-amz-meta-${name}`] = value;
    const parts = /-(\d+)"$/.exec(meta.etag)?.[1];
    if (parts) headers['x-amz-mp-parts-count'] = parts;
    return headers;
  }

  function parseRange(value: string | undefined, size: number): { start: number; end: number } | undefined {
    if (value === undefined) return undefined;
    const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
    if (!match) return undefined; // multiple or malformed ranges: S3 ignores the header
    const [, first = '', last = ''] = match;
    if (first === '' && last === '') return undefined;
    let start: number;
    let end: number;
    if (first === '') {
      const suffix = Number(last);
      if (suffix === 0) throw new S3Error('InvalidRange', 416, 'The requested range is not satisfiable');
      start = Math.max(0, size - suffix);
      end = size - 1;
    } else {
      start = Number(first);
      end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
      if (last !== '' && Number(last) < start) return undefined;
    }
    if (start >= size) {
      throw new S3Error('InvalidRange', 416, 'The requested range is not satisfiable', {
        RangeRequested: value,
        ActualObjectSize: String(size),
      });
    }
    return { start, end };
  }

  async function getObject(ctx: Ctx): Promise<void> {
    const meta = requireObject(ctx);
    // Not versioned: the current object is the version `null`, and there is no other.
    const versionId = ctx.query.get('versionId');
    if (versionId !== null && versionId !== 'null') {
      throw new S3Error('NoSuchVersion', 404, 'The specified version does not exist.', {
        Key: ctx.key,
        VersionId: versionId,
      });
    }
    const headers = objectHeaders(meta);
    if (!checkConditions(ctx, meta)) {
      ctx.res.writeHead(304, { ETag: meta.etag, 'Last-Modified': headers['Last-Modified'] });
      ctx.res.end();
      return;
    }
    const overrides: Record<string, string> = {
      'response-content-type': 'Content-Type',
      'response-content-language': 'Content-Language',
      'response-expires': 'Expires',
      'response-cache-control': 'Cache-Control',
      'response-content-disposition': 'Content-Disposition',
      'response-content-encoding': 'Content-Encoding',
    };
    for (const [param, name] of Object.entries(overrides)) {
      const value = ctx.query.get(param);
      if (value !== null) headers[name] = value;
    }
    const range = parseRange(header(ctx.req, 'range'), meta.size);
    const { res } = ctx;
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (range) {
      res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${meta.size}`);
      res.setHeader('Content-Length', range.end - range.start + 1);
      res.writeHead(206);
    } else {
      res.setHeader('Content-Length', meta.size);
      res.writeHead(200);
    }
    if (ctx.method === 'HEAD' || meta.size === 0) {
      res.end();
      return;
    }
    try {
      await pipeline(store.readStream(ctx.bucket, meta, range), res);
    } catch (error) {
      // The object was replaced while streaming, or the client went away.
      if (!res.destroyed) res.destroy(error as Error);
    }
  }

  async function deleteObject(ctx: Ctx): Promise<void> {
    requireBucket(ctx);
    if (await store.deleteObject(ctx.bucket, ctx.key)) {
      await emit(ctx, 'ObjectRemoved:Delete', ctx.key, sequencer.next());
    }
    send(ctx, 204);
  }

  // ---------------------------------------------------------------- multipart uploads

  async function requireUpload(ctx: Ctx) {
    const uploadId = ctx.query.get('uploadId') ?? '';
    const upload = await store.getUpload(uploadId);
    if (!upload || upload.bucket !== ctx.bucket || upload.key !== ctx.key) {
      throw new S3Error(
        'NoSuchUpload',
        404,
        'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
        { UploadId: uploadId },
      );
    }
    return upload;
  }

  async function createMultipartUpload(ctx: Ctx): Promise<void> {
    requireBucket(ctx);
    rejectLongKey(ctx);
    await receiveSmallBody(ctx.req);
    const upload = await store.createUpload({
      bucket: ctx.bucket,
      key: ctx.key,
      meta: metaFromHeaders(ctx.req),
    });
    const algorithm = header(ctx.req, 'x-amz-checksum-algorithm');
    send(
      ctx,
      200,
      doc(
        'InitiateMultipartUploadResult',
        el('Bucket', ctx.bucket) + el('Key', ctx.key) + el('UploadId', upload.uploadId),
      ),
      algorithm ? { 'x-amz-checksum-algorithm': algorithm } : {},
    );
  }

  async function uploadPart(ctx: Ctx): Promise<void> {
    requireBucket(ctx);
    const upload = await requireUpload(ctx);
    const partNumber = Number(ctx.query.get('partNumber'));
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) {
      ctx.req.resume();
      throw new S3Error(
        'InvalidArgument',
        400,
        'Part number must be an integer between 1 and 10000, inclusive',
      );
    }
    if (header(ctx.req, 'x-amz-copy-source') !== undefined) {
      ctx.req.resume();
      throw new S3Error('NotImplemented', 501, 'UploadPartCopy is not implemented by the local S3 endpoint');
    }
    const tmp = store.tempPath();
    const body = await receiveBody(ctx.req, ctx.query, tmp);
    const etag = `"${body.md5Hex}"`;
    await store.putPart(upload.uploadId, { partNumber, etag, size: body.size }, tmp);
    send(ctx, 200, undefined, { ETag: etag, ...body.checksumHeaders });
  }

  async function completeMultipartUpload(ctx: Ctx): Promise<void> {
    requireBucket(ctx);
    const xml = await receiveSmallBody(ctx.req);
    const upload = await requireUpload(ctx);
    await store.withLock(`upload:${upload.uploadId}`, async () => {
      if (!(await store.getUpload(upload.uploadId))) await requireUpload(ctx);
      const requested = elements(xml, 'Part').map((part) => ({
        partNumber: Number(text(part, 'PartNumber')),
        etag: (text(part, 'ETag') ?? '').replace(/"/g, ''),
      }));
      if (requested.length === 0) {
        throw new S3Error(
          'MalformedXML',
          400,
          'The XML you provided was not well-formed or did not validate.',
        );
      }
      const md5s: Buffer[] = [];
      const files: string[] = [];
      let size = 0;
      for (const [index, part] of requested.entries()) {
        if (index > 0 && part.partNumber <= (requested[index - 1]?.partNumber ?? 0)) {
          throw new S3Error('InvalidPartOrder', 400, 'The list of parts was not in ascending order.');
        }
        const stored = await store.getPart(upload.uploadId, part.partNumber);
        if (!stored || stored.etag.replace(/"/g, '') !== part.etag) {
          throw new S3Error(
            'InvalidPart',
            400,
            "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.",
            { PartNumber: String(part.partNumber), ETag: part.etag },
          );
        }
        if (index < requested.length - 1 && stored.size < MIN_PART_SIZE) {
          throw new S3Error(
            'EntityTooSmall',
            400,
            'Your proposed upload is smaller than the minimum allowed size',
            {
              ProposedSize: String(stored.size),
              MinSizeAllowed: String(MIN_PART_SIZE),
              PartNumber: String(part.partNumber),
            },
          );
        }
        md5s.push(Buffer.from(part.etag, 'hex'));
        files.push(store.partPath(upload.uploadId, part.partNumber));
        size += stored.size;
      }
      const tmp = store.tempPath();
      const out = createWriteStream(tmp, { flush: true });
      await pipeline(async function* () {
        for (const file of files) yield* createReadStream(file);
      }, out);
      const etag = `"${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${requested.length}"`;
      const seq = sequencer.next();
      const meta = await store.commitObject(ctx.bucket, ctx.key, tmp, {
        ...upload.meta,
        size,
        etag,
        sequencer: seq,
      });
      await store.deleteUpload(upload.uploadId);
      await emit(ctx, 'ObjectCreated:CompleteMultipartUpload', ctx.key, seq, meta);
      const host = header(ctx.req, 'host') ?? 'localhost';
      send(
        ctx,
        200,
        doc(
          'CompleteMultipartUploadResult',
          el('Location', `http://${host}/${ctx.bucket}/${encodeURIComponent(ctx.key).replace(/%2F/g, '/')}`) +
            el('Bucket', ctx.bucket) +
            el('Key', ctx.key) +
            el('ETag', meta.etag),
        ),
      );
    });
  }

  async function abortMultipartUpload(ctx: Ctx): Promise<void> {
    requireBucket(ctx);
    const upload = await requireUpload(ctx);
    await store.withLock(`upload:${upload.uploadId}`, () => store.deleteUpload(upload.uploadId));
    send(ctx, 204);
  }

  // ---------------------------------------------------------------- CORS

  /** OPTIONS: a CORS preflight, answered from the bucket's rules (403 when none allows it). */
  function preflight(ctx: Ctx): void {
    const origin = header(ctx.req, 'origin');
    const method = header(ctx.req, 'access-control-request-method');
    if (!origin)
      throw new S3Error('BadRequest', 400, 'Insufficient information. Origin request header needed.');
    if (!method) throw new S3Error('BadRequest', 400, 'Invalid Access-Control-Request-Method: null');
    requireBucket(ctx);
    const rules = options.cors?.[ctx.bucket] ?? [];
    const forbidden = { Method: method, ResourceType: ctx.key ? 'OBJECT' : 'BUCKET' };
    if (rules.length === 0) {
      throw new S3Error(
        'AccessForbidden',
        403,
        'CORSResponse: CORS is not enabled for this bucket.',
        forbidden,
      );
    }
    const request = {
      origin,
      method,
      headers: requestedHeaders(header(ctx.req, 'access-control-request-headers')),
    };
    const rule = matchingRule(rules, request);
    if (!rule) {
      throw new S3Error(
        'AccessForbidden',
        403,
        "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
        forbidden,
      );
    }
    send(ctx, 200, undefined, corsHeaders(rule, request, true));
  }

  /** An actual request from an origin a rule allows for its method gets the CORS headers. */
  function addCorsHeaders(ctx: Ctx): void {
    const origin = header(ctx.req, 'origin');
    const rules = options.cors?.[ctx.bucket];
    if (!origin || !rules) return;
    const request = { origin, method: ctx.method };
    const rule = matchingRule(rules, request);
    if (rule)
      for (const [name, value] of Object.entries(corsHeaders(rule, request, false)))
        ctx.res.setHeader(name, value);
  }

  // ---------------------------------------------------------------- routing

  async function route(ctx: Ctx): Promise<void> {
    const { method, query } = ctx;
    const unsupported = UNSUPPORTED_SUBRESOURCES.find((name) => query.has(name));
    if (unsupported) {
      throw new S3Error(
        'NotImplemented',
        501,
        `The ?${unsupported} sub-resource is not implemented by the local S3 endpoint`,
      );
    }
    if (ctx.bucket === '') {
      if (method === 'GET') return listBuckets(ctx);
      throw new S3Error(
        'MethodNotAllowed',
        405,
        'The specified method is not allowed against this resource.',
      );
    }
    if (ctx.key === '') {
      if (method === 'PUT') return createBucket(ctx);
      if (method === 'HEAD') {
        requireBucket(ctx);
        return send(ctx, 200, undefined, { 'x-amz-bucket-region': region });
      }
      if (method === 'DELETE') return deleteBucket(ctx);
      if (method === 'POST' && query.has('delete')) return deleteObjects(ctx);
      if (method === 'GET') {
        if (query.has('location')) {
          requireBucket(ctx);
          return send(ctx, 200, doc('LocationConstraint', region === 'us-east-1' ? '' : escapeXml(region)));
        }
        if (query.has('versioning')) {
          requireBucket(ctx);
          return send(ctx, 200, doc('VersioningConfiguration', ''));
        }
        if (query.has('uploads')) {
          throw new S3Error(
            'NotImplemented',
            501,
            'ListMultipartUploads is not implemented by the local S3 endpoint',
          );
        }
        if (query.get('list-type') === '2') return listObjectsV2(ctx);
        return listObjectsV1(ctx);
      }
      throw new S3Error(
        'MethodNotAllowed',
        405,
        'The specified method is not allowed against this resource.',
      );
    }
    if (method === 'PUT') {
      if (query.has('uploadId') || query.has('partNumber')) return uploadPart(ctx);
      if (header(ctx.req, 'x-amz-copy-source') !== undefined) return copyObject(ctx);
      return putObject(ctx);
    }
    if (method === 'GET' || method === 'HEAD') {
      if (query.has('uploadId'))
        throw new S3Error('NotImplemented', 501, 'ListParts is not implemented by the local S3 endpoint');
      return getObject(ctx);
    }
    if (method === 'DELETE') {
      if (query.has('uploadId')) return abortMultipartUpload(ctx);
      return deleteObject(ctx);
    }
    if (method === 'POST') {
      if (query.has('uploads')) return createMultipartUpload(ctx);
      if (query.has('uploadId')) return completeMultipartUpload(ctx);
    }
    throw new S3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    const hostId = randomBytes(32).toString('base64');
    res.setHeader('x-amz-request-id', requestId);
    res.setHeader('x-amz-id-2', hostId);
    res.setHeader('Server', 'AmazonS3');
    // Split the raw URL by hand: WHATWG URL parsing would resolve `..` and `%2E%2E` in keys.
    let raw = req.url ?? '/';
    const absolute = /^[a-z]+:\/\/[^/]*/i.exec(raw);
    if (absolute) raw = raw.slice(absolute[0].length) || '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    const slash = path.indexOf('/', 1);
    const ctx: Ctx = {
      req,
      res,
      method: (req.method ?? 'GET').toUpperCase(),
      bucket: '',
      key: '',
      query,
      requestId,
      hostId,
    };
    try {
      ctx.bucket = decodePathPart(slash < 0 ? path.slice(1) : path.slice(1, slash));
      ctx.key = slash < 0 ? '' : decodePathPart(path.slice(slash + 1));
      if (closed) throw new S3Error('ServiceUnavailable', 503, 'The local S3 endpoint is shutting down.');
      if (ctx.method === 'OPTIONS') return preflight(ctx);
      addCorsHeaders(ctx);
      await route(ctx);
    } catch (error) {
      if (!(error instanceof S3Error)) logError(`[local-s3] ${ctx.method} ${req.url} failed:`, error);
      if (!req.complete) req.resume();
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(ctx, error instanceof S3Error ? error : new S3Error('InternalError', 500, String(error)));
    }
  }

  return {
    handler(req, res) {
      const task = handle(req, res).catch((error: unknown) => logError('[local-s3] unhandled error:', error));
      inFlight.add(task);
      task.finally(() => inFlight.delete(task));
    },
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
    },
    async readObject(bucket, key, versionId) {
      if (!store.hasBucket(bucket)) {
        throw new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket });
      }
      const meta = store.getObject(bucket, key);
      if (!meta) throw new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key });
      if (versionId !== undefined && versionId !== 'null') {
        throw new S3Error('NoSuchVersion', 404, 'The specified version does not exist.', {
          Key: key,
          VersionId: versionId,
        });
      }
      return store.readAll(bucket, meta);
    },
  };
}
