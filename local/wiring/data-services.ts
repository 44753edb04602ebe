/**
 * The services that hold data: the ingest queue and its dead-letter queue, S3 (whose bucket
 * notification feeds the queue), DynamoDB with the labels table's stream, and Rekognition
 * (which reads images from S3).
 */
import { join } from 'node:path';
import { IMAGE_SK, LABELS_TABLE_SCHEMA } from '../../functions/core/labels-table';
import { IMAGES_BUCKET_CORS } from '../../infra/config/console';
import type { StageConfig } from '../../infra/config/stage-config';
import type { PipelineTiming } from '../../infra/config/timing';
import { createDynamoDbService } from '../dynamodb';
import { captureWrites } from '../dynamodb/change-stream';
import { createRekognitionService, type LabelModel } from '../rekognition';
import { createS3Service } from '../s3';
import { createQueue } from '../sqs';
import type { FaultSwitches } from './faults';
import { ACCOUNT_ID, type LocalNames, REGION, type Stopper } from './names';

export interface DataServicesOptions {
  dataDir: string;
  names: LocalNames;
  config: StageConfig;
  timing: PipelineTiming;
  /** Read at each event (duplicateEvents) and at start (dynamoWriteThrottleRate). */
  switches: FaultSwitches;
  /** The console's origin, allowed by the images bucket's CORS rule. */
  consoleOrigin: string;
  model?: LabelModel;
  visibilityTimeoutSeconds?: number;
  stoppers: Stopper[];
}

export type DataServices = Awaited<ReturnType<typeof openDataServices>>;

/** Queues and S3 first: an upload accepted by S3 is a message in the durable queue. */
export async function openDataServices(options: DataServicesOptions) {
  const { dataDir, names, switches, stoppers } = options;
  const { queue, deadLetterQueue } = openQueues(options);
  const s3 = await createS3Service({
    dataDir: join(dataDir, 's3'),
    buckets: [names.bucket],
    region: REGION,
    // The images bucket's CORS rule, as CDK configures it for the console's origins.
    cors: { [names.bucket]: [{ ...IMAGES_BUCKET_CORS, allowedOrigins: [options.consoleOrigin] }] },
    // The bucket notification CDK configures: every ObjectCreated and ObjectRemoved event.
    onObjectEvent: (record) => {
      if (record.s3.bucket.name === names.bucket && /^Object(Created|Removed):/.test(record.eventName)) {
        const body = JSON.stringify({ Records: [record] });
        for (let copy = 0; copy < switches.duplicateEvents; copy++) queue.sendMessage(body);
      }
    },
  });
  stoppers.push(() => s3.close());

  const dynamodb = await createDynamoDbService({
    path: join(dataDir, 'dynamodb'),
    faults: { writeThrottleRate: switches.dynamoWriteThrottleRate },
  });
  stoppers.push(() => dynamodb.close());
  // The labels table's stream, as the event source of count-labels filters it: IMAGE items.
  const captured = await captureWrites(dynamodb.handler, {
    tableName: names.table,
    dir: join(dataDir, 'dynamodb-stream'),
    capture: (keys) => keys[LABELS_TABLE_SCHEMA.sortKey]?.S === IMAGE_SK,
    keyAttributes: [LABELS_TABLE_SCHEMA.partitionKey, LABELS_TABLE_SCHEMA.sortKey],
    region: REGION,
    accountId: ACCOUNT_ID,
  });
  stoppers.push(() => captured.close());

  const rekognition = createRekognitionService({
    readObject: (bucket, key, versionId) => s3.readObject(bucket, key, versionId),
    ...(options.model ? { model: options.model } : {}),
  });
  stoppers.push(() => rekognition.close());
  return {
    queue,
    deadLetterQueue,
    s3,
    dynamodb: { ...dynamodb, handler: captured.handler },
    labelsStream: captured.stream,
    rekognition,
  };
}

function openQueues(options: DataServicesOptions) {
  const { dataDir, names, config, timing, stoppers } = options;
  const deadLetterQueue = createQueue({
    name: names.deadLetterQueue,
    dir: join(dataDir, 'sqs'),
    region: REGION,
    accountId: ACCOUNT_ID,
  });
  const queue = createQueue({
    name: names.queue,
    dir: join(dataDir, 'sqs'),
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? timing.queueVisibilityTimeoutSeconds,
    maxReceiveCount: config.ingest.maxReceiveCount,
    deadLetterQueue,
    region: REGION,
    accountId: ACCOUNT_ID,
  });
  stoppers.push(
    () => queue.close(),
    () => deadLetterQueue.close(),
  );
  return { queue, deadLetterQueue };
}
