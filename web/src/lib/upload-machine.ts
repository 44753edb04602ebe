/**
 * One upload's life, as a pure reducer: the console feeds it events (the local check, the
 * upload URL, PUT progress, the PUT's end, each status poll) and renders the state it returns.
 *
 *   checking -> refused                         (the local check says no)
 *   checking -> uploading -> upload-failed      (POST /uploads or the PUT failed)
 *   uploading -> PENDING -> LABELED | REJECTED | FAILED
 *   PENDING -> PENDING (gaveUp)                 (still not done after POLL_LIMIT_MS)
 *
 * An event that does not fit the current state (a late progress event after a failure, a poll
 * answer after a final state) leaves the state unchanged.
 */
import type { FileCheck } from './file-check';
import { reasonSentence } from './messages';

export type UploadStatus =
  | 'checking'
  | 'refused'
  | 'uploading'
  | 'upload-failed'
  | 'PENDING'
  | 'LABELED'
  | 'REJECTED'
  | 'FAILED';

export type UploadState =
  | { status: 'checking' }
  | { status: 'refused'; reason: string; message: string }
  | { status: 'uploading'; key?: string; loaded: number; total: number }
  | { status: 'upload-failed'; message: string }
  | { status: 'PENDING'; key: string; polls: number; gaveUp: boolean; lastError?: string }
  | { status: 'LABELED'; key: string; labels: string[] }
  | { status: 'REJECTED'; key: string; reason: string; message: string }
  | { status: 'FAILED'; key: string; message: string };

/** What a poll of GET /images/{key} returned (the fields the machine reads). */
export interface PolledRecord {
  status: string;
  labels?: readonly { name: string }[];
  reason?: string;
  detail?: string;
  error?: { name: string; message: string };
}

export type UploadEvent =
  | { type: 'checked'; check: FileCheck }
  | { type: 'upload-url'; key: string }
  | { type: 'progress'; loaded: number; total: number }
  | { type: 'upload-failed'; message: string }
  | { type: 'uploaded' }
  | { type: 'polled'; record: PolledRecord }
  | { type: 'poll-failed'; message: string }
  | { type: 'gave-up' };

export const initialUploadState = (): UploadState => ({ status: 'checking' });

function afterPoll(state: Extract<UploadState, { status: 'PENDING' }>, record: PolledRecord): UploadState {
  const { key } = state;
  switch (record.status) {
    case 'LABELED':
      return { status: 'LABELED', key, labels: (record.labels ?? []).map((label) => label.name) };
    case 'REJECTED':
      return { status: 'REJECTED', key, reason: record.reason ?? '', message: reasonSentence(record.reason) };
    case 'FAILED':
      return {
        status: 'FAILED',
        key,
        message: record.error ? `${record.error.name}: ${record.error.message}` : 'Labeling failed.',
      };
    default:
      return { status: 'PENDING', key, polls: state.polls + 1, gaveUp: state.gaveUp };
  }
}

export function nextUploadState(state: UploadState, event: UploadEvent): UploadState {
  switch (state.status) {
    case 'checking':
      if (event.type !== 'checked') return state;
      return event.check.ok
        ? { status: 'uploading', loaded: 0, total: 0 }
        : { status: 'refused', reason: event.check.reason, message: event.check.message };
    case 'uploading':
      if (event.type === 'upload-url') return { ...state, key: event.key };
      if (event.type === 'progress') return { ...state, loaded: event.loaded, total: event.total };
      if (event.type === 'upload-failed') return { status: 'upload-failed', message: event.message };
      if (event.type === 'uploaded' && state.key) {
        return { status: 'PENDING', key: state.key, polls: 0, gaveUp: false };
      }
      return state;
    case 'PENDING':
      if (state.gaveUp) return event.type === 'polled' ? afterPoll(state, event.record) : state;
      if (event.type === 'polled') return afterPoll(state, event.record);
      if (event.type === 'poll-failed') return { ...state, polls: state.polls + 1, lastError: event.message };
      if (event.type === 'gave-up') return { ...state, gaveUp: true };
      return state;
    default:
      return state;
  }
}

/** Upload progress as a whole percentage (0 until the size is known). */
export function progressPercent(state: UploadState): number {
  if (state.status !== 'uploading' || state.total <= 0) return 0;
  return Math.min(100, Math.floor((state.loaded / state.total) * 100));
}

/** How long to wait before the next status poll: 1 s, growing by half each time, at most 5 s. */
export function pollDelayMs(polls: number): number {
  return Math.min(5000, Math.round(1000 * 1.5 ** Math.max(0, polls)));
}

/** Polling stops after this long without a final state; the row says so. */
export const POLL_LIMIT_MS = 3 * 60 * 1000;

/** The next step of a pending upload's poller: wait this many ms, or give up. */
export function nextPoll(state: UploadState, elapsedMs: number): { waitMs: number } | 'give-up' | 'done' {
  if (state.status !== 'PENDING' || state.gaveUp) return 'done';
  if (elapsedMs >= POLL_LIMIT_MS) return 'give-up';
  return { waitMs: pollDelayMs(state.polls) };
}

/** One line of text for a state, as the upload list shows it. */
export function describeUpload(state: UploadState): string {
  switch (state.status) {
    case 'checking':
      return 'Checking…';
    case 'refused':
      return `Not uploaded: ${state.message}`;
    case 'uploading':
      return state.key ? `Uploading: ${progressPercent(state)}%` : 'Preparing the upload…';
    case 'upload-failed':
      return `Upload failed: ${state.message}`;
    case 'PENDING':
      return state.gaveUp
        ? 'Still being labeled after 3 minutes. Look for it in the image list later.'
        : 'Uploaded. Labeling…';
    case 'LABELED':
      return state.labels.length > 0
        ? `Labeled: ${state.labels.slice(0, 5).join(', ')}`
        : 'Labeled: no labels found.';
    case 'REJECTED':
      return `Rejected: ${state.message}`;
    case 'FAILED':
      return `Labeling failed: ${state.message}`;
  }
}
