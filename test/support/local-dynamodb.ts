/**
 * A real (local) DynamoDB for tests: dynalite on a temporary data dir behind a loopback port, a
 * DynamoDBClient and a DynamoDBDocumentClient against it, and fresh labels tables on demand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, type TranslateConfig } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbService, ensureLabelsTable } from '../../local/dynamodb';

export interface LocalDynamoDb {
  client: DynamoDBClient;
  db: DynamoDBDocumentClient;
  /** A table name not handed out before: labels-1, labels-2, ... */
  nextTableName(): string;
  /** A new, empty labels table (ensureLabelsTable), under the next table name. */
  freshTable(): Promise<string>;
  /** Stops the clients and the service, and removes the data dir. */
  close(): Promise<void>;
}

export async function startLocalDynamoDb(options: {
  /** Prefix of the temporary data dir's name. */
  dirPrefix: string;
  /** How the document client marshalls; removeUndefinedValues unless told otherwise. */
  marshallOptions?: TranslateConfig['marshallOptions'];
}): Promise<LocalDynamoDb> {
  const dir = mkdtempSync(join(tmpdir(), options.dirPrefix));
  const service = await createDynamoDbService({ path: dir });
  const server = http.createServer(service.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const db = DynamoDBDocumentClient.from(client, {
    marshallOptions: options.marshallOptions ?? { removeUndefinedValues: true },
  });
  let tables = 0;
  const nextTableName = () => `labels-${++tables}`;
  return {
    client,
    db,
    nextTableName,
    freshTable: async () => {
      const tableName = nextTableName();
      await ensureLabelsTable(client, tableName);
      return tableName;
    },
    close: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
