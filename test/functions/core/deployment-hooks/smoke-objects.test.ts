import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  SMOKE_INVALID,
  SMOKE_PNG,
  smokeBodies,
} from '../../../../functions/core/deployment-hooks/smoke-objects';
import { inspectImage } from '../../../../functions/core/image-inspection';

describe('smokeBodies', () => {
  it('gives every run its own bytes, so no run is taken for a duplicate of an earlier one', () => {
    const first = smokeBodies('2026-11-25T12:00:00.000Z a');
    const second = smokeBodies('2026-11-25T12:00:00.000Z b');

    expect(first.png.equals(second.png)).toBe(false);
    expect(first.invalid.equals(second.invalid)).toBe(false);
    expect(first.invalid.subarray(0, SMOKE_INVALID.length).equals(SMOKE_INVALID)).toBe(true);
  });

  it('keeps the PNG an 80 x 80 image the validator accepts and a decoder reads, with the stamp in a tEXt chunk', () => {
    const { png } = smokeBodies('stamp-1');

    const metadata = inspectImage({
      size: png.length,
      contentType: 'image/png',
      header: png,
      trailer: png.subarray(-1024),
    });
    const decoded = PNG.sync.read(png);
    const original = PNG.sync.read(SMOKE_PNG);

    expect(metadata).toMatchObject({ format: 'png', width: 80, height: 80 });
    expect(decoded.data.equals(original.data)).toBe(true);
    expect(png.includes(Buffer.from('tEXtComment\0deployment smoke test stamp-1', 'latin1'))).toBe(true);
  });
});
