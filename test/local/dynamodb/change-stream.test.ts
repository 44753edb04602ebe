/**
 * The local DynamoDB stream: writes of captured items become records with their old and new
 * images, in order, durably; other writes pass untouched; a kill between a write and its record
 * is repaired when the journal is opened again.
 */
import fs, { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDynamoDbService, type DynamoDbService, ensureLabelsTable } from '../../../local/dynamodb';
import {
  type CapturedService,
  captureWrites,
  type StreamRecord,
} from '../../../local/dynamodb/change-stream';

const TABLE = 'labels';

let dir: string;
let service: DynamoDbService;
let captured: CapturedService;
let server: http.Server;
let db: DynamoDBDocumentClient;

async function open(): Promise<void> {
  service = await createDynamoDbService({ path: join(dir, 'db') });
  captured = await captureWrites(service.handler, {
    tableName: TABLE,
    dir: join(dir, 'stream'),
    capture: (keys) => keys.sk?.S === 'IMAGE',
    keyAttributes: ['pk', 'sk'],
    region: 'us-east-1',
    accountId: '000000000000',
  });
  server = http.createServer(captured.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  db = DynamoDBDocumentClient.from(client);
  await ensureLabelsTable(client, TABLE);
}

async function close(): Promise<void> {
  db.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await captured.close();
  await service.close();
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'change-stream-'));
  await open();
});

afterEach(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
});

const image = (key: string, labelNames: string[]) => ({ pk: `IMAGE#${key}`, sk: 'IMAGE', labelNames });
const names = (record: StreamRecord | undefined, which: 'OldImage' | 'NewImage') =>
  record?.dynamodb[which]?.labelNames?.L?.map((name) => name.S);
const all = () => captured.stream.read(undefined, 100);

