/**
 * `npm run --silent token`: prints a bearer token for the running local cloud's API, with
 * the read and write scopes, signed by its local issuer (the stand-in for Cognito).
 *
 *   TOKEN=$(npm run --silent token)
 *   curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:3000/labels
 *
 * Environment: LOCAL_DATA_DIR (.local), TOKEN_SCOPES (space-separated; default both).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { localIssuer } from './api';

const ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const dataDir = resolve(process.env.LOCAL_DATA_DIR ?? join(ROOT, '.local'));

let api: string;
try {
  api = (JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')) as { endpoints: { api: string } })
    .endpoints.api;
} catch {
  console.error(`No local cloud in ${dataDir}: start it with \`npm start\` first.`);
  process.exit(1);
}
try {
  await fetch(`${api}/openapi.json`, { signal: AbortSignal.timeout(2000) });
} catch {
  console.error(`The local cloud's API (${api}) is not answering: start it with \`npm start\` first.`);
  process.exit(1);
}
const issuer = await localIssuer(dataDir);
const scopes = process.env.TOKEN_SCOPES?.split(/\s+/).filter(Boolean);
process.stdout.write(`${await issuer.mint(scopes ? { scopes } : {})}\n`);
