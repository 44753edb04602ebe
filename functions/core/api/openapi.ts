/**
 * The OpenAPI 3.1 document of the labels API, served at GET /openapi.json. Its schemas are
 * JSON Schema 2020-12; a test validates real responses of every route against them.
 */

import { MAX_CURSOR_LENGTH } from './cursor';
import type { ComponentName } from './openapi-schemas';
import { MAX_KEY_BYTES } from './params';
import { PROBLEM_TYPE_BASE, PROBLEMS } from './problems';
import { SCOPES } from './route-table';

const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });
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

/** One image: read it, delete it. */
const imageByKey = () => ({
  '/images/{key}': {
    parameters: [keyParameter],
    get: secured(SCOPES.read, {
      operationId: 'getImage',
      summary:
        "An image's status, labels (with confidence, parents, categories, boxes), metadata and a short-lived URL of its pixels.",
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
});

/** Images by label, or all of them, a page at a time. */
const imageQueries = () => ({
  '/images': {
    get: secured(SCOPES.read, {
      operationId: 'listImages',
      summary:
        'Without label: every image, last updated first (an ImageList). With label: the images carrying it ' +
        '(case-insensitive), highest confidence first (an ImagePage). Both pages carry short-lived image URLs.',
      parameters: [
        {
          name: 'label',
          in: 'query',
          required: false,
          description: 'A label name (case-insensitive). Leave it out for every image.',
          schema: { type: 'string', minLength: 1, maxLength: 64 },
        },
        {
          name: 'minConfidence',
          in: 'query',
          required: false,
          description: 'Only with label: the lowest confidence listed.',
          schema: { type: 'number', minimum: 0, maximum: 100, default: 0 },
        },
        limitParameter(25),
        {
          name: 'cursor',
          in: 'query',
          required: false,
          description:
            'The nextCursor of the previous page of the same query (same label and minConfidence, or both absent).',
          schema: { type: 'string', maxLength: MAX_CURSOR_LENGTH },
        },
      ],
      responses: {
        '200': {
          description: 'One page: an ImageList without label, an ImagePage with one.',
          content: jsonContent({ oneOf: [ref('ImageList'), ref('ImagePage')] }),
        },
        '400': problem(
          'Invalid or unknown parameter, minConfidence without label, or a modified or foreign cursor.',
        ),
        ...authErrors,
      },
    }),
  },
});

/** Label counts, and this document. */
const labelQueries = () => ({
  '/labels': {
    get: secured(SCOPES.read, {
      operationId: 'listLabels',
      summary: 'Label names with the number of images carrying each, most frequent first.',
      description:
        "Counts are kept from the labels table's stream in tumbling windows: they follow a labeled, relabeled or deleted image within about one window (5 s on AWS, 1 s locally) plus the stream's delivery, and each change counts exactly once.",
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
});

/** Presigned uploads. */
const uploadPaths = () => ({
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
});

/**
 * The document. Its component schemas load on first call (GET /openapi.json, the pre-traffic
 * smoke test): esbuild keeps a dynamically imported module in the bundle but evaluates it only
 * when the import runs, so the answers' schemas are not built at cold start.
 */
export async function openApiDocument(serverUrl?: string) {
  const { apiSchemas } = await import('./openapi-schemas');
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
      schemas: apiSchemas(),
    },
    paths: { ...imageByKey(), ...imageQueries(), ...labelQueries(), ...uploadPaths() },
  };
}
