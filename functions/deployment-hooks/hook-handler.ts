/**
 * What both CodeDeploy hooks do around their checks: parse the lifecycle event, run the checks
 * under a deadline, report Succeeded or Failed to CodeDeploy (always), count and log the verdict.
 */
import type { Context } from 'aws-lambda';
import * as v from 'valibot';
import { codedeploy } from '../adapters/clients/codedeploy';
import { codeDeployHookReporter } from '../adapters/deployment-hooks/codedeploy-hook-reporter';
import { type CheckResult, HookEventSchema, runHook } from '../core/deployment-hooks/hook';
import { instrumented } from '../shared/middleware';
import { emit, logger } from '../shared/observability';

/** Time kept back from the Lambda timeout to send the report itself. */
const REPORT_MARGIN_MS = 5_000;

const reporter = codeDeployHookReporter(codedeploy());

export function hookHandler(hook: 'Pre-traffic' | 'Post-traffic', checks: () => Promise<CheckResult[]>) {
  return instrumented(async (event: unknown, context: Context) => {
    const hookEvent = v.parse(HookEventSchema, event);
    const report = await runHook(
      reporter,
      hookEvent,
      checks,
      context.getRemainingTimeInMillis() - REPORT_MARGIN_MS,
    );
    emit(report.status === 'Succeeded' ? 'SmokeTestsPassed' : 'SmokeTestsFailed');
    (report.status === 'Succeeded' ? logger.info : logger.error).call(logger, `${hook} hook reported`, {
      deploymentId: hookEvent.DeploymentId,
      ...report,
    });
    return report;
  });
}
