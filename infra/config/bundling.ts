/**
 * The esbuild settings every function ships with. CDK's NodejsFunction uses them at synth, the
 * benchmark and the local cloud's process isolation bundle with the same ones, so what is
 * measured is what ships. Plain data, so that reading it does not load aws-cdk-lib.
 */
import type { TracingMode } from '../../functions/shared/tracing-mode';

export const BUNDLING = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  format: 'esm',
  target: 'node24',
  // The SDK's ESM builds: smaller bundles, and the form esbuild bundles correctly as ESM.
  mainFields: ['module', 'main'],
  // The X-Ray SDK inside Powertools Tracer uses require(); an ESM bundle needs one.
  banner: "import{createRequire}from'module';const require=createRequire(import.meta.url);",
} as const;

/**
 * What esbuild replaces at bundling: the stage's tracing mode, so that a bundle without the SDK
 * tracing holds no X-Ray SDK (functions/shared/tracing.ts).
 */
export function bundlingDefine(tracing: TracingMode): Record<string, string> {
  return { 'process.env.TRACING_MODE': JSON.stringify(tracing) };
}

/**
 * Where a function's AWS SDK comes from. `bundled` (the default): the SDK is in the bundle,
 * pinned by the lockfile, so the version tested is the version that runs, and init takes about
 * half as long (one file to parse instead of dozens of packages to resolve: `npm run bench`,
 * bench/README.md), at 460 to 680 KB per bundle. `runtime`: the Node.js runtime's own SDK,
 * patched by AWS, with bundles under 300 KB.
 */
export type AwsSdkSource = 'bundled' | 'runtime';

/**
 * With the SDK bundled, the credential sources a function never reaches on Lambda, where its
 * credentials are in the environment, stay out of the bundle: were one ever reached, the
 * runtime's SDK still has it.
 */
const UNREACHED_ON_LAMBDA = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/token-providers',
  '@aws-sdk/client-sso',
  '@aws-sdk/client-sts',
  '@aws-sdk/nested-clients',
  '@smithy/credential-provider-imds',
] as const;

/** The modules esbuild leaves out of a bundle, for an SDK source. */
export function externalModules(awsSdk: AwsSdkSource): string[] {
  return awsSdk === 'bundled' ? [...UNREACHED_ON_LAMBDA] : ['@aws-sdk/*'];
}
