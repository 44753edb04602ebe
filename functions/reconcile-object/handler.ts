/**
 * Backfill child task (statemachines/backfill.asl.json): reconciles one object of the images
 * bucket, as the Distributed Map's S3 ItemReader lists it. When the object lacks its final
 * record (or, with `relabel`, carries an older label model or other label settings) it goes back
 * on the ingest queue: see functions/core/reconcile.ts.
 */

import * as v from 'valibot';
import { dynamo } from '../adapters/clients/dynamodb';
import { s3 } from '../adapters/clients/s3';
import { sqs } from '../adapters/clients/sqs';
import { reconcileDeps } from '../adapters/reconcile-sources';
import { labelSettingsFrom } from '../core/flags';
import { type RelabelTarget, reconcileObject } from '../core/reconcile';
import { parseTaskInput } from '../core/task-input';
import { loadEnv } from '../shared/env';
import { readFlags } from '../shared/flags';
import { instrumented } from '../shared/middleware';
import { emit, logger } from '../shared/observability';
import { RECONCILE_OBJECT_ENVIRONMENT } from './environment';

const env = loadEnv(RECONCILE_OBJECT_ENVIRONMENT);
const sources = reconcileDeps({
  s3: s3(),
  sqs: sqs(),
  table: { db: dynamo(), tableName: env.LABELS_TABLE_NAME },
  queueUrl: env.INGEST_QUEUE_URL,
});

/** One item of the ItemReader (S3 ListObjectsV2 Contents), with the execution's options. */
export const ReconcileTaskSchema = v.object({
  bucket: v.pipe(v.string(), v.minLength(3), v.maxLength(63)),
  object: v.looseObject({ Key: v.pipe(v.string(), v.minLength(1), v.maxLength(1024)) }),
  /** The backfill execution's input, defaults applied (statemachines/backfill.asl.json). */
  options: v.optional(
    v.looseObject({
      /** Relabel LABELED records whose settings differ from the ones a detection would use now. */
      relabel: v.optional(v.boolean(), false),
      /** With relabel: also relabel records of any other label model version. */
      labelModelVersion: v.optional(v.pipe(v.string(), v.minLength(1))),
    }),
    { relabel: false },
  ),
});

export const handler = instrumented(async (event: unknown) => {
  const task = parseTaskInput(ReconcileTaskSchema, event);
  let target: RelabelTarget | undefined;
  if (task.options.relabel) {
    const {
      flagsVersion: _version,
      flagsSource: _source,
      ...settings
    } = labelSettingsFrom(await readFlags(), {
      minConfidence: env.MIN_CONFIDENCE,
      maxLabels: env.MAX_LABELS,
    });
    target = { settings, labelModelVersion: task.options.labelModelVersion };
  }
  const result = await reconcileObject(sources, task.bucket, task.object.Key, { target });
  if (result.enqueued) emit('ReconcileEnqueued');
  logger.info('Object reconciled', {
    key: result.key,
    status: result.status,
    detail: result.detail,
    enqueued: result.enqueued,
  });
  return { key: result.key, status: result.status, enqueued: result.enqueued };
});
