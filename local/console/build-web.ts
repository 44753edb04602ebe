/**
 * `npm run build:web`: builds the console into web/dist now, through the same path `npm start`
 * uses (local/console/build.ts), so the build is stamped with its sources' hash and the next
 * `npm start` serves it without building it again. Vite's budget check prints the console's
 * JavaScript weight and fails the build above it (web/vite.config.ts).
 */
import { resolve } from 'node:path';
import { ensureConsoleBuilt } from './build';

await ensureConsoleBuilt({
  root: resolve(import.meta.dirname, '..', '..'),
  log: (line) => console.log(line),
  force: true,
});
