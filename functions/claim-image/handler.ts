/** Workflow task: takes the idempotency claim on the object version (see core/labels-store.ts). */

import { dynamo } from '../adapters/clients/dynamodb';
import { claimVersion } from '../adapters/dynamodb/labels-store';
import { parseTaskInput } from '../core/task-input';
import { ClaimInputSchema } from '../core/workflow-schemas';
import { loadEnv } from '../shared/env';
import { instrumented } from '../shared/middleware';
import { emit, logger } from '../shared/observability';
import { CLAIM_IMAGE_ENVIRONMENT } from './environment';

const env = loadEnv(CLAIM_IMAGE_ENVIRONMENT);
const table = { db: dynamo(), tableName: env.LABELS_TABLE_NAME };

export const handler = instrumented(async (event: unknown) => {
  const { object, reprocess } = parseTaskInput(ClaimInputSchema, event);
  const result = await claimVersion(table, object, {
    now: new Date(),
    leaseSeconds: env.CLAIM_LEASE_SECONDS,
    reprocess,
  });
  if (result.status === 'ALREADY_DONE') {
    emit('DuplicateSkipped');
    logger.info('Object version already processed; skipping', {
      key: object.key,
      versionId: object.versionId,
    });
  } else if (result.attempt > 1) {
    emit('ReprocessAttempts');
  }
  return result;
});
