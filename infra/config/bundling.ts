/**
 * The esbuild settings every function ships with. CDK's NodejsFunction uses them at synth, the
 * benchmark and the local cloud's process isolation bundle with the same ones, so what is
 * measured is what ships. Plain data, so that reading it does not load aws-cdk-lib.
 */
export const BUNDLING = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  format: 'esm',
  target: 'node24',
  mainFields: ['module', 'main'],
  // The X-Ray SDK inside Powertools Tracer uses require(); an ESM bundle needs one.
  banner: "import{createRequire}from'module';const require=createRequire(import.meta.url);",
  // The Node.js 24 runtime provides AWS SDK v3; leaving it out keeps bundles small and cold starts short.
  externalModules: ['@aws-sdk/*'],
} as const;
