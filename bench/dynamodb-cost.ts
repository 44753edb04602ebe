/**
 * DynamoDB requests and write capacity per labeled image, as the local DynamoDB (dynalite)
 * counts them, for 1, 10 and 50 labels: this pipeline's store step, plus its share of the label
 * counts' window (label-count-window.ts), against the naive design of the AWS sample (one
 * PutItem for the image, then one UpdateItem per label).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { claimVersion, finishVersion, writeImageRecord } from '../functions/adapters/dynamodb/labels-store';
import { objectVersionOf } from '../functions/core/labels-table';
import type { Label, ObjectRef } from '../functions/core/workflow-schemas';
import { createDynamoDbService, ensureLabelsTable } from '../local/dynamodb';
import { countOneWindow, WINDOW_IMAGES } from './label-count-window';
import { type Goal, round } from './stats';

/** Issue 14: everything one labeled image writes, at most 1.5x the naive design's write units. */
const WRITE_UNITS_TARGET = 1.5;

interface Counter {
  requests: number;
  writeRequests: number;
  wcu: number;
  rcu: number;
  itemsWritten: Map<string, number>;
  /** Write units by command, so a design change shows where its units went. */
  wcuByCommand: Map<string, { requests: number; wcu: number }>;
}

/** Counts every request and its consumed capacity (ReturnConsumedCapacity added to each call). */
function counted(client: DynamoDBClient, counter: Counter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const name = context.commandName ?? '';
      counter.requests++;
      if (/Put|Update|Delete|BatchWrite/.test(name)) counter.writeRequests++;
      const output = result.output as {
        ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[];
      };
      const units = [output.ConsumedCapacity ?? []]
        .flat()
        .reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      if (/Get|Query|Scan/.test(name)) counter.rcu += units;
      else {
        counter.wcu += units;
        const command = name.replace(/Command$/, '');
        const seen = counter.wcuByCommand.get(command) ?? { requests: 0, wcu: 0 };
        counter.wcuByCommand.set(command, { requests: seen.requests + 1, wcu: seen.wcu + units });
      }
      const written =
        (input.RequestItems as Record<string, { PutRequest?: { Item: Record<string, unknown> } }[]>) ?? {};
      for (const requests of Object.values(written)) {
        for (const request of requests) {
          const item = request.PutRequest?.Item;
          if (item) {
            const id = `${String(item.pk)}|${String(item.sk)}`;
            counter.itemsWritten.set(id, (counter.itemsWritten.get(id) ?? 0) + 1);
          }
        }
      }
      return result;
    },
    { step: 'initialize', name: 'benchCounter' },
  );
}

const newCounter = (): Counter => ({
  requests: 0,
  writeRequests: 0,
  wcu: 0,
  rcu: 0,
  itemsWritten: new Map(),
  wcuByCommand: new Map(),
});

/** A client of the local DynamoDB whose every request `counter` meters. */
function meteredClient(endpoint: string, counter: Counter): DynamoDBClient {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  counted(client, counter);
  return client;
}

const labels = (count: number): Label[] =>
  Array.from({ length: count }, (_, index) => ({
    name: `Label ${index}`,
    confidence: 99 - index / 2,
    parents: ['Parent A', 'Parent B'],
    categories: ['Category'],
    aliases: [],
    instances:
      index % 5 === 0 ? [{ confidence: 90, box: { left: 0.1, top: 0.1, width: 0.5, height: 0.5 } }] : [],
  }));

export interface DynamoRow {
  design: 'pipeline' | 'naive';
  labels: number;
  requests: number;
  writeRequests: number;
  wcu: number;
  rcu: number;
  itemsRewritten: number;
  /** `command ×requests: units`, for every command that consumed write units. */
  wcuByCommand: string;
  /** Pipeline: the label counts' write units per image (a window's, shared by its images). */
  countsWcuPerImage?: number;
  /** Pipeline: label names one window of WINDOW_IMAGES images touched. */
  labelsTouchedPerWindow?: number;
}

