import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../../functions/core/flags';
import {
  FlagsDocumentInvalidError,
  validateFlagsContent,
  validateFlagsDocument,
  validateRetrievedFlags,
} from '../../../functions/core/flags-validation';
import { FLAGS_DOCUMENT_PATH } from '../../../infra/config/flags';
import { loadStageConfig, STAGES } from '../../../infra/config/stage-config';

type Document = {
  version: string;
  flags: Record<string, { attributes?: Record<string, unknown> } & Record<string, unknown>>;
  values: Record<string, Record<string, unknown>>;
};

const committed = readFileSync(FLAGS_DOCUMENT_PATH, 'utf8');
const dev = { maxIngestConcurrency: 5 };

/** config/flags.json with some flag values replaced (merged into the committed ones). */
function withValues(values: Record<string, Record<string, unknown>>, edit?: (document: Document) => void) {
  const document = JSON.parse(committed) as Document;
  for (const [flag, value] of Object.entries(values)) {
    document.values[flag] = { ...document.values[flag], ...value };
  }
  edit?.(document);
  return JSON.stringify(document);
}

const filtersOn = (lists: Record<string, string[]>) =>
  withValues({ labelFilters: { enabled: true, ...lists } });
const problemsOf = (text: string, limits = dev) => {
  const verdict = validateFlagsDocument(text, limits);
  return verdict.ok ? [] : verdict.problems;
};

