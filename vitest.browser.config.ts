import { defineConfig } from 'vitest/config';

/**
 * The browser tests (`npm run test:browser`): the console in Debian's Chromium against a whole
 * local cloud with the real label model. One file at a time: each starts its own cloud.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
