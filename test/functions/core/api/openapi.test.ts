import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../../functions/core/api/openapi';
import { ROUTES, type RouteName } from '../../../../functions/core/api/route-table';
import { type ApiDeps, handleApiRequest } from '../../../../functions/core/api/routes';
import type { ImageItem } from '../../../../functions/core/labels-table';
import { apiDeps, apiRequest, memoryBucket, memoryImages } from '../../../support/api';

const document = await openApiDocument('https://api.example.com');

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
ajv.addFormat('uri', /^https?:\/\/\S+$/);
ajv.addSchema({ ...document, $id: 'openapi' });
function errorsOf(schema: string, body: unknown): string | undefined {
  const check = ajv.getSchema(`openapi#/components/schemas/${schema}`);
  if (!check) throw new Error(`No schema ${schema}`);
  return check(body) ? undefined : ajv.errorsText(check.errors);
}

async function answer(
  route: RouteName,
  options: { key?: string; query?: Record<string, string> },
  deps: Partial<ApiDeps>,
) {
  const response = await handleApiRequest(apiRequest(route, options), apiDeps(deps));
  expect(response.statusCode, response.body).toBe(200);
  return JSON.parse(response.body ?? 'null') as Record<string, unknown>;
}

const label = {
  name: 'Cat',
  confidence: 97.5,
  parents: ['Animal'],
  categories: ['Animals'],
  aliases: [],
  instances: [{ confidence: 97.5, box: { left: 0.1, top: 0.1, width: 0.5, height: 0.5 } }],
};

describe('the OpenAPI document', () => {
  it('documents every route with the scopes the gateway enforces', () => {
    for (const route of Object.values(ROUTES)) {
      const path = route.path.replace('{key+}', '{key}');
      const operation = (document.paths as unknown as Record<string, Record<string, { security: unknown }>>)[
        path
      ]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${path}`).toBeDefined();
      expect(operation?.security).toEqual('scopes' in route ? [{ cognito: [...route.scopes] }] : []);
    }
  });

  it('documents both forms of GET /images: label optional, minConfidence only with it, one page schema each', () => {
    const list = document.paths['/images'].get as unknown as {
      parameters: { name: string; required: boolean; description?: string }[];
      responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
    };
    expect(list.parameters.map(({ name, required }) => [name, required])).toEqual([
      ['label', false],
      ['minConfidence', false],
      ['limit', false],
      ['cursor', false],
    ]);
    expect(list.parameters.find(({ name }) => name === 'minConfidence')?.description).toMatch(/with label/i);
    expect(list.responses['200']?.content?.['application/json']?.schema).toEqual({
      oneOf: [{ $ref: '#/components/schemas/ImageList' }, { $ref: '#/components/schemas/ImagePage' }],
    });
  });
});

/** IMAGE records as the table holds them, labeled with `label` unless rejected. */
function stored(key: string, status: ImageItem['status'], updatedAt: string, versionId?: string): ImageItem {
  return {
    pk: `IMAGE#${key}`,
    sk: 'IMAGE',
    bucket: 'images',
    key,
    status,
    objectVersion: versionId ?? `etag:${key}`,
    ...(versionId ? { versionId } : {}),
    eTag: key,
    sequencer: '0A',
    size: 10,
    image: { format: 'png', width: 100, height: 100, size: 10 },
    labels: status === 'LABELED' ? [label] : [],
    labelNames: status === 'LABELED' ? ['Cat'] : [],
    ...(status === 'LABELED'
      ? { labelModelVersion: '3.0', settings: { minConfidence: 70, maxLabels: 25 } }
      : { reason: 'DIMENSIONS_TOO_SMALL' }),
    updatedAt,
  };
}

const images = () =>
  memoryImages([
    stored('a.png', 'LABELED', '2026-01-01T00:00:00.000Z', 'v1'),
    stored('b.png', 'REJECTED', '2025-12-31T00:00:00.000Z'),
    stored('c.png', 'LABELED', '2025-12-30T00:00:00.000Z'),
  ]);

describe("the handler's answers match the schemas", () => {
  it('an image with settings and a version-pinned URL', async () => {
    expect(
      errorsOf('Image', await answer('getImage', { key: 'a.png' }, { images: images() })),
    ).toBeUndefined();
  });

  it('a rejected image', async () => {
    expect(
      errorsOf('Image', await answer('getImage', { key: 'b.png' }, { images: images() })),
    ).toBeUndefined();
  });

  it('a pending image', async () => {
    const pending = await answer('getImage', { key: 'new.png' }, { bucket: memoryBucket(['new.png']) });
    expect(errorsOf('Image', pending)).toBeUndefined();
  });

  it('a page of every image, with a cursor', async () => {
    const page = await answer('listImages', { query: { limit: '2' } }, { images: images() });
    expect(page.nextCursor).toEqual(expect.any(String));
    expect(errorsOf('ImageList', page)).toBeUndefined();
    expect(errorsOf('ImagePage', page)).toBeDefined();
  });

  it('a page of the images of a label', async () => {
    const page = await answer('listImages', { query: { label: 'cat' } }, { images: images() });
    expect(page.items).toHaveLength(2);
    expect(errorsOf('ImagePage', page)).toBeUndefined();
    expect(errorsOf('ImageList', page)).toBeDefined();
  });

  it('the label counts', async () => {
    const counts = await answer('listLabels', {}, { images: images() });
    expect(counts.labels).toEqual([{ name: 'Cat', imageCount: 2 }]);
    expect(errorsOf('LabelCounts', counts)).toBeUndefined();
  });

  it('an upload, and a problem', async () => {
    const upload = await handleApiRequest(
      apiRequest('createUpload', {
        body: JSON.stringify({ fileName: 'a.png', contentType: 'image/png', contentLength: 5 }),
        contentType: 'application/json',
      }),
      apiDeps(),
    );
    expect(errorsOf('Upload', JSON.parse(upload.body ?? 'null'))).toBeUndefined();
    const problem = await handleApiRequest(apiRequest('getImage', { key: '../x' }), apiDeps());
    expect(errorsOf('Problem', JSON.parse(problem.body ?? 'null'))).toBeUndefined();
  });

  it('and an image answer without its URL would not', () => {
    expect(errorsOf('Image', { key: 'a.png', status: 'PENDING', labels: [] })).toMatch(/imageUrl/);
  });
});
