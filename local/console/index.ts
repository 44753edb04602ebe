export { consoleDistDir, ensureConsoleBuilt } from './build';
export { createConsoleServer, securityHeaders } from './server';
export { BUILD_STAMP, buildDecision, consoleSourceHash } from './sources';
