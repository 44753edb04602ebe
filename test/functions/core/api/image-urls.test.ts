import { describe, expect, it } from 'vitest';
import { imageUrls, versionIdOfObjectVersion } from '../../../../functions/core/api/image-urls';
import type { SignOptions, UrlSigner } from '../../../../functions/core/api/ports';

/** A signer that records the options of each batch and signs nothing until asked. */
function recordingSigner() {
  const batches: SignOptions[] = [];
  const signed: string[] = [];
  const signer: UrlSigner = {
    uploadUrl: async () => 'unused',
    downloadUrls: (options) => {
      batches.push(options);
      return async (key, versionId) => {
        signed.push(`${key}@${versionId ?? 'current'}`);
        return `${key}@${versionId ?? 'current'}@${options.signingDate.toISOString()}`;
      };
    },
  };
  return { signer, batches, signed };
}

describe('imageUrls', () => {
  it('signs every URL at the start of the minute, valid expiresSeconds from then, and says until when', async () => {
    const { signer, batches } = recordingSigner();
    const urls = imageUrls(signer, { expiresSeconds: 240, now: new Date('2026-01-02T03:04:59.999Z') });
    expect(batches).toEqual([{ expiresIn: 240, signingDate: new Date('2026-01-02T03:04:00Z') }]);
    expect(urls.expiresAt).toBe('2026-01-02T03:08:00.000Z');
    expect(await urls.url('a.png', 'v1')).toBe('a.png@v1@2026-01-02T03:04:00.000Z');
  });

  it('signs a minute later from the next minute on', () => {
    const { signer, batches } = recordingSigner();
    imageUrls(signer, { expiresSeconds: 300, now: new Date('2026-01-02T03:05:00Z') });
    expect(batches[0]?.signingDate).toEqual(new Date('2026-01-02T03:05:00Z'));
  });

  it('signs the current object when there is no version id', async () => {
    const { signer, signed } = recordingSigner();
    const urls = imageUrls(signer, { expiresSeconds: 300, now: new Date('2026-01-02T03:04:05Z') });
    await urls.url('a.png');
    expect(signed).toEqual(['a.png@current']);
  });
});

describe('versionIdOfObjectVersion', () => {
  it('reads the version id out of objectVersion, none for an unversioned object', () => {
    expect(versionIdOfObjectVersion('3HL4kqtJlcpX')).toBe('3HL4kqtJlcpX');
    expect(versionIdOfObjectVersion('etag:abc')).toBeUndefined();
    expect(versionIdOfObjectVersion(undefined)).toBeUndefined();
  });
});
