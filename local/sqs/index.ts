export { queueAttributes } from './attributes';
export {
  createEventSourceMapping,
  type EventSourceMapping,
  type EventSourceMappingOptions,
  type EventSourceMappingStats,
  parseBatchItemFailures,
  toSqsRecord,
} from './event-source-mapping';
export { md5OfMessageAttributes } from './md5';
export {
  createQueue,
  type MessageAttributeValue,
  type Queue,
  type QueueCounts,
  type QueueOptions,
  type ReceivedMessage,
  type ReceiveOptions,
  type SendResult,
  SqsError,
  type StoredMessage,
} from './queue';
export { createSqsService, type SqsService, type SqsServiceOptions } from './service';
export { checkQueueRequest, openUserQueues, type UserQueue, type UserQueues } from './user-queues';
