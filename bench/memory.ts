/**
 * Memory per function: the peak resident memory of each function while it processes real
 * work, against the Lambda memory size it is given (infra/config/functions.ts).
 *
 * The local cloud runs in `process` isolation: every function is the bundle CDK ships, each
 * execution environment a Node.js process of its own, and each REPORT line carries
 * "Max Memory Used" (that process's VmHWM) as Lambda's does. The workload covers every path:
 * the bad-input corpus and real photos through the pipeline (claim, validate, detect, store,
 * record-outcome, start-workflow), every API route, apply-flags, reconcile-object and the
 * CodeDeploy hooks (every function's pre-traffic hook, one row for them all; post-traffic).
 * The detector answers with the most labels a detection keeps, the worst case for the store
 * step and the API's pages.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DEPLOYMENT_HOOKS_MEMORY_MB, FUNCTIONS, type FunctionSpec } from '../infra/config/functions';
import { loadStageConfig } from '../infra/config/stage-config';
import { runDeploymentHooks } from '../local/deployment-hooks';
import { COCO_CLASSES, createFixedModel, type LabelModel } from '../local/rekognition';
import { buildCorpus } from '../reliability/corpus';
import { Harness } from '../reliability/harness';
import { type Goal, round } from './stats';

const PHOTOS = ['astronaut.png', 'coffee.png', 'chelsea.png', 'rocket.jpg', 'brick.png'];

/** A peak at most this share of the memory size leaves room for larger inputs and GC growth. */
export const MEMORY_HEADROOM_TARGET = 0.6;

/** Answers at once with as many distinct labels as a detection may keep (maxLabels). */
function manyLabelsModel(count: number): LabelModel {
  return createFixedModel(
    COCO_CLASSES.slice(0, count).map((className, index) => ({
      className,
      score: 0.99 - index * 0.005,
      box: { left: 0.1, top: 0.1, width: 0.3, height: 0.3 },
    })),
    'bench-many-1.0',
  );
}

export interface MemoryRow {
  function: string;
  memorySizeMb: number;
  peakMb: number;
  /** Max Memory Used after the first invocation: init plus one small piece of work. */
  firstInvocationMb: number;
  invocations: number;
  environments: number;
  peakShare: number;
}

