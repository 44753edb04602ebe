/** What a removal event takes away, in which order, and what it announces. */
import { describe, expect, it } from 'vitest';
import { removalEvent, removalOrder, removalScope } from '../../../functions/core/image-removal';

describe('removalScope', () => {
  const record = { bucket: 'images', sequencer: '0B', versionId: 'v2', objectVersion: 'v2' };

  it('keeps a record of an upload later than the deletion', () => {
    expect(removalScope(record, { sequencer: '0A' })).toBe('NEWER_RECORD_KEPT');
  });

  it('removes only the version record when a noncurrent version is deleted for good', () => {
    expect(
      removalScope(record, { sequencer: '0C', versionId: 'v1', eventName: 'ObjectRemoved:Delete' }),
    ).toBe('OLD_VERSION_ONLY');
  });

  it('removes everything for the current version, a delete marker, or a key with no record', () => {
    expect(
      removalScope(record, { sequencer: '0C', versionId: 'v2', eventName: 'ObjectRemoved:Delete' }),
    ).toBe('ALL');
    expect(
      removalScope(record, {
        sequencer: '0C',
        versionId: 'v1',
        eventName: 'ObjectRemoved:DeleteMarkerCreated',
      }),
    ).toBe('ALL');
    expect(
      removalScope(undefined, { sequencer: '0A', versionId: 'v1', eventName: 'ObjectRemoved:Delete' }),
    ).toBe('ALL');
    // DELETE /images/{key} carries no sequencer: it removes whatever is recorded.
    expect(removalScope(record, {})).toBe('ALL');
  });
});

describe('removalOrder', () => {
  it('deletes labels, versions and a COUNTS item left by synchronous counting first, the IMAGE item last', () => {
    const keys = [
      { pk: 'IMAGE#a', sk: 'COUNTS' },
      { pk: 'IMAGE#a', sk: 'IMAGE' },
      { pk: 'IMAGE#a', sk: 'LABEL#Dog' },
      { pk: 'IMAGE#a', sk: 'VERSION#v1' },
    ];
    const { first, last } = removalOrder(keys);
    expect(first.map((item) => item.sk)).toEqual(['COUNTS', 'LABEL#Dog', 'VERSION#v1']);
    expect(last.map((item) => item.sk)).toEqual(['IMAGE']);
  });
});

describe('removalEvent', () => {
  const now = new Date('2026-01-01T10:00:00.000Z');

  it('announces a recorded image as DELETED, with its version', () => {
    const event = removalEvent('a.jpg', { bucket: 'images', versionId: 'v1', objectVersion: 'v1' }, now);
    expect(event).toMatchObject({
      detail: { key: 'a.jpg', status: 'DELETED', versionId: 'v1', objectVersion: 'v1' },
    });
    expect(removalEvent('a.jpg', { bucket: 'images', versionId: 'v1', objectVersion: 'v1' }, now)).toEqual(
      event,
    );
  });

  it('announces nothing for a record without its bucket or version', () => {
    expect(removalEvent('a.jpg', { objectVersion: 'v1' }, now)).toBeUndefined();
    expect(removalEvent('a.jpg', { bucket: 'images' }, now)).toBeUndefined();
  });
});
