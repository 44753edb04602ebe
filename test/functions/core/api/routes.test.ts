/**
 * The labels API's routes on in-memory ports (test/support/api.ts): what each route answers,
 * what it asks the table, the bucket and the signer, and every problem it answers with.
 */
import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../../../../functions/core/api/cursor';
import type { ApiResponse } from '../../../../functions/core/api/http';
import { handleApiRequest } from '../../../../functions/core/api/routes';
import type { ImageItem } from '../../../../functions/core/labels-table';
import {
  type CallLog,
  apiDeps as deps,
  memoryBucket,
  memoryImages,
  readableSigner,
  apiRequest as request,
  API_CURSOR_SECRET as SECRET,
} from '../../../support/api';
import { recordingPublisher } from '../../../support/image-events';
import { label } from '../../../support/workflow';

const body = (response: ApiResponse) => JSON.parse(response.body ?? 'null') as Record<string, unknown>;

async function expectProblem(
  response: Promise<ApiResponse>,
  status: number,
  slug: string,
  parameter?: string,
) {
  const result = await response;
  expect(result.statusCode).toBe(status);
  expect(result.headers['content-type']).toBe('application/problem+json');
  const problem = body(result);
  expect(problem).toMatchObject({
    type: `urn:image-labeling:problem:${slug}`,
    status,
    title: expect.any(String),
  });
  if (parameter) expect(problem.parameter).toBe(parameter);
  expect(result.body).not.toMatch(/at .*\.ts|Error:|labels-table|DynamoDB|\bimages\b/);
  return problem;
}

/** What the readable signer signed: object key, version, signing time and validity. */
function signedGet(url: unknown) {
  const parsed = new URL(String(url));
  return {
    key: decodeURI(parsed.pathname.slice(1)),
    versionId: parsed.searchParams.get('versionId'),
    signedAt: parsed.searchParams.get('signedAt'),
    expiresIn: parsed.searchParams.get('expiresIn'),
  };
}

const record: ImageItem = {
  pk: 'IMAGE#a b/c+d.png',
  sk: 'IMAGE',
  bucket: 'images',
  key: 'a b/c+d.png',
  status: 'LABELED',
  objectVersion: 'v1',
  versionId: 'v1',
  eTag: 'e',
  sequencer: '0A',
  size: 10,
  image: { format: 'png', width: 100, height: 100, size: 10 },
  labels: [
    {
      name: 'Cat',
      confidence: 97.5,
      parents: ['Animal'],
      categories: ['Animals'],
      aliases: [],
      instances: [{ confidence: 97.5, box: { left: 0.1, top: 0.1, width: 0.5, height: 0.5 } }],
    },
  ],
  labelNames: ['Cat'],
  settings: { minConfidence: 70, maxLabels: 25 },
  updatedAt: '2026-01-01T00:00:00.000Z',
};

/** An IMAGE record of `key` with these labels (name, confidence), updated at minute `minute`. */
function image(
  key: string,
  labels: [string, number][],
  options: Partial<ImageItem> & { minute?: number } = {},
) {
  const { minute = 0, ...rest } = options;
  return {
    ...record,
    pk: `IMAGE#${key}`,
    key,
    objectVersion: `v-${key}`,
    versionId: `v-${key}`,
    labels: labels.map(([name, confidence]) => label(name, confidence)),
    labelNames: labels.map(([name]) => name),
    updatedAt: new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString(),
    ...rest,
  };
}

