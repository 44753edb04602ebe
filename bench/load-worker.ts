/**
 * The API latency bench's load generator, in its own thread: it sends the requests, times them
 * and hands back the latencies. In the bench's main thread it shared one event loop with the
 * local cloud it loads (the gateway, the JWT check, the local DynamoDB), so the system under
 * test paid for parsing the load's own requests and responses. Both sides, the API through
 * autocannon and the direct DynamoDB calls through the SDK, run here alike.
 */
import { parentPort } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import autocannon from 'autocannon';
import { getImageRecord, queryImagesByLabel } from '../functions/adapters/dynamodb/labels-query';
import type { TableRef } from '../functions/adapters/dynamodb/table-ref';
import { keysInTurn, pathsOf, type Read } from './api-reads';
import { credentials } from './local-credentials';

/** One timed run of one side: every successful request's latency. */
export interface Sample {
  latencies: number[];
  requests: number;
  errors: number;
  seconds: number;
}

export interface Load {
  durationSeconds: number;
  connections: number;
}

export type LoadJob =
  | (Load & { side: 'api'; route: string; url: string; token: string; read: Read })
  | (Load & { side: 'direct'; route: string; endpoint: string; tableName: string; read: Read })
  | { side: 'warm-direct'; endpoint: string; tableName: string; read: Read; connections: number };

export type LoadReply = { id: number; sample: Sample } | { id: number; error: string };

/**
 * Loads one route through the local API with autocannon. Latencies come from each 2xx response
 * (high-resolution, as autocannon measures them), so both sides use the same percentile code.
 */
function loadApi(job: Extract<LoadJob, { side: 'api' }>): Promise<Sample> {
  const nextPath = pathsOf(job.read);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration: job.durationSeconds,
        // Its 1 s default sampling ends a run up to a second late; the rate uses the time taken.
        sampleInt: 100,
        headers: { authorization: `Bearer ${job.token}` },
        requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: nextPath() }) }],
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const responses = [...statuses.values()].reduce((sum, count) => sum + count, 0);
        const errors = responses - latencies.length + result.errors;
        const total = responses + result.errors;
        if (latencies.length === 0 || errors > total * 0.01) {
          const codes = [...statuses].map(([status, count]) => `${count} × ${status}`).join(', ');
          reject(
            new Error(
              `${job.route} through the API: ${errors} of ${total} requests failed (${codes}; ${result.errors} connection errors or timeouts); a benchmark of failures measures nothing`,
            ),
          );
          return;
        }
        resolve({ latencies, requests: responses, errors, seconds: (performance.now() - started) / 1000 });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}

/** One client per endpoint for the thread's life, marshalling as the function's client does. */
const tables = new Map<string, TableRef>();
function tableOf(endpoint: string, tableName: string): TableRef {
  const id = `${endpoint}|${tableName}`;
  const known = tables.get(id);
  if (known) return known;
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials });
  const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const table = { db, tableName };
  tables.set(id, table);
  return table;
}

/** The DynamoDB call the handler makes for that read. */
function callOf(table: TableRef, read: Read): () => Promise<unknown> {
  if (read.kind === 'label') return () => queryImagesByLabel(table, read);
  const nextKey = keysInTurn(read.keys);
  return async () => {
    const key = nextKey();
    if (!(await getImageRecord(table, key))) throw new Error(`no record for ${key}`);
  };
}

/** The same read issued directly: `connections` loops back to back for the same duration. */
async function loadDirect(job: Extract<LoadJob, { side: 'direct' }>): Promise<Sample> {
  const call = callOf(tableOf(job.endpoint, job.tableName), job.read);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + job.durationSeconds * 1000;
  await Promise.all(
    Array.from({ length: job.connections }, async () => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        try {
          await call();
          latencies.push(performance.now() - sent);
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (errors > (latencies.length + errors) * 0.01)
    throw new Error(`${job.route} directly: ${errors} of ${latencies.length + errors} calls failed`);
  return { latencies, requests: latencies.length + errors, errors, seconds };
}

/** Opens the direct side's connections before its first timed round, as the API's are warmed. */
async function warmDirect(job: Extract<LoadJob, { side: 'warm-direct' }>): Promise<Sample> {
  const call = callOf(tableOf(job.endpoint, job.tableName), job.read);
  await Promise.all(Array.from({ length: job.connections }, call));
  return { latencies: [], requests: job.connections, errors: 0, seconds: 0 };
}

function run(job: LoadJob): Promise<Sample> {
  if (job.side === 'api') return loadApi(job);
  if (job.side === 'direct') return loadDirect(job);
  return warmDirect(job);
}

parentPort?.on('message', ({ id, job }: { id: number; job: LoadJob }) => {
  run(job).then(
    (sample) => parentPort?.postMessage({ id, sample } satisfies LoadReply),
    (error: unknown) => parentPort?.postMessage({ id, error: String(error) } satisfies LoadReply),
  );
});
