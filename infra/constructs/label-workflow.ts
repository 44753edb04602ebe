/**
 * The label-image Express state machine, from statemachines/label-image.asl.json. The ASL is
 * source code: CDK only fills its ${Placeholders} with the functions' `live` alias ARNs and
 * inlines it into the template (so cfn-lint and the template tests see the real definition).
 */
import { readFileSync } from 'node:fs';
import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { LABEL_IMAGE_ASL_PATH } from '../config/timing';

/** The ASL's placeholders, each filled with the ARN of one function's live alias. */
export const LABEL_WORKFLOW_PLACEHOLDERS = [
  'ClaimImageFunctionArn',
  'ValidateImageFunctionArn',
  'DetectLabelsFunctionArn',
  'StoreLabelsFunctionArn',
  'RecordOutcomeFunctionArn',
] as const;
export type LabelWorkflowTasks = Record<(typeof LABEL_WORKFLOW_PLACEHOLDERS)[number], lambda.IFunction>;

export interface LabelWorkflowProps {
  tasks: LabelWorkflowTasks;
  logLevel: 'ALL' | 'ERROR' | 'FATAL';
  /** Each state's input and output in the logs (see the stage config's workflowLogIncludesData). */
  logIncludesData: boolean;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
  /** A fixed name lets the post-traffic deployment hook build the ARN without a reference cycle. */
  stateMachineName?: string;
}

export class LabelWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: LabelWorkflowProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // Step Functions requires the /aws/vendedlogs/ prefix to avoid the resource policy size limit.
      logGroupName: `/aws/vendedlogs/states/${scope.node.path.replace(/\//g, '-')}-${id}`,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const substitutions = Object.fromEntries(
      Object.entries(props.tasks).map(([placeholder, fn]) => [placeholder, fn.functionArn]),
    );
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.EXPRESS,
      ...(props.stateMachineName ? { stateMachineName: props.stateMachineName } : {}),
      definitionBody: sfn.DefinitionBody.fromString(readFileSync(LABEL_IMAGE_ASL_PATH, 'utf8')),
      definitionSubstitutions: substitutions,
      logs: {
        destination: this.logGroup,
        level: sfn.LogLevel[props.logLevel],
        includeExecutionData: props.logIncludesData,
      },
      tracingEnabled: true,
    });
    // Substituted ARNs are opaque to CDK: grant each invocation explicitly, on the alias only.
    for (const fn of Object.values(props.tasks)) fn.grantInvoke(this.stateMachine);
  }
}