describe('GET /images/{key}', () => {
  it('answers the record without table keys or internals', async () => {
    const log: CallLog = [];
    const result = await handleApiRequest(
      request('getImage', { key: 'a b/c+d.png' }),
      deps({ images: memoryImages([record], log) }),
    );
    expect(result.statusCode).toBe(200);
    expect(body(result)).toMatchObject({ key: 'a b/c+d.png', status: 'LABELED', labels: [{ name: 'Cat' }] });
    for (const internal of ['pk', 'sk', 'bucket', 'sequencer', 'eTag', 'labelNames', 'topLabels'])
      expect(body(result)).not.toHaveProperty(internal);
    expect(log).toEqual(['images.get a b/c+d.png']);
  });

  it('answers the detection settings the labels were computed with', async () => {
    const result = await handleApiRequest(
      request('getImage', { key: 'a b/c+d.png' }),
      deps({ images: memoryImages([record]) }),
    );
    expect(body(result).settings).toEqual({ minConfidence: 70, maxLabels: 25 });
  });

  it('answers no settings for a record without them (a rejected image)', async () => {
    const { settings: _settings, ...rejected } = record;
    const images = memoryImages([
      { ...rejected, status: 'REJECTED', labels: [], reason: 'DIMENSIONS_TOO_SMALL' },
    ]);
    const result = await handleApiRequest(request('getImage', { key: 'a b/c+d.png' }), deps({ images }));
    expect(body(result)).toMatchObject({ status: 'REJECTED', reason: 'DIMENSIONS_TOO_SMALL' });
    expect(body(result)).not.toHaveProperty('settings');
  });

  it('signs a GET URL of the labeled version, so pixels and boxes match after an overwrite', async () => {
    const answer = body(
      await handleApiRequest(
        request('getImage', { key: 'a b/c+d.png' }),
        deps({ images: memoryImages([record]) }),
      ),
    );
    expect(signedGet(answer.imageUrl)).toMatchObject({ key: 'a b/c+d.png', versionId: 'v1' });
  });

  it('signs an unversioned record without a versionId', async () => {
    const { versionId: _versionId, ...unversioned } = record;
    const images = memoryImages([{ ...unversioned, objectVersion: 'etag:e' }]);
    const answer = body(
      await handleApiRequest(request('getImage', { key: 'a b/c+d.png' }), deps({ images })),
    );
    expect(signedGet(answer.imageUrl).versionId).toBeNull();
  });

  it('makes the URL expire after imageUrlExpiresSeconds from the start of the minute, and says when', async () => {
    const answer = body(
      await handleApiRequest(
        request('getImage', { key: 'a b/c+d.png' }),
        deps({ images: memoryImages([record]), imageUrlExpiresSeconds: 240 }),
      ),
    );
    // now is 03:04:05: signed at 03:04:00, valid 240 s, so until 03:08:00.
    expect(signedGet(answer.imageUrl)).toMatchObject({
      signedAt: '2026-01-02T03:04:00.000Z',
      expiresIn: '240',
    });
    expect(answer.imageUrlExpiresAt).toBe('2026-01-02T03:08:00.000Z');
  });

  it('gives the same URL to reads within the same minute, and a new one in the next', async () => {
    const read = async (now: string) =>
      body(
        await handleApiRequest(
          request('getImage', { key: 'a b/c+d.png' }),
          deps({ images: memoryImages([record]), now: () => new Date(now) }),
        ),
      ).imageUrl;
    expect(await read('2026-01-02T03:04:01Z')).toBe(await read('2026-01-02T03:04:59Z'));
    expect(await read('2026-01-02T03:05:00Z')).not.toBe(await read('2026-01-02T03:04:59Z'));
  });

  it('answers PENDING with a URL of the current object when the object exists but has no record yet', async () => {
    const result = await handleApiRequest(
      request('getImage', { key: 'new.png' }),
      deps({ bucket: memoryBucket(['new.png']) }),
    );
    expect(result.statusCode).toBe(200);
    const answer = body(result);
    expect(answer).toEqual({
      key: 'new.png',
      status: 'PENDING',
      labels: [],
      imageUrl: expect.any(String),
      imageUrlExpiresAt: '2026-01-02T03:09:00.000Z',
    });
    expect(signedGet(answer.imageUrl)).toMatchObject({ key: 'new.png', versionId: null });
  });

  it('answers 404 when neither a record nor the object exists', async () => {
    await expectProblem(
      handleApiRequest(request('getImage', { key: 'x.png' }), deps()),
      404,
      'image-not-found',
      'key',
    );
  });

  it.each([
    ['a path traversal', '../../etc/passwd'],
    ['a dot segment', 'a/./b.png'],
    ['a key over 1024 bytes', 'é'.repeat(513)],
    ['a NUL byte', 'a\u0000b'],
    ['the replacement character of invalid UTF-8', 'a\ufffd.png'],
    ['a lone surrogate', 'a\ud800.png'],
    ['an empty key', ''],
  ])('rejects %s with a 400 invalid-key problem, reading nothing', async (_name, key) => {
    const log: CallLog = [];
    await expectProblem(
      handleApiRequest(
        request('getImage', { key }),
        deps({ images: memoryImages([], log), bucket: memoryBucket([], log) }),
      ),
      400,
      'invalid-key',
      'key',
    );
    expect(log).toEqual([]);
  });

  it('accepts a key of exactly 1024 bytes', async () => {
    const key = 'a'.repeat(1024);
    const result = await handleApiRequest(
      request('getImage', { key }),
      deps({ images: memoryImages([{ ...record, key }]) }),
    );
    expect(result.statusCode).toBe(200);
  });

  it('rejects query parameters, which the route does not take', async () => {
    await expectProblem(
      handleApiRequest(request('getImage', { key: 'x.png', query: { debug: '1' } }), deps()),
      400,
      'unknown-parameter',
      'debug',
    );
  });

  it('answers 500 with a bare problem when the table fails, and reports the error', async () => {
    const errors: unknown[] = [];
    const failing = {
      ...memoryImages(),
      get: async () => {
        throw new Error('ResourceNotFoundException: table labels-table not found at x.ts');
      },
    };
    const problem = await expectProblem(
      handleApiRequest(
        request('getImage', { key: 'x.png' }),
        deps({ images: failing, onError: (error) => errors.push(error) }),
      ),
      500,
      'internal-error',
    );
    expect(problem).not.toHaveProperty('detail');
    expect(errors).toHaveLength(1);
  });

  it('answers 500 when the bucket fails', async () => {
    await expectProblem(
      handleApiRequest(
        request('getImage', { key: 'x.png' }),
        deps({ bucket: memoryBucket([], [], new Error('AccessDenied')) }),
      ),
      500,
      'internal-error',
    );
  });
});

