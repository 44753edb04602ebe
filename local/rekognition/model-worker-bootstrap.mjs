// Worker entry when running from TypeScript sources (tsx, vitest): on Node 20, loader hooks
// given to a Worker through `execArgv: ['--import', 'tsx']` do not apply to the worker's entry
// module (ERR_UNKNOWN_FILE_EXTENSION), so load the TypeScript entry through tsx's API instead.
import { tsImport } from 'tsx/esm/api';

await tsImport('./model-worker.ts', import.meta.url);
