/**
 * When the console needs a build: a hash of its sources (everything under web/ but its output,
 * plus the contract it builds from and the lockfile) against the stamp the last build wrote into
 * web/dist. The decision itself is a pure function.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** The stamp's file name in web/dist (a dotfile: the console server never serves it). */
export const BUILD_STAMP = '.source-hash';

/** Files besides web/ that change what the build produces. */
export const EXTRA_SOURCES = ['infra/config/console.ts', 'package-lock.json'];

export type BuildDecision = { build: false } | { build: true; reason: 'never built' | 'sources changed' };

/** Build when there is no stamp (or no index.html), or when the sources' hash differs from it. */
export function buildDecision(state: {
  stamp: string | undefined;
  sourceHash: string;
  hasIndex: boolean;
}): BuildDecision {
  if (state.stamp === undefined || !state.hasIndex) return { build: true, reason: 'never built' };
  if (state.stamp.trim() !== state.sourceHash) return { build: true, reason: 'sources changed' };
  return { build: false };
}

function filesUnder(dir: string, skip: (name: string, depth: number) => boolean, depth = 0): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (skip(entry.name, depth)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path, skip, depth + 1);
    return entry.isFile() ? [path] : [];
  });
}

/**
 * The hash of the console's sources under `root` (the project): each file's path and contents,
 * in a stable order. Left out: web/dist (the output), node_modules and dotfiles (e.g. .DS_Store).
 */
export function consoleSourceHash(root: string): string {
  const skip = (name: string, depth: number) =>
    name.startsWith('.') || name === 'node_modules' || (depth === 0 && name === 'dist');
  const files = [...filesUnder(join(root, 'web'), skip), ...EXTRA_SOURCES.map((file) => join(root, file))]
    .map((file) => relative(root, file).split(sep).join('/'))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    const contents = readFileSync(join(root, file));
    hash.update(`${file}\0${contents.length}\0`);
    hash.update(contents);
  }
  return hash.digest('hex');
}