describe('GET /images?label=', () => {
  const cats = () =>
    memoryImages([
      image('a.png', [['Cat', 99]]),
      image('b.png', [['Cat', 80]]),
      image('c.png', [['Cat', 70]]),
      image('d.png', [['Dog', 95]]),
    ]);

  it('answers the images of the label, highest confidence first, any case, from minConfidence', async () => {
    const images = cats();
    const result = await handleApiRequest(
      request('listImages', { query: { label: 'CAT', minConfidence: '75.5', limit: '2' } }),
      deps({ images }),
    );
    expect(result.statusCode).toBe(200);
    expect(body(result)).toEqual({
      label: 'CAT',
      minConfidence: 75.5,
      items: [
        { key: 'a.png', label: 'Cat', confidence: 99, imageUrl: expect.any(String) },
        { key: 'b.png', label: 'Cat', confidence: 80, imageUrl: expect.any(String) },
      ],
      imageUrlExpiresAt: '2026-01-02T03:09:00.000Z',
    });
    expect(images.queries.byLabel).toEqual([
      expect.objectContaining({ label: 'CAT', minConfidence: 75.5, limit: 2, after: undefined }),
    ]);
  });

  it('reads from confidence 0 and 25 images when minConfidence and limit are not given', async () => {
    const images = cats();
    await handleApiRequest(request('listImages', { query: { label: 'cat' } }), deps({ images }));
    expect(images.queries.byLabel).toEqual([expect.objectContaining({ minConfidence: 0, limit: 25 })]);
  });

  it('returns a cursor that continues exactly where the page ended, whatever the case of the label', async () => {
    const images = cats();
    const first = body(
      await handleApiRequest(
        request('listImages', { query: { label: 'cat', limit: '1' } }),
        deps({ images }),
      ),
    );
    expect(typeof first.nextCursor).toBe('string');
    expect(String(first.nextCursor)).not.toContain('a.png');
    const second = await handleApiRequest(
      request('listImages', { query: { label: 'Cat', limit: '1', cursor: String(first.nextCursor) } }),
      deps({ images }),
    );
    expect(second.statusCode).toBe(200);
    expect(body(second).items).toEqual([expect.objectContaining({ key: 'b.png' })]);
    expect(images.queries.byLabel[1]).toMatchObject({
      after: { pk: 'IMAGE#a.png', sk: 'LABEL#Cat', gsi1pk: 'LABEL#cat' },
    });
  });

  it('answers the last page without a cursor', async () => {
    const answer = body(
      await handleApiRequest(
        request('listImages', { query: { label: 'cat', limit: '3' } }),
        deps({ images: cats() }),
      ),
    );
    expect(answer.items).toHaveLength(3);
    expect(answer).not.toHaveProperty('nextCursor');
  });

  it("signs each hit's URL for the version its label belongs to", async () => {
    const images = memoryImages([
      image('a.png', [['Cat', 99]]),
      image('b.png', [['Cat', 80]], { objectVersion: 'etag:abc' }),
    ]);
    const answer = body(
      await handleApiRequest(request('listImages', { query: { label: 'cat' } }), deps({ images })),
    );
    expect((answer.items as { imageUrl: string }[]).map((item) => signedGet(item.imageUrl))).toMatchObject([
      { key: 'a.png', versionId: 'v-a.png' },
      { key: 'b.png', versionId: null },
    ]);
  });

  describe('rejects bad cursors with a 400, never a 500, before reading', () => {
    const position = { pk: 'IMAGE#b.png', sk: 'LABEL#Cat', gsi1pk: 'LABEL#cat', gsi1sk: '080.000#h' };
    const valid = encodeCursor(SECRET, 'cat\n0', position);
    it.each([
      ['modified', `${valid.slice(0, 10)}${valid[10] === 'A' ? 'B' : 'A'}${valid.slice(11)}`],
      ['signed with another key', encodeCursor(Buffer.from('x'.repeat(48)), 'cat\n0', position)],
      ['from another label', encodeCursor(SECRET, 'dog\n0', { ...position, gsi1pk: 'LABEL#dog' })],
      ['from another minConfidence', encodeCursor(SECRET, 'cat\n50', position)],
      [
        'of another label under this binding',
        encodeCursor(SECRET, 'cat\n0', { ...position, gsi1pk: 'LABEL#dog' }),
      ],
      [
        'from the list without a label',
        encodeCursor(SECRET, 'images:latest', {
          pk: 'IMAGE#b.png',
          sk: 'IMAGE',
          gsi2pk: 'IMAGES',
          gsi2sk: '2026-01-01T00:00:00.000Z#h',
        }),
      ],
      ['with extra fields', encodeCursor(SECRET, 'cat\n0', { ...position, extra: 'x' })],
      ['garbage', 'not a cursor'],
      ['very long', `${'a'.repeat(3000)}.b`],
    ])('%s', async (_name, cursor) => {
      const images = cats();
      await expectProblem(
        handleApiRequest(request('listImages', { query: { label: 'cat', cursor } }), deps({ images })),
        400,
        cursor.length > 2048 ? 'invalid-parameter' : 'invalid-cursor',
        'cursor',
      );
      expect(images.queries.byLabel).toHaveLength(0);
    });
  });

  it.each([
    [{ label: '' }, 'label'],
    [{ label: 'x'.repeat(65) }, 'label'],
    [{ label: 'cat', limit: '0' }, 'limit'],
    [{ label: 'cat', limit: '101' }, 'limit'],
    [{ label: 'cat', limit: '-5' }, 'limit'],
    [{ label: 'cat', limit: '2.5' }, 'limit'],
    [{ label: 'cat', limit: 'ten' }, 'limit'],
    [{ label: 'cat', minConfidence: '-1' }, 'minConfidence'],
    [{ label: 'cat', minConfidence: '100.5' }, 'minConfidence'],
    [{ label: 'cat', minConfidence: '1e2' }, 'minConfidence'],
    [{ label: 'cat', minConfidence: 'NaN' }, 'minConfidence'],
  ])('rejects %j with a 400 naming %s', async (query, parameter) => {
    await expectProblem(
      handleApiRequest(request('listImages', { query }), deps()),
      400,
      'invalid-parameter',
      parameter,
    );
  });

  it('rejects unknown parameters', async () => {
    await expectProblem(
      handleApiRequest(request('listImages', { query: { label: 'cat', sort: 'asc' } }), deps()),
      400,
      'unknown-parameter',
      'sort',
    );
  });
});

