/**
 * The one module functions read feature flags through.
 *
 * Flags come from AWS AppConfig through Powertools Parameters' AppConfigProvider (the SDK's
 * AppConfigData client, not the AppConfig agent extension): it works unchanged against the local
 * cloud through AWS_ENDPOINT_URL, needs no layer, and keeps the session token and the last
 * configuration itself (GetLatestConfiguration answers with an empty body when nothing changed).
 * Values are cached for FLAGS_MAX_AGE_SECONDS, so a warm function calls AppConfig at most once
 * per that period.
 *
 * Whatever goes wrong (AppConfig unreachable, throttled, an unknown profile, a document that is
 * not JSON or not valid) the caller gets DEFAULT_FLAGS (processing on, the stage's label
 * settings), a warning in the logs and a `FlagsFallback` metric: a flags problem never stops or
 * fails the pipeline. After a failure the defaults are used for one cache period before
 * AppConfig is asked again, so an outage does not add a slow call to every invocation.
 */
import { AppConfigProvider } from '@aws-lambda-powertools/parameters/appconfig';
import type { AppConfigDataClient, GetLatestConfigurationCommandOutput } from '@aws-sdk/client-appconfigdata';
import * as z from 'zod';
import { appConfigData } from '../adapters/clients/appconfigdata';
import { DEFAULT_FLAGS, type Flags, parseFlags } from '../core/flags';
import { loadEnv } from './env';
import { emit, logger } from './observability';

export interface FlagsSource {
  application: string;
  environment: string;
  profile: string;
  /** How long a retrieved configuration is used before AppConfig is asked again. */
  maxAgeSeconds: number;
}

export interface FlagsReader {
  get(): Promise<Flags>;
}

/** The variables the function table (infra/config/functions.ts) sets for functions that read flags. */
export const FlagsEnvShape = {
  FLAGS_APPLICATION: z.string().trim().min(1).optional(),
  FLAGS_ENVIRONMENT: z.string().trim().min(1).optional(),
  FLAGS_PROFILE: z.string().trim().min(1).optional(),
  FLAGS_MAX_AGE_SECONDS: z.coerce.number().int().min(1).max(300).default(5),
};

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

/**
 * The provider does not surface GetLatestConfiguration's VersionLabel, so a client middleware
 * remembers the label of the last non-empty configuration (the one the provider keeps).
 */
const versionLabels = new WeakMap<AppConfigDataClient, string>();

function trackVersionLabels(client: AppConfigDataClient): void {
  if (versionLabels.has(client)) return;
  versionLabels.set(client, 'unknown');
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'GetLatestConfigurationCommand') {
        const output = result.output as GetLatestConfigurationCommandOutput;
        if (output.Configuration && output.Configuration.length > 0) {
          versionLabels.set(client, output.VersionLabel ?? 'unknown');
        }
      }
      return result;
    },
    { step: 'initialize', name: 'flagsVersionLabel' },
  );
}

function fallback(reason: string, source?: FlagsSource): Flags {
  logger.warn('Feature flags unavailable: using safe defaults', {
    reason,
    ...(source
      ? { application: source.application, environment: source.environment, profile: source.profile }
      : {}),
  });
  emit('FlagsFallback');
  return DEFAULT_FLAGS;
}

export function createFlagsReader(
  source: FlagsSource | undefined,
  sdkClient?: AppConfigDataClient,
  now: () => number = () => Date.now(),
): FlagsReader {
  if (!source) {
    return { get: async () => fallback('no AppConfig application, environment and profile configured') };
  }
  const client = sdkClient ?? appConfigData();
  trackVersionLabels(client);
  const provider = new AppConfigProvider({
    application: source.application,
    environment: source.environment,
    awsSdkV3Client: client,
  });
  let retryAfter = 0;

  return {
    async get() {
      if (now() < retryAfter) {
        emit('FlagsFallback');
        return DEFAULT_FLAGS;
      }
      let body: Uint8Array | undefined;
      try {
        body = (await provider.get(source.profile, { maxAge: source.maxAgeSeconds })) as
          | Uint8Array
          | undefined;
      } catch (error) {
        retryAfter = now() + source.maxAgeSeconds * 1000;
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
        return fallback(`AppConfig could not be read (${detail})`, source);
      }
      if (!body || body.length === 0) return fallback('AppConfig returned no configuration', source);
      const parsed = parseFlags(body, versionLabels.get(client));
      if (!parsed.ok) return fallback(parsed.reason, source);
      return parsed.flags;
    },
  };
}

let reader: FlagsReader | undefined;

/** The flags for this invocation, read through the function's one memoised reader. */
export function readFlags(): Promise<Flags> {
  reader ??= createFlagsReader(flagsSourceFromEnv());
  return reader.get();
}
