/**
 * The answers of the labels API as schemas, for its OpenAPI document (openapi-schemas.ts,
 * @valibot/to-json-schema). Only that document loads this module, with a dynamic import, so a cold start
 * does not build these schemas (about 6 ms of the API function's init). The label and image
 * metadata shapes are the workflow's own (detection-schemas.ts, validated-image-schemas.ts).
 */
import * as v from 'valibot';
import { BoundingBoxSchema, LabelSchema } from '../detection-schemas';
import { REJECTION_REASONS } from '../errors';
import type { ImageStatus } from '../labels-table';
import { ImageMetadataSchema } from '../validated-image-schemas';
import { int } from '../validation';

export const GatewayErrorSchema = v.looseObject({ message: v.string() });

export const BoxSchema = v.pipe(
  BoundingBoxSchema,
  v.description(
    'Ratios (0 to 1, may fall slightly outside) of the width and height of the displayed image, ' +
      'after its EXIF orientation is applied, from its top-left corner.',
  ),
);

export const ApiLabelSchema = v.object({
  ...LabelSchema.entries,
  instances: v.array(v.object({ confidence: v.number(), box: BoxSchema })),
});

const imageUrl = v.pipe(
  v.string(),
  v.url(),
  v.description(
    'A presigned GET URL of the image (of the object version that was labeled), valid until imageUrlExpiresAt. ' +
      'Use it as an img src; do not store it.',
  ),
);
/** A timestamp the API writes (toISOString). */
const dateTime = (description?: string) =>
  description
    ? v.pipe(v.string(), v.isoTimestamp(), v.description(description))
    : v.pipe(v.string(), v.isoTimestamp());
const imageUrlExpiresAt = dateTime(
  'When the imageUrl(s) of this answer stop working (2 to 5 minutes after the request).',
);
const nextCursor = v.optional(
  v.pipe(v.string(), v.description('Pass as `cursor` for the next page; absent on the last.')),
);
const FINAL_STATUSES = ['LABELED', 'REJECTED', 'FAILED'] as const satisfies readonly ImageStatus[];
const finalStatus = v.picklist(FINAL_STATUSES);
const confidence = v.pipe(v.number(), v.minValue(0), v.maxValue(100));

/** GET /images/{key}. */
export const ImageSchema = v.object({
  key: v.string(),
  status: v.pipe(
    v.picklist(['PENDING', ...FINAL_STATUSES]),
    v.description('PENDING: uploaded, no result yet.'),
  ),
  objectVersion: v.optional(
    v.pipe(v.string(), v.description('The S3 version id (or etag:<ETag> when unversioned).')),
  ),
  versionId: v.optional(v.string()),
  size: v.optional(v.pipe(int, v.minValue(0))),
  image: v.optional(ImageMetadataSchema),
  labels: v.array(ApiLabelSchema),
  labelModelVersion: v.optional(v.string()),
  settings: v.optional(
    v.pipe(
      v.object({ minConfidence: confidence, maxLabels: v.pipe(int, v.minValue(1)) }),
      v.description('The detection settings the labels were computed with.'),
    ),
  ),
  reason: v.optional(
    v.pipe(v.picklist(REJECTION_REASONS), v.description('Why a REJECTED image was rejected.')),
  ),
  detail: v.optional(v.string()),
  error: v.optional(
    v.pipe(v.object({ name: v.string(), message: v.string() }), v.description('Why a FAILED image failed.')),
  ),
  updatedAt: v.optional(dateTime()),
  imageUrl,
  imageUrlExpiresAt,
});

/** GET /images without a label. */
export const ImageListSchema = v.pipe(
  v.object({
    items: v.array(
      v.object({
        key: v.string(),
        status: finalStatus,
        updatedAt: dateTime(),
        labels: v.pipe(
          v.array(v.string()),
          v.maxLength(5),
          v.description('Up to 5 label names, highest confidence first.'),
        ),
        imageUrl,
      }),
    ),
    nextCursor,
    imageUrlExpiresAt,
  }),
  v.description('GET /images without label: every image, last updated first.'),
);

/** GET /images?label=. */
export const ImagePageSchema = v.pipe(
  v.object({
    label: v.string(),
    minConfidence: v.number(),
    items: v.array(
      v.object({
        key: v.string(),
        label: v.string(),
        confidence,
        imageUrl,
      }),
    ),
    nextCursor,
    imageUrlExpiresAt,
  }),
  v.description('GET /images?label=: the images carrying a label, highest confidence first.'),
);

/** GET /labels. */
export const LabelCountsSchema = v.object({
  prefix: v.string(),
  labels: v.array(v.object({ name: v.string(), imageCount: v.pipe(int, v.minValue(1)) })),
});

/** POST /uploads, 201. */
export const UploadSchema = v.object({
  key: v.pipe(v.string(), v.regex(/^uploads\//)),
  upload: v.object({
    method: v.literal('PUT'),
    url: v.pipe(v.string(), v.url()),
    headers: v.pipe(
      v.objectWithRest({ 'content-type': v.string(), 'content-length': v.string() }, v.string()),
      v.description('Send exactly these headers: both are signed.'),
    ),
  }),
  expiresAt: dateTime(),
  statusUrl: v.string(),
});
