import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppConfigDataClient,
  GetLatestConfigurationCommand,
  StartConfigurationSessionCommand,
} from '@aws-sdk/client-appconfigdata';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFlagsReader } from '../../../functions/shared/flags';
import { FLAGS_DOCUMENT_PATH, flagsNames, flagsVersionLabel } from '../../../infra/config/flags';
import { type AppConfigDataService, createAppConfigDataService } from '../../../local/appconfig';

const names = flagsNames('local');
const limits = { maxIngestConcurrency: 2 };
const base = readFileSync(FLAGS_DOCUMENT_PATH, 'utf8');
const withMinConfidence = (minConfidence: number) => {
  const document = JSON.parse(base) as { values: Record<string, Record<string, unknown>> };
  document.values.labelFilters = { ...document.values.labelFilters, enabled: true, minConfidence };
  return JSON.stringify(document);
};

describe('the local AppConfigData endpoint', () => {
  let dir: string;
  let file: string;
  let service: AppConfigDataService;
  let server: http.Server;
  let client: AppConfigDataClient;
  const problems: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'appconfig-'));
    file = join(dir, 'flags.json');
    writeFileSync(file, base);
    service = createAppConfigDataService({
      file,
      names,
      limits,
      onProblem: (message) => problems.push(message),
    });
    server = http.createServer(service.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new AppConfigDataClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });

  beforeEach(() => {
    writeFileSync(file, base);
    problems.length = 0;
  });

  afterAll(async () => {
    client.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const session = async () =>
    (
      await client.send(
        new StartConfigurationSessionCommand({
          ApplicationIdentifier: names.application,
          EnvironmentIdentifier: names.environment,
          ConfigurationProfileIdentifier: names.profile,
        }),
      )
    ).InitialConfigurationToken ?? '';
  const poll = (token: string) =>
    client.send(new GetLatestConfigurationCommand({ ConfigurationToken: token }));
  const json = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes)) as unknown;

  it('serves the retrieval format with the version label CDK gives the same text', async () => {
    const answer = await poll(await session());
    expect(json(answer.Configuration)).toEqual({
      processing: { enabled: true },
      labelFilters: { enabled: false },
      ingestThrottle: { enabled: false },
    });
    expect(answer.VersionLabel).toBe(flagsVersionLabel(base));
    expect(answer.ContentType).toBe('application/json');
    expect(answer.NextPollConfigurationToken).toBeTruthy();
    expect(answer.NextPollIntervalInSeconds).toBe(60);
  });

  it('answers an empty body when the session already has the version, and the new document once the file changes', async () => {
    const first = await poll(await session());
    const unchanged = await poll(first.NextPollConfigurationToken ?? '');
    expect(unchanged.Configuration?.length ?? 0).toBe(0);

    writeFileSync(file, withMinConfidence(80));
    const changed = await poll(unchanged.NextPollConfigurationToken ?? '');
    expect(json(changed.Configuration)).toMatchObject({ labelFilters: { enabled: true, minConfidence: 80 } });
    expect(changed.VersionLabel).toBe(flagsVersionLabel(withMinConfidence(80)));
  });

  it('keeps serving the last valid document when the file becomes invalid, and says why', async () => {
    const first = await poll(await session());
    writeFileSync(file, withMinConfidence(250));
    const next = await poll(first.NextPollConfigurationToken ?? '');
    expect(next.Configuration?.length ?? 0).toBe(0);
    expect(service.current().versionLabel).toBe(flagsVersionLabel(base));
    expect(problems.join('\n')).toContain('values.labelFilters.minConfidence: must be <= 100');
  });

  it("applies the flags validator's checks to an edit: overlapping filters are not served, and the problem is printed", async () => {
    const first = await poll(await session());
    const document = JSON.parse(base) as { values: Record<string, Record<string, unknown>> };
    document.values.labelFilters = {
      ...document.values.labelFilters,
      enabled: true,
      includeCategories: ['Animals and Pets'],
      excludeCategories: ['animals and pets'],
    };
    writeFileSync(file, JSON.stringify(document));

    const next = await poll(first.NextPollConfigurationToken ?? '');

    expect(next.Configuration?.length ?? 0).toBe(0);
    expect(service.current().versionLabel).toBe(flagsVersionLabel(base));
    expect(problems.join('\n')).toContain(
      `${file} is not valid, still serving ${flagsVersionLabel(base)}: values.labelFilters: includeCategories and excludeCategories both name "Animals and Pets"`,
    );
  });

  it("does not serve an ingest throttle above the local stage's concurrency", () => {
    const document = JSON.parse(base) as { values: Record<string, Record<string, unknown>> };
    document.values.ingestThrottle = { enabled: true, maxConcurrency: 3 };
    writeFileSync(file, JSON.stringify(document));

    expect(service.current().versionLabel).toBe(flagsVersionLabel(base));
    expect(problems.join('\n')).toContain(
      "values.ingestThrottle.maxConcurrency: 3 is above the stage's maximum",
    );
  });

  it('refuses an unknown application, environment or profile, and a forged token', async () => {
    await expect(
      client.send(
        new StartConfigurationSessionCommand({
          ApplicationIdentifier: names.application,
          EnvironmentIdentifier: 'prod',
          ConfigurationProfileIdentifier: names.profile,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(poll('not-a-token')).rejects.toMatchObject({ name: 'BadRequestException' });
  });

  it('refuses to start on an invalid document, as cdk synth does', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"version": "2"}');
    expect(() => createAppConfigDataService({ file: bad, names, limits })).toThrow(/Invalid flags document/);
  });

  describe('read through the functions flags module', () => {
    afterEach(() => vi.useRealTimers());

    it('gets the flags with their version label, polls once per cache period, and sees an edit after it', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      let clock = Date.now();
      vi.setSystemTime(clock);
      const reader = createFlagsReader({ ...names, maxAgeSeconds: 1 }, client);
      const before = service.stats().polls;

      const first = await reader.get();
      expect(first).toMatchObject({
        source: 'appconfig',
        version: flagsVersionLabel(base),
        processing: true,
      });
      await reader.get();
      expect(service.stats().polls - before).toBe(1);

      writeFileSync(file, withMinConfidence(80));
      clock += 1500;
      vi.setSystemTime(clock);
      const second = await reader.get();
      expect(second).toMatchObject({
        version: flagsVersionLabel(withMinConfidence(80)),
        labels: { minConfidence: 80 },
      });

      clock += 1500;
      vi.setSystemTime(clock);
      const emptyBefore = service.stats().emptyPolls;
      expect(await reader.get()).toEqual(second);
      expect(service.stats().emptyPolls - emptyBefore).toBe(1);
    });
  });
});
