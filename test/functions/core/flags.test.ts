import { readFileSync } from 'node:fs';
import {
  GetEventSourceMappingCommand,
  LambdaClient,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { DetectLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { detectLabels } from '../../../functions/adapters/rekognition-labeler';
import { DEFAULT_FLAGS, type Flags, labelSettingsFrom, parseFlags } from '../../../functions/core/flags';
import { toRetrievalFormat } from '../../../functions/core/flags-document';
import { generalLabelsSettings } from '../../../functions/core/labeling';
import { applyIngestFlags, pausedBatch } from '../../../functions/domain/flags-ingest';
import { FLAGS_DOCUMENT_PATH } from '../../../infra/config/flags';
import { sqsRecord } from '../../support/lambda';

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

describe('the label filters in DetectLabels', () => {
  const rekognitionMock = mockClient(RekognitionClient);
  const object = { bucket: 'b-123', key: 'a.jpg', versionId: 'v1', eTag: 'e', size: 10, sequencer: '0A' };
  beforeEach(() => rekognitionMock.reset());

  it('passes only the filters that are set, as Settings.GeneralLabels, and records what was used', async () => {
    rekognitionMock.on(DetectLabelsCommand).resolves({ Labels: [], LabelModelVersion: '3.0' });
    const settings = {
      ...stage,
      includeLabels: ['Dog'],
      excludeCategories: ['Text and Documents'],
      flagsVersion: 'v9',
      flagsSource: 'appconfig' as const,
    };

    const detection = await detectLabels(new RekognitionClient({ region: 'us-east-1' }), object, settings);

    expect(rekognitionMock.commandCalls(DetectLabelsCommand)[0]?.args[0].input).toMatchObject({
      MinConfidence: 70,
      MaxLabels: 25,
      Settings: {
        GeneralLabels: {
          LabelInclusionFilters: ['Dog'],
          LabelCategoryExclusionFilters: ['Text and Documents'],
        },
      },
    });
    expect(detection.settings).toEqual({
      minConfidence: 70,
      maxLabels: 25,
      includeLabels: ['Dog'],
      excludeLabels: [],
      includeCategories: [],
      excludeCategories: ['Text and Documents'],
      flagsVersion: 'v9',
      flagsSource: 'appconfig',
    });
  });

  it('sends no Settings when no filter is set', () => {
    expect(generalLabelsSettings({ ...stage, includeLabels: [], excludeLabels: [] })).toBeUndefined();
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

describe('the kill switch and throttle on the event source mapping', () => {
  const lambdaMock = mockClient(LambdaClient);
  const client = new LambdaClient({ region: 'us-east-1' });
  const target = { uuid: 'esm-1', defaultMaxConcurrency: 5 };
  const flags = (change: Partial<Flags>): Flags => ({
    source: 'appconfig',
    version: 'v1',
    processing: true,
    ...change,
  });
  const mapping = (State: string, MaximumConcurrency = 5) =>
    lambdaMock
      .on(GetEventSourceMappingCommand)
      .resolves({ UUID: 'esm-1', State, ScalingConfig: { MaximumConcurrency } });
  beforeEach(() => lambdaMock.reset());

  it('disables an enabled mapping when processing is off', async () => {
    mapping('Enabled');
    lambdaMock.on(UpdateEventSourceMappingCommand).resolves({});

    const change = await applyIngestFlags(client, target, flags({ processing: false }));

    expect(change).toMatchObject({ action: 'updated', enabled: false });
    expect(lambdaMock.commandCalls(UpdateEventSourceMappingCommand)[0]?.args[0].input).toEqual({
      UUID: 'esm-1',
      Enabled: false,
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('enables a disabled mapping when processing is back on, with the throttle of the flag', async () => {
    mapping('Disabled');
    lambdaMock.on(UpdateEventSourceMappingCommand).resolves({});

    await applyIngestFlags(client, target, flags({ maxConcurrency: 3 }));

    expect(lambdaMock.commandCalls(UpdateEventSourceMappingCommand)[0]?.args[0].input).toEqual({
      UUID: 'esm-1',
      Enabled: true,
      ScalingConfig: { MaximumConcurrency: 3 },
    });
  });

  it('changes nothing when the mapping already matches the flags', async () => {
    mapping('Disabling');
    expect(await applyIngestFlags(client, target, flags({ processing: false }))).toMatchObject({
      action: 'unchanged',
    });
    expect(lambdaMock.commandCalls(UpdateEventSourceMappingCommand)).toHaveLength(0);
  });

  it('leaves the mapping alone on safe defaults: AppConfig down must not restart a paused pipeline', async () => {
    expect(await applyIngestFlags(client, target, DEFAULT_FLAGS)).toMatchObject({ action: 'skipped' });
    expect(lambdaMock.calls()).toHaveLength(0);
  });

  it('waits while the mapping is being created or updated', async () => {
    mapping('Updating');
    expect(await applyIngestFlags(client, target, flags({ processing: false }))).toMatchObject({
      action: 'skipped',
    });
    expect(lambdaMock.commandCalls(UpdateEventSourceMappingCommand)).toHaveLength(0);
  });

  it('hands a whole batch back when paused', () => {
    expect(pausedBatch({ Records: [sqsRecord('m1', '{}'), sqsRecord('m2', '{}')] })).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }],
    });
  });
});
