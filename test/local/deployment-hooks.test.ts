/**
 * The CodeDeploy lifecycle hooks, run offline as a deployment runs them: the real hook
 * handlers, invoked through the local Lambda API, test the real functions and workflow and
 * report to the local CodeDeploy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/config/functions';
import type { LocalCloud } from '../../local/cloud';
import { runDeploymentHooks } from '../../local/deployment-hooks';
import { Harness } from '../../reliability/harness';

describe('the deployment hooks in the local cloud', () => {
  let harness: Harness;
  let cloud: LocalCloud;

  beforeAll(async () => {
    harness = await Harness.start();
    cloud = harness.cloud;
  }, 120_000);

  afterAll(async () => {
    await harness?.stop();
  });

  it('passes every function pre-traffic smoke test and the post-traffic workflow run, and reports each verdict to CodeDeploy', async () => {
    const runs = await runDeploymentHooks(cloud.info);

    expect(runs.map((run) => `${run.hook} ${run.target}`).sort()).toEqual(
      [
        ...Object.values(FUNCTIONS).map((spec) => `pre-traffic ${spec.handlerDir}`),
        'post-traffic workflow',
      ].sort(),
    );
    for (const run of runs) {
      expect(run.report, `${run.hook} ${run.target}`).toMatchObject({ status: 'Succeeded' });
      expect(run.report.results.length).toBeGreaterThan(0);
      expect(run.report.results.every((result) => result.ok)).toBe(true);
    }
    const post = runs.find((run) => run.hook === 'post-traffic');
    expect(post?.report.results.map((result) => result.check)).toEqual([
      'labels a valid image',
      'rejects an invalid file',
    ]);
    const reports = cloud.codedeploy.reports();
    expect(reports).toHaveLength(runs.length);
    expect(new Set(reports.map((report) => report.deploymentId)).size).toBe(1);
    expect(reports.every((report) => report.status === 'Succeeded')).toBe(true);
  }, 120_000);

  it('fails the post-traffic hook, and tells CodeDeploy so, when Rekognition fails every call', async () => {
    cloud.rekognition.faults.set({ internalErrorRate: 1 });
    try {
      const before = cloud.codedeploy.reports().length;

      const runs = await runDeploymentHooks(cloud.info);

      const post = runs.find((run) => run.hook === 'post-traffic');
      expect(post?.report.status).toBe('Failed');
      expect(post?.report.results.find((result) => result.check === 'labels a valid image')?.ok).toBe(false);
      expect(post?.report.results.find((result) => result.check === 'rejects an invalid file')?.ok).toBe(
        true,
      );
      // The pre-traffic tests do not call Rekognition: they still pass.
      expect(
        runs.filter((run) => run.hook === 'pre-traffic').every((run) => run.report.status === 'Succeeded'),
      ).toBe(true);
      const failed = cloud.codedeploy
        .reports()
        .slice(before)
        .filter((report) => report.status === 'Failed');
      expect(failed).toHaveLength(1);
    } finally {
      cloud.rekognition.faults.set({ internalErrorRate: 0 });
    }
  }, 180_000);
});
