import { describe, expect, it } from 'vitest';
import {
  ApiError,
  apiUrl,
  createApiClient,
  FAILURE_MESSAGES,
  type FetchLike,
  failureFromError,
  failureFromResponse,
  imageApiPath,
  imageUrlExpired,
} from '../../web/src/lib/api';
import { createSession, SessionEndedError } from '../../web/src/lib/session';

describe('failureFromResponse', () => {
  it('maps 401 to the session having ended', () => {
    const failure = failureFromResponse(401, { message: 'Unauthorized' });
    expect(failure.kind).toBe('session-ended');
    expect(failure.message).toBe('Your session has ended. Sign in again.');
  });

  it('maps 403 to missing permission, naming the scopes', () => {
    const failure = failureFromResponse(403, { message: 'Forbidden' });
    expect(failure.kind).toBe('forbidden');
    expect(failure.message).toMatch(/labels\/read/);
    expect(failure.message).toMatch(/labels\/write/);
  });

  it('maps 404 to a missing image, keeping the problem document', () => {
    const problem = {
      type: 'image-not-found',
      title: 'Not found',
      status: 404,
      detail: 'No image.',
      param: 'key',
    };
    const failure = failureFromResponse(404, problem);
    expect(failure.kind).toBe('not-found');
    expect(failure.problem).toEqual(problem);
  });

  it('maps every 5xx to a service problem, whatever the body', () => {
    for (const status of [500, 502, 503, 504]) {
      const failure = failureFromResponse(status, '<html>');
      expect(failure.kind).toBe('server');
      expect(failure.message).toBe('The service had a problem. Try again.');
    }
  });

  it("shows a 400 problem's detail, or a plain sentence without one", () => {
    const failure = failureFromResponse(400, {
      type: 'invalid-parameter',
      title: 'Invalid parameter',
      status: 400,
      detail: 'minConfidence must be a number from 0 to 100.',
      param: 'minConfidence',
    });
    expect(failure.kind).toBe('request');
    expect(failure.message).toBe('minConfidence must be a number from 0 to 100.');
    expect(failureFromResponse(413, undefined).message).toBe('The request was refused (HTTP 413).');
  });
});

describe('failureFromError', () => {
  it('maps a thrown fetch error to the network being down', () => {
    const failure = failureFromError(new TypeError('Failed to fetch'));
    expect(failure.kind).toBe('network');
    expect(failure.message).toBe("Can't reach the service. Check your connection.");
  });

  it('maps the end of the session to session-ended, and keeps an ApiError as it is', () => {
    expect(failureFromError(new SessionEndedError()).kind).toBe('session-ended');
    const original = new ApiError('forbidden', FAILURE_MESSAGES.forbidden, 403);
    expect(failureFromError(original)).toBe(original);
  });
});

describe('URLs', () => {
  it('encodes a whole key as one path segment', () => {
    expect(imageApiPath('some dir/a+b.png')).toBe('/images/some%20dir%2Fa%2Bb.png');
    expect(imageApiPath('uploads/ü?#.jpg')).toBe('/images/uploads%2F%C3%BC%3F%23.jpg');
  });

  it('joins base, path and only the query parameters that have values', () => {
    expect(apiUrl('https://api.example/', '/images', { limit: 25, cursor: undefined, label: '' })).toBe(
      'https://api.example/images?limit=25',
    );
    expect(apiUrl('http://127.0.0.1:3000', '/images', { label: 'Traffic light', minConfidence: 80.5 })).toBe(
      'http://127.0.0.1:3000/images?label=Traffic+light&minConfidence=80.5',
    );
  });
});

describe('createApiClient', () => {
  type Call = { url: string; method: string; headers: Record<string, string>; body?: string };

  function client(answer: (call: Call) => { status: number; body?: unknown } | Error) {
    const calls: Call[] = [];
    const fetch: FetchLike = async (url, init) => {
      const call = { url, ...init };
      calls.push(call);
      const result = answer(call);
      if (result instanceof Error) throw result;
      return {
        status: result.status,
        ok: result.status >= 200 && result.status < 300,
        json: async () => {
          if (result.body === undefined) throw new SyntaxError('Unexpected end of JSON input');
          return result.body;
        },
      };
    };
    const session = createSession(
      { current: async () => ({ accessToken: 'access-token' }), refresh: async () => null },
      () => 0,
    );
    return { api: createApiClient({ baseUrl: 'https://api.example', session, fetch }), calls };
  }

  it('sends the access token and reads an image by its encoded key', async () => {
    const record = { key: 'a b/c.png', status: 'PENDING', labels: [] };
    const { api, calls } = client(() => ({ status: 200, body: record }));

    await expect(api.getImage('a b/c.png')).resolves.toEqual(record);
    expect(calls[0]).toMatchObject({
      url: 'https://api.example/images/a%20b%2Fc.png',
      method: 'GET',
      headers: { authorization: 'Bearer access-token' },
    });
  });

  it('posts an upload request as JSON', async () => {
    const ticket = { key: 'uploads/1/a.png', upload: { method: 'PUT', url: 'https://s3/x', headers: {} } };
    const { api, calls } = client(() => ({ status: 201, body: ticket }));

    await api.createUpload({ fileName: 'a.png', contentType: 'image/png', contentLength: 10 });

    expect(calls[0]?.method).toBe('POST');
    expect(calls[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(calls[0]?.body ?? '')).toEqual({
      fileName: 'a.png',
      contentType: 'image/png',
      contentLength: 10,
    });
  });

  it('takes a 204 without a body for a deletion', async () => {
    const { api, calls } = client(() => ({ status: 204 }));
    await expect(api.deleteImage('k')).resolves.toBeUndefined();
    expect(calls[0]?.method).toBe('DELETE');
  });

  it('throws an ApiError of the right kind for error answers and a network failure', async () => {
    await expect(
      client(() => ({ status: 403, body: { message: 'Forbidden' } })).api.listLabels(),
    ).rejects.toMatchObject({
      kind: 'forbidden',
    });
    await expect(client(() => ({ status: 503 })).api.listImages()).rejects.toMatchObject({ kind: 'server' });
    await expect(client(() => new TypeError('Failed to fetch')).api.listImages()).rejects.toMatchObject({
      kind: 'network',
    });
  });

  it('ends the session on a 401 that a refresh cannot cure', async () => {
    const { api, calls } = client(() => ({ status: 401, body: { message: 'Unauthorized' } }));
    await expect(api.listImages()).rejects.toMatchObject({ kind: 'session-ended' });
    expect(calls).toHaveLength(1);
  });

  it('treats an answer without the expected list as a service problem', async () => {
    await expect(
      client(() => ({ status: 200, body: { items: 'none' } })).api.listImages(),
    ).rejects.toMatchObject({
      kind: 'server',
    });
  });
});

describe('imageUrlExpired', () => {
  const expiresAt = '2026-12-01T12:05:00.000Z';
  const at = Date.parse(expiresAt);

  it('is false well before the expiry and true from a few seconds before it', () => {
    expect(imageUrlExpired(expiresAt, at - 60_000)).toBe(false);
    expect(imageUrlExpired(expiresAt, at - 5_000)).toBe(true);
    expect(imageUrlExpired(expiresAt, at + 1)).toBe(true);
  });

  it('treats a missing or unreadable expiry as expired, so a failed image gets one fresh URL', () => {
    expect(imageUrlExpired(undefined, at)).toBe(true);
    expect(imageUrlExpired('soon', at)).toBe(true);
  });
});
