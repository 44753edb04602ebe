/**
 * `npm start`: runs the local cloud until Ctrl-C.
 *
 *   npm start                 keeps data in .local/ across restarts
 *   npm start -- --clean      starts from empty storage
 *   npm start -- --isolation=process   runs the shipped bundles, each environment a process
 *   npm start -- --json-logs  prints function logs as raw JSON lines
 *   npm start -- --faults rekognition-throttle=0.3,dynamodb-throttle=0.2   injects faults (README)
 *
 * Environment: LOCAL_HOST (127.0.0.1), LOCAL_AWS_PORT (4566), LOCAL_API_PORT (3000),
 * LOCAL_AUTH_PORT (3001, the sign-in service), LOCAL_CONSOLE_PORT (5173, the web console),
 * LOCAL_DATA_DIR (.local), LOCAL_VISIBILITY_TIMEOUT_SECONDS (as on AWS: 600).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { LOCAL_CONSOLE_PORT } from '../infra/config/console';
import { startLocalCloud } from './cloud';
import { type ParsedFaults, parseFaultsFlag } from './faults-flag';

const port = z.coerce.number().int().min(0).max(65535);
const env = z
  .object({
    LOCAL_HOST: z.string().default('127.0.0.1'),
    LOCAL_AWS_PORT: port.default(4566),
    LOCAL_API_PORT: port.default(3000),
    LOCAL_AUTH_PORT: port.default(3001),
    LOCAL_CONSOLE_PORT: port.default(LOCAL_CONSOLE_PORT),
    LOCAL_DATA_DIR: z.string().optional(),
    LOCAL_VISIBILITY_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(43_200).optional(),
  })
  .parse(process.env);
const { values: flags } = parseArgs({
  options: {
    clean: { type: 'boolean', default: false },
    'json-logs': { type: 'boolean', default: false },
    faults: { type: 'string' },
    isolation: { type: 'string', default: 'thread' },
  },
});
if (flags.isolation !== 'thread' && flags.isolation !== 'process') {
  console.error(`--isolation must be thread or process, not ${flags.isolation}`);
  process.exit(2);
}
const isolation: 'thread' | 'process' = flags.isolation;
let faults: ParsedFaults = { switches: {}, rekognition: {} };
try {
  faults = parseFaultsFlag(flags.faults ?? '');
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
}

// Lambda runs Node.js 24; the SDK's warning is about the Node.js 20 that may run this process.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const started = performance.now();
const cloud = await startLocalCloud({
  host: env.LOCAL_HOST,
  awsPort: env.LOCAL_AWS_PORT,
  apiPort: env.LOCAL_API_PORT,
  authPort: env.LOCAL_AUTH_PORT,
  consolePort: env.LOCAL_CONSOLE_PORT,
  ...(env.LOCAL_DATA_DIR ? { dataDir: env.LOCAL_DATA_DIR } : {}),
  clean: flags.clean,
  logs: flags['json-logs'] ? 'json' : 'pretty',
  faults: faults.switches,
  isolation,
  ...(env.LOCAL_VISIBILITY_TIMEOUT_SECONDS
    ? { visibilityTimeoutSeconds: env.LOCAL_VISIBILITY_TIMEOUT_SECONDS }
    : {}),
});
cloud.rekognition.faults.set(faults.rekognition);
// Load the label model now rather than on the first upload.
await cloud.rekognition.warmUp();
const { info } = cloud;
const aws = info.endpoints.aws;

console.log(`
Local cloud ready in ${((performance.now() - started) / 1000).toFixed(1)} s (data in ${info.dataDir})

  Web console      ${info.endpoints.console}   (sign in with any email address: no password locally)
  AWS endpoint     ${aws}   (S3, SQS, DynamoDB, Step Functions, Rekognition, EventBridge; any credentials)
  Labels API       ${info.endpoints.api}
  Sign-in service  ${info.endpoints.auth}   (the OpenID Connect issuer, as Cognito's)
  Bucket           ${info.bucket}
  Table            ${info.tableName}
  Queue            ${info.queueUrl}
  State machine    ${info.stateMachineArn}
  Image events     ${info.eventBus}   (an EventBridge bus: see docs/events.md)
  Facts as JSON    ${info.dataDir}/stack.json

Try it (in another terminal):

  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=${info.region}
  aws --endpoint-url ${aws} s3 cp test/fixtures/photos/astronaut.png "s3://${info.bucket}/some dir/a+b.png"
  TOKEN=$(npm run --silent token)
  curl -s -H "Authorization: Bearer $TOKEN" ${info.endpoints.api}/images/some%20dir%2Fa%2Bb.png

${flags.faults ? `Faults injected: ${flags.faults}\n\n` : ''}Ctrl-C stops it.
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130);
    stopping = true;
    console.log('\nStopping the local cloud...');
    cloud.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Stopped with an error:', error);
        process.exit(1);
      },
    );
  });
}
