/**
 * Workflow task: records a REJECTED image (with its reason) or a FAILED run (with its error)
 * as the image's current record, removes label entries that no longer describe it, and announces
 * the outcome (see core/outcome.ts).
 */

import { dynamo } from '../adapters/clients/dynamodb';
import { eventBridge } from '../adapters/clients/eventbridge';
import { labelsTableOutcomeStore } from '../adapters/dynamodb/outcome-store';
import { eventBusPublisher } from '../adapters/event-bus';
import { parseRejection, parseTaskCause } from '../core/errors';
import { objectVersionOf } from '../core/labels-table';
import { recordFinalOutcome } from '../core/outcome';
import { RecordOutcomeInputSchema } from '../core/record-outcome-schemas';
import { parseTaskInput } from '../core/task-input';
import { loadEnv } from '../shared/env';
import { instrumented } from '../shared/middleware';
import { emit, logger } from '../shared/observability';
import { RECORD_OUTCOME_ENVIRONMENT } from './environment';

const env = loadEnv(RECORD_OUTCOME_ENVIRONMENT);
const deps = {
  store: labelsTableOutcomeStore({ db: dynamo(), tableName: env.LABELS_TABLE_NAME }),
  events: eventBusPublisher(eventBridge(), env.EVENT_BUS_NAME),
};

export const handler = instrumented(async (event: unknown) => {
  const { outcome, state } = parseTaskInput(RecordOutcomeInputSchema, event);
  const { object, image, error, claim } = state;
  const cause = parseTaskCause(error.Cause);
  if (claim?.status !== 'CLAIMED') {
    // ClaimImage itself failed, so this run never held the version: it may be LABELED already
    // or held by another run, whose records a FAILED write would overwrite. The run still ends
    // Failed and the queue delivers the event again.
    emit('ImagesFailed');
    logger.error('Claim failed; the version is left as it is', {
      key: object.key,
      error: { name: error.Error, message: cause.errorMessage.slice(0, 2000) },
    });
    return { outcome, reason: null, superseded: false, recorded: false };
  }
  const now = new Date();
  const rejection = outcome === 'REJECTED' ? parseRejection(cause.errorMessage) : undefined;
  const failure =
    outcome === 'FAILED' ? { name: error.Error, message: cause.errorMessage.slice(0, 2000) } : undefined;

  const result = await recordFinalOutcome(
    deps,
    {
      bucket: object.bucket,
      key: object.key,
      status: outcome,
      objectVersion: objectVersionOf(object),
      versionId: object.versionId,
      eTag: object.eTag,
      sequencer: object.sequencer,
      size: image?.size ?? object.size,
      image,
      labels: [],
      reason: rejection?.reason,
      detail: rejection?.detail,
      error: failure,
      updatedAt: now.toISOString(),
    },
    object,
    now,
  );

  if (outcome === 'FAILED') {
    emit('ImagesFailed');
    logger.error('Image processing failed', { key: object.key, error: failure });
  } else {
    logger.info('Image rejected', { key: object.key, reason: rejection?.reason, detail: rejection?.detail });
  }
  return { outcome, reason: rejection?.reason ?? null, superseded: result.superseded, recorded: true };
});
