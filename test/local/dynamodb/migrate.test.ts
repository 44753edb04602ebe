/**
 * The local labels table of an older data dir (only the labels index) gains the images index
 * on start, keeps every item, and lists its old images; an interrupted migration finishes on
 * the next start without losing anything.
 */
import {
  type AttributeValue,
  CreateTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyHash } from '../../../functions/core/labels-table';
import { ensureLabelsTable } from '../../../local/dynamodb';
import { createTable, describeTable, migrationTableName } from '../../../local/dynamodb/migrate';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../support/local-dynamodb';

let local: LocalDynamoDb;
let client: DynamoDBClient;

type Item = Record<string, AttributeValue>;

/** What an older data dir holds: an image, one of its labels, and a label count with a set. */
const OLD_ITEMS: Item[] = [
  {
    pk: { S: 'IMAGE#old.jpg' },
    sk: { S: 'IMAGE' },
    key: { S: 'old.jpg' },
    status: { S: 'LABELED' },
    objectVersion: { S: 'etag:e' },
    labels: {
      L: [
        { M: { name: { S: 'Dog' }, confidence: { N: '80.5' } } },
        { M: { name: { S: 'Ball' }, confidence: { N: '95' } } },
      ],
    },
    labelNames: { L: [{ S: 'Dog' }, { S: 'Ball' }] },
    updatedAt: { S: '2025-12-31T23:00:00.000Z' },
  },
  {
    pk: { S: 'IMAGE#old.jpg' },
    sk: { S: 'LABEL#Dog' },
    gsi1pk: { S: 'LABEL#dog' },
    gsi1sk: { S: '080.500#h' },
    key: { S: 'old.jpg' },
    name: { S: 'Dog' },
    confidence: { N: '80.5' },
    objectVersion: { S: 'etag:e' },
  },
  {
    pk: { S: 'LABELS' },
    sk: { S: 'LABEL#dog' },
    name: { S: 'Dog' },
    imageCount: { N: '1' },
    tokens: { SS: ['t1'] },
  },
];

async function createOldTable(name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((attribute) => ({
        AttributeName: attribute,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: ['key', 'name', 'confidence', 'objectVersion'],
          },
        },
      ],
    }),
  );
  for (let attempt = 0; (await describeTable(client, name))?.TableStatus !== 'ACTIVE'; attempt++) {
    if (attempt > 100) throw new Error('table not active');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function put(table: string, items: Item[]): Promise<void> {
  for (const item of items) await client.send(new PutItemCommand({ TableName: table, Item: item }));
}

async function scan(table: string): Promise<Item[]> {
  const items = (await client.send(new ScanCommand({ TableName: table }))).Items ?? [];
  return items.sort((a, b) => `${a.pk?.S}|${a.sk?.S}`.localeCompare(`${b.pk?.S}|${b.sk?.S}`));
}

const sorted = (items: Item[]) =>
  [...items].sort((a, b) => `${a.pk?.S}|${a.sk?.S}`.localeCompare(`${b.pk?.S}|${b.sk?.S}`));

/** The old items as they must come out: the IMAGE item with its images-index entry. */
const MIGRATED: Item[] = sorted(
  OLD_ITEMS.map((item) =>
    item.sk?.S === 'IMAGE'
      ? {
          ...item,
          gsi2pk: { S: 'IMAGES' },
          gsi2sk: { S: `2025-12-31T23:00:00.000Z#${keyHash('old.jpg')}` },
          topLabels: { L: [{ S: 'Ball' }, { S: 'Dog' }] },
        }
      : item,
  ),
);

async function listed(table: string): Promise<string[]> {
  const page = await client.send(
    new QueryCommand({
      TableName: table,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :images',
      ExpressionAttributeValues: { ':images': { S: 'IMAGES' } },
      ScanIndexForward: false,
    }),
  );
  return (page.Items ?? []).map((item) => String(item.key?.S));
}

const indexesOf = async (table: string) =>
  ((await describeTable(client, table))?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort();

beforeAll(async () => {
  local = await startLocalDynamoDb({ dirPrefix: 'migrate-' });
  client = local.client;
});

afterAll(async () => {
  await local?.close();
});

describe('ensureLabelsTable on an older data dir', () => {
  it('adds the images index, keeps every item and lists the old images', async () => {
    const table = local.nextTableName();
    await createOldTable(table);
    await put(table, OLD_ITEMS);

    await ensureLabelsTable(client, table);

    expect(await indexesOf(table)).toEqual(['gsi1', 'gsi2']);
    expect(await scan(table)).toEqual(MIGRATED);
    expect(await listed(table)).toEqual(['old.jpg']);
    expect(await describeTable(client, migrationTableName(table))).toBeUndefined();
  });

  it('leaves a current table alone', async () => {
    const table = local.nextTableName();
    await ensureLabelsTable(client, table);
    await put(table, OLD_ITEMS);

    await ensureLabelsTable(client, table);

    expect(await scan(table)).toEqual(sorted(OLD_ITEMS));
  });

  it('finishes a migration interrupted after the table was dropped, from its complete copy', async () => {
    const table = local.nextTableName();
    const copy = migrationTableName(table);
    await createOldTable(copy);
    await put(copy, [...OLD_ITEMS, { pk: { S: '#migration' }, sk: { S: 'complete' } }]);

    await ensureLabelsTable(client, table);

    expect(await indexesOf(table)).toEqual(['gsi1', 'gsi2']);
    expect(await scan(table)).toEqual(MIGRATED);
    expect(await describeTable(client, copy)).toBeUndefined();
  });

  it('starts over from the table when the copy was interrupted before it was complete', async () => {
    const table = local.nextTableName();
    const copy = migrationTableName(table);
    await createOldTable(table);
    await put(table, OLD_ITEMS);
    await createOldTable(copy);
    await put(copy, OLD_ITEMS.slice(0, 1)); // half a copy, no marker

    await ensureLabelsTable(client, table);

    expect(await scan(table)).toEqual(MIGRATED);
    expect(await describeTable(client, copy)).toBeUndefined();
  });

  it('copies back again when the copy-back was interrupted', async () => {
    const table = local.nextTableName();
    const copy = migrationTableName(table);
    await createOldTable(copy);
    await put(copy, [...OLD_ITEMS, { pk: { S: '#migration' }, sk: { S: 'complete' } }]);
    await createTable(client, table); // the new table, with a part of the items copied back
    await put(table, MIGRATED.slice(0, 1));

    await ensureLabelsTable(client, table);

    expect(await scan(table)).toEqual(MIGRATED);
    expect(await describeTable(client, copy)).toBeUndefined();
  });
});