export async function runDynamoDbCost(): Promise<{ rows: DynamoRow[]; goals: Goal[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ddb-'));
  const service = await createDynamoDbService({ path: join(dir, 'db') });
  const server = http.createServer(service.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tableName = 'bench-labels';
  const rows: DynamoRow[] = [];
  try {
    const setup = new DynamoDBClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    await ensureLabelsTable(setup, tableName);
    setup.destroy();
    for (const count of [1, 10, 50]) {
      for (const design of ['pipeline', 'naive'] as const) {
        const counter = newCounter();
        const client = meteredClient(endpoint, counter);
        let countsWcuPerImage: number | undefined;
        let labelsTouchedPerWindow: number | undefined;
        const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
        const object: ObjectRef = {
          bucket: 'images',
          key: `${design}/${count}.jpg`,
          eTag: `etag-${design}-${count}`,
          size: 1000,
          sequencer: '0A',
        };
        const detected = labels(count);
        if (design === 'pipeline') {
          // Everything the workflow writes for one image: claim, store, finish (no cache hit).
          const table = { db, tableName };
          await claimVersion(table, object, { now: new Date(), leaseSeconds: 120 });
          await writeImageRecord(
            table,
            {
              bucket: object.bucket,
              key: object.key,
              status: 'LABELED',
              objectVersion: objectVersionOf(object),
              eTag: object.eTag,
              sequencer: object.sequencer,
              size: object.size,
              labels: detected,
              updatedAt: new Date().toISOString(),
            },
            object,
          );
          await finishVersion(table, object, 'LABELED', { now: new Date() });
          // The label counts: count-labels writes once per label per window, for all its images.
          const windowCounter = newCounter();
          const windowClient = meteredClient(endpoint, windowCounter);
          const window = await countOneWindow(
            DynamoDBDocumentClient.from(windowClient),
            tableName,
            count,
            `bench-shard-${count}`,
          );
          windowClient.destroy();
          countsWcuPerImage = round(windowCounter.wcu / WINDOW_IMAGES, 2);
          labelsTouchedPerWindow = window.labelsTouched;
          counter.wcu += countsWcuPerImage;
        } else {
          // The AWS sample's design: one put for the image, one update per label.
          await db.send(
            new PutCommand({ TableName: tableName, Item: { pk: object.key, sk: 'IMAGE', labels: [] } }),
          );
          for (const label of detected) {
            await db.send(
              new UpdateCommand({
                TableName: tableName,
                Key: { pk: object.key, sk: 'IMAGE' },
                UpdateExpression: 'SET labels = list_append(labels, :label)',
                ExpressionAttributeValues: { ':label': [label] },
              }),
            );
          }
          // Every update rewrites the whole (growing) image item.
          counter.itemsWritten.set(`${object.key}|IMAGE`, 1 + count);
        }
        client.destroy();
        rows.push({
          design,
          labels: count,
          requests: counter.requests,
          writeRequests: counter.writeRequests,
          wcu: round(counter.wcu, 2),
          rcu: counter.rcu,
          itemsRewritten: [...counter.itemsWritten.values()].filter((times) => times > 1).length,
          wcuByCommand: [...counter.wcuByCommand]
            .map(([command, used]) => `${command} ×${used.requests}: ${round(used.wcu, 1)}`)
            .join(', '),
          ...(countsWcuPerImage === undefined ? {} : { countsWcuPerImage, labelsTouchedPerWindow }),
        });
      }
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const goals: Goal[] = rows
    .filter((row) => row.design === 'pipeline' && row.labels === 10)
    .map((row) => {
      // The floor: the naive design writes the same labels with no claim, no query items and no
      // counts, so what this pipeline adds for exactly-once records and label queries is the ratio.
      const naive = rows.find((other) => other.design === 'naive' && other.labels === row.labels);
      const ratio = round(row.wcu / Math.max(naive?.wcu ?? 1, 1), 2);
      return {
        name: `write units per labeled image vs the naive design, ${row.labels} labels (${row.wcu} vs ${naive?.wcu ?? '?'})`,
        value: ratio,
        target: WRITE_UNITS_TARGET,
        unit: 'x',
        met: ratio <= WRITE_UNITS_TARGET,
      };
    });
  return { rows, goals };
}
