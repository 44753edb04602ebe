/**
 * `npm run smoke`: runs the deployment hooks CodeDeploy runs on every release (every
 * function's pre-traffic smoke test, then the post-traffic workflow run) against the running
 * local cloud, prints each check, and exits 1 when any hook reports Failed.
 *
 * Environment: LOCAL_DATA_DIR (.local).
 */
import { runDeploymentHooks } from './deployment-hooks';
import { localDataDir, requireStackInfo } from './stack-info';

// Lambda runs Node.js 24; the SDK's warning is about the Node.js 20 that may run this script.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const dataDir = localDataDir();
const info = requireStackInfo(dataDir);
if (!info.deploymentHooks) {
  console.error(`${dataDir}/stack.json has no deployment hooks: restart the local cloud (\`npm start\`).`);
  process.exit(1);
}

const started = performance.now();
let runs: Awaited<ReturnType<typeof runDeploymentHooks>>;
try {
  runs = await runDeploymentHooks(info);
} catch (error) {
  console.error(
    `The local cloud (${info.endpoints.aws}) did not run the hooks: ${error instanceof Error ? error.message : String(error)}. Is \`npm start\` running?`,
  );
  process.exit(1);
}
for (const run of runs) {
  console.log(`${run.report.status === 'Succeeded' ? 'ok  ' : 'FAIL'} ${run.hook} ${run.target}`);
  for (const result of run.report.results) {
    console.log(
      `       ${result.ok ? 'ok  ' : 'FAIL'} ${result.check}${result.ok ? '' : `: ${result.detail}`}`,
    );
  }
  if (run.report.error) console.log(`       ${run.report.error}`);
}
const failed = runs.filter((run) => run.report.status !== 'Succeeded');
console.log(
  `\n${runs.length - failed.length} of ${runs.length} hooks succeeded in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
);
process.exit(failed.length > 0 ? 1 : 0);
