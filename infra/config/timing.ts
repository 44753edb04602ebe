/**
 * Timeouts that must agree with each other, derived from one source: the state machine's own
 * TimeoutSeconds in statemachines/label-image.asl.json.
 *
 *   workflow timeout < start-workflow function timeout <= queue visibility timeout / 6
 *   claim lease > workflow timeout (a crashed run's claim expires only after it cannot be alive)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const LABEL_IMAGE_ASL_PATH = fileURLToPath(
  new URL('../../statemachines/label-image.asl.json', import.meta.url),
);

export interface PipelineTiming {
  workflowTimeoutSeconds: number;
  startFunctionTimeoutSeconds: number;
  taskFunctionTimeoutSeconds: number;
  queueVisibilityTimeoutSeconds: number;
  claimLeaseSeconds: number;
}

export function pipelineTiming(aslText: string = readFileSync(LABEL_IMAGE_ASL_PATH, 'utf8')): PipelineTiming {
  const { TimeoutSeconds } = JSON.parse(aslText) as { TimeoutSeconds?: unknown };
  if (typeof TimeoutSeconds !== 'number' || TimeoutSeconds <= 0 || TimeoutSeconds > 300) {
    throw new Error(
      'label-image.asl.json must set TimeoutSeconds between 1 and 300 (an Express workflow runs 5 minutes at most).',
    );
  }
  const startFunctionTimeoutSeconds = TimeoutSeconds + 10;
  return {
    workflowTimeoutSeconds: TimeoutSeconds,
    startFunctionTimeoutSeconds,
    taskFunctionTimeoutSeconds: 30,
    queueVisibilityTimeoutSeconds: startFunctionTimeoutSeconds * 6,
    claimLeaseSeconds: TimeoutSeconds + 30,
  };
}
