/**
 * `npm run --silent token`: prints a bearer token for the running local cloud's API, with
 * the read and write scopes, signed by its sign-in service's issuer (the stand-in for Cognito)
 * for the machine client, as Cognito's client credentials flow would give it.
 *
 *   TOKEN=$(npm run --silent token)
 *   curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:3000/labels
 *
 * Environment: LOCAL_DATA_DIR (.local), TOKEN_SCOPES (space-separated; default both).
 */
import { localIssuer } from './auth';
import { localDataDir, requireStackInfo } from './stack-info';

const dataDir = localDataDir();
const { api, auth } = requireStackInfo(dataDir).endpoints;
try {
  await fetch(`${api}/openapi.json`, { signal: AbortSignal.timeout(2000) });
} catch {
  console.error(`The local cloud's API (${api}) is not answering: start it with \`npm start\` first.`);
  process.exit(1);
}
if (!auth) {
  console.error(`${dataDir}/stack.json names no sign-in service: restart the local cloud (\`npm start\`).`);
  process.exit(1);
}
// The issuer is the sign-in service's URL; its key is in the data directory.
const issuer = await localIssuer({ dataDir, url: auth });
const scopes = process.env.TOKEN_SCOPES?.split(/\s+/).filter(Boolean);
process.stdout.write(`${await issuer.mint(scopes ? { scopes } : {})}\n`);
