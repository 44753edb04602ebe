/**
 * The web console's build: a single-page app with Preact, built to web/dist. `npm run build`
 * runs it; `npm start` rebuilds it when its sources changed (local/console). After the build,
 * the console's JavaScript is gzipped and weighed: above the budget, the build fails.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { CONSOLE_JS_BUDGET_BYTES, describeBundle, measureConsoleBundle } from './bundle-size.ts';

function bundleBudget(): Plugin {
  let outDir = '';
  return {
    name: 'console-bundle-budget',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const size = measureConsoleBundle(outDir);
      console.log(describeBundle(size));
      if (size.gzipBytes > CONSOLE_JS_BUDGET_BYTES) {
        throw new Error(`The console's JavaScript is over its budget: ${describeBundle(size)}.`);
      }
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  // Preact's automatic JSX runtime (no plugin needed), in its production form even when
  // NODE_ENV says otherwise (a build started from a test runner, where NODE_ENV is "test").
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact', development: false } },
  plugins: [bundleBudget()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
  },
});
