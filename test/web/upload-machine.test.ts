import { describe, expect, it } from 'vitest';
import { checkFile } from '../../web/src/lib/file-check';
import { REASON_SENTENCES } from '../../web/src/lib/messages';
import {
  describeUpload,
  initialUploadState,
  nextPoll,
  nextUploadState,
  POLL_LIMIT_MS,
  pollDelayMs,
  progressPercent,
  type UploadEvent,
  type UploadState,
} from '../../web/src/lib/upload-machine';

const run = (events: UploadEvent[], from: UploadState = initialUploadState()) =>
  events.reduce(nextUploadState, from);

const accepted: UploadEvent = {
  type: 'checked',
  check: checkFile({ name: 'a.png', type: 'image/png', size: 100 }),
};
const uploaded: UploadEvent[] = [
  accepted,
  { type: 'upload-url', key: 'uploads/1/a.png' },
  { type: 'uploaded' },
];

describe('upload state machine', () => {
  it('starts by checking the file', () => {
    expect(initialUploadState()).toEqual({ status: 'checking' });
  });

  it('refuses a file the local check refuses, with the reason in words, and goes no further', () => {
    const refused = run([
      { type: 'checked', check: checkFile({ name: 'a.gif', type: 'image/gif', size: 9 }) },
    ]);
    expect(refused).toEqual({
      status: 'refused',
      reason: 'UNSUPPORTED_FORMAT',
      message: REASON_SENTENCES.UNSUPPORTED_FORMAT,
    });
    expect(run([{ type: 'upload-url', key: 'k' }, { type: 'uploaded' }], refused)).toBe(refused);
  });

  it('reports upload progress once the upload URL is known', () => {
    const state = run([
      accepted,
      { type: 'upload-url', key: 'k' },
      { type: 'progress', loaded: 512, total: 2048 },
    ]);
    expect(state).toEqual({ status: 'uploading', key: 'k', loaded: 512, total: 2048 });
    expect(progressPercent(state)).toBe(25);
    expect(describeUpload(state)).toBe('Uploading: 25%');
  });

  it('turns a failed request or PUT into upload-failed, and ignores late progress', () => {
    const failed = run([
      accepted,
      { type: 'upload-url', key: 'k' },
      { type: 'upload-failed', message: 'HTTP 403' },
    ]);
    expect(failed).toEqual({ status: 'upload-failed', message: 'HTTP 403' });
    expect(nextUploadState(failed, { type: 'progress', loaded: 1, total: 2 })).toBe(failed);
  });

  it('waits for the key before calling a PUT done', () => {
    const state = run([accepted, { type: 'uploaded' }]);
    expect(state.status).toBe('uploading');
  });

  it('is PENDING after the PUT and stays so while polls say PENDING', () => {
    const state = run([...uploaded, { type: 'polled', record: { status: 'PENDING' } }]);
    expect(state).toEqual({ status: 'PENDING', key: 'uploads/1/a.png', polls: 1, gaveUp: false });
  });

  it('ends LABELED with the label names', () => {
    const state = run([
      ...uploaded,
      { type: 'polled', record: { status: 'LABELED', labels: [{ name: 'Person' }, { name: 'Cup' }] } },
    ]);
    expect(state).toEqual({ status: 'LABELED', key: 'uploads/1/a.png', labels: ['Person', 'Cup'] });
    expect(describeUpload(state)).toBe('Labeled: Person, Cup');
  });

  it("ends REJECTED with the server's reason in the same words as the local check", () => {
    const state = run([
      ...uploaded,
      { type: 'polled', record: { status: 'REJECTED', reason: 'UNSUPPORTED_FORMAT' } },
    ]);
    expect(state).toEqual({
      status: 'REJECTED',
      key: 'uploads/1/a.png',
      reason: 'UNSUPPORTED_FORMAT',
      message: REASON_SENTENCES.UNSUPPORTED_FORMAT,
    });
  });

  it('ends FAILED with the error', () => {
    const state = run([
      ...uploaded,
      {
        type: 'polled',
        record: { status: 'FAILED', error: { name: 'RekognitionUnavailable', message: 'down' } },
      },
    ]);
    expect(state).toEqual({
      status: 'FAILED',
      key: 'uploads/1/a.png',
      message: 'RekognitionUnavailable: down',
    });
  });

  it('keeps polling after a failed poll, remembering the error', () => {
    const state = run([...uploaded, { type: 'poll-failed', message: "Can't reach the service." }]);
    expect(state).toMatchObject({ status: 'PENDING', polls: 1, lastError: "Can't reach the service." });
  });

  it('gives up with a message, yet still takes a late final answer', () => {
    const gaveUp = run([...uploaded, { type: 'gave-up' }]);
    expect(gaveUp).toMatchObject({ status: 'PENDING', gaveUp: true });
    expect(describeUpload(gaveUp)).toMatch(/Still being labeled/);
    expect(
      nextUploadState(gaveUp, { type: 'polled', record: { status: 'LABELED', labels: [] } }).status,
    ).toBe('LABELED');
  });

  it('ignores a poll answer after a final state', () => {
    const labeled = run([...uploaded, { type: 'polled', record: { status: 'LABELED', labels: [] } }]);
    expect(nextUploadState(labeled, { type: 'polled', record: { status: 'FAILED' } })).toBe(labeled);
  });
});

describe('polling schedule', () => {
  it('starts at 1 s and grows to at most 5 s', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(pollDelayMs)).toEqual([1000, 1500, 2250, 3375, 5000, 5000, 5000]);
  });

  it('waits while pending, gives up after the limit, and stops on a final state', () => {
    const pending = run(uploaded);
    expect(nextPoll(pending, 0)).toEqual({ waitMs: 1000 });
    expect(nextPoll(pending, POLL_LIMIT_MS)).toBe('give-up');
    expect(nextPoll(run([{ type: 'gave-up' }], pending), 0)).toBe('done');
    expect(nextPoll(run([{ type: 'polled', record: { status: 'LABELED' } }], pending), 0)).toBe('done');
  });
});
