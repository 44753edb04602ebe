/**
 * Builds the console with Vite's JS API (web/vite.config.ts) when its sources changed since the
 * last build, so `npm start` never serves a stale console and needs no extra command. The build
 * goes to a directory of its own and then replaces web/dist in two renames, so that clouds
 * starting at once (parallel tests) never serve or stamp a half-written build.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_STAMP, buildDecision, consoleSourceHash } from './sources';

export interface ConsoleBuildOptions {
  /** The project's root (holds web/). */
  root: string;
  /** Receives the one line saying that it built. */
  log: (line: string) => void;
  /** Build even when web/dist matches the sources (`npm run build:web`). */
  force?: boolean;
}

export const consoleDistDir = (root: string) => join(root, 'web', 'dist');

function readStamp(dist: string): string | undefined {
  try {
    return readFileSync(join(dist, BUILD_STAMP), 'utf8');
  } catch {
    return undefined;
  }
}

/** Puts a finished build in place of web/dist. */
function replaceDist(built: string, dist: string): void {
  const old = `${built}-old`;
  try {
    renameSync(dist, old);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    renameSync(built, dist);
  } catch (error) {
    // Another process put its build there in between: it was built from the same sources.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    rmSync(built, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
}

/** Builds web/dist when it is missing or stale; resolves once web/dist matches the sources. */
export async function ensureConsoleBuilt({ root, log, force = false }: ConsoleBuildOptions): Promise<void> {
  const dist = consoleDistDir(root);
  const sourceHash = consoleSourceHash(root);
  const decision = buildDecision({
    stamp: readStamp(dist),
    sourceHash,
    hasIndex: existsSync(join(dist, 'index.html')),
  });
  if (!decision.build && !force) return;
  const started = performance.now();
  const work = join(root, 'node_modules', '.cache', 'image-labeling', 'console-builds');
  mkdirSync(work, { recursive: true });
  const out = join(work, `${process.pid}-${randomUUID()}`);
  try {
    // Loaded only when needed: Vite takes a while to import.
    const { build } = await import('vite');
    await build({
      configFile: join(root, 'web', 'vite.config.ts'),
      logLevel: 'error',
      build: { outDir: out, emptyOutDir: true, reportCompressedSize: false },
    });
    writeFileSync(join(out, BUILD_STAMP), sourceHash);
    replaceDist(out, dist);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  log(`web/dist built (${decision.build ? decision.reason : 'asked for'}) in ${seconds} s`);
}
