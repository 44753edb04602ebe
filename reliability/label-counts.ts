/**
 * The label counts against the records: what GET /labels must say once count-labels has caught
 * up (every label of every IMAGE record, counted once per image), and a wait for that.
 */
import { type DynamoDBDocumentClient, paginateQuery, paginateScan } from '@aws-sdk/lib-dynamodb';
import { IMAGE_SK, LABEL_COUNTS_PK } from '../functions/core/labels-table';

type Counts = Record<string, number>;

/** By label name lower-cased: how many IMAGE records list it. */
async function countsFromRecords(db: DynamoDBDocumentClient, tableName: string): Promise<Counts> {
  const counts: Counts = {};
  const pages = paginateScan(
    { client: db },
    {
      TableName: tableName,
      FilterExpression: 'sk = :image',
      ExpressionAttributeValues: { ':image': IMAGE_SK },
      ProjectionExpression: 'labelNames',
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const names = new Set((item.labelNames as string[] | undefined)?.map((name) => name.toLowerCase()));
      for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
    }
  }
  return counts;
}

/**
 * By label name lower-cased: the count items GET /labels reads, zero counts left out. Not
 * queryLabelCounts, which also hides negative counts: a count below zero is a drift to report.
 */
async function storedCounts(db: DynamoDBDocumentClient, tableName: string): Promise<Counts> {
  const counts: Counts = {};
  const pages = paginateQuery(
    { client: db },
    {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :label)',
      ExpressionAttributeValues: { ':pk': LABEL_COUNTS_PK, ':label': 'LABEL#' },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const count = Number(item.imageCount ?? 0);
      if (count !== 0) counts[String(item.sk).slice('LABEL#'.length)] = count;
    }
  }
  return counts;
}

const sorted = (counts: Counts) =>
  JSON.stringify(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));

export interface CountsCheck {
  /** The counts matched the records within the time allowed. */
  converged: boolean;
  /** How long they took, from the call. */
  seconds: number;
  /** Labels whose count differs (stored vs records) at the end. */
  differences: string[];
  labels: number;
}

/** Polls until the stored counts equal the records' (both read consistently), or the time is up. */
export async function waitForCountsToConverge(
  db: DynamoDBDocumentClient,
  tableName: string,
  timeoutMs: number,
): Promise<CountsCheck> {
  const started = Date.now();
  for (;;) {
    const [expected, stored] = await Promise.all([
      countsFromRecords(db, tableName),
      storedCounts(db, tableName),
    ]);
    const converged = sorted(expected) === sorted(stored);
    if (converged || Date.now() - started > timeoutMs) {
      const names = new Set([...Object.keys(expected), ...Object.keys(stored)]);
      const differences = [...names]
        .filter((name) => expected[name] !== stored[name])
        .map((name) => `${name}: ${stored[name] ?? 0} counted, ${expected[name] ?? 0} in the records`);
      return { converged, seconds: (Date.now() - started) / 1000, differences, labels: names.size };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The problems a counts check raises (none when it converged). */
export function countsProblems(check: CountsCheck, within: string): string[] {
  return check.converged
    ? []
    : [`label counts did not converge ${within}: ${check.differences.slice(0, 5).join('; ')}`];
}
