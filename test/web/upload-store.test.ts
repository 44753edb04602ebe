import { describe, expect, it } from 'vitest';
import { ApiError, FAILURE_MESSAGES, type ImageRecord, type UploadTicket } from '../../web/src/lib/api';
import { REASON_SENTENCES } from '../../web/src/lib/messages';
import { POLL_LIMIT_MS } from '../../web/src/lib/upload-machine';
import { createUploadStore, type UploadStoreDeps } from '../../web/src/lib/upload-store';

type FakeFile = { name: string; type: string; size: number };

const ticket = (fileName: string): UploadTicket => ({
  key: `uploads/id/${fileName}`,
  upload: { method: 'PUT', url: `https://bucket/${fileName}`, headers: { 'content-type': 'image/png' } },
  expiresAt: '2026-12-01T12:15:00.000Z',
  statusUrl: `/images/uploads%2Fid%2F${fileName}`,
});

/**
 * A store whose API answers each poll from a script, whose clock moves only when it "sleeps",
 * and which records every status a row passes through.
 */
function harness(options: {
  polls?: (ImageRecord | Error)[];
  put?: UploadStoreDeps<FakeFile>['put'];
  createFails?: Error;
}) {
  let clock = 0;
  const waits: number[] = [];
  const polls = [...(options.polls ?? [])];
  const deps: UploadStoreDeps<FakeFile> = {
    api: {
      createUpload: async (request) => {
        if (options.createFails) throw options.createFails;
        return ticket(request.fileName);
      },
      getImage: async (key) => {
        const next = polls.shift() ?? { key, status: 'PENDING', labels: [] };
        if (next instanceof Error) throw next;
        return next;
      },
    },
    put: options.put ?? (async (_ticket, file, onProgress) => onProgress(file.size, file.size)),
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
    now: () => clock,
  };
  const store = createUploadStore(deps);
  const seen = new Map<string, string[]>();
  store.subscribe(() => {
    for (const row of store.rows()) {
      const statuses = seen.get(row.name) ?? [];
      if (statuses.at(-1) !== row.state.status) statuses.push(row.state.status);
      seen.set(row.name, statuses);
    }
  });
  return { store, seen, waits };
}

const png = (name: string, size = 1000): FakeFile => ({ name, type: 'image/png', size });

describe('upload store', () => {
  it('takes an accepted file through upload and polling to LABELED, backing off between polls', async () => {
    const { store, seen, waits } = harness({
      polls: [
        { key: 'uploads/id/a.png', status: 'PENDING', labels: [] },
        {
          key: 'uploads/id/a.png',
          status: 'LABELED',
          labels: [{ name: 'Person', confidence: 97, parents: [], categories: [], instances: [] }],
        },
      ],
    });

    await store.add([png('a.png')]);

    expect(seen.get('a.png')).toEqual(['checking', 'uploading', 'PENDING', 'LABELED']);
    expect(store.rows()[0]?.state).toEqual({
      status: 'LABELED',
      key: 'uploads/id/a.png',
      labels: ['Person'],
    });
    expect(waits).toEqual([1000, 1500]);
    expect(store.announcement()).toBe('a.png: Labeled: Person');
  });

  it('refuses a file locally without asking the API, and keeps the others going', async () => {
    const { store, seen } = harness({
      polls: [{ key: 'uploads/id/b.png', status: 'REJECTED', reason: 'CORRUPT_IMAGE', labels: [] }],
    });

    await store.add([{ name: 'notes.txt', type: 'text/plain', size: 10 }, png('b.png')]);

    expect(seen.get('notes.txt')).toEqual(['checking', 'refused']);
    expect(store.rows().find((row) => row.name === 'b.png')?.state).toMatchObject({
      status: 'REJECTED',
      message: REASON_SENTENCES.CORRUPT_IMAGE,
    });
  });

  it('shows the newest files first', async () => {
    const { store } = harness({
      polls: [
        { key: 'k', status: 'FAILED', labels: [] },
        { key: 'k', status: 'FAILED', labels: [] },
      ],
    });
    await store.add([png('first.png')]);
    await store.add([png('second.png')]);

    expect(store.rows().map((row) => row.name)).toEqual(['second.png', 'first.png']);
  });

  it('reports a refused upload request or a failed PUT as upload-failed, with the reason', async () => {
    const refused = harness({ createFails: new ApiError('forbidden', FAILURE_MESSAGES.forbidden, 403) });
    await refused.store.add([png('a.png')]);
    expect(refused.store.rows()[0]?.state).toEqual({
      status: 'upload-failed',
      message: FAILURE_MESSAGES.forbidden,
    });

    const putFails = harness({
      put: async (_ticket, _file, onProgress) => {
        onProgress(100, 1000);
        throw new Error('The upload link was refused or has expired. Try again.');
      },
    });
    await putFails.store.add([png('a.png')]);
    expect(putFails.seen.get('a.png')).toEqual(['checking', 'uploading', 'upload-failed']);
  });

  it('keeps polling through a failed poll', async () => {
    const { store } = harness({
      polls: [new ApiError('network', FAILURE_MESSAGES.network), { key: 'k', status: 'LABELED', labels: [] }],
    });
    await store.add([png('a.png')]);
    expect(store.rows()[0]?.state.status).toBe('LABELED');
  });

  it('stops polling when the session ends (the console then asks to sign in again)', async () => {
    const { store, waits } = harness({
      polls: [new ApiError('session-ended', FAILURE_MESSAGES['session-ended'])],
    });
    await store.add([png('a.png')]);
    expect(store.rows()[0]?.state.status).toBe('PENDING');
    expect(waits).toHaveLength(1);
  });

  it('gives up after the polling limit with the row still PENDING and a message', async () => {
    const { store, waits } = harness({});
    await store.add([png('a.png')]);
    expect(store.rows()[0]?.state).toMatchObject({ status: 'PENDING', gaveUp: true });
    expect(waits.reduce((sum, wait) => sum + wait, 0)).toBeGreaterThanOrEqual(POLL_LIMIT_MS);
    expect(Math.max(...waits)).toBe(5000);
  });
});
