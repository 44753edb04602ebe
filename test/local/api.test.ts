/**
 * The labels API end to end through the local cloud: the real API handler behind the local
 * HTTP API (JWT auth against the local issuer), presigned uploads into the local S3, the real
 * pipeline, and every response validated against the OpenAPI document the API serves.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../functions/core/api/route-table';
import { LOCAL_CLIENT_ID } from '../../local/api';
import { type LocalCloud, startLocalCloud } from '../../local/cloud';

const PHOTOS = ['astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg', 'brick.png'];
const photo = (name: string) => readFileSync(new URL(`../fixtures/photos/${name}`, import.meta.url));
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
/** How long the label counts may take to follow the records: a few local windows of 1 s. */
const COUNTS_CONVERGE = { timeout: 15_000, interval: 250 };

interface Image {
  key: string;
  status: string;
  labels: { name: string; confidence: number }[];
}
interface ImagePage {
  items: { key: string; label: string; confidence: number }[];
  nextCursor?: string;
}
interface LabelCounts {
  labels: { name: string; imageCount: number }[];
}

describe('the labels API through the local cloud', () => {
  let cloud: LocalCloud;
  let dataDir: string;
  let token: string;
  let api: string;
  let validate: (schema: string, body: unknown) => void;
  const uploaded = new Map<string, string>(); // photo -> key

  async function call(path: string, init: RequestInit & { auth?: string | null } = {}) {
    const { auth = token, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (auth) headers.set('authorization', `Bearer ${auth}`);
    return fetch(`${api}${path}`, { ...rest, headers });
  }

  /** GETs a route, checks the status and validates the body against the OpenAPI schema. */
  /** GET /labels as name -> count. */
  const countsOf = (counts: LabelCounts) =>
    Object.fromEntries(counts.labels.map((label) => [label.name, label.imageCount]));

  /** The counts once two reads two windows apart agree (nothing left in flight). */
  async function settledCounts(): Promise<Record<string, number>> {
    let last = countsOf(await getJson<LabelCounts>('/labels', 'LabelCounts'));
    for (let attempt = 0; attempt < 20; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const next = countsOf(await getJson<LabelCounts>('/labels', 'LabelCounts'));
      if (JSON.stringify(next) === JSON.stringify(last)) return next;
      last = next;
    }
    throw new Error('The label counts did not settle within 40 s');
  }

  async function getJson<T>(path: string, schema: string, status = 200): Promise<T> {
    const response = await call(path);
    const body = (await response.json()) as T;
    expect(response.status, JSON.stringify(body)).toBe(status);
    validate(schema, body);
    return body;
  }

  async function waitForFinal(key: string, timeoutMs = 60_000): Promise<Image> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const response = await call(`/images/${encodeURIComponent(key)}`);
      if (response.status === 200) {
        const image = (await response.json()) as Image;
        validate('Image', image);
        if (image.status !== 'PENDING') return image;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`No final record for ${key} within ${timeoutMs} ms`);
  }

  async function allPages(label: string, limit: number): Promise<ImagePage['items']> {
    const items: ImagePage['items'] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const query = new URLSearchParams({ label, limit: String(limit), ...(cursor ? { cursor } : {}) });
      const body = await getJson<ImagePage>(`/images?${query}`, 'ImagePage');
      expect(body.items.length).toBeLessThanOrEqual(limit);
      items.push(...body.items);
      cursor = body.nextCursor;
      if (!cursor) return items;
    }
    throw new Error('too many pages');
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'local-api-'));
    cloud = await startLocalCloud({
      dataDir,
      awsPort: 0,
      apiPort: 0,
      logs: 'silent',
      retryIntervalScale: 0.01,
    });
    api = cloud.info.endpoints.api;
    token = await cloud.issuer.mint();

    const document = (await (await fetch(`${api}/openapi.json`)).json()) as Record<string, unknown>;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    ajv.addFormat('uri', /^https?:\/\/\S+$/);
    ajv.addSchema({ ...document, $id: 'openapi' });
    validate = (schema, body) => {
      const check = ajv.getSchema(`openapi#/components/schemas/${schema}`);
      if (!check) throw new Error(`No schema ${schema}`);
      if (!check(body))
        throw new Error(`${schema}: ${ajv.errorsText(check.errors)} in ${JSON.stringify(body)}`);
    };
  }, 120_000);

  afterAll(async () => {
    await cloud?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves its OpenAPI 3.1 document without a token', async () => {
    const response = await call('/openapi.json', { auth: null });
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual([
      '/images',
      '/images/{key}',
      '/labels',
      '/openapi.json',
      '/uploads',
    ]);
  });

  it('answers 401 without a token, with a forged or expired one, and 403 without the scope', async () => {
    const without = await call('/labels', { auth: null });
    expect(without.status).toBe(401);
    validate('GatewayError', await without.json());

    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ token_use: 'access', client_id: LOCAL_CLIENT_ID, scope: SCOPES.read })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(cloud.info.endpoints.auth)
      .setExpirationTime('1h')
      .sign(privateKey);
    expect((await call('/labels', { auth: forged })).status).toBe(401);

    const { issuer } = cloud;
    const expired = await issuer.mint({ ttlSeconds: -60 });
    expect((await call('/labels', { auth: expired })).status).toBe(401);

    const readOnly = await issuer.mint({ scopes: [SCOPES.read] });
    expect((await call('/labels', { auth: readOnly })).status).toBe(200);
    const upload = await call('/uploads', {
      auth: readOnly,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fileName: 'a.png', contentType: 'image/png', contentLength: 10 }),
    });
    expect(upload.status).toBe(403);
    expect((await call('/images/x.png', { auth: readOnly, method: 'DELETE' })).status).toBe(403);
  });

  it('uploads the sample photos through presigned URLs and labels them', async () => {
    for (const name of PHOTOS) {
      const bytes = photo(name);
      const contentType = name.endsWith('.png') ? 'image/png' : 'image/jpeg';
      const response = await call('/uploads', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fileName: name, contentType, contentLength: bytes.length }),
      });
      expect(response.status).toBe(201);
      const upload = (await response.json()) as {
        key: string;
        upload: { url: string; headers: Record<string, string> };
      };
      validate('Upload', upload);
      expect(upload.upload.url).not.toContain('x-amz-checksum-crc32');
      const put = await fetch(upload.upload.url, {
        method: 'PUT',
        headers: { 'content-type': upload.upload.headers['content-type'] ?? '' },
        body: bytes,
      });
      expect(put.status).toBe(200);
      uploaded.set(name, upload.key);
    }
    const images = await Promise.all([...uploaded.values()].map((key) => waitForFinal(key)));
    expect(images.map((image) => image.status)).toEqual(PHOTOS.map(() => 'LABELED'));
    const astronaut = images[PHOTOS.indexOf('astronaut.png')];
    expect(astronaut?.labels.map((label) => label.name)).toContain('Person');
  }, 120_000);

  it('finds the images by label, case-insensitively, highest confidence first, page by page', async () => {
    const images = await Promise.all([...uploaded.values()].map((key) => waitForFinal(key)));
    const byLabel = new Map<string, string[]>();
    for (const image of images) {
      for (const label of image.labels)
        byLabel.set(label.name, [...(byLabel.get(label.name) ?? []), image.key]);
    }
    for (const [label, keys] of byLabel) {
      const items = await allPages(label.toUpperCase(), 1);
      expect(items.map((item) => item.key).sort()).toEqual([...keys].sort());
      const confidences = items.map((item) => item.confidence);
      expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    }
    // The counts follow from the table's stream, about a window (1 s locally) later.
    await expect
      .poll(async () => countsOf(await getJson<LabelCounts>('/labels', 'LabelCounts')), COUNTS_CONVERGE)
      .toEqual(Object.fromEntries([...byLabel].map(([name, keys]) => [name, keys.length])));
  });

  it('rejects a tampered or foreign cursor with a 400 problem', async () => {
    const person = await getJson<ImagePage>('/images?label=person&limit=1', 'ImagePage');
    const cup = await getJson<ImagePage>('/images?label=cup&limit=1', 'ImagePage');
    const cursor = person.nextCursor ?? cup.nextCursor;
    // At least one label has two images (Person: astronaut and rocket) or else this says so.
    expect(cursor).toBeDefined();
    const label = person.nextCursor ? 'person' : 'cup';
    const other = label === 'person' ? 'cup' : 'person';
    const tampered = `${cursor?.slice(0, -2)}${cursor?.endsWith('A') ? 'B' : 'A'}A`;
    for (const path of [
      `/images?label=${label}&cursor=${encodeURIComponent(tampered)}`,
      `/images?label=${other}&cursor=${encodeURIComponent(cursor ?? '')}`,
      `/images?label=${label}&minConfidence=90&cursor=${encodeURIComponent(cursor ?? '')}`,
    ]) {
      const problem = await getJson<{ type: string; parameter: string }>(path, 'Problem', 400);
      expect(problem).toMatchObject({
        type: 'urn:image-labeling:problem:invalid-cursor',
        parameter: 'cursor',
      });
    }
  });

  it('reads any key: spaces, plus, percent, unicode, encoded or literal slashes; bad UTF-8 is a 400', async () => {
    const s3 = new S3Client({
      region: cloud.info.region,
      endpoint: cloud.info.endpoints.aws,
      credentials,
      forcePathStyle: true,
    });
    const key = 'some dir/ünï+cödé 100%.png';
    await s3.send(new PutObjectCommand({ Bucket: cloud.info.bucket, Key: key, Body: photo('coffee.png') }));
    s3.destroy();
    const image = await waitForFinal(key);
    expect(image).toMatchObject({ key, status: 'LABELED' });
    const literalSlash = await getJson<Image>(
      `/images/some%20dir/${encodeURIComponent('ünï+cödé 100%.png')}`,
      'Image',
    );
    expect(literalSlash.key).toBe(key);
    await getJson(`/images/${encodeURIComponent('nothing/here.png')}`, 'Problem', 404);
    const invalid = await getJson<{ type: string }>('/images/%FF%FE.png', 'Problem', 400);
    expect(invalid.type).toBe('urn:image-labeling:problem:invalid-key');
  }, 60_000);

  it('deletes an image: gone from every route and from the label counts', async () => {
    const key = uploaded.get('astronaut.png') ?? '';
    const before = await waitForFinal(key);
    const countsBefore = await settledCounts();

    const response = await call(`/images/${encodeURIComponent(key)}`, { method: 'DELETE' });
    expect(response.status).toBe(204);

    await getJson(`/images/${encodeURIComponent(key)}`, 'Problem', 404);
    for (const label of before.labels) {
      const items = await allPages(label.name, 25);
      expect(items.map((item) => item.key)).not.toContain(key);
    }
    const labelsOf = (counts: Record<string, number>) =>
      Object.fromEntries(before.labels.map((label) => [label.name, counts[label.name] ?? 0]));
    await expect
      .poll(
        async () => labelsOf(countsOf(await getJson<LabelCounts>('/labels', 'LabelCounts'))),
        COUNTS_CONVERGE,
      )
      .toEqual(Object.fromEntries(Object.entries(labelsOf(countsBefore)).map(([name, n]) => [name, n - 1])));
    expect((await call(`/images/${encodeURIComponent(key)}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('cleans up an object deleted through S3 directly (ObjectRemoved event)', async () => {
    const key = uploaded.get('coffee.png') ?? '';
    const before = await waitForFinal(key);
    const s3 = new S3Client({
      region: cloud.info.region,
      endpoint: cloud.info.endpoints.aws,
      credentials,
      forcePathStyle: true,
    });
    await s3.send(new DeleteObjectCommand({ Bucket: cloud.info.bucket, Key: key }));
    s3.destroy();
    const deadline = Date.now() + 30_000;
    let status = 200;
    while (status !== 404 && Date.now() < deadline) {
      status = (await call(`/images/${encodeURIComponent(key)}`)).status;
      if (status !== 404) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(404);
    const items = await allPages(before.labels[0]?.name ?? 'Cup', 25);
    expect(items.map((item) => item.key)).not.toContain(key);
  }, 60_000);
});
