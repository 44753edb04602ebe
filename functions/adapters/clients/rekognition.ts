/**
 * AWS SDK clients, one module per service: each is created once per execution environment and
 * shared by every module of a function. One module per service so that a function imports, and
 * pays the cold-start cost of, only the clients it uses, whether the SDK is in its bundle or
 * comes from the runtime (infra/config/bundling.ts). Endpoints come from the standard AWS_ENDPOINT_URL /
 * AWS_ENDPOINT_URL_<SERVICE> variables, which is how the local cloud points the same code at
 * local services.
 */
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { traced } from '../../shared/tracing';

let client: RekognitionClient | undefined;

/**
 * Retries of Rekognition throttling live in the state machine (backoff with full jitter,
 * visible in the execution history and capped by MaxDelaySeconds), so the SDK does not retry
 * underneath them: layered retries would multiply.
 */
export function rekognition(): RekognitionClient {
  client ??= traced(new RekognitionClient({ maxAttempts: 1 }));
  return client;
}
