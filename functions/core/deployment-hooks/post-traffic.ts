/**
 * Post-traffic smoke test: the aliases serve the new versions, so the workflow runs end to end
 * on a valid and an invalid smoke image and must end LABELED and REJECTED.
 */
import type { ObjectRef } from '../workflow-schemas';
import type { CheckResult } from './hook';
import { type SmokeObjectStore, withSmokeObjects } from './smoke-objects';

/** One synchronous run of the label-image workflow (functions/adapters/step-functions-runner.ts runWorkflow). */
export type WorkflowRunner = (input: {
  object: ObjectRef;
  eventTime: string;
}) => Promise<{ executionArn: string; outcome?: string | undefined }>;

export interface PostTrafficDeps {
  runWorkflow: WorkflowRunner;
  smokeObjects: SmokeObjectStore;
  now: Date;
}

/** Runs the workflow (whose tasks now all serve the new versions) on both smoke objects. */
export function postTrafficChecks(deps: PostTrafficDeps): Promise<CheckResult[]> {
  return withSmokeObjects(deps.smokeObjects, deps.now, async ({ valid, invalid }) => {
    const run = async (check: string, object: ObjectRef, expected: string): Promise<CheckResult> => {
      try {
        const result = await deps.runWorkflow({ object, eventTime: deps.now.toISOString() });
        return {
          check,
          ok: result.outcome === expected,
          detail: `${result.executionArn} ended ${result.outcome ?? '(no outcome)'}`,
        };
      } catch (error) {
        return { check, ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    };
    return Promise.all([
      run('labels a valid image', valid, 'LABELED'),
      run('rejects an invalid file', invalid, 'REJECTED'),
    ]);
  });
}
