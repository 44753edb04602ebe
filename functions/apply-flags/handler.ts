/**
 * Scheduled (every minute on AWS, every second or so locally): applies the ingest flags to the
 * start-workflow function's SQS event source mapping. `processing` off disables the mapping, so
 * uploads wait in the queue without being received (and so without nearing the dead-letter
 * queue); on enables it again. `ingestThrottle` sets its maximum concurrency.
 */

import { lambda } from '../adapters/clients/lambda';
import { lambdaEventSourceMapping } from '../adapters/lambda-event-source-mapping';
import { applyIngestFlags } from '../core/ingest-flags';
import { loadEnv } from '../shared/env';
import { readFlags } from '../shared/flags';
import { instrumented } from '../shared/middleware';
import { emit, logger } from '../shared/observability';
import { APPLY_FLAGS_ENVIRONMENT } from './environment';

const env = loadEnv(APPLY_FLAGS_ENVIRONMENT);
const mapping = lambdaEventSourceMapping(lambda(), env.EVENT_SOURCE_MAPPING_ID);

export const handler = instrumented(async () => {
  const flags = await readFlags();
  const change = await applyIngestFlags(mapping, flags, env.DEFAULT_MAX_CONCURRENCY);
  if (change.action === 'updated') {
    logger.info(change.enabled ? 'Ingest switched on' : 'Ingest switched off', {
      ...change,
      flagsVersion: flags.version,
    });
    emit(change.enabled ? 'IngestEnabled' : 'IngestDisabled');
  } else {
    logger.debug('Ingest flags applied', { ...change, flagsVersion: flags.version });
    emit('IngestPaused', flags.processing ? 0 : 1);
  }
  return change;
});
