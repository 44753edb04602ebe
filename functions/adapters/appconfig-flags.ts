/**
 * The flags document from AWS AppConfig (functions/core/flags-reader.ts), through Powertools
 * Parameters' AppConfigProvider on the SDK's AppConfigData client (not the AppConfig agent
 * extension): it works unchanged against the local cloud through AWS_ENDPOINT_URL, needs no
 * layer, and keeps the session token and the last configuration itself
 * (GetLatestConfiguration answers with an empty body when nothing changed). Values are cached
 * for `maxAgeSeconds`, so a warm function calls AppConfig at most once per that period.
 */
import { AppConfigProvider } from '@aws-lambda-powertools/parameters/appconfig';
import type { AppConfigDataClient, GetLatestConfigurationCommandOutput } from '@aws-sdk/client-appconfigdata';
import type { FlagsDocumentSource } from '../core/flags-reader';

export interface AppConfigFlagsLocation {
  application: string;
  environment: string;
  profile: string;
  /** How long a retrieved configuration is used before AppConfig is asked again. */
  maxAgeSeconds: number;
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

export function appConfigFlagsSource(
  location: AppConfigFlagsLocation,
  client: AppConfigDataClient,
): FlagsDocumentSource {
  trackVersionLabels(client);
  const provider = new AppConfigProvider({
    application: location.application,
    environment: location.environment,
    awsSdkV3Client: client,
  });
  return {
    async fetch() {
      const body = (await provider.get(location.profile, { maxAge: location.maxAgeSeconds })) as
        | Uint8Array
        | undefined;
      return { body, versionLabel: versionLabels.get(client) };
    },
  };
}
