/**
 * Where a local cloud keeps its data, and its `stack.json` (endpoints, names, functions), which
 * `npm start` writes once ready and the command-line tools read. Kept apart from cloud.ts so
 * that reading it does not load the whole local cloud.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface StackInfo {
  region: string;
  accountId: string;
  /** `auth`: the sign-in service (issuer, OpenID Connect endpoints); `console`: the web console. */
  endpoints: { aws: string; api: string; auth: string; console: string };
  bucket: string;
  tableName: string;
  labelsIndex: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  stateMachineArn: string;
  /** The bus image events are published on (docs/events.md). */
  eventBus: string;
  eventSourceMappingId: string;
  functions: Record<string, string>;
  /** The CodeDeploy hooks' function names: pre-traffic by target function (handlerDir), post-traffic. */
  deploymentHooks: { preTraffic: Record<string, string>; postTraffic: string };
  dataDir: string;
}

const ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');

/** `LOCAL_DATA_DIR`, or `.local` in the project. */
export function localDataDir(given = process.env.LOCAL_DATA_DIR): string {
  return resolve(given ?? join(ROOT, '.local'));
}

export const stackInfoPath = (dataDir: string) => join(dataDir, 'stack.json');

export function writeStackInfo(dataDir: string, info: StackInfo): void {
  writeFileSync(stackInfoPath(dataDir), `${JSON.stringify(info, null, 2)}\n`);
}

/** The running local cloud's stack.json; throws when there is none. */
export function readStackInfo(dataDir: string): StackInfo {
  return JSON.parse(readFileSync(stackInfoPath(dataDir), 'utf8')) as StackInfo;
}

/** For the command-line tools: the stack of `LOCAL_DATA_DIR`, or a message and exit 1. */
export function requireStackInfo(dataDir = localDataDir()): StackInfo {
  try {
    return readStackInfo(dataDir);
  } catch {
    console.error(`No local cloud in ${dataDir}: start it with \`npm start\` first.`);
    process.exit(1);
  }
}
