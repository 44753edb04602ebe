/**
 * CodeDeploy lifecycle hooks for the functions' `live` aliases: what a hook run decides.
 *
 * - BeforeAllowTraffic (pre-traffic.ts): the new version exists but serves nothing yet; the hook
 *   invokes it directly with a smoke event whose outcome is known.
 * - AfterAllowTraffic (post-traffic.ts): the aliases serve the new versions; the hook runs the
 *   whole workflow on a valid and an invalid smoke image and expects LABELED and REJECTED.
 *
 * Whatever happens inside a check (a throw, a timeout, a bad configuration), the hook reports
 * Succeeded or Failed: a hook that never reports leaves the deployment waiting for CodeDeploy's
 * own timeout.
 */

import * as v from 'valibot';
import { SmokeTestFailedError } from '../errors';

export const HookEventSchema = v.object({
  DeploymentId: v.pipe(v.string(), v.minLength(1)),
  LifecycleEventHookExecutionId: v.pipe(v.string(), v.minLength(1)),
});
export type HookEvent = v.InferOutput<typeof HookEventSchema>;

export type HookStatus = 'Succeeded' | 'Failed';

export interface CheckResult {
  check: string;
  ok: boolean;
  detail: string;
}

export interface HookReport {
  status: HookStatus;
  results: CheckResult[];
  error?: string;
}

/** Where the verdict goes (functions/adapters/codedeploy-hook-reporter.ts). */
export interface HookReporter {
  report(event: HookEvent, status: HookStatus): Promise<void>;
}

/** The verdict on a run's results: Succeeded only when there are some and every one passed. */
export function verdict(results: CheckResult[]): HookStatus {
  return results.length > 0 && results.every((result) => result.ok) ? 'Succeeded' : 'Failed';
}

/**
 * Runs `checks` with a deadline, then reports: Succeeded only when every check passed. Throws
 * only when the report itself cannot be sent (Lambda then retries the hook).
 */
export async function runHook(
  reporter: HookReporter,
  event: HookEvent,
  checks: () => Promise<CheckResult[]>,
  deadlineMs: number,
): Promise<HookReport> {
  let report: HookReport;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new SmokeTestFailedError(`The checks did not finish within ${deadlineMs} ms.`)),
        deadlineMs,
      );
    });
    const results = await Promise.race([checks(), deadline]);
    report = { status: verdict(results), results };
  } catch (error) {
    report = {
      status: 'Failed',
      results: [],
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
  await reporter.report(event, report.status);
  return report;
}
