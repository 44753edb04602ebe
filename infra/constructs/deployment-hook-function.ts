/**
 * A CodeDeploy lifecycle hook function: the house settings ({@link houseFunction}) but no
 * `live` alias, because CodeDeploy invokes hooks by function name and they are not released
 * through a canary.
 */
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { HOOK_ENVIRONMENTS, HookEntry } from '../../functions/deployment-hooks/environment';
import type { EnvVars } from '../../functions/shared/env';
import { DEPLOYMENT_HOOKS_MEMORY_MB, hookEnvironment } from '../config/functions';
import type { StageConfig } from '../config/stage-config';
import { houseFunction } from './labeler-function';

export interface DeploymentHookFunctionProps<Entry extends HookEntry = HookEntry> {
  /** File under functions/deployment-hooks/, without `.ts`. */
  entry: Entry;
  description: string;
  timeout: Duration;
  /** Exactly the variables the hook reads (functions/deployment-hooks/environment.ts). */
  environment: EnvVars<(typeof HOOK_ENVIRONMENTS)[Entry]>;
  config: StageConfig;
  removalPolicy: RemovalPolicy;
}

export class DeploymentHookFunction<Entry extends HookEntry = HookEntry> extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DeploymentHookFunctionProps<Entry>) {
    super(scope, id);
    const made = houseFunction(this, {
      entry: `deployment-hooks/${props.entry}`,
      description: props.description,
      roleDescription: `Execution role of the ${props.entry} deployment hook`,
      memorySize: DEPLOYMENT_HOOKS_MEMORY_MB,
      timeout: props.timeout,
      environment: { ...hookEnvironment(props.config), ...props.environment },
      config: props.config,
      removalPolicy: props.removalPolicy,
      // CodeDeploy invokes hooks asynchronously: a hook that crashed or could not send its
      // report gets Lambda's retries (it reports at most once per successful run).
      extra: { retryAttempts: 2 },
    });
    this.function = made.function;
    this.role = made.role;
    this.logGroup = made.logGroup;
  }
}
