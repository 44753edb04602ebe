import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../functions/core/api/openapi';
import { ROUTES, type RouteName } from '../../../functions/core/api/route-table';
import { handleApiRequest } from '../../../functions/domain/api/routes';
import { apiDeps, apiEvent } from '../../support/api';

const dbMock = mockClient(DynamoDBDocumentClient);
const s3Mock = mockClient(S3Client);
const document = openApiDocument('https://api.example.com');

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
ajv.addFormat('uri', /^https?:\/\/\S+$/);
ajv.addSchema({ ...document, $id: 'openapi' });
function errorsOf(schema: string, body: unknown): string | undefined {
  const check = ajv.getSchema(`openapi#/components/schemas/${schema}`);
  if (!check) throw new Error(`No schema ${schema}`);
  return check(body) ? undefined : ajv.errorsText(check.errors);
}

async function answer(route: RouteName, options: { key?: string; query?: Record<string, string> } = {}) {
  const event = apiEvent(route, options);
  const response = await handleApiRequest(event, apiDeps());
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

beforeEach(() => {
  dbMock.reset();
  s3Mock.reset();
});

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

describe("the handler's answers match the schemas", () => {
  it('an image with settings and a version-pinned URL', async () => {
    dbMock.on(GetCommand).resolves({
      Item: {
        pk: 'IMAGE#a.png',
        sk: 'IMAGE',
        key: 'a.png',
        status: 'LABELED',
        objectVersion: 'v1',
        versionId: 'v1',
        size: 10,
        image: { format: 'png', width: 100, height: 100, size: 10 },
        labels: [label],
        labelNames: ['Cat'],
        labelModelVersion: '3.0',
        settings: { minConfidence: 70, maxLabels: 25 },
        updatedAt: '2026-01-01T00:00:00.000Z',
      },
    });
    expect(errorsOf('Image', await answer('getImage', { key: 'a.png' }))).toBeUndefined();
  });

  it('a pending image', async () => {
    dbMock.on(GetCommand).resolves({});
    s3Mock.on(HeadObjectCommand).resolves({});
    expect(errorsOf('Image', await answer('getImage', { key: 'new.png' }))).toBeUndefined();
  });

  it('a page of every image', async () => {
    dbMock.on(QueryCommand).resolves({
      Items: [
        {
          key: 'a.png',
          status: 'LABELED',
          updatedAt: '2026-01-01T00:00:00.000Z',
          topLabels: ['Cat'],
          versionId: 'v1',
        },
        { key: 'b.png', status: 'REJECTED', updatedAt: '2025-12-31T00:00:00.000Z', topLabels: [] },
      ],
      LastEvaluatedKey: {
        pk: 'IMAGE#b.png',
        sk: 'IMAGE',
        gsi2pk: 'IMAGES',
        gsi2sk: '2025-12-31T00:00:00.000Z#h',
      },
    });
    const page = await answer('listImages', { query: { limit: '2' } });
    expect(errorsOf('ImageList', page)).toBeUndefined();
    expect(errorsOf('ImagePage', page)).toBeDefined();
  });

  it('a page of the images of a label', async () => {
    dbMock.on(QueryCommand).resolves({
      Items: [{ key: 'a.png', name: 'Cat', confidence: 97.5, objectVersion: 'v1' }],
    });
    const page = await answer('listImages', { query: { label: 'cat' } });
    expect(errorsOf('ImagePage', page)).toBeUndefined();
    expect(errorsOf('ImageList', page)).toBeDefined();
  });

  it('and an image answer without its URL would not', () => {
    expect(errorsOf('Image', { key: 'a.png', status: 'PENDING', labels: [] })).toMatch(/imageUrl/);
  });
});
