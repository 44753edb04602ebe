/**
 * The images index backfill against a real (local) DynamoDB: IMAGE records written before the
 * index existed get their entry, and nothing the pipeline did in the meantime is undone.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backfillImagesIndex } from '../../../../functions/adapters/dynamodb/images-index-backfill';
import { keyHash } from '../../../../functions/core/labels-table';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../../support/local-dynamodb';

let local: LocalDynamoDb;
let db: DynamoDBDocumentClient;
let tableName: string;

/** An IMAGE record as the store step wrote it before the images index existed. */
const oldRecord = (key: string, updatedAt: string) => ({
  pk: `IMAGE#${key}`,
  sk: 'IMAGE',
  key,
  status: 'LABELED',
  labels: [
    { name: 'Dog', confidence: 80, parents: [], categories: [], aliases: [], instances: [] },
    { name: 'Ball', confidence: 95, parents: [], categories: [], aliases: [], instances: [] },
  ],
  labelNames: ['Dog', 'Ball'],
  updatedAt,
});

async function listed(): Promise<string[]> {
  const page = await db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :images',
      ExpressionAttributeValues: { ':images': 'IMAGES' },
      ScanIndexForward: false,
    }),
  );
  return (page.Items ?? []).map((item) => String(item.key));
}

const get = async (key: string) =>
  (await db.send(new GetCommand({ TableName: tableName, Key: { pk: `IMAGE#${key}`, sk: 'IMAGE' } }))).Item;

/** A client that runs `meanwhile` just before the backfill's first UpdateItem. */
function withConcurrentWrite(meanwhile: () => Promise<unknown>) {
  let done = false;
  const send = (async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
    if (command instanceof UpdateCommand && !done) {
      done = true;
      await meanwhile();
    }
    return db.send(command as never);
  }) as DynamoDBDocumentClient['send'];
  return { db: { send } as DynamoDBDocumentClient, tableName };
}

beforeAll(async () => {
  local = await startLocalDynamoDb({ dirPrefix: 'backfill-', marshallOptions: {} });
  db = local.db;
});

beforeEach(async () => {
  tableName = await local.freshTable();
});

afterAll(async () => {
  await local?.close();
});

describe('backfillImagesIndex', () => {
  it('gives every older IMAGE record its entry, newest first, and touches nothing else', async () => {
    await db.send(
      new PutCommand({ TableName: tableName, Item: oldRecord('a.jpg', '2025-01-01T00:00:00.000Z') }),
    );
    await db.send(
      new PutCommand({ TableName: tableName, Item: oldRecord('b.jpg', '2025-06-01T00:00:00.000Z') }),
    );
    const label = { pk: 'IMAGE#a.jpg', sk: 'LABEL#Dog', key: 'a.jpg', name: 'Dog', confidence: 80 };
    await db.send(new PutCommand({ TableName: tableName, Item: label }));

    expect(await backfillImagesIndex({ db, tableName })).toEqual({ found: 2, indexed: 2 });

    expect(await listed()).toEqual(['b.jpg', 'a.jpg']);
    expect(await get('a.jpg')).toMatchObject({
      gsi2pk: 'IMAGES',
      gsi2sk: `2025-01-01T00:00:00.000Z#${keyHash('a.jpg')}`,
      topLabels: ['Ball', 'Dog'],
    });
    const labelItem = await db.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'IMAGE#a.jpg', sk: 'LABEL#Dog' } }),
    );
    expect(labelItem.Item).toEqual(label);
  });

  it('finds nothing the second time', async () => {
    await db.send(
      new PutCommand({ TableName: tableName, Item: oldRecord('a.jpg', '2025-01-01T00:00:00.000Z') }),
    );
    await backfillImagesIndex({ db, tableName });

    expect(await backfillImagesIndex({ db, tableName })).toEqual({ found: 0, indexed: 0 });
  });

  it('leaves a record the pipeline rewrote meanwhile as the pipeline wrote it', async () => {
    await db.send(
      new PutCommand({ TableName: tableName, Item: oldRecord('a.jpg', '2025-01-01T00:00:00.000Z') }),
    );
    const rewritten = {
      ...oldRecord('a.jpg', '2026-01-01T00:00:00.000Z'),
      gsi2pk: 'IMAGES',
      gsi2sk: `2026-01-01T00:00:00.000Z#${keyHash('a.jpg')}`,
      topLabels: ['Ball', 'Dog'],
    };
    const table = withConcurrentWrite(() =>
      db.send(new PutCommand({ TableName: tableName, Item: rewritten })),
    );

    expect(await backfillImagesIndex(table)).toEqual({ found: 1, indexed: 0 });

    expect(await get('a.jpg')).toEqual(rewritten);
  });

  it('does not bring back a record deleted meanwhile', async () => {
    await db.send(
      new PutCommand({ TableName: tableName, Item: oldRecord('a.jpg', '2025-01-01T00:00:00.000Z') }),
    );
    const table = withConcurrentWrite(() =>
      db.send(new DeleteCommand({ TableName: tableName, Key: { pk: 'IMAGE#a.jpg', sk: 'IMAGE' } })),
    );

    expect(await backfillImagesIndex(table)).toEqual({ found: 1, indexed: 0 });

    expect(await get('a.jpg')).toBeUndefined();
    expect(await listed()).toEqual([]);
  });
});
