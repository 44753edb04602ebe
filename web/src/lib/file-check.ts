/**
 * The check before an upload, with the server's reason codes: JPEG or PNG (by the browser's
 * type, or by the extension when the browser gives none), 1 byte to 15 MiB. The server checks
 * the bytes themselves, so a text file named `x.jpg` passes here and is REJECTED there.
 */
import type { RejectionReason } from '../../../functions/core/errors';
import { MAX_UPLOAD_BYTES, reasonSentence } from './messages';

export type UploadContentType = 'image/jpeg' | 'image/png';

/** What the check needs of a File (name, type, size), so it runs without the DOM. */
export interface FileFacts {
  name: string;
  type: string;
  size: number;
}

export type FileCheck =
  | { ok: true; contentType: UploadContentType }
  | { ok: false; reason: RejectionReason; message: string };

const BY_TYPE: Record<string, UploadContentType> = {
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/png': 'image/png',
};
const BY_EXTENSION: Record<string, UploadContentType> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  jpe: 'image/jpeg',
  png: 'image/png',
};

/** The upload's content type from the browser's type, or from the extension when that is empty. */
export function contentTypeOf(file: Pick<FileFacts, 'name' | 'type'>): UploadContentType | undefined {
  const type = file.type.trim().toLowerCase();
  if (type) return BY_TYPE[type];
  const extension = /\.([^.]+)$/.exec(file.name)?.[1]?.toLowerCase();
  return extension ? BY_EXTENSION[extension] : undefined;
}

const refuse = (reason: RejectionReason): FileCheck => ({
  ok: false,
  reason,
  message: reasonSentence(reason),
});

export function checkFile(file: FileFacts): FileCheck {
  const contentType = contentTypeOf(file);
  if (!contentType) return refuse('UNSUPPORTED_FORMAT');
  if (file.size <= 0) return refuse('EMPTY_FILE');
  if (file.size > MAX_UPLOAD_BYTES) return refuse('FILE_TOO_LARGE');
  return { ok: true, contentType };
}