describe('validateFlagsDocument', () => {
  it.each(Object.keys(STAGES))(
    'accepts config/flags.json against the %s stage, with the configuration and flags the functions read',
    (stage) => {
      const verdict = validateFlagsDocument(committed, {
        maxIngestConcurrency: loadStageConfig(stage).ingest.maxConcurrency,
      });

      expect(verdict).toEqual({
        ok: true,
        configuration: {
          processing: { enabled: true },
          labelFilters: { enabled: false },
          ingestThrottle: { enabled: false },
        },
        flags: { source: 'appconfig', version: 'unknown', processing: true },
      });
    },
  );

  describe('refuses what AppConfig would refuse', () => {
    it('a value outside its attribute constraints', () => {
      expect(problemsOf(withValues({ labelFilters: { minConfidence: 300 } }))).toEqual([
        'values.labelFilters.minConfidence: must be <= 100',
      ]);
    });

    it('text that is not JSON', () => {
      expect(problemsOf('{"version": "1",')).toEqual([expect.stringMatching(/^not JSON: /)]);
    });

    it('a document that is not in the feature-flags format', () => {
      expect(problemsOf('{"version": "2"}')).toEqual([expect.stringMatching(/^version: /)]);
    });
  });

  describe('refuses what the functions would fall back to safe defaults on', () => {
    it('a whole number attribute given a fraction (AppConfig numbers may have one)', () => {
      const text = withValues({ labelFilters: { enabled: true, maxLabels: 2.5 } });

      expect(validateFlagsDocument(text, dev)).toEqual({
        ok: false,
        problems: [
          expect.stringMatching(
            /^the functions would refuse these flags and use the safe defaults \(.*labelFilters\.maxLabels/,
          ),
        ],
      });
    });

    it('a filter list longer than the 100 entries Rekognition takes', () => {
      const labels = Array.from({ length: 101 }, (_, index) => `Label ${index}`);

      expect(problemsOf(filtersOn({ includeLabels: labels }))).toEqual([
        expect.stringMatching(/safe defaults \(.*labelFilters\.includeLabels/),
      ]);
    });

    it('an enabled flag whose definition lacks an attribute the functions need', () => {
      const text = withValues({ labelFilters: { enabled: true, maxLabels: undefined } }, (document) => {
        delete document.flags.labelFilters?.attributes?.maxLabels;
      });

      expect(problemsOf(text)).toEqual([expect.stringMatching(/safe defaults \(.*labelFilters\.maxLabels/)]);
    });

    it('never accepts what the functions would not read the same way', () => {
      const documents = [
        committed,
        filtersOn({ includeLabels: ['Dog'], excludeCategories: ['Text and Documents'] }),
        withValues({ processing: { enabled: false }, ingestThrottle: { enabled: true, maxConcurrency: 3 } }),
      ];
      for (const text of documents) {
        const verdict = validateFlagsDocument(text, dev);
        if (!verdict.ok) throw new Error(verdict.problems.join('; '));

        expect(parseFlags(JSON.stringify(verdict.configuration))).toEqual({ ok: true, flags: verdict.flags });
      }
    });
  });

  describe('refuses overlapping include and exclude lists of an enabled labelFilters flag', () => {
    it('the same label, compared case-insensitively as Rekognition does', () => {
      expect(problemsOf(filtersOn({ includeLabels: ['Cat', 'Dog'], excludeLabels: ['cat', 'CAT'] }))).toEqual(
        [
          'values.labelFilters: includeLabels and excludeLabels both name "Cat" (compared case-insensitively, as Rekognition does): a label cannot be both included and excluded',
        ],
      );
    });

    it('the same category', () => {
      const text = filtersOn({
        includeCategories: ['Animals and Pets', 'Vehicles and Automotive'],
        excludeCategories: ['vehicles and automotive', 'Animals And Pets'],
      });

      expect(problemsOf(text)).toEqual([
        'values.labelFilters: includeCategories and excludeCategories both name "Animals and Pets", "Vehicles and Automotive" (compared case-insensitively, as Rekognition does): a category cannot be both included and excluded',
      ]);
    });

    it('but accepts lists that do not overlap, and a label excluded while its category is included', () => {
      const text = filtersOn({
        includeLabels: ['Dog'],
        excludeLabels: ['Cat'],
        includeCategories: ['Animals and Pets'],
        excludeCategories: ['Text and Documents'],
      });

      expect(problemsOf(text)).toEqual([]);
    });

    it('but accepts overlapping lists while the flag is off: the functions do not get them', () => {
      const text = withValues({
        labelFilters: { enabled: false, includeLabels: ['Cat'], excludeLabels: ['Cat'] },
      });

      expect(problemsOf(text)).toEqual([]);
    });
  });

  describe("refuses an enabled ingestThrottle above the stage's maximum ingest concurrency", () => {
    it('above it', () => {
      expect(problemsOf(withValues({ ingestThrottle: { enabled: true, maxConcurrency: 6 } }))).toEqual([
        "values.ingestThrottle.maxConcurrency: 6 is above the stage's maximum ingest concurrency (5); the throttle may only lower it",
      ]);
    });

    it('but accepts it at or below the maximum, or switched off', () => {
      expect(problemsOf(withValues({ ingestThrottle: { enabled: true, maxConcurrency: 5 } }))).toEqual([]);
      expect(problemsOf(withValues({ ingestThrottle: { enabled: true, maxConcurrency: 2 } }))).toEqual([]);
      expect(problemsOf(withValues({ ingestThrottle: { enabled: false, maxConcurrency: 900 } }))).toEqual([]);
    });

    it("against each stage's own maximum", () => {
      const text = withValues({ ingestThrottle: { enabled: true, maxConcurrency: 20 } });

      expect(problemsOf(text, { maxIngestConcurrency: 20 })).toEqual([]);
      expect(problemsOf(text, { maxIngestConcurrency: 5 })).toHaveLength(1);
    });
  });

  it('reports every unsafe value at once', () => {
    const text = withValues({
      labelFilters: { enabled: true, includeLabels: ['Cat'], excludeLabels: ['Cat'] },
      ingestThrottle: { enabled: true, maxConcurrency: 50 },
    });

    expect(problemsOf(text)).toEqual([
      expect.stringMatching(/^values\.labelFilters: includeLabels and excludeLabels/),
      expect.stringMatching(/^values\.ingestThrottle\.maxConcurrency: 50/),
    ]);
  });

  it('accepts any minConfidence from 0 to 100: a high one keeps fewer labels, which is a choice, not a fault', () => {
    expect(problemsOf(withValues({ labelFilters: { enabled: true, minConfidence: 100 } }))).toEqual([]);
    expect(problemsOf(withValues({ labelFilters: { enabled: true, minConfidence: 0 } }))).toEqual([]);
  });
});

describe('validateRetrievedFlags (the retrieval format)', () => {
  it('accepts what the functions read, with the flags they read', () => {
    const text = JSON.stringify({
      processing: { enabled: false },
      ingestThrottle: { enabled: true, maxConcurrency: 3 },
    });

    expect(validateRetrievedFlags(text, dev)).toMatchObject({
      ok: true,
      flags: { processing: false, maxConcurrency: 3 },
    });
  });

  it('refuses what the functions would fall back on, and what is unsafe', () => {
    expect(validateRetrievedFlags('{"labelFilters": {"enabled": true}}', dev)).toEqual({
      ok: false,
      problems: [expect.stringMatching(/safe defaults \(.*labelFilters/)],
    });
    expect(validateRetrievedFlags('{"ingestThrottle": {"enabled": true, "maxConcurrency": 9}}', dev)).toEqual(
      {
        ok: false,
        problems: [expect.stringMatching(/^values\.ingestThrottle\.maxConcurrency: 9 is above/)],
      },
    );
  });

  it('refuses text that is not a JSON object', () => {
    expect(validateRetrievedFlags('[]', dev)).toEqual({
      ok: false,
      problems: ['(root): must be a JSON object of flags'],
    });
    expect(validateRetrievedFlags('nope', dev)).toEqual({
      ok: false,
      problems: [expect.stringMatching(/^not JSON/)],
    });
  });
});

describe('validateFlagsContent (what a Lambda validator is given)', () => {
  it('reads a document with a top-level version, flags or values as the stored format', () => {
    expect(validateFlagsContent(committed, dev)).toMatchObject({ ok: true, format: 'stored' });
    expect(validateFlagsContent('{"version": 1}', dev)).toMatchObject({ ok: false, format: 'stored' });
    expect(validateFlagsContent('{"values": {}}', dev)).toMatchObject({ ok: false, format: 'stored' });
    expect(validateFlagsContent('not json', dev)).toMatchObject({ ok: false, format: 'stored' });
  });

  it('reads anything else as the retrieval format', () => {
    expect(validateFlagsContent('{"processing": {"enabled": true}}', dev)).toMatchObject({
      ok: true,
      format: 'retrieval',
    });
  });
});

describe('FlagsDocumentInvalidError', () => {
  it('has a fixed name and lists every problem in its message', () => {
    const error = new FlagsDocumentInvalidError(['first problem', 'second problem']);

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('FlagsDocumentInvalid');
    expect(error.problems).toEqual(['first problem', 'second problem']);
    expect(error.message).toBe('Refused flags document (2 problems): first problem; second problem');
  });
});