export async function runMemory(options: {
  photoCopies: number;
}): Promise<{ rows: MemoryRow[]; goals: Goal[] }> {
  const config = loadStageConfig('local');
  const reports = new Map<string, { peaks: number[]; first: number[] }>();
  const onLog = (name: string, line: string) => {
    const match = /^REPORT .*\tMax Memory Used: (\d+) MB/.exec(line);
    if (!match) return;
    // Every function's pre-traffic hook is the same code: one row for all of them.
    const short = name.replace(/^image-labeling-[a-z]+-/, '').replace(/^.*-pre-traffic$/, 'pre-traffic');
    const entry = reports.get(short) ?? { peaks: [], first: [] };
    entry.peaks.push(Number(match[1]));
    if (line.includes('\tInit Duration:')) entry.first.push(Number(match[1]));
    reports.set(short, entry);
  };
  const harness = await Harness.start({
    isolation: 'process',
    model: manyLabelsModel(config.labels.maxLabels),
    onLog,
  });
  try {
    const { cloud } = harness;
    // The pipeline: every kind of bad input (record-outcome) and real photos.
    const corpus = buildCorpus('memory/corpus');
    const photos = PHOTOS.map((name) =>
      readFileSync(join(import.meta.dirname, '..', 'test', 'fixtures', 'photos', name)),
    );
    const uploads = [
      ...corpus.map(({ key, body, contentType }) => ({ key, body, contentType })),
      ...Array.from({ length: options.photoCopies * photos.length }, (_, index) => ({
        key: `memory/photos/${index}/${PHOTOS[index % PHOTOS.length]}`,
        body: photos[index % photos.length] ?? Buffer.alloc(0),
        contentType: PHOTOS[index % PHOTOS.length]?.endsWith('.jpg') ? 'image/jpeg' : 'image/png',
      })),
    ];
    await Promise.all(uploads.map(({ key, body, contentType }) => harness.upload(key, body, contentType)));
    const records = await harness.waitForFinal(
      uploads.map(({ key }) => key),
      5 * 60_000,
    );
    const missing = [...records].filter(([, record]) => !record).map(([key]) => key);
    if (missing.length > 0) throw new Error(`memory: no record for ${missing.join(', ')}`);

    // The API: every route, pages of the most common label, concurrent clients.
    const token = await cloud.issuer.mint({});
    const api = cloud.info.endpoints.api;
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${api}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      await response.arrayBuffer();
      if (response.status >= 500) throw new Error(`memory: ${method} ${path} answered ${response.status}`);
    };
    const photoKeys = uploads.filter(({ key }) => key.startsWith('memory/photos/')).map(({ key }) => key);
    for (let pass = 0; pass < 5; pass++) {
      await Promise.all([
        call('GET', '/labels'),
        call('GET', '/images?label=person&limit=100'),
        call('GET', '/images?label=bicycle'),
        ...photoKeys.slice(0, 10).map((key) => call('GET', `/images/${encodeURIComponent(key)}`)),
        call('POST', '/uploads', { fileName: 'a.png', contentType: 'image/png', contentLength: 1000 }),
        call('GET', '/images/memory%2Fnone.png'),
        call('GET', '/openapi.json'),
      ]);
    }
    const deleted = photoKeys.at(-1);
    if (deleted) await call('DELETE', `/images/${encodeURIComponent(deleted)}`);

    // apply-flags, as its schedule runs it; reconcile-object, as the backfill's map runs it.
    const name = (spec: FunctionSpec) => `image-labeling-${config.stage}-${spec.handlerDir}`;
    for (let run = 0; run < 3; run++) await cloud.invoke(name(FUNCTIONS.applyFlags), {});
    const listed = await harness.s3.send(new ListObjectsV2Command({ Bucket: cloud.info.bucket }));
    await Promise.all(
      (listed.Contents ?? []).map((object, index) =>
        cloud.invoke(name(FUNCTIONS.reconcileObject), {
          bucket: cloud.info.bucket,
          object,
          options: { relabel: index % 2 === 0 },
        }),
      ),
    );
    // Let the work the reconcile put back on the queue (and the deletion's event) finish too.
    await harness.drain(60_000);
    // The CodeDeploy hooks, as a deployment runs them: every pre-traffic hook, then post-traffic.
    const hooks = await runDeploymentHooks(cloud.info);
    const failed = hooks.filter((run) => run.report.status !== 'Succeeded');
    if (failed.length > 0) {
      throw new Error(`memory: hooks failed: ${failed.map((run) => `${run.hook} ${run.target}`).join(', ')}`);
    }
  } finally {
    await harness.stop();
  }

  const measured = [
    ...(Object.values(FUNCTIONS) as FunctionSpec[]).map((spec) => ({
      name: spec.handlerDir,
      memoryMb: spec.memoryMb,
    })),
    { name: 'pre-traffic', memoryMb: DEPLOYMENT_HOOKS_MEMORY_MB },
    { name: 'post-traffic', memoryMb: DEPLOYMENT_HOOKS_MEMORY_MB },
  ];
  const rows: MemoryRow[] = measured.map((fn) => {
    const seen = reports.get(fn.name);
    if (!seen || seen.peaks.length === 0) {
      throw new Error(`memory: ${fn.name} was never invoked, or reported no Max Memory Used`);
    }
    const peakMb = Math.max(...seen.peaks);
    return {
      function: fn.name,
      memorySizeMb: fn.memoryMb,
      peakMb,
      firstInvocationMb: Math.max(...seen.first),
      invocations: seen.peaks.length,
      environments: seen.first.length,
      peakShare: round(peakMb / fn.memoryMb, 2),
    };
  });
  const goals: Goal[] = rows.map((row) => ({
    name: `peak memory share of memory size: ${row.function}`,
    value: row.peakShare,
    target: MEMORY_HEADROOM_TARGET,
    unit: 'x',
    met: row.peakShare <= MEMORY_HEADROOM_TARGET,
  }));
  return { rows, goals };
}
