/**
 * SQS -> Step Functions. Consumes S3 event notifications in batches and runs the label-image
 * workflow synchronously for each object version. Reports partial batch failures, so one bad
 * message is retried (and finally dead-lettered) without redriving its neighbours.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { dynamo } from '../adapters/clients/dynamodb';
import { eventBridge } from '../adapters/clients/eventbridge';
import { sfn } from '../adapters/clients/sfn';
import { removeImageRecords } from '../adapters/dynamodb/image-removal';
import { eventBusPublisher } from '../adapters/event-bus';
import { runWorkflow } from '../adapters/step-functions-runner';
import { createBatchRunner, parseQueueMessage, type WorkflowStarter } from '../core/ingest';
import { pausedBatch } from '../core/ingest-flags';
import { loadEnv } from '../shared/env';
import { readFlags } from '../shared/flags';
import { instrumented } from '../shared/middleware';
import { emit, logger } from '../shared/observability';
import { START_WORKFLOW_ENVIRONMENT } from './environment';

const env = loadEnv(START_WORKFLOW_ENVIRONMENT);
const processor = new BatchProcessor(EventType.SQS);
// Every batch starts workflows; only deletions write to the table or publish, so those two
// clients are built when first needed.
const workflows = sfn();
const events = eventBusPublisher(eventBridge, env.EVENT_BUS_NAME);

async function handleRecord(record: SQSRecord, run: WorkflowStarter) {
  const message = parseQueueMessage(record.body);
  if (message.kind === 'test-event') {
    logger.info('Ignoring the S3 test event', { messageId: record.messageId });
    return;
  }
  for (const event of message.events) {
    if (event.kind === 'removed') {
      // An object deleted (through the API or any other way): every record of it goes.
      const { key, eventName, versionId, sequencer } = event.removal;
      const table = { db: dynamo(), tableName: env.LABELS_TABLE_NAME };
      const result = await removeImageRecords(table, key, { eventName, versionId, sequencer }, { events });
      logger.info('Object removed', { key, eventName, versionId, ...result });
      continue;
    }
    if (event.kind === 'ignored') {
      logger.info('Ignoring a non-creation event', { eventName: event.eventName, key: event.key });
      continue;
    }
    const { object } = event.input;
    const result = await run(event.input);
    logger.info('Workflow finished', {
      key: object.key,
      versionId: object.versionId,
      outcome: result.outcome,
      executionArn: result.executionArn,
      receiveCount: record.attributes.ApproximateReceiveCount,
    });
  }
}

export const handler = instrumented(async (event: SQSEvent, context) => {
  emit('MessagesReceived', event.Records.length);
  // Kill switch: hand the batch back untouched (apply-flags disables this event source soon after;
  // functions/core/ingest-flags.ts explains why that, not failing messages, is the pause).
  if (!(await readFlags()).processing) {
    logger.warn('Processing is switched off: the batch goes back to the queue', {
      messages: event.Records.length,
    });
    emit('MessagesPaused', event.Records.length);
    return pausedBatch(event.Records);
  }
  const run = createBatchRunner((input) => runWorkflow(workflows, env.STATE_MACHINE_ARN, input));
  const response = await processPartialResponse(
    event,
    (record: SQSRecord) => handleRecord(record, run),
    processor,
    {
      context,
    },
  );
  if (response.batchItemFailures.length > 0) {
    emit('MessagesFailed', response.batchItemFailures.length);
  }
  return response;
});
