import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { removeImageRecords } from '../../../functions/adapters/dynamodb/image-removal';
import { dynamoImagesRepository } from '../../../functions/adapters/dynamodb/images-repository';
import { writeImageRecord } from '../../../functions/adapters/dynamodb/labels-store';
import { s3UrlSigner } from '../../../functions/adapters/s3-presigner';
import { encodeCursor } from '../../../functions/core/api/cursor';
import { handleApiRequest } from '../../../functions/core/api/routes';
import { objectVersionOf } from '../../../functions/core/labels-table';
import type { Label, ObjectRef } from '../../../functions/core/workflow-schemas';
import { apiDeps, apiRequest, memoryBucket, presignerClient } from '../../support/api';
import { recordingPublisher } from '../../support/image-events';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../support/local-dynamodb';
import { label } from '../../support/workflow';

let local: LocalDynamoDb;
let db: DynamoDBDocumentClient;
let tableName: string;

interface ListItem {
  key: string;
  status: string;
  updatedAt: string;
  labels: string[];
  imageUrl: string;
}
interface ListPage {
  items: ListItem[];
  nextCursor?: string;
  imageUrlExpiresAt: string;
}

let sequence = 0;
async function store(
  key: string,
  minute: number,
  options: { labels?: Label[]; versionId?: string; status?: 'LABELED' | 'REJECTED' } = {},
) {
  const object: ObjectRef = {
    bucket: 'images',
    key,
    ...(options.versionId ? { versionId: options.versionId } : {}),
    eTag: `e-${key}-${minute}`,
    size: 10,
    sequencer: (++sequence).toString(16).padStart(8, '0').toUpperCase(),
  };
  await writeImageRecord(
    { db, tableName },
    {
      bucket: object.bucket,
      key,
      status: options.status ?? 'LABELED',
      objectVersion: objectVersionOf(object),
      versionId: object.versionId,
      eTag: object.eTag,
      sequencer: object.sequencer,
      size: object.size,
      labels: options.labels ?? [label('Cat', 90)],
      updatedAt: new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString(),
    },
    object,
  );
}

const deps = (overrides: Parameters<typeof apiDeps>[0] = {}) =>
  apiDeps({
    images: dynamoImagesRepository({ db, tableName }),
    signer: s3UrlSigner(presignerClient(), 'images'),
    ...overrides,
  });

async function list(query: Record<string, string> = {}) {
  const response = await handleApiRequest(apiRequest('listImages', { query }), deps());
  return { status: response.statusCode, body: JSON.parse(response.body ?? 'null') };
}

async function allPages(limit: number): Promise<{ keys: string[]; pages: number }> {
  const keys: string[] = [];
  let cursor: string | undefined;
  for (let pages = 1; pages < 50; pages++) {
    const { status, body } = await list({ limit: String(limit), ...(cursor ? { cursor } : {}) });
    expect(status).toBe(200);
    const page = body as ListPage;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    keys.push(...page.items.map((item) => item.key));
    cursor = page.nextCursor;
    if (!cursor) return { keys, pages };
  }
  throw new Error('too many pages');
}

beforeAll(async () => {
  local = await startLocalDynamoDb({ dirPrefix: 'list-images-' });
  db = local.db;
});

beforeEach(async () => {
  // A fresh table per test: each one states exactly which images exist.
  tableName = await local.freshTable();
});

afterAll(async () => {
  await local?.close();
});

