import { defineConfig } from 'vitest/config';

/**
 * Four tiers, by what a test starts (and so by speed). `npm run test:unit` is the edit loop;
 * `npm run test:all` (part of `npm test`) runs every tier. The browser tests have their own run
 * (vitest.browser.config.ts, `npm run test:browser`).
 */

/** Tests that start a whole local cloud (every service, the functions' workers, the model). */
const END_TO_END = [
  'test/reliability/**/*.test.ts',
  'test/local/cloud*.test.ts',
  'test/local/console-cloud.test.ts',
  'test/local/api.test.ts',
  'test/local/flags.test.ts',
  'test/local/reconcile.test.ts',
];

/** The fast tier: pure code, mocked SDK clients, ASL and workflow checks, docs and CI files. */
const UNIT = [
  'test/functions/**/*.test.ts',
  'test/web/**/*.test.ts',
  'test/statemachines/*.asl.test.ts',
  'test/infra/asl/**/*.test.ts',
  'test/docs/**/*.test.ts',
  'test/github/**/*.test.ts',
  'test/lint/**/*.test.ts',
];

/** Handler tests: each stubs the function's environment, then imports its handler (module state). */
const HANDLERS = [
  'test/functions/*/handler.test.ts',
  'test/functions/deployment-hooks/*.test.ts',
  'test/functions/shared/flags-handlers.test.ts',
  'test/functions/shared/tracing.test.ts',
];

/**
 * Function code run against a local service (DynamoDB, Step Functions, S3 ...): seconds each, not
 * milliseconds, so these run in the local tier, not the unit tier.
 */
const ON_LOCAL_SERVICES = [
  'test/functions/adapters/dynamodb/images-index-backfill.test.ts',
  'test/functions/adapters/dynamodb/label-counts.test.ts',
  'test/functions/adapters/dynamodb/labels-query.test.ts',
  'test/functions/adapters/dynamodb/labels-store.test.ts',
  'test/functions/adapters/dynamodb/reconcile-records.test.ts',
  'test/functions/adapters/event-bus.test.ts',
  'test/functions/adapters/reconcile-sources.test.ts',
  'test/functions/adapters/s3-object-store.test.ts',
  'test/functions/adapters/step-functions-runner.test.ts',
  'test/functions/api/list-images.test.ts',
];

export default defineConfig({
  test: {
    // The browser tests have their own run (vitest.browser.config.ts, `npm run test:browser`).
    exclude: ['test/browser/**', '**/node_modules/**'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two at a time on two cores: most files wait on local clouds' workers and sockets, so the
    // run takes about 5.5 instead of 7 minutes (vitest's default here is one).
    maxWorkers: 2,
    restoreMocks: true,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default', './test/support/summary-reporter.ts'],
    // `npm run test:coverage` (part of `npm test`): how much of the Lambda code and of the
    // console's logic the unit, handler and local tiers run. The thresholds are the measured
    // figures, rounded down, so coverage cannot slide; raise them when it rises.
    coverage: {
      provider: 'v8',
      include: ['functions/**/*.ts', 'web/src/lib/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      thresholds: { statements: 93, branches: 84, functions: 95, lines: 95 },
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // Pure code, mocked SDK clients, ASL and workflow checks, docs and CI files: milliseconds.
          include: UNIT,
          exclude: [...HANDLERS, ...ON_LOCAL_SERVICES],
          // One module graph per worker instead of one per file: the SDK, Powertools and zod are
          // loaded twice instead of once per file, which takes the fast tier from about 60 to 20 s
          // here. Safe because these files keep no state across files (they pass in shuffled
          // order: `npx vitest run --project unit --sequence.shuffle.files`).
          isolate: false,
        },
      },
      {
        extends: true,
        // Handlers stub their environment, then import the handler: a fresh module graph each.
        test: { name: 'unit-handlers', include: HANDLERS },
      },
      {
        extends: true,
        // CDK synths: each file synthesizes the app or a stack (seconds).
        test: { name: 'infra', include: ['test/infra/**/*.test.ts'], exclude: ['test/infra/asl/**'] },
      },
      {
        extends: true,
        test: {
          name: 'local',
          // One local service at a time (S3, SQS, Step Functions, Lambda workers, the model ...).
          include: [
            'test/local/**/*.test.ts',
            'test/statemachines/*.execution.test.ts',
            ...ON_LOCAL_SERVICES,
          ],
          exclude: END_TO_END,
        },
      },
      {
        extends: true,
        // Whole local clouds, two at a time on two cores: a test that takes 15 s alone can take 40 s
        // beside another, so these get minutes (a timeout, never a timed assertion).
        test: { name: 'end-to-end', include: END_TO_END, testTimeout: 120_000 },
      },
    ],
  },
});
