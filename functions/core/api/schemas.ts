/**
 * The labels API's bodies as zod schemas: the upload request the API validates, and the answers
 * it sends. The OpenAPI document's component schemas are generated from these
 * (openapi-schemas.ts, z.toJSONSchema), and the label and image metadata shapes are the
 * workflow's own (workflow-schemas.ts), so the document cannot drift from the code.
 */
import * as z from 'zod';
import { REJECTION_REASONS } from '../errors';
import { IMAGE_LIMITS } from '../image-inspection';
import type { ImageStatus } from '../labels-table';
import { BoundingBoxSchema, ImageMetadataSchema, LabelSchema } from '../workflow-schemas';

export const UPLOAD_CONTENT_TYPES = ['image/jpeg', 'image/png'] as const;
export const MAX_UPLOAD_BYTES = IMAGE_LIMITS.maxBytes;

/** POST /uploads. */
export const UploadRequestSchema = z
  .object({
    fileName: z
      .string()
      .min(1)
      .max(255)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects.
      .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'must not contain control characters'),
    contentType: z.enum(UPLOAD_CONTENT_TYPES),
    contentLength: z.number().int().min(1).max(MAX_UPLOAD_BYTES),
  })
  .strict();

export const GatewayErrorSchema = z.looseObject({ message: z.string() });

export const BoxSchema = BoundingBoxSchema.meta({
  description:
    'Ratios (0 to 1, may fall slightly outside) of the width and height of the displayed image, ' +
    'after its EXIF orientation is applied, from its top-left corner.',
});

export const ApiLabelSchema = LabelSchema.extend({
  instances: z.array(z.object({ confidence: z.number(), box: BoxSchema })),
});

const imageUrl = z.url().meta({
  description:
    'A presigned GET URL of the image (of the object version that was labeled), valid until imageUrlExpiresAt. ' +
    'Use it as an img src; do not store it.',
});
/** A timestamp the API writes (toISOString); documented, never parsed, so no pattern. */
const dateTime = (description?: string) =>
  z.string().meta({ format: 'date-time', ...(description ? { description } : {}) });
const imageUrlExpiresAt = dateTime(
  'When the imageUrl(s) of this answer stop working (2 to 5 minutes after the request).',
);
const nextCursor = z
  .string()
  .optional()
  .meta({ description: 'Pass as `cursor` for the next page; absent on the last.' });
const finalStatus = z.enum(['LABELED', 'REJECTED', 'FAILED'] as const satisfies readonly ImageStatus[]);

/** GET /images/{key}. */
export const ImageSchema = z.object({
  key: z.string(),
  status: z
    .enum(['PENDING', ...finalStatus.options])
    .meta({ description: 'PENDING: uploaded, no result yet.' }),
  objectVersion: z
    .string()
    .optional()
    .meta({ description: 'The S3 version id (or etag:<ETag> when unversioned).' }),
  versionId: z.string().optional(),
  size: z.number().int().min(0).optional(),
  image: ImageMetadataSchema.optional(),
  labels: z.array(ApiLabelSchema),
  labelModelVersion: z.string().optional(),
  settings: z
    .object({ minConfidence: z.number().min(0).max(100), maxLabels: z.number().int().min(1) })
    .optional()
    .meta({ description: 'The detection settings the labels were computed with.' }),
  reason: z.enum(REJECTION_REASONS).optional().meta({ description: 'Why a REJECTED image was rejected.' }),
  detail: z.string().optional(),
  error: z
    .object({ name: z.string(), message: z.string() })
    .optional()
    .meta({ description: 'Why a FAILED image failed.' }),
  updatedAt: dateTime().optional(),
  imageUrl,
  imageUrlExpiresAt,
});

/** GET /images without a label. */
export const ImageListSchema = z
  .object({
    items: z.array(
      z.object({
        key: z.string(),
        status: finalStatus,
        updatedAt: dateTime(),
        labels: z
          .array(z.string())
          .max(5)
          .meta({ description: 'Up to 5 label names, highest confidence first.' }),
        imageUrl,
      }),
    ),
    nextCursor,
    imageUrlExpiresAt,
  })
  .meta({ description: 'GET /images without label: every image, last updated first.' });

/** GET /images?label=. */
export const ImagePageSchema = z
  .object({
    label: z.string(),
    minConfidence: z.number(),
    items: z.array(
      z.object({ key: z.string(), label: z.string(), confidence: z.number().min(0).max(100), imageUrl }),
    ),
    nextCursor,
    imageUrlExpiresAt,
  })
  .meta({ description: 'GET /images?label=: the images carrying a label, highest confidence first.' });

/** GET /labels. */
export const LabelCountsSchema = z.object({
  prefix: z.string(),
  labels: z.array(z.object({ name: z.string(), imageCount: z.number().int().min(1) })),
});

/** POST /uploads, 201. */
export const UploadSchema = z.object({
  key: z.string().regex(/^uploads\//),
  upload: z.object({
    method: z.literal('PUT'),
    url: z.url(),
    headers: z
      .object({ 'content-type': z.string(), 'content-length': z.string() })
      .catchall(z.string())
      .meta({ description: 'Send exactly these headers: both are signed.' }),
  }),
  expiresAt: dateTime(),
  statusUrl: z.string(),
});
