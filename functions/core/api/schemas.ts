/**
 * The request body the labels API validates, as a zod schema. The answers it sends are in
 * answer-schemas.ts, which only the OpenAPI document loads; both feed its component schemas
 * (openapi-schemas.ts, z.toJSONSchema), so the document cannot drift from the code.
 */
import { IMAGE_LIMITS } from '../image-limits';
import * as z from '../zod';

export const UPLOAD_CONTENT_TYPES = ['image/jpeg', 'image/png'] as const;
export const MAX_UPLOAD_BYTES = IMAGE_LIMITS.maxBytes;

/** POST /uploads. */
export const UploadRequestSchema = z.strictObject({
  fileName: z.string().check(
    z.minLength(1),
    z.maxLength(255),
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects.
    z.refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'must not contain control characters'),
  ),
  contentType: z.enum(UPLOAD_CONTENT_TYPES),
  contentLength: z.int().check(z.gte(1), z.lte(MAX_UPLOAD_BYTES)),
});
