/**
 * Human sentences for the reasons an image is refused: one module for the console's own check
 * before an upload and for REJECTED records from the server, so both say the same thing.
 * The codes are the server's (REJECTION_REASONS in functions/core/errors.ts).
 */
import type { RejectionReason } from '../../../functions/core/errors';

export const MAX_UPLOAD_BYTES = 15 * 1024 * 1024;

export const REASON_SENTENCES: Record<RejectionReason, string> = {
  OBJECT_MISSING: 'The file was gone before it could be checked. Upload it again.',
  EMPTY_FILE: 'The file is empty.',
  FILE_TOO_LARGE: 'The file is larger than 15 MB (15,728,640 bytes).',
  UNSUPPORTED_FORMAT: 'The file is not a JPEG or PNG image.',
  CORRUPT_IMAGE: 'The image is damaged or incomplete and cannot be read.',
  DIMENSIONS_TOO_SMALL: 'The image is too small: each side needs at least 80 pixels.',
  DIMENSIONS_TOO_LARGE: 'The image is too large: each side may have at most 10,000 pixels.',
  REJECTED_BY_LABEL_SERVICE: 'The labeling service could not read this image.',
};

/** The sentence for a reason code; an unknown code still gives a sentence. */
export function reasonSentence(reason: string | undefined): string {
  if (reason && Object.hasOwn(REASON_SENTENCES, reason)) {
    return REASON_SENTENCES[reason as RejectionReason];
  }
  return 'The image was refused.';
}
