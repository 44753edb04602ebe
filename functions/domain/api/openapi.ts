/**
 * The OpenAPI 3.1 document of the labels API, served at GET /openapi.json. Its schemas are
 * JSON Schema 2020-12; a test validates real responses of every route against them.
 */
import { REJECTION_REASONS } from '../../shared/errors';
import { MAX_CURSOR_LENGTH } from './cursor';
import { PROBLEM_TYPE_BASE, PROBLEMS } from './http';
import { MAX_KEY_BYTES } from './params';
import { SCOPES } from './route-table';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const gateway = (description: string) => ({
  description: `${description} Answered by API Gateway itself, not as a problem document.`,
  content: { 'application/json': { schema: ref('GatewayError') } },
});
const jsonContent = (schema: unknown) => ({ 'application/json': { schema } });

const keyParameter = {
  name: 'key',
  in: 'path',
  required: true,
  description:
    `The object key, percent-encoded as one path segment (a slash as %2F; literal slashes also work). ` +
    `At most ${MAX_KEY_BYTES} bytes of UTF-8; no "." or ".." segments, no control characters.`,
  schema: { type: 'string', minLength: 1 },
  example: 'some%20dir%2Fa%2Bb.png',
};

const limitParameter = (fallback: number) => ({
  name: 'limit',
  in: 'query',
  required: false,
  description: 'Page size.',
  schema: { type: 'integer', minimum: 1, maximum: 100, default: fallback },
});

const secured = (scope: string, extra: Record<string, unknown> = {}) => ({
  security: [{ cognito: [scope] }],
  ...extra,
});

const authErrors = {
  '401': gateway('No token, or an invalid or expired one.'),
  '403': gateway('The token lacks the scope this route needs.'),
  '429': gateway('Throttled by the stage rate or burst limit.'),
  '500': problem('An unexpected error; the problem names no internals.'),
};

const BoxSchema = {
  type: 'object',
  required: ['left', 'top', 'width', 'height'],
  properties: {
    left: { type: 'number' },
    top: { type: 'number' },
    width: { type: 'number' },
    height: { type: 'number' },
  },
  additionalProperties: false,
  description: 'Ratios of the image width and height (0 to 1), as Rekognition returns them.',
};

