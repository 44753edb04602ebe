/**
 * `npm run reconcile`: finds the objects of the images bucket that have no current, final record
 * (an S3 event was lost, a run failed, the record is of an older version) or, with `--relabel`,
 * were labeled with an older label model or other label settings, and puts them back on the
 * ingest queue (functions/core/reconcile.ts). Safe to run twice.
 *
 *   npm run reconcile                       # the running local cloud (.local/stack.json)
 *   npm run reconcile -- --dry-run          # decide and count, send nothing
 *   npm run reconcile -- --relabel [--label-model-version 3.0]
 *   npm run reconcile -- --bucket B --table T --queue-url URL --stage dev   # AWS, default credentials
 *
 * Options: --stack <stack.json> (default $LOCAL_DATA_DIR/stack.json), --prefix <p>,
 * --concurrency <n> (default 8), --flags <flags.json> (default config/flags.json: with
 * --relabel, the target label settings are the ones this document and the stage give).
 * The same names may come from RECONCILE_BUCKET, RECONCILE_TABLE, RECONCILE_QUEUE_URL.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { reconcileDeps } from '../functions/adapters/reconcile-sources';
import { labelSettingsFrom, parseFlags } from '../functions/core/flags';
import { toRetrievalFormat } from '../functions/core/flags-document';
import {
  addToSummary,
  emptySummary,
  type ReconcileResult,
  type ReconcileSummary,
  type RelabelTarget,
  reconcileObject,
} from '../functions/core/reconcile';
import { FLAGS_DOCUMENT_PATH, flagsVersionLabel } from '../infra/config/flags';
import { loadStageConfig } from '../infra/config/stage-config';
import { localDataDir, stackInfoPath } from '../local/stack-info';

export interface ReconcileRunOptions {
  bucket: string;
  tableName: string;
  queueUrl: string;
  /** A local endpoint (path-style S3, fixed credentials); absent: AWS with the default chain. */
  endpoint?: string | undefined;
  region?: string | undefined;
  prefix?: string | undefined;
  dryRun?: boolean | undefined;
  /** Relabel records that differ from this target; absent: no relabeling. */
  target?: RelabelTarget | undefined;
  concurrency?: number | undefined;
  /** Each object's result, as it is decided. */
  onResult?: ((result: ReconcileResult) => void) | undefined;
}

/** The relabel target: the label settings a detection would use with this flags document and stage. */
export function relabelTarget(stage: string, flagsText: string, labelModelVersion?: string): RelabelTarget {
  const document = toRetrievalFormat(flagsText);
  if (!document.ok) throw new Error(`The flags document is not valid: ${document.problems.join('; ')}`);
  const parsed = parseFlags(JSON.stringify(document.configuration), flagsVersionLabel(flagsText));
  if (!parsed.ok) throw new Error(`The flags document is not valid: ${parsed.reason}`);
  const {
    flagsVersion: _version,
    flagsSource: _source,
    ...settings
  } = labelSettingsFrom(parsed.flags, loadStageConfig(stage).labels);
  return { settings, ...(labelModelVersion ? { labelModelVersion } : {}) };
}

/** Lists the bucket (ListObjectsV2, every page) and reconciles each object, `concurrency` at a time. */
export async function runReconcile(options: ReconcileRunOptions): Promise<ReconcileSummary> {
  const local = options.endpoint
    ? {
        endpoint: options.endpoint,
        region: options.region ?? 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }
    : options.region
      ? { region: options.region }
      : {};
  const s3 = new S3Client({ ...local, ...(options.endpoint ? { forcePathStyle: true } : {}) });
  const sqs = new SQSClient(local);
  const db = DynamoDBDocumentClient.from(new DynamoDBClient(local));
  const deps = reconcileDeps({
    s3,
    sqs,
    table: { db, tableName: options.tableName },
    queueUrl: options.queueUrl,
  });
  const summary = emptySummary();
  const concurrency = Math.max(1, options.concurrency ?? 8);
  try {
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: options.bucket,
          ...(options.prefix ? { Prefix: options.prefix } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
      let next = 0;
      const worker = async () => {
        while (next < keys.length) {
          const key = keys[next++] as string;
          const result = await reconcileObject(deps, options.bucket, key, {
            target: options.target,
            dryRun: options.dryRun ?? false,
          });
          addToSummary(summary, result);
          options.onResult?.(result);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } finally {
    s3.destroy();
    sqs.destroy();
    db.destroy();
  }
  return summary;
}

export function formatSummary(summary: ReconcileSummary): string {
  const rows = Object.entries(summary).map(([name, count]) => [name, String(count)] as const);
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, count]) => `${name.padEnd(width)}  ${count.padStart(6)}`).join('\n');
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: 'string' },
      bucket: { type: 'string' },
      table: { type: 'string' },
      'queue-url': { type: 'string' },
      region: { type: 'string' },
      stage: { type: 'string' },
      prefix: { type: 'string' },
      concurrency: { type: 'string' },
      relabel: { type: 'boolean', default: false },
      'label-model-version': { type: 'string' },
      flags: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const bucket = values.bucket ?? process.env.RECONCILE_BUCKET;
  const table = values.table ?? process.env.RECONCILE_TABLE;
  const queueUrl = values['queue-url'] ?? process.env.RECONCILE_QUEUE_URL;
  let options: ReconcileRunOptions;
  let stage = values.stage;
  if (bucket || table || queueUrl) {
    if (!bucket || !table || !queueUrl) {
      console.error('Give all three of --bucket, --table and --queue-url (or none, for the local cloud).');
      return 2;
    }
    options = { bucket, tableName: table, queueUrl, region: values.region };
  } else {
    const path = values.stack ?? stackInfoPath(localDataDir());
    let info: {
      endpoints: { aws: string };
      region: string;
      bucket: string;
      tableName: string;
      queueUrl: string;
    };
    try {
      info = JSON.parse(readFileSync(path, 'utf8')) as typeof info;
    } catch {
      console.error(
        `No local cloud in ${path}: start it with \`npm start\`, or give --bucket, --table and --queue-url.`,
      );
      return 2;
    }
    options = {
      bucket: info.bucket,
      tableName: info.tableName,
      queueUrl: info.queueUrl,
      endpoint: info.endpoints.aws,
      region: info.region,
    };
    stage ??= 'local';
  }
  if (values.relabel) {
    if (!stage) {
      console.error('--relabel needs --stage (its label settings are the target).');
      return 2;
    }
    const flagsText = readFileSync(values.flags ?? FLAGS_DOCUMENT_PATH, 'utf8');
    options.target = relabelTarget(stage, flagsText, values['label-model-version']);
  }
  options.prefix = values.prefix;
  options.dryRun = values['dry-run'];
  options.concurrency = values.concurrency ? Number(values.concurrency) : undefined;
  if (values.verbose) {
    options.onResult = (result) => {
      if (result.status !== 'ok') console.log(`${result.status.padEnd(11)} ${result.key}: ${result.detail}`);
    };
  }
  const summary = await runReconcile(options);
  console.log(`${values['dry-run'] ? 'Dry run: nothing sent.\n' : ''}${formatSummary(summary)}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename ?? '')) {
  process.exitCode = await main(process.argv.slice(2));
}
