import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../functions/core/errors';
import { intFromEnv, loadEnv, nonEmpty, numberFromEnv } from '../../../functions/shared/env';

const shape = {
  LABELS_TABLE_NAME: nonEmpty,
  MAX_LABELS: intFromEnv(1, 100),
  MIN_CONFIDENCE: numberFromEnv(0, 100),
};

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('loadEnv', () => {
  it('returns the typed values, coercing numbers and ignoring unrelated variables', () => {
    const env = loadEnv(shape, {
      LABELS_TABLE_NAME: 'labels',
      MAX_LABELS: '25',
      MIN_CONFIDENCE: '72.5',
      PATH: '/usr/bin',
    });

    expect(env).toEqual({ LABELS_TABLE_NAME: 'labels', MAX_LABELS: 25, MIN_CONFIDENCE: 72.5 });
  });

  it('reports every bad variable in one ConfigurationError', () => {
    const error = thrown(() =>
      loadEnv(shape, { LABELS_TABLE_NAME: '   ', MAX_LABELS: '2.5', MIN_CONFIDENCE: '101' }),
    );

    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as ConfigurationError).message;
    expect(message).toMatch(/^Invalid environment: /);
    expect(message).toContain('LABELS_TABLE_NAME');
    expect(message).toContain('MAX_LABELS');
    expect(message).toContain('MIN_CONFIDENCE');
  });

  it('reports missing variables by name', () => {
    const error = thrown(() => loadEnv(shape, {}));

    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).name).toBe('ConfigurationError');
    for (const name of Object.keys(shape)) expect((error as Error).message).toContain(name);
  });

  it('says a variable that is not set is missing, rather than a bad key', () => {
    const message = (thrown(() => loadEnv(shape, { MAX_LABELS: '5', MIN_CONFIDENCE: '50' })) as Error)
      .message;

    expect(message).toBe('Invalid environment: LABELS_TABLE_NAME: Missing');
  });

  it('rejects a number that is not a number at all', () => {
    expect(() =>
      loadEnv(shape, { LABELS_TABLE_NAME: 't', MAX_LABELS: 'lots', MIN_CONFIDENCE: '50' }),
    ).toThrow(/MAX_LABELS/);
  });
});