describe('GET /images', () => {
  const three = () =>
    memoryImages([
      image(
        'old.jpg',
        [
          ['Dog', 80],
          ['Ball', 95],
        ],
        { minute: 1 },
      ),
      image('new.jpg', [], { minute: 3, status: 'REJECTED', versionId: undefined, objectVersion: 'etag:n' }),
      image('middle.jpg', [['Cat', 90]], { minute: 2 }),
    ]);

  it('lists every image, last updated first, with its status, top labels and a URL of its version', async () => {
    const answer = body(await handleApiRequest(request('listImages'), deps({ images: three() })));
    expect(answer).toEqual({
      items: [
        {
          key: 'new.jpg',
          status: 'REJECTED',
          updatedAt: '2026-01-01T10:03:00.000Z',
          labels: [],
          imageUrl: expect.any(String),
        },
        {
          key: 'middle.jpg',
          status: 'LABELED',
          updatedAt: '2026-01-01T10:02:00.000Z',
          labels: ['Cat'],
          imageUrl: expect.any(String),
        },
        {
          key: 'old.jpg',
          status: 'LABELED',
          updatedAt: '2026-01-01T10:01:00.000Z',
          labels: ['Ball', 'Dog'],
          imageUrl: expect.any(String),
        },
      ],
      imageUrlExpiresAt: '2026-01-02T03:09:00.000Z',
    });
    expect(
      (answer.items as { imageUrl: string }[]).map((item) => signedGet(item.imageUrl).versionId),
    ).toEqual([null, 'v-middle.jpg', 'v-old.jpg']);
  });

  it('pages through every image exactly once with the cursors it hands out, 25 a page by default', async () => {
    const images = three();
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const query: Record<string, string> = { limit: '2', ...(cursor ? { cursor } : {}) };
      const page = body(await handleApiRequest(request('listImages', { query }), deps({ images })));
      keys.push(...(page.items as { key: string }[]).map((item) => item.key));
      cursor = page.nextCursor as string | undefined;
    } while (cursor);
    expect(keys).toEqual(['new.jpg', 'middle.jpg', 'old.jpg']);
    await handleApiRequest(request('listImages'), deps({ images }));
    expect(images.queries.latest.at(-1)).toEqual({ limit: 25, after: undefined });
  });

  it('refuses minConfidence without a label, saying why', async () => {
    // Not expectProblem: this detail names "images" on purpose.
    const result = await handleApiRequest(request('listImages', { query: { minConfidence: '50' } }), deps());
    expect(result.statusCode).toBe(400);
    expect(body(result)).toMatchObject({
      type: 'urn:image-labeling:problem:invalid-parameter',
      parameter: 'minConfidence',
      detail: expect.stringContaining('label'),
    });
  });

  it("refuses a label's cursor, and a list cursor of another partition, before reading", async () => {
    const images = three();
    const labelCursor = encodeCursor(SECRET, 'cat\n0', {
      pk: 'a',
      sk: 'b',
      gsi1pk: 'LABEL#cat',
      gsi1sk: 'c',
    });
    const foreign = encodeCursor(SECRET, 'images:latest', { pk: 'a', sk: 'b', gsi2pk: 'OTHER', gsi2sk: 'c' });
    for (const cursor of [labelCursor, foreign])
      await expectProblem(
        handleApiRequest(request('listImages', { query: { cursor } }), deps({ images })),
        400,
        'invalid-cursor',
        'cursor',
      );
    expect(images.queries.latest).toHaveLength(0);
  });
});

