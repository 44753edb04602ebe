import { describe, expect, it } from 'vitest';
import { loadConsoleConfig, parseConsoleConfig } from '../../web/src/lib/config';

const valid = {
  apiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com',
  authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
  clientId: '1example23456789',
  authDomain: 'https://labels-dev.auth.eu-west-1.amazoncognito.com',
  stage: 'dev',
};

describe('parseConsoleConfig', () => {
  it('accepts a complete config and keeps only its known fields', () => {
    expect(parseConsoleConfig({ ...valid, extra: 1 })).toEqual({ ok: true, config: valid });
  });

  it('accepts local http URLs', () => {
    const local = { ...valid, apiUrl: 'http://127.0.0.1:3000', authority: 'http://localhost:3001' };
    expect(parseConsoleConfig(local).ok).toBe(true);
  });

  it('lists every missing or empty field', () => {
    const result = parseConsoleConfig({ apiUrl: valid.apiUrl, clientId: ' ' });
    expect(result).toEqual({
      ok: false,
      problems: [
        'authority is missing or empty.',
        'authDomain is missing or empty.',
        'clientId is missing or empty.',
        'stage is missing or empty.',
      ],
    });
  });

  it('refuses relative, non-http and trailing-slash URLs', () => {
    const result = parseConsoleConfig({
      ...valid,
      apiUrl: '/api',
      authority: 'ftp://issuer.example',
      authDomain: 'https://auth.example/',
    });
    expect(result).toEqual({
      ok: false,
      problems: [
        'apiUrl must be an absolute URL (got "/api").',
        'authority must be an http(s) URL.',
        'authDomain must not end with a slash.',
      ],
    });
  });

  it('refuses anything but an object', () => {
    for (const value of [null, [], 'config', 42]) {
      expect(parseConsoleConfig(value)).toEqual({
        ok: false,
        problems: ['config.json must hold a JSON object.'],
      });
    }
  });
});

describe('loadConsoleConfig', () => {
  it('reads /config.json', async () => {
    const urls: string[] = [];
    const result = await loadConsoleConfig(async (url) => {
      urls.push(url);
      return { ok: true, status: 200, json: async () => valid };
    });
    expect(urls).toEqual(['/config.json']);
    expect(result).toEqual({ ok: true, config: valid });
  });

  it('says so when the file is missing, not JSON, or unreachable', async () => {
    await expect(
      loadConsoleConfig(async () => ({ ok: false, status: 404, json: async () => ({}) })),
    ).resolves.toEqual({
      ok: false,
      problems: ['config.json could not be loaded (HTTP 404).'],
    });
    const notJson = await loadConsoleConfig(async () => ({
      ok: true,
      status: 200,
      json: () => Promise.reject(new SyntaxError('Unexpected token <')),
    }));
    expect(notJson).toEqual({ ok: false, problems: ['config.json is not valid JSON.'] });
    const down = await loadConsoleConfig(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(down.ok).toBe(false);
  });
});
