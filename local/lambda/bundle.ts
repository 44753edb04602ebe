/**
 * Bundles a handler exactly as CDK ships it ({@link BUNDLING}). The benchmark measures these
 * bundles, and the local cloud runs them in `process` isolation.
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, buildSync } from 'esbuild';
import type { TracingMode } from '../../functions/shared/tracing-mode';
import { type AwsSdkSource, BUNDLING, bundlingDefine, externalModules } from '../../infra/config/bundling';

const ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * Where bundles go: inside the project, so that the packages a bundle leaves external
 * (what the Lambda runtime provides) resolve from its node_modules.
 */
export const BUNDLE_CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'image-labeling');

export interface BundleOptions {
  /**
   * `bundle` (what ships: minified, with source maps) or `external` (every package loaded
   * unbundled from node_modules, for comparison).
   */
  packages?: 'bundle' | 'external';
  /** Where the AWS SDK comes from (infra/config/bundling.ts). Default `bundled`, as it ships. */
  awsSdk?: AwsSdkSource;
  /** The stage's tracing mode, fixed at bundling (functions/shared/tracing.ts). Default `active`. */
  tracing?: TracingMode;
}

/** Bundles `entry` into `outfile` and returns its size in bytes. */
export async function bundleHandler(
  entry: string,
  outfile: string,
  options: BundleOptions = {},
): Promise<number> {
  const packages = options.packages ?? 'bundle';
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: BUNDLING.format,
    target: BUNDLING.target,
    minify: packages === 'bundle' ? BUNDLING.minify : false,
    sourcemap: packages === 'bundle' ? BUNDLING.sourceMap : false,
    sourcesContent: BUNDLING.sourcesContent,
    mainFields: [...BUNDLING.mainFields],
    banner: { js: BUNDLING.banner },
    define: bundlingDefine(options.tracing ?? 'active'),
    external: externalModules(options.awsSdk ?? 'bundled'),
    packages,
    logLevel: 'silent',
  });
  return statSync(outfile).size;
}

let runtimeFile: string | undefined;

/**
 * The execution environment's runtime (worker.ts) as one plain JavaScript file, for `process`
 * isolation: a child process that needs no TypeScript loader, so its memory is the handler's
 * and Node's alone (tsx would add a module-hooks thread). Built once per parent process.
 */
export function processRuntime(): string {
  if (!runtimeFile) {
    const outfile = join(BUNDLE_CACHE_DIR, 'local-lambda-runtime', 'index.mjs');
    buildSync({
      entryPoints: [join(import.meta.dirname, 'worker.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
    });
    runtimeFile = outfile;
  }
  return runtimeFile;
}
