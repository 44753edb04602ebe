import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flagsValidatorSmokeEvents, validatorEvent } from '../../../functions/core/flags-validation-smoke';
import { FLAGS_DOCUMENT_PATH } from '../../../infra/config/flags';
import { lambdaContext, stubHandlerEnv } from '../../support/lambda';

stubHandlerEnv({ MAX_INGEST_CONCURRENCY: '5' });
const { handler } = await import('../../../functions/validate-flags/handler');

const context = lambdaContext('validate-flags');
const committed = JSON.parse(readFileSync(FLAGS_DOCUMENT_PATH, 'utf8')) as {
  values: Record<string, Record<string, unknown>>;
};
const withThrottle = (maxConcurrency: number) => ({
  ...committed,
  values: { ...committed.values, ingestThrottle: { enabled: true, maxConcurrency } },
});

describe('validate-flags handler (AppConfig Lambda validator)', () => {
  it('accepts config/flags.json as AppConfig sends it: base64 content with the version ids', async () => {
    const event = validatorEvent(JSON.parse(readFileSync(FLAGS_DOCUMENT_PATH, 'utf8')));

    await expect(handler(event, context)).resolves.toEqual({ valid: true, format: 'stored' });
  });

  it('accepts the older event shape, with content and uri only', async () => {
    const { content } = validatorEvent(committed);

    await expect(handler({ content, uri: 'hosted' }, context)).resolves.toEqual({
      valid: true,
      format: 'stored',
    });
  });

  it('refuses a document with overlapping label filters by throwing FlagsDocumentInvalid, which fails the deployment', async () => {
    await expect(handler(flagsValidatorSmokeEvents().refused, context)).rejects.toMatchObject({
      name: 'FlagsDocumentInvalid',
      message: expect.stringContaining('includeLabels and excludeLabels both name "Smoke test"'),
    });
  });

  it("refuses an ingest throttle above the stage's maximum concurrency from its environment", async () => {
    await expect(handler(validatorEvent(withThrottle(5)), context)).resolves.toMatchObject({ valid: true });
    await expect(handler(validatorEvent(withThrottle(6)), context)).rejects.toMatchObject({
      name: 'FlagsDocumentInvalid',
      problems: [expect.stringContaining("above the stage's maximum ingest concurrency (5)")],
    });
  });

  it('refuses what is not a validator event, naming the field', async () => {
    await expect(handler({ uri: 'hosted' }, context)).rejects.toMatchObject({
      name: 'FlagsDocumentInvalid',
      message: expect.stringContaining('not an AppConfig validator event: content'),
    });
    await expect(handler({ content: 'not base64!' }, context)).rejects.toMatchObject({
      name: 'FlagsDocumentInvalid',
    });
  });
});

describe('the pre-traffic smoke events of the validator', () => {
  it("carry this release's config/flags.json, and a copy with one label both included and excluded", () => {
    const { accepted, refused } = flagsValidatorSmokeEvents();
    const decode = (event: { content: string }) =>
      JSON.parse(Buffer.from(event.content, 'base64').toString('utf8'));

    expect(decode(accepted)).toEqual(committed);
    expect(decode(refused).values.labelFilters).toMatchObject({
      enabled: true,
      includeLabels: ['Smoke test'],
      excludeLabels: ['SMOKE TEST'],
    });
  });
});
