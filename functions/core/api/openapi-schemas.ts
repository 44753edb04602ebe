/**
 * The schemas of the labels API's OpenAPI document (openapi.ts): JSON Schema 2020-12.
 */

import { PROBLEM_TYPE_BASE, PROBLEMS } from '../../domain/api/http';
import { REJECTION_REASONS } from '../errors';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const imageUrlSchema = {
  type: 'string',
  format: 'uri',
  description:
    'A presigned GET URL of the image (of the object version that was labeled), valid until imageUrlExpiresAt. ' +
    'Use it as an img src; do not store it.',
};

const imageUrlExpiresAtSchema = {
  type: 'string',
  format: 'date-time',
  description: 'When the imageUrl(s) of this answer stop working (2 to 5 minutes after the request).',
};

const cursorSchema = {
  type: 'string',
  description: 'Pass as `cursor` for the next page; absent on the last.',
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
  description:
    'Ratios (0 to 1, may fall slightly outside) of the width and height of the displayed image, ' +
    'after its EXIF orientation is applied, from its top-left corner.',
};

export const API_SCHEMAS = {
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
    required: ['key', 'status', 'labels', 'imageUrl', 'imageUrlExpiresAt'],
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
      settings: {
        type: 'object',
        required: ['minConfidence', 'maxLabels'],
        properties: {
          minConfidence: { type: 'number', minimum: 0, maximum: 100 },
          maxLabels: { type: 'integer', minimum: 1 },
        },
        additionalProperties: false,
        description: 'The detection settings the labels were computed with.',
      },
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
      imageUrl: imageUrlSchema,
      imageUrlExpiresAt: imageUrlExpiresAtSchema,
    },
    additionalProperties: false,
  },
  ImageList: {
    type: 'object',
    description: 'GET /images without label: every image, last updated first.',
    required: ['items', 'imageUrlExpiresAt'],
    properties: {
      items: {
        type: 'array',
        items: {
          type: 'object',
          required: ['key', 'status', 'updatedAt', 'labels', 'imageUrl'],
          properties: {
            key: { type: 'string' },
            status: { type: 'string', enum: ['LABELED', 'REJECTED', 'FAILED'] },
            updatedAt: { type: 'string', format: 'date-time' },
            labels: {
              type: 'array',
              maxItems: 5,
              items: { type: 'string' },
              description: 'Up to 5 label names, highest confidence first.',
            },
            imageUrl: imageUrlSchema,
          },
          additionalProperties: false,
        },
      },
      nextCursor: cursorSchema,
      imageUrlExpiresAt: imageUrlExpiresAtSchema,
    },
    additionalProperties: false,
  },
  ImagePage: {
    type: 'object',
    description: 'GET /images?label=: the images carrying a label, highest confidence first.',
    required: ['label', 'minConfidence', 'items', 'imageUrlExpiresAt'],
    properties: {
      label: { type: 'string' },
      minConfidence: { type: 'number' },
      items: {
        type: 'array',
        items: {
          type: 'object',
          required: ['key', 'label', 'confidence', 'imageUrl'],
          properties: {
            key: { type: 'string' },
            label: { type: 'string' },
            confidence: { type: 'number', minimum: 0, maximum: 100 },
            imageUrl: imageUrlSchema,
          },
          additionalProperties: false,
        },
      },
      nextCursor: cursorSchema,
      imageUrlExpiresAt: imageUrlExpiresAtSchema,
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
};
