/**
 * Adds the indexes a labels table of an older data dir lacks, without losing an item.
 *
 * dynalite accepts UpdateTable's GlobalSecondaryIndexUpdates but ignores `Create` (it only
 * changes throughput), so the table is rebuilt instead, through a copy that survives a crash
 * at any step:
 *
 *   1. copy every item into `<table>.migration` (keys only, no index), then put a marker item;
 *   2. delete the table and create it with the current schema;
 *   3. copy the items back, give the IMAGE items their images-index entry
 *      (functions/adapters/dynamodb/images-index-backfill.ts), then delete the copy.
 *
 * On the next start, a copy without its marker is an interrupted step 1 (the table is still
 * whole: start over), and a copy with its marker is an interrupted step 2 or 3 (finish them).
 * Puts are idempotent, so copying back twice is harmless. Runs before any function does.
 */
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  ScanCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { backfillImagesIndex } from '../../functions/adapters/dynamodb/images-index-backfill';
import { LABELS_TABLE_SCHEMA as SCHEMA } from '../../functions/core/labels-table';

type Item = Record<string, AttributeValue>;

const MARKER: Item = { [SCHEMA.partitionKey]: { S: '#migration' }, [SCHEMA.sortKey]: { S: 'complete' } };

export const migrationTableName = (tableName: string) => `${tableName}.migration`;

export async function describeTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** The schema's indexes the table lacks. */
export function missingIndexes(table: TableDescription): string[] {
  const present = new Set((table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  return SCHEMA.indexes.map((index) => index.name).filter((name) => !present.has(name));
}

async function waitActive(client: DynamoDBClient, tableName: string): Promise<void> {
  // A new table is CREATING for a moment (dynalite flips it on a timer, which a busy machine
  // delays): item calls before ACTIVE fail with ResourceNotFoundException.
  for (let attempt = 0; attempt < 100; attempt++) {
    const table = await describeTable(client, tableName);
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every(
      (index) => index.IndexStatus === 'ACTIVE',
    );
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Table ${tableName} did not become ACTIVE`);
}

async function waitGone(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (!(await describeTable(client, tableName))) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Table ${tableName} was not deleted`);
}

/** Creates the labels table with the current schema (or, `keysOnly`, the migration copy). */
export async function createTable(
  client: DynamoDBClient,
  tableName: string,
  options: { keysOnly?: boolean } = {},
): Promise<void> {
  const indexes = options.keysOnly ? [] : SCHEMA.indexes;
  const keyNames = [
    SCHEMA.partitionKey,
    SCHEMA.sortKey,
    ...indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keyNames.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
      ...(indexes.length > 0
        ? {
            GlobalSecondaryIndexes: indexes.map((index) => ({
              IndexName: index.name,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' },
                { AttributeName: index.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.nonKeyAttributes] },
            })),
          }
        : {}),
    }),
  );
  await waitActive(client, tableName);
}

async function deleteTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  await waitGone(client, tableName);
}

async function copyItems(
  client: DynamoDBClient,
  from: string,
  to: string,
  transform: (item: Item) => Item | undefined,
): Promise<number> {
  let copied = 0;
  let start: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: from, ExclusiveStartKey: start, Limit: 250 }),
    );
    const items = (page.Items ?? []).map(transform).filter((item): item is Item => item !== undefined);
    for (let index = 0; index < items.length; index += 25) {
      let pending = items.slice(index, index + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 20) throw new Error(`Copying ${from} to ${to}: writes stayed unprocessed`);
        const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [to]: pending } }));
        pending = (result.UnprocessedItems?.[to] ?? []) as typeof pending;
      }
    }
    copied += items.length;
    start = page.LastEvaluatedKey;
  } while (start);
  return copied;
}

async function hasMarker(client: DynamoDBClient, tableName: string): Promise<boolean> {
  const result = await client.send(
    new GetItemCommand({ TableName: tableName, Key: MARKER, ConsistentRead: true }),
  );
  return result.Item !== undefined;
}

const isMarker = (item: Item) =>
  item[SCHEMA.partitionKey]?.S === MARKER[SCHEMA.partitionKey]?.S &&
  item[SCHEMA.sortKey]?.S === MARKER[SCHEMA.sortKey]?.S;

/**
 * Brings an existing labels table to the current schema (see the header). Returns the number
 * of items carried over, or 0 when the table already had every index.
 */
export async function migrateLabelsTable(client: DynamoDBClient, tableName: string): Promise<number> {
  const copyName = migrationTableName(tableName);
  let copy = await describeTable(client, copyName);
  if (copy && !(await hasMarker(client, copyName))) {
    await deleteTable(client, copyName); // an interrupted step 1: the table is still whole
    copy = undefined;
  }
  const table = await describeTable(client, tableName);
  if (!copy) {
    if (!table || missingIndexes(table).length === 0) return 0;
    await createTable(client, copyName, { keysOnly: true });
    await copyItems(client, tableName, copyName, (item) => item);
    await client.send(new PutItemCommand({ TableName: copyName, Item: MARKER }));
  }
  const current = await describeTable(client, tableName);
  if (current && missingIndexes(current).length > 0) await deleteTable(client, tableName);
  if (!current || missingIndexes(current).length > 0) await createTable(client, tableName);
  const copied = await copyItems(client, copyName, tableName, (item) => (isMarker(item) ? undefined : item));
  await backfillImagesIndex({ db: DynamoDBDocumentClient.from(client), tableName });
  await deleteTable(client, copyName);
  return copied;
}
