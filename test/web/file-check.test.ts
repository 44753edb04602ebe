import { describe, expect, it } from 'vitest';
import { REJECTION_REASONS } from '../../functions/core/errors';
import { checkFile, contentTypeOf } from '../../web/src/lib/file-check';
import { MAX_UPLOAD_BYTES, REASON_SENTENCES, reasonSentence } from '../../web/src/lib/messages';

const file = (name: string, type: string, size: number) => ({ name, type, size });

describe('checkFile', () => {
  it('accepts JPEG and PNG files by the type the browser reports', () => {
    expect(checkFile(file('a.jpg', 'image/jpeg', 1000))).toEqual({ ok: true, contentType: 'image/jpeg' });
    expect(checkFile(file('b.png', 'image/png', 1000))).toEqual({ ok: true, contentType: 'image/png' });
  });

  it('falls back to the extension when the browser reports no type', () => {
    expect(checkFile(file('photo.JPEG', '', 10))).toEqual({ ok: true, contentType: 'image/jpeg' });
    expect(checkFile(file('scan.png', '', 10))).toEqual({ ok: true, contentType: 'image/png' });
    expect(checkFile(file('notes', '', 10))).toMatchObject({ ok: false, reason: 'UNSUPPORTED_FORMAT' });
  });

  it('trusts a reported type over the extension: a GIF named .jpg is refused', () => {
    expect(checkFile(file('x.jpg', 'image/gif', 10))).toMatchObject({
      ok: false,
      reason: 'UNSUPPORTED_FORMAT',
    });
  });

  it('refuses other formats with the same sentence as the server', () => {
    expect(checkFile(file('a.webp', 'image/webp', 10))).toEqual({
      ok: false,
      reason: 'UNSUPPORTED_FORMAT',
      message: REASON_SENTENCES.UNSUPPORTED_FORMAT,
    });
  });

  it('refuses empty files', () => {
    expect(checkFile(file('a.png', 'image/png', 0))).toEqual({
      ok: false,
      reason: 'EMPTY_FILE',
      message: REASON_SENTENCES.EMPTY_FILE,
    });
  });

  it('accepts exactly 15 MiB and refuses one byte more', () => {
    expect(MAX_UPLOAD_BYTES).toBe(15_728_640);
    expect(checkFile(file('a.png', 'image/png', MAX_UPLOAD_BYTES)).ok).toBe(true);
    expect(checkFile(file('a.png', 'image/png', MAX_UPLOAD_BYTES + 1))).toEqual({
      ok: false,
      reason: 'FILE_TOO_LARGE',
      message: REASON_SENTENCES.FILE_TOO_LARGE,
    });
  });

  it('accepts a text file named x.jpg (the browser says image/jpeg): only the server reads the bytes', () => {
    expect(contentTypeOf(file('x.jpg', 'image/jpeg', 5))).toBe('image/jpeg');
    expect(checkFile(file('x.jpg', 'image/jpeg', 5)).ok).toBe(true);
  });
});

describe('reasonSentence', () => {
  it('has one sentence for every reason the server records', () => {
    for (const reason of REJECTION_REASONS) {
      expect(reasonSentence(reason)).toBe(REASON_SENTENCES[reason]);
      expect(reasonSentence(reason)).toMatch(/^[A-Z].*\.$/);
    }
    expect(new Set(Object.values(REASON_SENTENCES)).size).toBe(REJECTION_REASONS.length);
  });

  it('still gives a sentence for a code it does not know', () => {
    expect(reasonSentence('SOMETHING_NEW')).toBe('The image was refused.');
    expect(reasonSentence(undefined)).toBe('The image was refused.');
    expect(reasonSentence('toString')).toBe('The image was refused.');
  });
});
