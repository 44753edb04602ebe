/**
 * The console's uploads: a list of rows, each driven through the upload state machine by its
 * own runner (check, POST /uploads, PUT with progress, then status polls with backoff). The
 * list outlives the pages, so polling goes on while the user browses.
 *
 * No DOM: the API, the PUT, the clock and the wait are injected.
 */
import { type ApiClient, ApiError, type UploadTicket } from './api';
import { checkFile, type FileFacts } from './file-check';
import {
  describeUpload,
  initialUploadState,
  nextPoll,
  nextUploadState,
  type UploadEvent,
  type UploadState,
} from './upload-machine';

export interface UploadRow {
  id: number;
  name: string;
  state: UploadState;
}

export interface UploadStoreDeps<F extends FileFacts> {
  api: Pick<ApiClient, 'createUpload' | 'getImage'>;
  put: (ticket: UploadTicket, file: F, onProgress: (loaded: number, total: number) => void) => Promise<void>;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

export interface UploadStore<F extends FileFacts> {
  rows(): readonly UploadRow[];
  /** A sentence about the latest change worth announcing (not progress ticks). */
  announcement(): string;
  add(files: readonly F[]): Promise<void>;
  subscribe(listener: () => void): () => void;
}

const errorMessage = (error: unknown) =>
  error instanceof ApiError || error instanceof Error ? error.message : 'Something went wrong.';

export function createUploadStore<F extends FileFacts>(deps: UploadStoreDeps<F>): UploadStore<F> {
  let rows: UploadRow[] = [];
  let announcement = '';
  let nextId = 1;
  const listeners = new Set<() => void>();

  const apply = (id: number, event: UploadEvent): UploadState => {
    let updated: UploadState = initialUploadState();
    rows = rows.map((row) => {
      if (row.id !== id) return row;
      updated = nextUploadState(row.state, event);
      if (updated.status !== row.state.status) announcement = `${row.name}: ${describeUpload(updated)}`;
      return { ...row, state: updated };
    });
    for (const listener of listeners) listener();
    return updated;
  };

  async function poll(id: number, started: number, initial: UploadState): Promise<void> {
    let state = initial;
    for (;;) {
      const step = nextPoll(state, deps.now() - started);
      if (step === 'done') return;
      if (step === 'give-up') {
        apply(id, { type: 'gave-up' });
        return;
      }
      await deps.sleep(step.waitMs);
      if (state.status !== 'PENDING') return;
      try {
        state = apply(id, { type: 'polled', record: await deps.api.getImage(state.key) });
      } catch (error) {
        if (error instanceof ApiError && error.kind === 'session-ended') return;
        state = apply(id, { type: 'poll-failed', message: errorMessage(error) });
      }
    }
  }

  async function run(id: number, file: F): Promise<void> {
    const check = checkFile(file);
    let state = apply(id, { type: 'checked', check });
    if (!check.ok) return;
    try {
      const ticket = await deps.api.createUpload({
        fileName: file.name,
        contentType: check.contentType,
        contentLength: file.size,
      });
      apply(id, { type: 'upload-url', key: ticket.key });
      await deps.put(ticket, file, (loaded, total) => apply(id, { type: 'progress', loaded, total }));
      state = apply(id, { type: 'uploaded' });
    } catch (error) {
      apply(id, { type: 'upload-failed', message: errorMessage(error) });
      return;
    }
    await poll(id, deps.now(), state);
  }

  return {
    rows: () => rows,
    announcement: () => announcement,
    async add(files) {
      const added = files.map((file) => ({ id: nextId++, file }));
      rows = [
        ...added.map(({ id, file }) => ({ id, name: file.name, state: initialUploadState() })),
        ...rows,
      ];
      for (const listener of listeners) listener();
      await Promise.all(added.map(({ id, file }) => run(id, file)));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
