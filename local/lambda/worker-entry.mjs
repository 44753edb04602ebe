// Worker bootstrap for the local Lambda runner. Plain JavaScript on purpose: it runs before any
// TypeScript loader exists in this thread.
//
// Why `register()` from `tsx/esm/api` and not `execArgv: ['--import', 'tsx']`: on Node 20.20 with
// tsx 4.23, a Worker started with `execArgv: ['--import', 'tsx']` still fails on the first `.ts`
// import with ERR_UNKNOWN_FILE_EXTENSION (checked with both a .ts and a .mjs bootstrap, with the
// parent run by plain node and by tsx). Calling `register()` inside the worker works on Node 20
// and Node 22+ (module hooks are then registered for this thread).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
