import { type Ctx, requireBucket, send } from './context';
import { S3Error } from './errors';
import { compareKeys, type FileStore, type ObjectMeta } from './store';
import { doc, el } from './xml';

// ListObjects (V1) and ListObjectsV2: pages of keys and common prefixes, markers and tokens.

interface ListEntry {
  key?: ObjectMeta;
  prefix?: string;
}

export function parseMaxKeys(ctx: Ctx): number {
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
export function listPage(
  store: FileStore,
  bucket: string,
  prefix: string,
  delimiter: string,
  marker: string,
  maxKeys: number,
) {
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

export function renderEntries(
  ownerId: string,
  entries: ListEntry[],
  encode: (s: string) => string,
  withOwner: boolean,
): string {
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

export function listEncoder(ctx: Ctx): { encode: (s: string) => string; encodingType?: string } {
  const type = ctx.query.get('encoding-type');
  if (type === null) return { encode: (s) => s };
  if (type !== 'url')
    throw new S3Error('InvalidArgument', 400, 'Invalid Encoding Method specified in Request');
  return { encode: (s) => encodeURIComponent(s).replace(/%2F/g, '/'), encodingType: 'url' };
}

export function listObjectsV2(ctx: Ctx): void {
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
  const page = listPage(ctx.env.store, ctx.bucket, prefix, delimiter, marker, maxKeys);
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
        renderEntries(ctx.env.ownerId, page.entries, encode, ctx.query.get('fetch-owner') === 'true'),
    ),
  );
}

export function listObjectsV1(ctx: Ctx): void {
  requireBucket(ctx);
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') ?? '';
  const marker = ctx.query.get('marker') ?? '';
  const maxKeys = parseMaxKeys(ctx);
  const { encode, encodingType } = listEncoder(ctx);
  const page = listPage(ctx.env.store, ctx.bucket, prefix, delimiter, marker, maxKeys);
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
        renderEntries(ctx.env.ownerId, page.entries, encode, true),
    ),
  );
}