describe('the local DynamoDB stream', () => {
  it('records an INSERT, a MODIFY and a REMOVE with their old and new images', async () => {
    await db.send(new PutCommand({ TableName: TABLE, Item: image('a.jpg', ['Dog']) }));
    await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: 'IMAGE#a.jpg', sk: 'IMAGE' },
        UpdateExpression: 'SET labelNames = :names',
        ExpressionAttributeValues: { ':names': ['Dog', 'Beach'] },
      }),
    );
    await db.send(new DeleteCommand({ TableName: TABLE, Key: { pk: 'IMAGE#a.jpg', sk: 'IMAGE' } }));

    const records = all();
    expect(records.map((record) => record.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    expect(records.map((record) => [names(record, 'OldImage'), names(record, 'NewImage')])).toEqual([
      [undefined, ['Dog']],
      [['Dog'], ['Dog', 'Beach']],
      [['Dog', 'Beach'], undefined],
    ]);
    expect(records[0]).toMatchObject({
      eventSource: 'aws:dynamodb',
      eventVersion: '1.1',
      eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/labels/stream/local',
      dynamodb: {
        Keys: { pk: { S: 'IMAGE#a.jpg' }, sk: { S: 'IMAGE' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    const sequences = records.map((record) => record.dynamodb.SequenceNumber);
    expect(sequences).toEqual([...sequences].sort());
    expect(new Set(sequences).size).toBe(3);
  });

  it('records nothing for items it does not capture, a write that changes nothing, or a failed condition', async () => {
    await db.send(new PutCommand({ TableName: TABLE, Item: { pk: 'IMAGE#a.jpg', sk: 'LABEL#Dog' } }));
    await db.send(new PutCommand({ TableName: TABLE, Item: image('a.jpg', ['Dog']) }));
    await db.send(new PutCommand({ TableName: TABLE, Item: image('a.jpg', ['Dog']) }));
    await expect(
      db.send(
        new PutCommand({
          TableName: TABLE,
          Item: image('a.jpg', ['Cat']),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    ).rejects.toThrow('conditional');

    expect(all().map((record) => record.eventName)).toEqual(['INSERT']);
  });

  it('records each captured item of a BatchWriteItem, puts and deletes', async () => {
    await db.send(new PutCommand({ TableName: TABLE, Item: image('old.jpg', ['Cat']) }));
    await db.send(
      new BatchWriteCommand({
        RequestItems: {
          [TABLE]: [
            { PutRequest: { Item: { pk: 'IMAGE#b.jpg', sk: 'LABEL#Dog' } } },
            { PutRequest: { Item: image('b.jpg', ['Dog']) } },
            { DeleteRequest: { Key: { pk: 'IMAGE#old.jpg', sk: 'IMAGE' } } },
          ],
        },
      }),
    );

    expect(all().map((record) => `${record.eventName} ${record.dynamodb.Keys.pk?.S}`)).toEqual([
      'INSERT IMAGE#old.jpg',
      'INSERT IMAGE#b.jpg',
      'REMOVE IMAGE#old.jpg',
    ]);
  });

  it('flushes a captured write twice: its pending line before the write, its records and its end before the answer', async () => {
    const flushes = vi.spyOn(fs, 'fsyncSync');
    try {
      await db.send(
        new BatchWriteCommand({
          RequestItems: {
            [TABLE]: [
              { PutRequest: { Item: image('a.jpg', ['Cat']) } },
              { PutRequest: { Item: image('b.jpg', ['Dog']) } },
            ],
          },
        }),
      );
      expect(flushes).toHaveBeenCalledTimes(2);
    } finally {
      flushes.mockRestore();
    }
    const lines = readFileSync(join(dir, 'stream', 'stream.journal'), 'utf8')
      .trimEnd()
      .split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { t: string }).t)).toEqual([
      'pending',
      'record',
      'record',
      'done',
    ]);
  });

  it('chains the images of concurrent writes to one item: each old image is the previous new one', async () => {
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        db.send(new PutCommand({ TableName: TABLE, Item: image('a.jpg', [`Label ${index}`]) })),
      ),
    );

    const records = all();
    expect(records).toHaveLength(10);
    for (const [index, record] of records.entries()) {
      expect(names(record, 'OldImage')).toEqual(
        index === 0 ? undefined : names(records[index - 1], 'NewImage'),
      );
    }
  });

  it('keeps its records and numbering across a restart, and drops what the consumer checkpointed', async () => {
    await db.send(new PutCommand({ TableName: TABLE, Item: image('a.jpg', ['Dog']) }));
    await db.send(new PutCommand({ TableName: TABLE, Item: image('b.jpg', ['Cat']) }));
    const [first, second] = all();
    captured.stream.checkpoint(first?.dynamodb.SequenceNumber ?? '');
    await close();
    await open();
    await db.send(new PutCommand({ TableName: TABLE, Item: image('c.jpg', ['Cow']) }));

    const records = all();
    expect(captured.stream.checkpointed()).toBe(first?.dynamodb.SequenceNumber);
    expect(records.map((record) => record.dynamodb.Keys.pk?.S)).toEqual(['IMAGE#b.jpg', 'IMAGE#c.jpg']);
    expect(records[0]?.dynamodb.SequenceNumber).toBe(second?.dynamodb.SequenceNumber);
    expect(Number(records[1]?.dynamodb.SequenceNumber)).toBe(Number(second?.dynamodb.SequenceNumber) + 1);
  });

  it('records a write once when a kill fell between its record and the end of its journal entry', async () => {
    await db.send(new PutCommand({ TableName: TABLE, Item: image('a.jpg', ['Dog']) }));
    await close();
    // Drop the last line (the write's `done`), as a kill just before it would.
    const journal = join(dir, 'stream', 'stream.journal');
    const lines = readFileSync(journal, 'utf8').trimEnd().split('\n');
    expect(JSON.parse(lines.at(-1) ?? '{}')).toMatchObject({ t: 'done' });
    writeFileSync(journal, `${lines.slice(0, -1).join('\n')}\n`);
    await open();

    expect(all().map((record) => `${record.eventName} ${record.dynamodb.Keys.pk?.S}`)).toEqual([
      'INSERT IMAGE#a.jpg',
    ]);
  });

  it('writes on open the record of a write that a kill left pending, and drops one that never happened', async () => {
    await db.send(new PutCommand({ TableName: TABLE, Item: image('a.jpg', ['Dog']) }));
    await db.send(new PutCommand({ TableName: TABLE, Item: image('b.jpg', ['Cat']) }));
    await close();
    // As a kill would leave them: a.jpg written but its record missing, b.jpg's write never made.
    const journal = join(dir, 'stream', 'stream.journal');
    const keys = (key: string) => ({ pk: { S: `IMAGE#${key}` }, sk: { S: 'IMAGE' } });
    const old = (label: string, key: string) => ({ ...keys(key), labelNames: { L: [{ S: label }] } });
    appendFileSync(
      journal,
      `${JSON.stringify({ t: 'pending', id: 7, keys: [keys('a.jpg')], old: [null] })}\n`,
    );
    appendFileSync(
      journal,
      `${JSON.stringify({ t: 'pending', id: 8, keys: [keys('b.jpg')], old: [old('Cat', 'b.jpg')] })}\n{"t":"rec`,
    );
    await open();

    const records = all();
    expect(records.map((record) => `${record.eventName} ${record.dynamodb.Keys.pk?.S}`)).toEqual([
      'INSERT IMAGE#a.jpg',
      'INSERT IMAGE#b.jpg',
      'INSERT IMAGE#a.jpg',
    ]);
    expect(readFileSync(journal, 'utf8')).not.toContain('pending');
  });
});
