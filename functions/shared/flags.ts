/**
 * The one module functions read feature flags through: the function's environment says where
 * the flags live, the AppConfig adapter (functions/adapters/appconfig-flags.ts) fetches them,
 * and the reader (functions/core/flags-reader.ts) falls back to DEFAULT_FLAGS on any problem,
 * with a warning in the logs and a `FlagsFallback` metric.
 */
import type { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import * as v from 'valibot';
import { type AppConfigFlagsLocation, appConfigFlagsSource } from '../adapters/appconfig-flags';
import { appConfigData } from '../adapters/clients/appconfigdata';
import type { Flags } from '../core/flags';
import { type FlagsReader, createFlagsReader as readerOver } from '../core/flags-reader';
import { type EnvShape, intFromEnv, loadEnv, nonEmpty } from './env';
import { emit, logger } from './observability';

export type FlagsSource = AppConfigFlagsLocation;
export type { FlagsReader } from '../core/flags-reader';

/** The variables the function table (infra/config/functions.ts) sets for functions that read flags. */
export const FlagsEnvShape = {
  FLAGS_APPLICATION: v.optional(nonEmpty),
  FLAGS_ENVIRONMENT: v.optional(nonEmpty),
  FLAGS_PROFILE: v.optional(nonEmpty),
  FLAGS_MAX_AGE_SECONDS: v.optional(intFromEnv(1, 300), '5'),
} satisfies EnvShape;

export function flagsSourceFromEnv(source: NodeJS.ProcessEnv = process.env): FlagsSource | undefined {
  const env = loadEnv(FlagsEnvShape, source);
  if (!env.FLAGS_APPLICATION || !env.FLAGS_ENVIRONMENT || !env.FLAGS_PROFILE) return undefined;
  return {
    application: env.FLAGS_APPLICATION,
    environment: env.FLAGS_ENVIRONMENT,
    profile: env.FLAGS_PROFILE,
    maxAgeSeconds: env.FLAGS_MAX_AGE_SECONDS,
  };
}

/** A reader of the flags at `source` (AppConfig), reporting every fallback in logs and metrics. */
export function createFlagsReader(
  source: FlagsSource | undefined,
  sdkClient?: AppConfigDataClient,
  now: () => number = () => Date.now(),
): FlagsReader {
  const where = source
    ? { application: source.application, environment: source.environment, profile: source.profile }
    : {};
  return readerOver(source ? appConfigFlagsSource(source, sdkClient ?? appConfigData()) : undefined, {
    maxAgeSeconds: source?.maxAgeSeconds ?? 0,
    now,
    onFallback: (reason, repeated) => {
      if (!repeated) logger.warn('Feature flags unavailable: using safe defaults', { reason, ...where });
      emit('FlagsFallback');
    },
  });
}

let reader: FlagsReader | undefined;

/** The flags for this invocation, read through the function's one memoised reader. */
export function readFlags(): Promise<Flags> {
  reader ??= createFlagsReader(flagsSourceFromEnv());
  return reader.get();
}
