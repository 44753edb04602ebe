import { pipeline } from 'node:stream/promises';
import { header } from './body';
import { type Ctx, requireObject } from './context';
import { S3Error } from './errors';
import type { ObjectMeta } from './store';

// GetObject and HeadObject: conditional requests, ranges, response header overrides.

export function checkConditions(ctx: Ctx, meta: ObjectMeta): boolean {
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
  if (ifMatch === undefined && ifUnmodifiedSince !== undefined && modified > Date.parse(ifUnmodifiedSince)) {
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

export function objectHeaders(meta: ObjectMeta): Record<string, string> {
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

export function parseRange(
  value: string | undefined,
  size: number,
): { start: number; end: number } | undefined {
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

export async function getObject(ctx: Ctx): Promise<void> {
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
    await pipeline(ctx.env.store.readStream(ctx.bucket, meta, range), res);
  } catch (error) {
    // The object was replaced while streaming, or the client went away.
    if (!res.destroyed) res.destroy(error as Error);
  }
}
