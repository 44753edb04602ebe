/**
 * Every statemachines/*.asl.json as a stage deploys it: the text its construct hands to CDK
 * (infra/constructs/label-workflow.ts, backfill-workflow.ts), with `definitionSubstitutions`
 * applied the way CloudFormation applies them (substitute.ts) and values of
 * the form CloudFormation resolves them to: the `live` alias ARN of a function whose name
 * CloudFormation generated, the images bucket's name (imagesBucketName). So the static check
 * (infra/asl/check.ts) sees real ARNs, never `${Placeholders}`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ALIAS_NAME, FUNCTIONS, type FunctionSpec } from '../config/functions';
import { imagesBucketName, loadStageConfig, type StageConfig } from '../config/stage-config';
import { LABEL_IMAGE_ASL_PATH } from '../config/timing';
import {
  BACKFILL_ASL_PATH,
  type BACKFILL_PLACEHOLDERS,
  backfillDefinition,
} from '../constructs/backfill-workflow';
import { LABEL_WORKFLOW_PLACEHOLDERS } from '../constructs/label-workflow';
import type { WorkflowType } from './rules';
import { substituteDefinition } from './substitute';

export const STATEMACHINES_DIR = dirname(LABEL_IMAGE_ASL_PATH);

/** Where a stage runs when its config leaves the account or region open (as `cdk synth` does). */
export const SAMPLE_ACCOUNT = '123456789012';
export const SAMPLE_REGION = 'us-east-1';

interface Target {
  stage: string;
  account: string;
  region: string;
  config: StageConfig;
}

interface WorkflowSource {
  type: WorkflowType;
  /** The definition text the construct passes to CDK, before substitution. */
  text(config: StageConfig): string;
  /** Each placeholder the construct fills, with the value CloudFormation resolves it to. */
  substitutions(target: Target): Record<string, string>;
}

/** The physical name CloudFormation gives an unnamed function: <stack>-<logical id>-<random>. */
function generatedFunctionName(target: Target, spec: FunctionSpec): string {
  const prefix = `ImageLabeling-${target.stage}-Pipeline-${spec.id}Function0A1B2C3D`.slice(0, 50);
  return `${prefix}-Xy9Zw8Vu7Ts6`;
}

function aliasArn(target: Target, spec: FunctionSpec): string {
  const name = generatedFunctionName(target, spec);
  return `arn:aws:lambda:${target.region}:${target.account}:function:${name}:${ALIAS_NAME}`;
}

function functionFor(placeholder: string): FunctionSpec {
  const spec = Object.values(FUNCTIONS as Record<string, FunctionSpec>).find(
    (candidate) => candidate.placeholder === placeholder,
  );
  if (!spec) throw new Error(`no function in infra/config/functions.ts fills the placeholder ${placeholder}`);
  return spec;
}

/** How each workflow is deployed; a new statemachines/*.asl.json needs an entry here. */
export const WORKFLOWS: Readonly<Record<string, WorkflowSource>> = {
  'label-image.asl.json': {
    type: 'EXPRESS', // infra/constructs/label-workflow.ts
    text: () => readFileSync(LABEL_IMAGE_ASL_PATH, 'utf8'),
    substitutions: (target) =>
      Object.fromEntries(
        LABEL_WORKFLOW_PLACEHOLDERS.map((placeholder) => [
          placeholder,
          aliasArn(target, functionFor(placeholder)),
        ]),
      ),
  },
  [basename(BACKFILL_ASL_PATH)]: {
    type: 'STANDARD', // infra/constructs/backfill-workflow.ts
    text: (config) => backfillDefinition(config.backfill),
    substitutions: (target) => {
      const values: Record<(typeof BACKFILL_PLACEHOLDERS)[number], string> = {
        ImagesBucketName: imagesBucketName(target.config, target.account, target.region),
        ReconcileObjectFunctionArn: aliasArn(target, FUNCTIONS.reconcileObject),
      };
      return values;
    },
  },
};

/** The ASL files in statemachines/. */
export function workflowFiles(): string[] {
  return readdirSync(STATEMACHINES_DIR)
    .filter((file) => file.endsWith('.asl.json'))
    .sort();
}

export interface RenderedWorkflow {
  file: string;
  stage: string;
  type: WorkflowType;
  /** The definition as deployed: substituted, with the stage's settings. */
  definition: string;
}

/** One workflow as the stage deploys it; throws if the file is unknown or a placeholder is left. */
export function renderWorkflow(file: string, stage: string): RenderedWorkflow {
  const source = WORKFLOWS[file];
  if (!source) {
    throw new Error(`statemachines/${file} is not registered in infra/asl/workflows.ts (WORKFLOWS)`);
  }
  const config = loadStageConfig(stage);
  const target: Target = {
    stage: config.stage,
    account: config.env.account ?? SAMPLE_ACCOUNT,
    region: config.env.region ?? SAMPLE_REGION,
    config,
  };
  const definition = substituteDefinition(source.text(config), source.substitutions(target));
  return { file, stage, type: source.type, definition };
}
