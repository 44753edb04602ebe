// Worker entry for a TypeScript module when running from sources (tsx, vitest, the bench): on
// Node 20, loader hooks given to a Worker through `execArgv: ['--import', 'tsx']` do not apply to
// the worker's entry module (ERR_UNKNOWN_FILE_EXTENSION), so the module, a file URL given as
// `workerData.tsEntry`, loads through tsx's API instead. The one place for that workaround.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.tsEntry, import.meta.url);
