/**
 * The request body the labels API validates. The answers it sends are in answer-schemas.ts, which
 * only the OpenAPI document loads; both feed its component schemas (openapi-schemas.ts, with
 * @valibot/to-json-schema), so the document cannot drift from the code.
 */

import * as v from 'valibot';
import { IMAGE_LIMITS } from '../image-limits';
import { int, jsonObject } from '../validation';

export const UPLOAD_CONTENT_TYPES = ['image/jpeg', 'image/png'] as const;
export const MAX_UPLOAD_BYTES = IMAGE_LIMITS.maxBytes;

/** POST /uploads. */
export const UploadRequestSchema = jsonObject(
  v.strictObject({
    fileName: v.pipe(
      v.string(),
      v.minLength(1),
      v.maxLength(255),
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects.
      v.check((name) => !/[\u0000-\u001f\u007f]/.test(name), 'must not contain control characters'),
    ),
    contentType: v.picklist(UPLOAD_CONTENT_TYPES),
    contentLength: v.pipe(int, v.minValue(1), v.maxValue(MAX_UPLOAD_BYTES)),
  }),
);
