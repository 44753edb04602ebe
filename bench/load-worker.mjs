// The load generator's thread, started from TypeScript sources (tsx): on Node 20, loader hooks
// given to a Worker through `execArgv` do not apply to its entry module, so the TypeScript entry
// loads through tsx's API (as local/rekognition/model-worker-bootstrap.mjs does).
import { tsImport } from 'tsx/esm/api';

await tsImport('./load-worker.ts', import.meta.url);