describe('GET /images without a label', () => {
  it('lists every image, last updated first, with its status and top labels', async () => {
    await store('old.jpg', 1, { labels: [label('Dog', 80), label('Ball', 95)] });
    await store('new.jpg', 3, { status: 'REJECTED', labels: [] });
    await store('middle.jpg', 2);

    const { status, body } = await list();

    expect(status).toBe(200);
    expect((body as ListPage).items.map(({ imageUrl: _url, ...item }) => item)).toEqual([
      { key: 'new.jpg', status: 'REJECTED', updatedAt: '2026-01-01T10:03:00.000Z', labels: [] },
      { key: 'middle.jpg', status: 'LABELED', updatedAt: '2026-01-01T10:02:00.000Z', labels: ['Cat'] },
      { key: 'old.jpg', status: 'LABELED', updatedAt: '2026-01-01T10:01:00.000Z', labels: ['Ball', 'Dog'] },
    ]);
    expect(body).not.toHaveProperty('nextCursor');
  });

  it('answers an empty page, without a cursor, when there are no images', async () => {
    expect(await list()).toEqual({
      status: 200,
      body: { items: [], imageUrlExpiresAt: '2026-01-02T03:09:00.000Z' },
    });
  });

  it('pages through every image exactly once, in order, with the cursors it hands out', async () => {
    for (let minute = 0; minute < 7; minute++) await store(`image-${minute}.jpg`, minute);

    const { keys, pages } = await allPages(3);

    expect(keys).toEqual([6, 5, 4, 3, 2, 1, 0].map((minute) => `image-${minute}.jpg`));
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('takes up to 100 images a page, 25 by default', async () => {
    for (let minute = 0; minute < 30; minute++) await store(`image-${minute}.jpg`, minute);

    expect((await list()).body.items).toHaveLength(25);
    expect((await list({ limit: '100' })).body.items).toHaveLength(30);
  });

  it.each([['0'], ['101'], ['-1'], ['2.5'], ['ten']])('refuses limit=%s', async (limit) => {
    const { status, body } = await list({ limit });
    expect(status).toBe(400);
    expect(body).toMatchObject({ type: 'urn:image-labeling:problem:invalid-parameter', parameter: 'limit' });
  });

  it('moves a relabeled image to the top, once', async () => {
    await store('a.jpg', 1);
    await store('b.jpg', 2);
    await store('a.jpg', 5, { labels: [label('Dog', 99)] });

    const { keys } = await allPages(1);

    expect(keys).toEqual(['a.jpg', 'b.jpg']);
    expect((await list()).body.items[0].labels).toEqual(['Dog']);
  });

  it('no longer lists a deleted image', async () => {
    await store('kept.jpg', 1);
    await store('deleted.jpg', 2);

    await removeImageRecords({ db, tableName }, 'deleted.jpg', {}, { events: recordingPublisher() });

    expect((await allPages(1)).keys).toEqual(['kept.jpg']);
  });

  it("signs each image's URL for the version that was labeled", async () => {
    await store('versioned.jpg', 1, { versionId: 'v-7' });
    await store('plain.jpg', 2);

    const { body } = await list();

    const urls = (body as ListPage).items.map((item) => new URL(item.imageUrl));
    expect(urls.map((url) => [url.pathname, url.searchParams.get('versionId')])).toEqual([
      ['/plain.jpg', null],
      ['/versioned.jpg', 'v-7'],
    ]);
    expect(urls.every((url) => url.searchParams.get('X-Amz-Expires') === '300')).toBe(true);
    expect(body.imageUrlExpiresAt).toBe('2026-01-02T03:09:00.000Z');
  });

  it('refuses minConfidence without a label, saying why', async () => {
    const { status, body } = await list({ minConfidence: '50' });
    expect(status).toBe(400);
    expect(body).toMatchObject({
      type: 'urn:image-labeling:problem:invalid-parameter',
      parameter: 'minConfidence',
      detail: expect.stringContaining('label'),
    });
  });

  it('binds a cursor to its query: a label cursor does not page the list, nor a list cursor a label', async () => {
    for (let minute = 0; minute < 3; minute++) await store(`image-${minute}.jpg`, minute);
    const listCursor = (await list({ limit: '1' })).body.nextCursor as string;
    const labelCursor = (await list({ label: 'cat', limit: '1' })).body.nextCursor as string;
    expect(listCursor).toEqual(expect.any(String));
    expect(labelCursor).toEqual(expect.any(String));

    for (const [query, parameter] of [
      [{ cursor: labelCursor }, 'cursor'],
      [{ label: 'cat', cursor: listCursor }, 'cursor'],
      [{ cursor: `${listCursor.slice(0, -2)}AA` }, 'cursor'],
      [
        {
          cursor: encodeCursor(Buffer.from('x'.repeat(48)), 'images:latest', {
            pk: 'a',
            sk: 'b',
            gsi2pk: 'IMAGES',
            gsi2sk: 'c',
          }),
        },
        'cursor',
      ],
    ] as const) {
      const { status, body } = await list(query);
      expect(status, JSON.stringify(query)).toBe(400);
      expect(body).toMatchObject({ type: 'urn:image-labeling:problem:invalid-cursor', parameter });
    }
  });
});

describe('DELETE /images/{key} on the table', () => {
  it('removes every record of the key, announces it once, and answers 204; the key is then not found', async () => {
    await store('kept.jpg', 1);
    await store('deleted.jpg', 2, { labels: [label('Cat', 90), label('Dog', 80)] });
    const events = recordingPublisher();
    const bucket = memoryBucket(['kept.jpg', 'deleted.jpg']);

    const response = await handleApiRequest(
      apiRequest('deleteImage', { key: 'deleted.jpg' }),
      deps({ events, bucket }),
    );

    expect(response.statusCode).toBe(204);
    expect(events.events.map((event) => [event.detailType, event.detail.key])).toEqual([
      ['Image Deleted', 'deleted.jpg'],
    ]);
    const left = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'IMAGE#deleted.jpg' },
      }),
    );
    expect(left.Items).toEqual([]);
    expect((await allPages(10)).keys).toEqual(['kept.jpg']);
    expect((await list({ label: 'dog' })).body.items).toEqual([]);
    const again = await handleApiRequest(apiRequest('getImage', { key: 'deleted.jpg' }), deps({ bucket }));
    expect(again.statusCode).toBe(404);
  });
});
