/**
 * The API function's first request after a cold start, as a user meets it: the shipped bundle in
 * a process of its own (the local cloud's `process` isolation), a fresh execution environment,
 * then `GET /images?label=person` through the local HTTP API (JWT check included) against a table
 * of labeled images. Reports what the client waited, and the init and invocation times of the
 * function's REPORT line, then the same for the next request, warm. Each cold start is a fresh
 * start of the local cloud on the same data. Information, not a goal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SCOPES } from '../functions/core/api/route-table';
import { type LocalCloud, startLocalCloud } from '../local/cloud';
import { COMMON_LABEL, noModel, seed } from './api-latency';
import { credentials } from './local-credentials';
import { median, round } from './stats';

export interface FirstRequestRow {
  request: 'first, cold start' | 'second, warm';
  /** From sending the request to the whole answer, at the client. */
  clientMs: number;
  /** The REPORT line's Init Duration (cold start only). */
  initMs: number | '';
  /** The REPORT line's Duration: the invocation alone. */
  invocationMs: number;
  coldStarts: number;
}

interface Sample {
  clientMs: number;
  initMs?: number;
  invocationMs: number;
}

async function timedGet(url: string, token: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`first request: the API answered ${response.status}`);
  return performance.now() - started;
}

/** One start of the local cloud: the API function's first two requests. */
async function oneColdStart(dataDir: string, images: number, seedFirst: boolean): Promise<Sample[]> {
  const reports: string[] = [];
  const cloud: LocalCloud = await startLocalCloud({
    dataDir,
    awsPort: 0,
    apiPort: 0,
    logs: 'silent',
    model: noModel,
    isolation: 'process',
    onLog: (name, line) => {
      if (name.endsWith('-api') && line.startsWith('REPORT ')) reports.push(line);
    },
  });
  try {
    if (seedFirst) {
      const db = DynamoDBDocumentClient.from(
        new DynamoDBClient({ region: 'us-east-1', endpoint: cloud.info.endpoints.aws, credentials }),
      );
      await seed({ db, tableName: cloud.info.tableName }, cloud.info.bucket, images);
      db.destroy();
    }
    const token = await cloud.issuer.mint({ scopes: [SCOPES.read] });
    const url = `${cloud.info.endpoints.api}/images?label=${COMMON_LABEL.toLowerCase()}`;
    const clientMs = [await timedGet(url, token), await timedGet(url, token)];
    if (reports.length !== 2) throw new Error(`first request: ${reports.length} REPORT lines, not 2`);
    return reports.map((line, index) => ({
      clientMs: clientMs[index] ?? 0,
      initMs: Number(/\tInit Duration: ([\d.]+) ms/.exec(line)?.[1] ?? Number.NaN),
      invocationMs: Number(/\tDuration: ([\d.]+) ms/.exec(line)?.[1] ?? Number.NaN),
    }));
  } finally {
    await cloud.stop();
  }
}

export async function runFirstRequest(options: {
  images: number;
  coldStarts: number;
}): Promise<FirstRequestRow[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-first-request-'));
  try {
    const runs: Sample[][] = [];
    for (let run = 0; run < options.coldStarts; run++) {
      runs.push(await oneColdStart(dataDir, options.images, run === 0));
    }
    const column = (index: number, pick: (sample: Sample) => number | undefined) =>
      round(median(runs.map((samples) => pick(samples[index] as Sample) ?? Number.NaN)));
    return [
      {
        request: 'first, cold start',
        clientMs: column(0, (sample) => sample.clientMs),
        initMs: column(0, (sample) => sample.initMs),
        invocationMs: column(0, (sample) => sample.invocationMs),
        coldStarts: options.coldStarts,
      },
      {
        request: 'second, warm',
        clientMs: column(1, (sample) => sample.clientMs),
        initMs: '',
        invocationMs: column(1, (sample) => sample.invocationMs),
        coldStarts: options.coldStarts,
      },
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
