/**
 * AWS SDK clients, one module per service: each is created once per execution environment and
 * shared by every module of a function. One module per service so that a function imports, and
 * pays the cold-start cost of, only the clients it uses, whether the SDK is in its bundle or
 * comes from the runtime (infra/config/bundling.ts). Endpoints come from the standard AWS_ENDPOINT_URL /
 * AWS_ENDPOINT_URL_<SERVICE> variables, which is how the local cloud points the same code at
 * local services.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { traced } from '../../shared/tracing';

let client: EventBridgeClient | undefined;

/** Image events (functions/adapters/event-bus.ts). */
export function eventBridge(): EventBridgeClient {
  client ??= traced(new EventBridgeClient({}));
  return client;
}
