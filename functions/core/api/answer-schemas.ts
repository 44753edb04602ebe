/**
 * The answers of the labels API as zod schemas, for its OpenAPI document (openapi-schemas.ts,
 * z.toJSONSchema). Only that document loads this module, with a dynamic import, so a cold start
 * does not build these schemas (about 6 ms of the API function's init). The label and image
 * metadata shapes are the workflow's own (detection-schemas.ts, validated-image-schemas.ts).
 */
import { BoundingBoxSchema, LabelSchema } from '../detection-schemas';
import { REJECTION_REASONS } from '../errors';
import type { ImageStatus } from '../labels-table';
import { ImageMetadataSchema } from '../validated-image-schemas';
import * as z from '../zod';

export const GatewayErrorSchema = z.looseObject({ message: z.string() });

export const BoxSchema = BoundingBoxSchema.check(
  z.meta({
    description:
      'Ratios (0 to 1, may fall slightly outside) of the width and height of the displayed image, ' +
      'after its EXIF orientation is applied, from its top-left corner.',
  }),
);

export const ApiLabelSchema = z.extend(LabelSchema, {
  instances: z.array(z.object({ confidence: z.number(), box: BoxSchema })),
});

const imageUrl = z.url().check(
  z.meta({
    description:
      'A presigned GET URL of the image (of the object version that was labeled), valid until imageUrlExpiresAt. ' +
      'Use it as an img src; do not store it.',
  }),
);
/** A timestamp the API writes (toISOString); documented, never parsed, so no pattern. */
const dateTime = (description?: string) =>
  z.string().check(z.meta({ format: 'date-time', ...(description ? { description } : {}) }));
const imageUrlExpiresAt = dateTime(
  'When the imageUrl(s) of this answer stop working (2 to 5 minutes after the request).',
);
const nextCursor = z
  .optional(z.string())
  .check(z.meta({ description: 'Pass as `cursor` for the next page; absent on the last.' }));
const finalStatus = z.enum(['LABELED', 'REJECTED', 'FAILED'] as const satisfies readonly ImageStatus[]);

/** GET /images/{key}. */
export const ImageSchema = z.object({
  key: z.string(),
  status: z
    .enum(['PENDING', ...finalStatus.options])
    .check(z.meta({ description: 'PENDING: uploaded, no result yet.' })),
  objectVersion: z
    .optional(z.string())
    .check(z.meta({ description: 'The S3 version id (or etag:<ETag> when unversioned).' })),
  versionId: z.optional(z.string()),
  size: z.optional(z.int().check(z.gte(0))),
  image: z.optional(ImageMetadataSchema),
  labels: z.array(ApiLabelSchema),
  labelModelVersion: z.optional(z.string()),
  settings: z
    .optional(
      z.object({ minConfidence: z.number().check(z.gte(0), z.lte(100)), maxLabels: z.int().check(z.gte(1)) }),
    )
    .check(z.meta({ description: 'The detection settings the labels were computed with.' })),
  reason: z
    .optional(z.enum(REJECTION_REASONS))
    .check(z.meta({ description: 'Why a REJECTED image was rejected.' })),
  detail: z.optional(z.string()),
  error: z
    .optional(z.object({ name: z.string(), message: z.string() }))
    .check(z.meta({ description: 'Why a FAILED image failed.' })),
  updatedAt: z.optional(dateTime()),
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
          .check(z.maxLength(5), z.meta({ description: 'Up to 5 label names, highest confidence first.' })),
        imageUrl,
      }),
    ),
    nextCursor,
    imageUrlExpiresAt,
  })
  .check(z.meta({ description: 'GET /images without label: every image, last updated first.' }));

/** GET /images?label=. */
export const ImagePageSchema = z
  .object({
    label: z.string(),
    minConfidence: z.number(),
    items: z.array(
      z.object({
        key: z.string(),
        label: z.string(),
        confidence: z.number().check(z.gte(0), z.lte(100)),
        imageUrl,
      }),
    ),
    nextCursor,
    imageUrlExpiresAt,
  })
  .check(
    z.meta({ description: 'GET /images?label=: the images carrying a label, highest confidence first.' }),
  );

/** GET /labels. */
export const LabelCountsSchema = z.object({
  prefix: z.string(),
  labels: z.array(z.object({ name: z.string(), imageCount: z.int().check(z.gte(1)) })),
});

/** POST /uploads, 201. */
export const UploadSchema = z.object({
  key: z.string().check(z.regex(/^uploads\//)),
  upload: z.object({
    method: z.literal('PUT'),
    url: z.url(),
    headers: z
      .catchall(z.object({ 'content-type': z.string(), 'content-length': z.string() }), z.string())
      .check(z.meta({ description: 'Send exactly these headers: both are signed.' })),
  }),
  expiresAt: dateTime(),
  statusUrl: z.string(),
});
