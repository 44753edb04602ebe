import { DeleteObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../../functions/core/api/cursor';
import { handleApiRequest, safeFileName } from '../../../functions/domain/api/routes';
import { apiDeps as deps, apiEvent as event, API_CURSOR_SECRET as SECRET } from '../../support/api';
import { recordingPublisher } from '../../support/image-events';

const dbMock = mockClient(DynamoDBDocumentClient);
const s3Mock = mockClient(S3Client);
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

const body = (response: APIGatewayProxyStructuredResultV2) =>
  JSON.parse(response.body ?? 'null') as Record<string, unknown>;

async function expectProblem(
  response: Promise<APIGatewayProxyStructuredResultV2>,
  status: number,
  slug: string,
  parameter?: string,
) {
  const result = await response;
  expect(result.statusCode).toBe(status);
  expect(result.headers?.['content-type']).toBe('application/problem+json');
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

/** The signed image URL's parts that matter: object, version and validity. */
function signedGet(url: unknown) {
  const parsed = new URL(String(url));
  return {
    object: `${parsed.host}${decodeURIComponent(parsed.pathname)}`,
    versionId: parsed.searchParams.get('versionId'),
    signedAt: parsed.searchParams.get('X-Amz-Date'),
    expires: parsed.searchParams.get('X-Amz-Expires'),
    signature: parsed.searchParams.get('X-Amz-Signature'),
    checksums: [...parsed.searchParams.keys()].filter((name) => /checksum/i.test(name)),
  };
}

const record = {
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

beforeEach(() => {
  dbMock.reset();
  s3Mock.reset();
});

describe('GET /images/{key}', () => {
  it('answers the record without table keys or internals', async () => {
    dbMock.on(GetCommand).resolves({ Item: record });
    const result = await handleApiRequest(event('getImage', { key: 'a b/c+d.png' }), deps());
    expect(result.statusCode).toBe(200);
    expect(body(result)).toMatchObject({ key: 'a b/c+d.png', status: 'LABELED', labels: [{ name: 'Cat' }] });
    expect(body(result)).not.toHaveProperty('pk');
    expect(body(result)).not.toHaveProperty('bucket');
    expect(body(result)).not.toHaveProperty('sequencer');
    expect(body(result)).not.toHaveProperty('topLabels');
    expect(dbMock.commandCalls(GetCommand)[0]?.args[0].input.Key).toEqual({
      pk: 'IMAGE#a b/c+d.png',
      sk: 'IMAGE',
    });
  });

  it('answers the detection settings the labels were computed with', async () => {
    dbMock.on(GetCommand).resolves({ Item: record });
    const result = await handleApiRequest(event('getImage', { key: 'a b/c+d.png' }), deps());
    expect(body(result).settings).toEqual({ minConfidence: 70, maxLabels: 25 });
  });

  it('answers no settings for a record without them (a rejected image)', async () => {
    const { settings: _settings, ...rejected } = record;
    dbMock
      .on(GetCommand)
      .resolves({ Item: { ...rejected, status: 'REJECTED', labels: [], reason: 'TOO_SMALL' } });
    const result = await handleApiRequest(event('getImage', { key: 'a b/c+d.png' }), deps());
    expect(body(result)).not.toHaveProperty('settings');
  });

  it('signs a GET URL of the labeled version, so pixels and boxes match after an overwrite', async () => {
    dbMock.on(GetCommand).resolves({ Item: record });
    const answer = body(await handleApiRequest(event('getImage', { key: 'a b/c+d.png' }), deps()));
    const url = signedGet(answer.imageUrl);
    expect(url.object).toBe('images.s3.eu-west-1.amazonaws.com/a b/c+d.png');
    expect(url.versionId).toBe('v1');
    expect(url.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(url.checksums).toEqual([]);
  });

  it('signs an unversioned record without a versionId', async () => {
    const { versionId: _versionId, ...unversioned } = record;
    dbMock.on(GetCommand).resolves({ Item: { ...unversioned, objectVersion: 'etag:e' } });
    const answer = body(await handleApiRequest(event('getImage', { key: 'a b/c+d.png' }), deps()));
    expect(signedGet(answer.imageUrl).versionId).toBeNull();
  });

  it('makes the URL expire after imageUrlExpiresSeconds from the start of the minute, and says when', async () => {
    dbMock.on(GetCommand).resolves({ Item: record });
    const answer = body(
      await handleApiRequest(
        event('getImage', { key: 'a b/c+d.png' }),
        deps({ imageUrlExpiresSeconds: 240 }),
      ),
    );
    // now is 03:04:05: signed at 03:04:00, valid 240 s, so until 03:08:00.
    expect(signedGet(answer.imageUrl)).toMatchObject({ signedAt: '20260102T030400Z', expires: '240' });
    expect(answer.imageUrlExpiresAt).toBe('2026-01-02T03:08:00.000Z');
  });

  it('gives the same URL to reads within the same minute, and a new one in the next', async () => {
    dbMock.on(GetCommand).resolves({ Item: record });
    const read = async (now: string) =>
      body(
        await handleApiRequest(event('getImage', { key: 'a b/c+d.png' }), deps({ now: () => new Date(now) })),
      ).imageUrl;
    expect(await read('2026-01-02T03:04:01Z')).toBe(await read('2026-01-02T03:04:59Z'));
    expect(await read('2026-01-02T03:05:00Z')).not.toBe(await read('2026-01-02T03:04:59Z'));
  });

  it('answers PENDING with a URL of the current object when the object exists but has no record yet', async () => {
    dbMock.on(GetCommand).resolves({});
    s3Mock.on(HeadObjectCommand).resolves({});
    const result = await handleApiRequest(event('getImage', { key: 'new.png' }), deps());
    expect(result.statusCode).toBe(200);
    const answer = body(result);
    expect(answer).toEqual({
      key: 'new.png',
      status: 'PENDING',
      labels: [],
      imageUrl: expect.any(String),
      imageUrlExpiresAt: '2026-01-02T03:09:00.000Z',
    });
    expect(signedGet(answer.imageUrl)).toMatchObject({
      object: 'images.s3.eu-west-1.amazonaws.com/new.png',
      versionId: null,
    });
  });

  it('answers 404 when neither a record nor the object exists', async () => {
    dbMock.on(GetCommand).resolves({});
    s3Mock
      .on(HeadObjectCommand)
      .rejects(
        new S3ServiceException({ name: 'NotFound', $fault: 'client', $metadata: { httpStatusCode: 404 } }),
      );
    await expectProblem(
      handleApiRequest(event('getImage', { key: 'x.png' }), deps()),
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
  ])('rejects %s with a 400 invalid-key problem', async (_name, key) => {
    await expectProblem(handleApiRequest(event('getImage', { key }), deps()), 400, 'invalid-key', 'key');
    expect(dbMock.calls()).toHaveLength(0);
  });

  it('accepts a key of exactly 1024 bytes', async () => {
    dbMock.on(GetCommand).resolves({ Item: { ...record, key: 'a'.repeat(1024) } });
    const result = await handleApiRequest(event('getImage', { key: 'a'.repeat(1024) }), deps());
    expect(result.statusCode).toBe(200);
  });

  it('rejects query parameters, which the route does not take', async () => {
    await expectProblem(
      handleApiRequest(event('getImage', { key: 'x.png', query: { debug: '1' } }), deps()),
      400,
      'unknown-parameter',
      'debug',
    );
  });

  it('answers 500 with a bare problem when the table fails, and reports the error', async () => {
    const errors: unknown[] = [];
    dbMock
      .on(GetCommand)
      .rejects(new Error('ResourceNotFoundException: table labels-table not found at x.ts'));
    const problem = await expectProblem(
      handleApiRequest(event('getImage', { key: 'x.png' }), deps({ onError: (error) => errors.push(error) })),
      500,
      'internal-error',
    );
    expect(problem).not.toHaveProperty('detail');
    expect(errors).toHaveLength(1);
  });
});

describe('GET /images?label=', () => {
  const hit = (key: string, confidence: number) => ({
    pk: `IMAGE#${key}`,
    sk: 'LABEL#Cat',
    gsi1pk: 'LABEL#cat',
    gsi1sk: `0${confidence.toFixed(3)}#h`,
    key,
    name: 'Cat',
    confidence,
    objectVersion: 'v1',
  });

  it('queries the labels index, highest confidence first, case-insensitively, from minConfidence', async () => {
    dbMock.on(QueryCommand).resolves({ Items: [hit('a.png', 99), hit('b.png', 80)] });
    const result = await handleApiRequest(
      event('listImages', { query: { label: 'CAT', minConfidence: '75.5', limit: '2' } }),
      deps(),
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
    expect(dbMock.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :label AND gsi1sk >= :min',
      ExpressionAttributeValues: { ':label': 'LABEL#cat', ':min': '075.500' },
      ScanIndexForward: false,
      Limit: 2,
    });
  });

  it('returns a cursor that continues exactly where the page ended', async () => {
    const last = { pk: 'IMAGE#b.png', sk: 'LABEL#Cat', gsi1pk: 'LABEL#cat', gsi1sk: '080.000#h' };
    dbMock
      .on(QueryCommand)
      .resolvesOnce({ Items: [hit('b.png', 80)], LastEvaluatedKey: last })
      .resolves({ Items: [] });
    const first = body(
      await handleApiRequest(event('listImages', { query: { label: 'cat', limit: '1' } }), deps()),
    );
    expect(typeof first.nextCursor).toBe('string');
    expect(String(first.nextCursor)).not.toContain('b.png');
    const second = await handleApiRequest(
      event('listImages', { query: { label: 'Cat', limit: '1', cursor: String(first.nextCursor) } }),
      deps(),
    );
    expect(second.statusCode).toBe(200);
    expect(dbMock.commandCalls(QueryCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual(last);
  });

  it("signs each hit's URL for the version its label belongs to", async () => {
    dbMock.on(QueryCommand).resolves({
      Items: [hit('a.png', 99), { ...hit('b.png', 80), objectVersion: 'etag:abc' }],
    });
    const answer = body(await handleApiRequest(event('listImages', { query: { label: 'cat' } }), deps()));
    const urls = (answer.items as { imageUrl: string }[]).map((item) => signedGet(item.imageUrl));
    expect(urls.map(({ object, versionId }) => ({ object, versionId }))).toEqual([
      { object: 'images.s3.eu-west-1.amazonaws.com/a.png', versionId: 'v1' },
      { object: 'images.s3.eu-west-1.amazonaws.com/b.png', versionId: null },
    ]);
  });

  describe('rejects bad cursors with a 400, never a 500', () => {
    const position = { pk: 'IMAGE#b.png', sk: 'LABEL#Cat', gsi1pk: 'LABEL#cat', gsi1sk: '080.000#h' };
    const valid = encodeCursor(SECRET, 'cat\n0', position);
    it.each([
      ['modified', `${valid.slice(0, 10)}${valid[10] === 'A' ? 'B' : 'A'}${valid.slice(11)}`],
      ['signed with another key', encodeCursor(Buffer.from('x'.repeat(48)), 'cat\n0', position)],
      ['from another label', encodeCursor(SECRET, 'dog\n0', { ...position, gsi1pk: 'LABEL#dog' })],
      ['from another minConfidence', encodeCursor(SECRET, 'cat\n50', position)],
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
      await expectProblem(
        handleApiRequest(event('listImages', { query: { label: 'cat', cursor } }), deps()),
        400,
        cursor.length > 2048 ? 'invalid-parameter' : 'invalid-cursor',
        'cursor',
      );
      expect(dbMock.commandCalls(QueryCommand)).toHaveLength(0);
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
      handleApiRequest(event('listImages', { query: query as Record<string, string> }), deps()),
      400,
      'invalid-parameter',
      parameter,
    );
  });

  it('rejects unknown parameters', async () => {
    await expectProblem(
      handleApiRequest(event('listImages', { query: { label: 'cat', sort: 'asc' } }), deps()),
      400,
      'unknown-parameter',
      'sort',
    );
  });
});

describe('GET /labels', () => {
  it('answers names with counts, most frequent first, without zero counts', async () => {
    dbMock.on(QueryCommand).resolves({
      Items: [
        { name: 'Cat', imageCount: 2 },
        { name: 'Car', imageCount: 5 },
        { name: 'Cake', imageCount: 0 },
        { name: 'Cap', imageCount: 2 },
      ],
    });
    const result = await handleApiRequest(
      event('listLabels', { query: { prefix: 'CA', limit: '2' } }),
      deps(),
    );
    expect(body(result)).toEqual({
      prefix: 'CA',
      labels: [
        { name: 'Car', imageCount: 5 },
        { name: 'Cap', imageCount: 2 },
      ],
    });
    expect(dbMock.commandCalls(QueryCommand)[0]?.args[0].input.ExpressionAttributeValues).toEqual({
      ':pk': 'LABELS',
      ':prefix': 'LABEL#ca',
    });
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '1000' }, 'limit'],
    [{ prefix: 'p'.repeat(65) }, 'prefix'],
  ])('rejects %j with a 400 naming %s', async (query, parameter) => {
    await expectProblem(
      handleApiRequest(event('listLabels', { query }), deps()),
      400,
      'invalid-parameter',
      parameter,
    );
  });
});

describe('POST /uploads', () => {
  const upload = (payload: unknown, contentType = 'application/json') =>
    handleApiRequest(event('createUpload', { body: JSON.stringify(payload), contentType }), deps());

  it('answers a presigned PUT to a fresh key under uploads/, with type and length signed, and no CRC32', async () => {
    const result = await upload({
      fileName: 'My Photo (1).PNG',
      contentType: 'image/png',
      contentLength: 1234,
    });
    expect(result.statusCode).toBe(201);
    const answer = body(result) as {
      key: string;
      upload: { url: string; headers: Record<string, string> };
      expiresAt: string;
    };
    expect(answer.key).toBe('uploads/00000000-0000-4000-8000-000000000000/My-Photo-1-.PNG');
    expect(answer.expiresAt).toBe('2026-01-02T03:09:05.000Z');
    expect(answer.upload.headers).toEqual({ 'content-type': 'image/png', 'content-length': '1234' });
    const url = new URL(answer.upload.url);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    // aws/aws-sdk-js-v3#6994: a CRC32 of the empty body in the URL makes real S3 reject the upload.
    expect([...url.searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
    expect(result.headers?.location).toBe(`/images/${encodeURIComponent(answer.key)}`);
  });

  it('the default presigning client would embed the empty-body CRC32 (why WHEN_REQUIRED matters)', async () => {
    const result = await handleApiRequest(
      event('createUpload', {
        body: JSON.stringify({ fileName: 'a.png', contentType: 'image/png', contentLength: 5 }),
        contentType: 'application/json',
      }),
      deps({ presigner: new S3Client({ region: 'eu-west-1', credentials }) }),
    );
    expect((body(result) as { upload: { url: string } }).upload.url).toContain('x-amz-checksum-crc32=');
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
  ])('rejects %j with a 400 naming %s', async (payload, parameter) => {
    await expectProblem(upload(payload), 400, 'invalid-body', parameter);
  });

  it('rejects invalid JSON, other media types and oversized bodies', async () => {
    await expectProblem(
      handleApiRequest(
        event('createUpload', { body: '{"fileName":', contentType: 'application/json' }),
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

  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\photo.jpg', 'photo.jpg'],
    ['...', 'image'],
    ['ünïcödé.png', 'unicode.png'],
  ])('makes %j a safe file name %j', (input, safe) => {
    expect(safeFileName(input)).toBe(safe);
  });
});

describe('DELETE /images/{key}', () => {
  it('deletes the object, then every record, announces the removal, and answers 204', async () => {
    dbMock.on(GetCommand).resolves({ Item: record });
    dbMock.on(QueryCommand).resolves({
      Items: [
        { pk: 'IMAGE#a b/c+d.png', sk: 'IMAGE' },
        { pk: 'IMAGE#a b/c+d.png', sk: 'LABEL#Cat' },
        { pk: 'IMAGE#a b/c+d.png', sk: 'VERSION#v1' },
      ],
    });
    dbMock.on(UpdateCommand).resolves({});
    dbMock.on(BatchWriteCommand).resolves({});
    s3Mock.on(DeleteObjectCommand).resolves({});
    const events = recordingPublisher();
    const result = await handleApiRequest(event('deleteImage', { key: 'a b/c+d.png' }), deps({ events }));
    expect(result.statusCode).toBe(204);
    expect(events.events.map((published) => [published.detailType, published.detail.key])).toEqual([
      ['Image Deleted', 'a b/c+d.png'],
    ]);
    expect(s3Mock.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'images',
      Key: 'a b/c+d.png',
    });
    const deleted = dbMock
      .commandCalls(BatchWriteCommand)
      .flatMap((call) => call.args[0].input.RequestItems?.labels ?? [])
      .map((request) => request.DeleteRequest?.Key?.sk);
    expect(deleted).toEqual(['LABEL#Cat', 'VERSION#v1', 'IMAGE']);
  });

  it('answers 404 when there is nothing to delete', async () => {
    dbMock.on(GetCommand).resolves({});
    s3Mock
      .on(HeadObjectCommand)
      .rejects(
        new S3ServiceException({ name: 'NotFound', $fault: 'client', $metadata: { httpStatusCode: 404 } }),
      );
    await expectProblem(
      handleApiRequest(event('deleteImage', { key: 'x.png' }), deps()),
      404,
      'image-not-found',
    );
    expect(s3Mock.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('rejects a path traversal', async () => {
    await expectProblem(
      handleApiRequest(event('deleteImage', { key: '../x' }), deps()),
      400,
      'invalid-key',
      'key',
    );
    expect(s3Mock.calls()).toHaveLength(0);
  });
});

describe('routing', () => {
  it('serves the OpenAPI document with the request host as server', async () => {
    const request = event('openApi');
    request.headers = { host: 'api.example.com' };
    const result = await handleApiRequest(request, deps());
    expect(body(result)).toMatchObject({ openapi: '3.1.0', servers: [{ url: 'https://api.example.com' }] });
  });

  it('answers an unknown route key with a 404 problem', async () => {
    const request = { ...event('openApi'), routeKey: 'PATCH /images/{key+}' };
    await expectProblem(handleApiRequest(request, deps()), 404, 'route-not-found');
  });
});
