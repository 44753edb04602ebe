/**
 * The web console's weight: Vite builds it as `npm run build` does (into a temporary folder,
 * so the working copy's web/dist is left alone), then every JavaScript file it ships is
 * gzipped and added up, by the same function the build's budget check uses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { CONSOLE_JS_BUDGET_BYTES, measureConsoleBundle } from '../web/bundle-size';
import type { Goal } from './stats';

export interface ConsoleBundleRow {
  file: string;
  rawKb: number;
  gzipKb: number;
}

const kb = (bytes: number) => Number((bytes / 1024).toFixed(1));

export async function runConsoleBundle(): Promise<{ rows: ConsoleBundleRow[]; goals: Goal[] }> {
  const outDir = mkdtempSync(join(tmpdir(), 'console-dist-'));
  try {
    await build({
      configFile: join(import.meta.dirname, '..', 'web', 'vite.config.ts'),
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true },
    });
    const size = measureConsoleBundle(outDir);
    const rows = size.files.map((file) => ({
      file: file.name,
      rawKb: kb(file.rawBytes),
      gzipKb: kb(file.gzipBytes),
    }));
    rows.push({ file: 'all JavaScript', rawKb: kb(size.rawBytes), gzipKb: kb(size.gzipBytes) });
    const goal: Goal = {
      name: 'console JavaScript, gzip',
      value: kb(size.gzipBytes),
      target: kb(CONSOLE_JS_BUDGET_BYTES),
      unit: 'KB',
      met: size.gzipBytes <= CONSOLE_JS_BUDGET_BYTES,
    };
    return { rows, goals: [goal] };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
