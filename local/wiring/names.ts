/** The local stack's region, account and resource names, and the types the wiring steps share. */
import { labelWorkflowName } from '../../infra/config/delivery-config';
import type { StageConfig } from '../../infra/config/stage-config';

export const REGION = 'us-east-1';
export const ACCOUNT_ID = '000000000000';

/** The local resources' names, as the stage's stacks name them on AWS. */
export interface LocalNames {
  bucket: string;
  table: string;
  queue: string;
  deadLetterQueue: string;
  stateMachine: string;
}

export function localNames(stage: StageConfig['stage']): LocalNames {
  return {
    bucket: `image-labeling-${stage}-images`,
    table: `image-labeling-${stage}-labels`,
    queue: `image-labeling-${stage}-uploads`,
    deadLetterQueue: `image-labeling-${stage}-uploads-dlq`,
    stateMachine: labelWorkflowName(stage),
  };
}

/** Stops one part of the local cloud; the parts stop in the reverse order of their start. */
export type Stopper = () => Promise<void> | void;

/** Receives one log line of a function or service. */
export type LogLine = (name: string, line: string) => void;
