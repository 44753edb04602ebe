/**
 * The console's JavaScript weight: every .js file under a built dist folder, gzipped (level 9,
 * as a CDN would serve it) and added up. The build fails above CONSOLE_JS_BUDGET_BYTES (see
 * web/vite.config.ts); the benchmark reports the same figure (bench/console-bundle.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { constants, gzipSync } from 'node:zlib';

/** 80 KB of gzipped JavaScript, all files together. */
export const CONSOLE_JS_BUDGET_BYTES = 80 * 1024;

export interface BundleFile {
  /** Path relative to the dist folder, with forward slashes. */
  name: string;
  rawBytes: number;
  gzipBytes: number;
}

export interface BundleSize {
  files: BundleFile[];
  rawBytes: number;
  gzipBytes: number;
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.m?js$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

export function measureConsoleBundle(distDir: string): BundleSize {
  const files = jsFiles(distDir).map((path) => {
    const bytes = readFileSync(path);
    return {
      name: relative(distDir, path).split('\\').join('/'),
      rawBytes: bytes.length,
      gzipBytes: gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length,
    };
  });
  return {
    files,
    rawBytes: files.reduce((sum, file) => sum + file.rawBytes, 0),
    gzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0),
  };
}

/** One line for the build's output. */
export function describeBundle(size: BundleSize, budget = CONSOLE_JS_BUDGET_BYTES): string {
  const kb = (bytes: number) => (bytes / 1024).toFixed(1);
  return `console JavaScript: ${kb(size.gzipBytes)} KB gzip (budget ${kb(budget).replace(/\.0$/, '')} KB)`;
}
