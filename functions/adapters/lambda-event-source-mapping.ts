/** The ingest flags' event source mapping (functions/core/ingest-flags.ts) through the Lambda API. */
import {
  GetEventSourceMappingCommand,
  type LambdaClient,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import type { IngestMapping } from '../core/ingest-flags';

export function lambdaEventSourceMapping(client: LambdaClient, uuid: string): IngestMapping {
  return {
    read: async () => {
      const mapping = await client.send(new GetEventSourceMappingCommand({ UUID: uuid }));
      return { state: mapping.State ?? 'Unknown', maxConcurrency: mapping.ScalingConfig?.MaximumConcurrency };
    },
    update: async ({ enabled, maxConcurrency }) => {
      await client.send(
        new UpdateEventSourceMappingCommand({
          UUID: uuid,
          Enabled: enabled,
          ScalingConfig: { MaximumConcurrency: maxConcurrency },
        }),
      );
    },
  };
}
