import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FLAGS, labelSettingsFrom, parseFlags } from '../../../functions/core/flags';
import { toRetrievalFormat } from '../../../functions/core/flags-document';
import { FLAGS_DOCUMENT_PATH } from '../../../infra/config/flags';

const stage = { minConfidence: 70, maxLabels: 25 };
const filtersOn = {
  enabled: true,
  minConfidence: 85,
  maxLabels: 10,
  includeLabels: ['Dog'],
  excludeLabels: [],
  includeCategories: ['Animals and Pets'],
  excludeCategories: ['Text and Documents'],
};

describe('parseFlags (AppConfig retrieval format)', () => {
  it('reads every flag with its attributes', () => {
    const result = parseFlags(
      JSON.stringify({
        processing: { enabled: false },
        labelFilters: filtersOn,
        ingestThrottle: { enabled: true, maxConcurrency: 3 },
      }),
      'v7',
    );
    expect(result).toEqual({
      ok: true,
      flags: {
        source: 'appconfig',
        version: 'v7',
        processing: false,
        labels: {
          minConfidence: 85,
          maxLabels: 10,
          includeLabels: ['Dog'],
          excludeLabels: [],
          includeCategories: ['Animals and Pets'],
          excludeCategories: ['Text and Documents'],
        },
        maxConcurrency: 3,
      },
    });
  });

  it('accepts bytes, keeps defaults for missing or disabled flags, and ignores unknown flags', () => {
    const body = new TextEncoder().encode(
      JSON.stringify({ labelFilters: { enabled: false }, someFutureFlag: { enabled: true, x: 1 } }),
    );
    expect(parseFlags(body)).toEqual({
      ok: true,
      flags: { source: 'appconfig', version: 'unknown', processing: true },
    });
  });

  it('defaults the filter lists of an enabled labelFilters flag to empty', () => {
    const result = parseFlags(
      JSON.stringify({ labelFilters: { enabled: true, minConfidence: 60, maxLabels: 5 } }),
    );
    expect(result.ok && result.flags.labels).toEqual({
      minConfidence: 60,
      maxLabels: 5,
      includeLabels: [],
      excludeLabels: [],
      includeCategories: [],
      excludeCategories: [],
    });
  });

  it.each([
    ['not JSON', '{"processing": ', 'not JSON'],
    [
      'minConfidence above 100',
      JSON.stringify({ labelFilters: { ...filtersOn, minConfidence: 150 } }),
      'labelFilters.minConfidence',
    ],
    [
      'a fractional maxLabels',
      JSON.stringify({ labelFilters: { ...filtersOn, maxLabels: 2.5 } }),
      'labelFilters.maxLabels',
    ],
    [
      'an enabled filter without its attributes',
      JSON.stringify({ labelFilters: { enabled: true } }),
      'labelFilters',
    ],
    ['a string for a boolean', JSON.stringify({ processing: { enabled: 'no' } }), 'processing.enabled'],
    [
      'a throttle below 2',
      JSON.stringify({ ingestThrottle: { enabled: true, maxConcurrency: 1 } }),
      'ingestThrottle',
    ],
    [
      'an empty label name',
      JSON.stringify({ labelFilters: { ...filtersOn, excludeLabels: [''] } }),
      'excludeLabels',
    ],
    ['an array at the top', '[]', '(root)'],
  ])('refuses %s, naming the problem', (_case, body, problem) => {
    const result = parseFlags(body);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(problem);
  });
});

describe('labelSettingsFrom', () => {
  it("uses the stage's settings, no filters, when labelFilters is off or the flags are defaults", () => {
    expect(labelSettingsFrom(DEFAULT_FLAGS, stage)).toEqual({
      ...stage,
      includeLabels: [],
      excludeLabels: [],
      includeCategories: [],
      excludeCategories: [],
      flagsVersion: 'defaults',
      flagsSource: 'defaults',
    });
  });

  it("replaces the stage's settings with the flag's when it is on", () => {
    const parsed = parseFlags(JSON.stringify({ labelFilters: filtersOn }), 'v3');
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(labelSettingsFrom(parsed.flags, stage)).toMatchObject({
      minConfidence: 85,
      maxLabels: 10,
      includeLabels: ['Dog'],
      flagsVersion: 'v3',
      flagsSource: 'appconfig',
    });
  });
});

describe('the flags document (AWS.AppConfig.FeatureFlags)', () => {
  it('in the repository is valid and starts with processing on and both tuning flags off', () => {
    const result = toRetrievalFormat(readFileSync(FLAGS_DOCUMENT_PATH, 'utf8'));
    expect(result.ok && result.configuration).toEqual({
      processing: { enabled: true },
      labelFilters: { enabled: false },
      ingestThrottle: { enabled: false },
    });
  });

  it('gives an enabled flag its attributes in the retrieval format, which the functions accept', () => {
    const document = JSON.parse(readFileSync(FLAGS_DOCUMENT_PATH, 'utf8')) as {
      values: Record<string, Record<string, unknown>>;
    };
    document.values.labelFilters = { ...document.values.labelFilters, enabled: true, minConfidence: 90 };
    const result = toRetrievalFormat(JSON.stringify(document));
    if (!result.ok) throw new Error(result.problems.join('; '));
    expect(result.configuration.labelFilters).toMatchObject({
      enabled: true,
      minConfidence: 90,
      maxLabels: 25,
    });
    expect(parseFlags(JSON.stringify(result.configuration)).ok).toBe(true);
  });

  it('lists every constraint a document breaks', () => {
    const document = JSON.parse(readFileSync(FLAGS_DOCUMENT_PATH, 'utf8')) as {
      values: Record<string, Record<string, unknown>>;
    };
    document.values.labelFilters = { enabled: true, minConfidence: 101, includeLabels: ['ok', 'two\nlines'] };
    document.values.unknownFlag = { enabled: true };
    const result = toRetrievalFormat(JSON.stringify(document));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual(
      expect.arrayContaining([
        'values.unknownFlag: no flag of that name is defined',
        'values.labelFilters.minConfidence: must be <= 100',
        'values.labelFilters.maxLabels: required',
        'values.labelFilters.includeLabels[1]: must match ^[^\\n]{1,100}$',
      ]),
    );
  });

  it.each([
    ['a version other than "1"', { version: '2' }],
    ['a flag key AppConfig refuses', { version: '1', flags: { 'Bad Key': {} } }],
    ['an unknown top-level key', { version: '1', extra: true }],
  ])('refuses %s', (_case, document) => {
    expect(toRetrievalFormat(JSON.stringify(document)).ok).toBe(false);
  });
});
