import { describe, expect, it } from 'vitest';
import {
  type HookEvent,
  type HookReporter,
  type HookStatus,
  runHook,
  verdict,
} from '../../../../functions/core/deployment-hooks/hook';

const event: HookEvent = { DeploymentId: 'd-1', LifecycleEventHookExecutionId: 'exec-1' };

/** Keeps what the hook reported, in order. */
function recordingReporter(): HookReporter & { statuses: HookStatus[] } {
  const statuses: HookStatus[] = [];
  return { statuses, report: async (_event, status) => void statuses.push(status) };
}

describe('verdict', () => {
  it('succeeds only when there are results and every one passed', () => {
    expect(verdict([{ check: 'a', ok: true, detail: '' }])).toBe('Succeeded');
    expect(verdict([])).toBe('Failed');
    expect(
      verdict([
        { check: 'a', ok: true, detail: '' },
        { check: 'b', ok: false, detail: '' },
      ]),
    ).toBe('Failed');
  });
});

describe('runHook', () => {
  it('reports the verdict of its checks', async () => {
    const reporter = recordingReporter();

    const report = await runHook(
      reporter,
      event,
      async () => [{ check: 'a', ok: true, detail: 'fine' }],
      1_000,
    );

    expect(report.status).toBe('Succeeded');
    expect(reporter.statuses).toEqual(['Succeeded']);
  });

  it('reports Failed, with the error, when a check throws', async () => {
    const reporter = recordingReporter();

    const report = await runHook(
      reporter,
      event,
      async () => {
        throw new TypeError('boom');
      },
      1_000,
    );

    expect(report).toEqual({ status: 'Failed', results: [], error: 'TypeError: boom' });
    expect(reporter.statuses).toEqual(['Failed']);
  });

  it('reports Failed when the checks outlive the deadline', async () => {
    const reporter = recordingReporter();

    const report = await runHook(reporter, event, () => new Promise(() => {}), 10);

    expect(report.status).toBe('Failed');
    expect(report.error).toMatch(/^SmokeTestFailed\w*: The checks did not finish within 10 ms\.$/);
    expect(reporter.statuses).toEqual(['Failed']);
  });
});