describe('GET /labels', () => {
  const counted = () =>
    memoryImages([
      ...Array.from({ length: 5 }, (_, index) => image(`car-${index}.png`, [['Car', 90]])),
      image('cat-1.png', [
        ['Cat', 90],
        ['Cap', 80],
      ]),
      image('cat-2.png', [
        ['Cat', 90],
        ['Cap', 80],
      ]),
      image('dog.png', [['Dog', 90]]),
    ]);

  it('answers the names under the prefix with their counts, most frequent first, up to limit', async () => {
    const images = counted();
    const result = await handleApiRequest(
      request('listLabels', { query: { prefix: 'CA', limit: '2' } }),
      deps({ images }),
    );
    expect(body(result)).toEqual({
      prefix: 'CA',
      labels: [
        { name: 'Car', imageCount: 5 },
        { name: 'Cap', imageCount: 2 },
      ],
    });
    expect(images.queries.labelCounts).toEqual([{ prefix: 'CA', limit: 2 }]);
  });

  it('reads every label, 50 at most, without a query', async () => {
    const images = counted();
    const answer = body(await handleApiRequest(request('listLabels'), deps({ images })));
    expect(answer.prefix).toBe('');
    expect(images.queries.labelCounts).toEqual([{ prefix: '', limit: 50 }]);
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '1000' }, 'limit'],
    [{ prefix: 'p'.repeat(65) }, 'prefix'],
  ])('rejects %j with a 400 naming %s', async (query, parameter) => {
    await expectProblem(
      handleApiRequest(request('listLabels', { query }), deps()),
      400,
      'invalid-parameter',
      parameter,
    );
  });
});

