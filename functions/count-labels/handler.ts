/**
 * The labels table's stream, in tumbling windows: adds each batch's label changes to the
 * window's state, and on the window's final invocation writes the sums to the label counts,
 * exactly once per shard (core/label-counts.ts). GET /labels reads those counts.
 */
import { dynamo } from '../adapters/clients/dynamodb';
import { labelCountsLedger } from '../adapters/dynamodb/label-counts';
import { countWindow, parseCountWindow } from '../core/count-window';
import { loadEnv } from '../shared/env';
import { instrumented } from '../shared/middleware';
import { emit, logger } from '../shared/observability';
import { COUNT_LABELS_ENVIRONMENT } from './environment';

const env = loadEnv(COUNT_LABELS_ENVIRONMENT);
const ledger = labelCountsLedger({ db: dynamo(), tableName: env.LABELS_TABLE_NAME });

export const handler = instrumented(async (event: unknown) => {
  const window = parseCountWindow(event);
  const outcome = await countWindow(ledger, window, new Date());
  emit('LabelChangesCounted', outcome.changesCounted);
  if (window.isFinal) {
    emit('LabelCountsWritten', outcome.countsWritten);
    logger.info('Label counts window applied', {
      shardId: window.shardId,
      countsWritten: outcome.countsWritten,
      alreadyCounted: outcome.alreadyCounted,
    });
  }
  return { state: outcome.state };
});