export function openApiDocument(serverUrl?: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Image labeling API',
      version: '1.0.0',
      description:
        'Query the labels of uploaded images, find images by label, count labels, upload and delete images. ' +
        `Errors are RFC 9457 problem documents whose \`type\` is one of ${Object.keys(PROBLEMS)
          .map((slug) => `${PROBLEM_TYPE_BASE}${slug}`)
          .join(', ')}.`,
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: {
      securitySchemes: {
        cognito: {
          type: 'oauth2',
          description: `Bearer JWT access token with the scopes ${SCOPES.read} and/or ${SCOPES.write}.`,
          flows: {
            clientCredentials: {
              tokenUrl: '/oauth2/token',
              scopes: {
                [SCOPES.read]: 'Read images and labels.',
                [SCOPES.write]: 'Upload and delete images.',
              },
            },
          },
        },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: {
            type: {
              type: 'string',
              enum: Object.keys(PROBLEMS).map((slug) => `${PROBLEM_TYPE_BASE}${slug}`),
            },
            title: { type: 'string' },
            status: { type: 'integer', minimum: 400, maximum: 599 },
            detail: { type: 'string' },
            parameter: { type: 'string', description: 'The offending parameter, body field or header.' },
          },
          additionalProperties: false,
        },
        GatewayError: {
          type: 'object',
          required: ['message'],
          properties: { message: { type: 'string' } },
        },
        Label: {
          type: 'object',
          required: ['name', 'confidence', 'parents', 'categories', 'aliases', 'instances'],
          properties: {
            name: { type: 'string' },
            confidence: { type: 'number', minimum: 0, maximum: 100 },
            parents: { type: 'array', items: { type: 'string' } },
            categories: { type: 'array', items: { type: 'string' } },
            aliases: { type: 'array', items: { type: 'string' } },
            instances: {
              type: 'array',
              items: {
                type: 'object',
                required: ['confidence', 'box'],
                properties: { confidence: { type: 'number' }, box: BoxSchema },
                additionalProperties: false,
              },
            },
          },
          additionalProperties: false,
        },
        Image: {
          type: 'object',
          required: ['key', 'status', 'labels'],
          properties: {
            key: { type: 'string' },
            status: {
              type: 'string',
              enum: ['PENDING', 'LABELED', 'REJECTED', 'FAILED'],
              description: 'PENDING: uploaded, no result yet.',
            },
            objectVersion: {
              type: 'string',
              description: 'The S3 version id (or etag:<ETag> when unversioned).',
            },
            versionId: { type: 'string' },
            size: { type: 'integer', minimum: 0 },
            image: {
              type: 'object',
              required: ['format', 'width', 'height', 'size'],
              properties: {
                format: { type: 'string', enum: ['jpeg', 'png'] },
                width: { type: 'integer' },
                height: { type: 'integer' },
                size: { type: 'integer' },
                contentType: { type: 'string' },
                orientation: { type: 'integer', minimum: 1, maximum: 8 },
              },
              additionalProperties: false,
            },
            labels: { type: 'array', items: ref('Label') },
            labelModelVersion: { type: 'string' },
            reason: {
              type: 'string',
              enum: [...REJECTION_REASONS],
              description: 'Why a REJECTED image was rejected.',
            },
            detail: { type: 'string' },
            error: {
              type: 'object',
              required: ['name', 'message'],
              properties: { name: { type: 'string' }, message: { type: 'string' } },
              additionalProperties: false,
              description: 'Why a FAILED image failed.',
            },
            updatedAt: { type: 'string', format: 'date-time' },
          },
          additionalProperties: false,
        },
        ImagePage: {
          type: 'object',
          required: ['label', 'minConfidence', 'items'],
          properties: {
            label: { type: 'string' },
            minConfidence: { type: 'number' },
            items: {
              type: 'array',
              items: {
                type: 'object',
                required: ['key', 'label', 'confidence'],
                properties: {
                  key: { type: 'string' },
                  label: { type: 'string' },
                  confidence: { type: 'number', minimum: 0, maximum: 100 },
                },
                additionalProperties: false,
              },
            },
            nextCursor: {
              type: 'string',
              description: 'Pass as `cursor` for the next page; absent on the last.',
            },
          },
          additionalProperties: false,
        },
        LabelCounts: {
          type: 'object',
          required: ['prefix', 'labels'],
          properties: {
            prefix: { type: 'string' },
            labels: {
              type: 'array',
              items: {
                type: 'object',
                required: ['name', 'imageCount'],
                properties: { name: { type: 'string' }, imageCount: { type: 'integer', minimum: 1 } },
                additionalProperties: false,
              },
            },
          },
          additionalProperties: false,
        },
        UploadRequest: {
          type: 'object',
          required: ['fileName', 'contentType', 'contentLength'],
          properties: {
            fileName: { type: 'string', minLength: 1, maxLength: 255 },
            contentType: { type: 'string', enum: ['image/jpeg', 'image/png'] },
            contentLength: { type: 'integer', minimum: 1, maximum: 15 * 1024 * 1024 },
          },
          additionalProperties: false,
        },
        Upload: {
          type: 'object',
          required: ['key', 'upload', 'expiresAt', 'statusUrl'],
          properties: {
            key: { type: 'string', pattern: '^uploads/' },
            upload: {
              type: 'object',
              required: ['method', 'url', 'headers'],
              properties: {
                method: { const: 'PUT' },
                url: { type: 'string', format: 'uri' },
                headers: {
                  type: 'object',
                  description: 'Send exactly these headers: both are signed.',
                  required: ['content-type', 'content-length'],
                  additionalProperties: { type: 'string' },
                },
              },
              additionalProperties: false,
            },
            expiresAt: { type: 'string', format: 'date-time' },
            statusUrl: { type: 'string' },
          },
          additionalProperties: false,
        },
      },
    },
    paths: {
      '/images/{key}': {
        parameters: [keyParameter],
        get: secured(SCOPES.read, {
          operationId: 'getImage',
          summary: "An image's status, labels (with confidence, parents, categories, boxes) and metadata.",
          responses: {
            '200': { description: 'The image.', content: jsonContent(ref('Image')) },
            '400': problem('Invalid key, or a query parameter was given.'),
            '404': problem('Neither an object nor a record with this key.'),
            ...authErrors,
          },
        }),
        delete: secured(SCOPES.write, {
          operationId: 'deleteImage',
          summary:
            'Deletes the object (a delete marker: old versions expire by lifecycle) and every record of it.',
          responses: {
            '204': { description: 'Deleted.' },
            '400': problem('Invalid key, or a query parameter was given.'),
            '404': problem('Neither an object nor a record with this key.'),
            ...authErrors,
          },
        }),
      },
      '/images': {
        get: secured(SCOPES.read, {
          operationId: 'listImagesByLabel',
          summary: 'Images carrying a label (case-insensitive), highest confidence first.',
          parameters: [
            {
              name: 'label',
              in: 'query',
              required: true,
              schema: { type: 'string', minLength: 1, maxLength: 64 },
            },
            {
              name: 'minConfidence',
              in: 'query',
              required: false,
              schema: { type: 'number', minimum: 0, maximum: 100, default: 0 },
            },
            limitParameter(25),
            {
              name: 'cursor',
              in: 'query',
              required: false,
              description:
                'The nextCursor of the previous page of the same query (same label and minConfidence).',
              schema: { type: 'string', maxLength: MAX_CURSOR_LENGTH },
            },
          ],
          responses: {
            '200': { description: 'One page.', content: jsonContent(ref('ImagePage')) },
            '400': problem('Invalid, missing or unknown parameter, or a modified or foreign cursor.'),
            ...authErrors,
          },
        }),
      },
      '/labels': {
        get: secured(SCOPES.read, {
          operationId: 'listLabels',
          summary: 'Label names with the number of images carrying each, most frequent first.',
          parameters: [
            {
              name: 'prefix',
              in: 'query',
              required: false,
              description: 'Case-insensitive name prefix.',
              schema: { type: 'string', maxLength: 64 },
            },
            limitParameter(50),
          ],
          responses: {
            '200': { description: 'The counts.', content: jsonContent(ref('LabelCounts')) },
            '400': problem('Invalid or unknown parameter.'),
            ...authErrors,
          },
        }),
      },
      '/uploads': {
        post: secured(SCOPES.write, {
          operationId: 'createUpload',
          summary: 'A presigned PUT URL for a fresh key under uploads/, valid for a few minutes.',
          requestBody: { required: true, content: jsonContent(ref('UploadRequest')) },
          responses: {
            '201': {
              description: 'PUT the file to upload.url with upload.headers, then poll statusUrl.',
              headers: { Location: { schema: { type: 'string' } } },
              content: jsonContent(ref('Upload')),
            },
            '400': problem('Invalid JSON, unknown field, or a field out of range.'),
            '413': problem('The request body is larger than 4 KiB.'),
            '415': problem('The request body is not application/json.'),
            ...authErrors,
          },
        }),
      },
      '/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          summary: 'This document. Public.',
          security: [],
          responses: {
            '200': { description: 'The OpenAPI document.', content: jsonContent({ type: 'object' }) },
          },
        },
      },
    },
  };
}
