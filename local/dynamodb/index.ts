/**
 * Local DynamoDB: dynalite (in-process, LevelDB on disk) behind the edge router, and the labels
 * table created with the same keys and indexes as the CDK construct.
 */
import type http from 'node:http';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createTable, describeTable, migrateLabelsTable } from './migrate';

export interface DynamoDbFaults {
  /** Probability 0..1 that a write (Put, Update, Delete, BatchWrite) is throttled. */
  writeThrottleRate: number;
}

export interface DynamoDbService {
  handler: http.RequestListener;
  /** Fault injection, changeable while running. */
  faults: DynamoDbFaults;
  /** Writes throttled so far by the fault injector. */
  throttledWrites(): number;
  close(): Promise<void>;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

export async function createDynamoDbService(options: {
  path: string;
  faults?: Partial<DynamoDbFaults>;
  random?: () => number;
}): Promise<DynamoDbService> {
  const faults: DynamoDbFaults = { writeThrottleRate: 0, ...options.faults };
  const random = options.random ?? Math.random;
  let throttled = 0;
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // dynalite only offers an http.Server; the edge router calls its one 'request' listener
  // directly. The server still listens on a private loopback port because dynalite closes its
  // LevelDB store only from server.close(), which fails on a server that never listened.
  const [dynaliteHandler] = server.listeners('request') as http.RequestListener[];
  if (!dynaliteHandler) throw new Error('dynalite exposed no request handler');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const handler: http.RequestListener = (request, response) => {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (faults.writeThrottleRate > 0 && WRITES.has(operation) && random() < faults.writeThrottleRate) {
      throttled++;
      // Answer as DynamoDB does, after reading the request like a real server would.
      request.resume();
      request.on('end', () => {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
            message:
              'The level of configured provisioned throughput for the table was exceeded (injected by the local fault injector)',
          }),
        );
      });
      return;
    }
    dynaliteHandler(request, response);
  };
  return {
    handler,
    faults,
    throttledWrites: () => throttled,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/**
 * Creates the labels table if it does not exist (data persists across restarts), and adds the
 * indexes a table of an older data dir lacks, keeping its items (migrate.ts).
 */
export async function ensureLabelsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await migrateLabelsTable(client, tableName);
  if (!(await describeTable(client, tableName))) await createTable(client, tableName);
}