describe('POST /uploads', () => {
  const upload = (payload: unknown, contentType = 'application/json', signer = readableSigner()) =>
    handleApiRequest(
      request('createUpload', { body: JSON.stringify(payload), contentType }),
      deps({ signer }),
    );

  it('answers a PUT URL to a fresh key under uploads/, signed for the type and length, and where to follow it', async () => {
    const signer = readableSigner();
    const result = await upload(
      { fileName: 'My Photo (1).PNG', contentType: 'image/png', contentLength: 1234 },
      undefined,
      signer,
    );
    expect(result.statusCode).toBe(201);
    const key = 'uploads/00000000-0000-4000-8000-000000000000/My-Photo-1-.PNG';
    expect(body(result)).toEqual({
      key,
      upload: {
        method: 'PUT',
        url: `https://signed.test/${key}?upload&expiresIn=300`,
        headers: { 'content-type': 'image/png', 'content-length': '1234' },
      },
      expiresAt: '2026-01-02T03:09:05.000Z',
      statusUrl: `/images/${encodeURIComponent(key)}`,
    });
    expect(signer.uploads).toEqual([
      { key, content: { contentType: 'image/png', contentLength: 1234 }, expiresIn: 300 },
    ]);
    expect(result.headers.location).toBe(`/images/${encodeURIComponent(key)}`);
  });

  it('reads a base64-encoded body and a Content-Type header of any case', async () => {
    const payload = Buffer.from(
      JSON.stringify({ fileName: 'a.png', contentType: 'image/png', contentLength: 5 }),
    );
    const result = await handleApiRequest(
      {
        ...request('createUpload'),
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: payload.toString('base64'),
        isBase64Encoded: true,
      },
      deps(),
    );
    expect(result.statusCode).toBe(201);
  });

  it.each([
    [{ fileName: 'a.gif', contentType: 'image/gif', contentLength: 10 }, 'contentType'],
    [{ fileName: 'a.png', contentType: 'image/png', contentLength: 15 * 1024 * 1024 + 1 }, 'contentLength'],
    [{ fileName: 'a.png', contentType: 'image/png', contentLength: 0 }, 'contentLength'],
    [{ fileName: 'a.png', contentType: 'image/png', contentLength: -1 }, 'contentLength'],
    [{ fileName: 'a.png', contentType: 'image/png', contentLength: '10' }, 'contentLength'],
    [{ fileName: 'a.png', contentType: 'image/png', contentLength: 1.5 }, 'contentLength'],
    [{ fileName: '', contentType: 'image/png', contentLength: 10 }, 'fileName'],
    [{ fileName: 'a\nb.png', contentType: 'image/png', contentLength: 10 }, 'fileName'],
    [{ contentType: 'image/png', contentLength: 10 }, 'fileName'],
    [{ fileName: 'a.png', contentType: 'image/png', contentLength: 10, bucket: 'other' }, 'bucket'],
    [['a.png'], 'body'],
  ])('rejects %j with a 400 naming %s, signing nothing', async (payload, parameter) => {
    const signer = readableSigner();
    await expectProblem(upload(payload, undefined, signer), 400, 'invalid-body', parameter);
    expect(signer.uploads).toEqual([]);
  });

  it('names a missing field as missing, and a wrong one as invalid', async () => {
    const missing = body(await upload({ contentType: 'image/png', contentLength: 10 }));
    const wrong = body(await upload({ fileName: 'a.png', contentType: 'image/png', contentLength: '10' }));

    expect(missing.detail).toBe('Missing field "fileName".');
    expect(wrong.detail).toMatch(/^Invalid field "contentLength": Invalid type: Expected number/);
  });

  it('rejects invalid JSON, other media types and oversized bodies', async () => {
    await expectProblem(
      handleApiRequest(
        request('createUpload', { body: '{"fileName":', contentType: 'application/json' }),
        deps(),
      ),
      400,
      'invalid-body',
      'body',
    );
    await expectProblem(upload({}, 'text/plain'), 415, 'unsupported-media-type', 'content-type');
    await expectProblem(
      upload({ fileName: 'a'.repeat(5000), contentType: 'image/png', contentLength: 1 }),
      413,
      'payload-too-large',
    );
  });
});

