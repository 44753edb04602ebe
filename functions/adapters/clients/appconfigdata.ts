/**
 * AWS SDK clients, one module per service: each is created once per execution environment and
 * shared by every module of a function. One module per service so that a function imports, and
 * pays the cold-start cost of, only the clients it uses, whether the SDK is in its bundle or
 * comes from the runtime (infra/config/bundling.ts). Endpoints come from the standard AWS_ENDPOINT_URL /
 * AWS_ENDPOINT_URL_<SERVICE> variables, which is how the local cloud points the same code at
 * local services.
 */
import { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import { traced } from '../../shared/tracing';

let client: AppConfigDataClient | undefined;

/**
 * Feature flags (functions/adapters/appconfig-flags.ts). Short timeouts and one retry: when AppConfig is
 * slow or down, the functions fall back to safe defaults quickly instead of stalling a run.
 */
export function appConfigData(): AppConfigDataClient {
  client ??= traced(
    new AppConfigDataClient({
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 },
    }),
  );
  return client;
}
