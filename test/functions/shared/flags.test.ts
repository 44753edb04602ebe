import {
  AppConfigDataClient,
  GetLatestConfigurationCommand,
  StartConfigurationSessionCommand,
} from '@aws-sdk/client-appconfigdata';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { DEFAULT_FLAGS } from '../../../functions/core/flags';
import { createFlagsReader, type FlagsSource, flagsSourceFromEnv } from '../../../functions/shared/flags';
import { logger, metrics } from '../../../functions/shared/observability';

const appConfigMock = mockClient(AppConfigDataClient);
const source: FlagsSource = {
  application: 'app',
  environment: 'dev',
  profile: 'pipeline-flags',
  maxAgeSeconds: 5,
};
const body = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const FLAGS = {
  processing: { enabled: false },
  labelFilters: { enabled: true, minConfidence: 90, maxLabels: 3 },
};

let addMetric: MockInstance<typeof metrics.addMetric>;
let warn: MockInstance<typeof logger.warn>;
let clock = 1_000_000;
const now = () => clock;

function serve(...configurations: (Uint8Array | undefined)[]) {
  appConfigMock.on(StartConfigurationSessionCommand).resolves({ InitialConfigurationToken: 'token-0' });
  let call = 0;
  appConfigMock.on(GetLatestConfigurationCommand).callsFake(() => {
    const configuration = configurations[Math.min(call, configurations.length - 1)];
    call++;
    return { Configuration: configuration ?? new Uint8Array(), NextPollConfigurationToken: `token-${call}` };
  });
}

const fallbacks = () => addMetric.mock.calls.filter(([name]) => name === 'FlagsFallback').length;

beforeEach(() => {
  appConfigMock.reset();
  addMetric = vi.spyOn(metrics, 'addMetric').mockImplementation(() => metrics);
  warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
  // The provider's cache runs on Date.now.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(clock);
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const advance = (seconds: number) => {
  clock += seconds * 1000;
  vi.setSystemTime(clock);
};

describe('createFlagsReader', () => {
  it('reads the flags of the configured application, environment and profile', async () => {
    serve(body(FLAGS));
    const reader = createFlagsReader(source, new AppConfigDataClient({ region: 'eu-west-1' }), now);

    const flags = await reader.get();

    expect(flags).toMatchObject({
      source: 'appconfig',
      processing: false,
      labels: { minConfidence: 90, maxLabels: 3 },
    });
    expect(appConfigMock.commandCalls(StartConfigurationSessionCommand)[0]?.args[0].input).toEqual({
      ApplicationIdentifier: 'app',
      EnvironmentIdentifier: 'dev',
      ConfigurationProfileIdentifier: 'pipeline-flags',
    });
    expect(fallbacks()).toBe(0);
  });

  it('asks AppConfig at most once per cache period, with the next poll token', async () => {
    serve(body(FLAGS), body({ processing: { enabled: true } }));
    const reader = createFlagsReader(source, new AppConfigDataClient({ region: 'eu-west-1' }), now);

    await reader.get();
    advance(4);
    expect((await reader.get()).processing).toBe(false);
    expect(appConfigMock.commandCalls(GetLatestConfigurationCommand)).toHaveLength(1);

    advance(2);
    expect((await reader.get()).processing).toBe(true);
    const polls = appConfigMock.commandCalls(GetLatestConfigurationCommand);
    expect(polls.map((call) => call.args[0].input.ConfigurationToken)).toEqual(['token-0', 'token-1']);
    expect(appConfigMock.commandCalls(StartConfigurationSessionCommand)).toHaveLength(1);
  });

  it('keeps the last configuration when AppConfig answers "unchanged" with an empty body', async () => {
    serve(body(FLAGS), undefined);
    const reader = createFlagsReader(source, new AppConfigDataClient({ region: 'eu-west-1' }), now);

    await reader.get();
    advance(6);
    const flags = await reader.get();

    expect(appConfigMock.commandCalls(GetLatestConfigurationCommand)).toHaveLength(2);
    expect(flags).toMatchObject({ source: 'appconfig', processing: false });
    expect(fallbacks()).toBe(0);
  });

  it('falls back to safe defaults with a warning and a metric when AppConfig cannot be reached', async () => {
    appConfigMock
      .on(StartConfigurationSessionCommand)
      .rejects(Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' }));
    const reader = createFlagsReader(source, new AppConfigDataClient({ region: 'eu-west-1' }), now);

    expect(await reader.get()).toEqual(DEFAULT_FLAGS);
    expect(fallbacks()).toBe(1);
    expect(warn).toHaveBeenCalledWith(
      'Feature flags unavailable: using safe defaults',
      expect.objectContaining({ reason: expect.stringContaining('ECONNREFUSED'), application: 'app' }),
    );
  });

  it('after a failure uses the defaults for one cache period before asking again', async () => {
    appConfigMock.on(StartConfigurationSessionCommand).rejectsOnce(new Error('down'));
    const reader = createFlagsReader(source, new AppConfigDataClient({ region: 'eu-west-1' }), now);
    await reader.get();
    serve(body(FLAGS));

    advance(3);
    expect(await reader.get()).toEqual(DEFAULT_FLAGS);
    expect(appConfigMock.commandCalls(GetLatestConfigurationCommand)).toHaveLength(0);
    expect(fallbacks()).toBe(2);

    advance(3);
    expect((await reader.get()).source).toBe('appconfig');
  });

  it.each([
    ['not JSON', new TextEncoder().encode('<xml/>'), 'not JSON'],
    [
      'out of range',
      body({ labelFilters: { enabled: true, minConfidence: 500, maxLabels: 3 } }),
      'minConfidence',
    ],
    ['empty', undefined, 'no configuration'],
  ])('falls back to safe defaults when the document is %s', async (_case, configuration, reason) => {
    serve(configuration);
    const reader = createFlagsReader(source, new AppConfigDataClient({ region: 'eu-west-1' }), now);

    expect(await reader.get()).toEqual(DEFAULT_FLAGS);
    expect(fallbacks()).toBe(1);
    expect(warn).toHaveBeenCalledWith(
      'Feature flags unavailable: using safe defaults',
      expect.objectContaining({ reason: expect.stringContaining(reason) }),
    );
  });

  it('falls back without calling AppConfig when no application is configured', async () => {
    const reader = createFlagsReader(undefined);
    expect(await reader.get()).toEqual(DEFAULT_FLAGS);
    expect(appConfigMock.calls()).toHaveLength(0);
    expect(fallbacks()).toBe(1);
  });
});

describe('flagsSourceFromEnv', () => {
  it('reads the variables the function table sets', () => {
    expect(
      flagsSourceFromEnv({
        FLAGS_APPLICATION: 'image-labeling-dev',
        FLAGS_ENVIRONMENT: 'dev',
        FLAGS_PROFILE: 'pipeline-flags',
        FLAGS_MAX_AGE_SECONDS: '15',
      }),
    ).toEqual({
      application: 'image-labeling-dev',
      environment: 'dev',
      profile: 'pipeline-flags',
      maxAgeSeconds: 15,
    });
  });

  it('is undefined without them, and refuses a bad cache period', () => {
    expect(flagsSourceFromEnv({})).toBeUndefined();
    expect(() => flagsSourceFromEnv({ FLAGS_MAX_AGE_SECONDS: '0' })).toThrow(/FLAGS_MAX_AGE_SECONDS/);
  });
});