describe('DELETE /images/{key}', () => {
  it('deletes the object, then every record, announcing the removal, and answers 204 without a body', async () => {
    const log: CallLog = [];
    const images = memoryImages([record], log);
    const events = recordingPublisher();
    const now = () => new Date('2026-01-02T03:04:05Z');
    const result = await handleApiRequest(
      request('deleteImage', { key: 'a b/c+d.png' }),
      deps({ images, bucket: memoryBucket(['a b/c+d.png'], log), events, now }),
    );
    expect(result).toEqual({
      statusCode: 204,
      headers: { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
    });
    expect(log).toEqual(['images.get a b/c+d.png', 'bucket.remove a b/c+d.png', 'images.remove a b/c+d.png']);
    expect(images.removals).toEqual([{ key: 'a b/c+d.png', announcer: { events, now } }]);
  });

  it('deletes an upload that has no record yet', async () => {
    const log: CallLog = [];
    const result = await handleApiRequest(
      request('deleteImage', { key: 'new.png' }),
      deps({ images: memoryImages([], log), bucket: memoryBucket(['new.png'], log) }),
    );
    expect(result.statusCode).toBe(204);
    expect(log).toEqual([
      'images.get new.png',
      'bucket.exists new.png',
      'bucket.remove new.png',
      'images.remove new.png',
    ]);
  });

  it('answers 404 when there is nothing to delete, deleting nothing', async () => {
    const log: CallLog = [];
    await expectProblem(
      handleApiRequest(
        request('deleteImage', { key: 'x.png' }),
        deps({ images: memoryImages([], log), bucket: memoryBucket([], log) }),
      ),
      404,
      'image-not-found',
    );
    expect(log).toEqual(['images.get x.png', 'bucket.exists x.png']);
  });

  it('rejects a path traversal, touching nothing', async () => {
    const log: CallLog = [];
    await expectProblem(
      handleApiRequest(
        request('deleteImage', { key: '../x' }),
        deps({ images: memoryImages([], log), bucket: memoryBucket([], log) }),
      ),
      400,
      'invalid-key',
      'key',
    );
    expect(log).toEqual([]);
  });
});

describe('routing', () => {
  it('serves the OpenAPI document with the request host as server', async () => {
    const result = await handleApiRequest(
      { ...request('openApi'), headers: { host: 'api.example.com' } },
      deps(),
    );
    expect(result.headers['content-type']).toBe('application/json');
    expect(body(result)).toMatchObject({ openapi: '3.1.0', servers: [{ url: 'https://api.example.com' }] });
  });

  it('names the forwarded scheme in the server URL', async () => {
    const result = await handleApiRequest(
      { ...request('openApi'), headers: { host: 'localhost:3000', 'x-forwarded-proto': 'http' } },
      deps(),
    );
    expect(body(result)).toMatchObject({ servers: [{ url: 'http://localhost:3000' }] });
  });

  it('answers JSON that no cache keeps and no browser sniffs', async () => {
    const result = await handleApiRequest(request('openApi'), deps());
    expect(result.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
  });

  it('answers an unknown route key with a 404 problem naming the method', async () => {
    const problem = await expectProblem(
      handleApiRequest({ ...request('openApi'), routeKey: 'PATCH /images/{key+}', method: 'PATCH' }, deps()),
      404,
      'route-not-found',
    );
    expect(problem.detail).toBe('No route for PATCH on this path.');
  });
});
