/**
 * Safe delivery of a stack's functions: one CodeDeploy application, one deployment group per
 * aliased function (CanaryRelease: rollback alarms on the new version and its own pre-traffic
 * hook), and one post-traffic hook that runs the workflow end to end after any of them.
 *
 * No reference cycles: a pre-traffic hook references its function's version (not the alias),
 * and the post-traffic hook reaches the state machine and the deployment groups by ARNs built
 * from fixed names, because the aliases depend on the hooks and the state machine depends on
 * the aliases.
 */
import { ArnFormat, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { DeliveryConfig } from '../config/delivery-config';
import { DEPLOYMENT_HOOK_TIMEOUT_SECONDS } from '../config/functions';
import type { StageConfig } from '../config/stage-config';
import { CanaryRelease, deploymentConfigFor, grantSmokeObjects } from './canary-release';
import { DeploymentHookFunction } from './deployment-hook-function';
import type { LabelerFunction } from './labeler-function';

/** The functions a delivery releases, by their name in the stage's rollback budgets. */
type ReleaseName = keyof DeliveryConfig['rollback']['durationP99Ms'];
export type Releases = Partial<Record<ReleaseName, LabelerFunction>>;

export interface DeliveryProps {
  config: StageConfig;
  /** CodeDeploy application name, unique in the account and region. */
  applicationName: string;
  /** The images bucket: the hooks write (and delete) their smoke objects under SMOKE_PREFIX. */
  bucket: s3.IBucket;
  /**
   * The label-image state machine's fixed name: a post-traffic hook runs it end to end after
   * every deployment of this delivery's functions. Without it (the API), there is none.
   */
  stateMachineName?: string;
  removalPolicy: RemovalPolicy;
  releases: Releases;
}

export class Delivery extends Construct {
  readonly application: codedeploy.LambdaApplication;
  /** The application's fixed name (deployment notifications match its events by it). */
  readonly applicationName: string;
  readonly postTrafficHook: DeploymentHookFunction | undefined;
  /** By the function's handlerDir (also its deployment group's name). */
  readonly releases: Record<string, CanaryRelease> = {};

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    const { config, bucket } = props;
    this.applicationName = props.applicationName;
    this.application = new codedeploy.LambdaApplication(this, 'Application', {
      applicationName: props.applicationName,
    });
    this.postTrafficHook = props.stateMachineName
      ? this.workflowHook(props, props.stateMachineName)
      : undefined;

    const deploymentConfig = deploymentConfigFor(this, config.delivery.deployment);
    for (const [name, target] of Object.entries(props.releases) as [ReleaseName, LabelerFunction][]) {
      const release = new CanaryRelease(this, target.node.id, {
        target,
        application: this.application,
        applicationName: props.applicationName,
        deploymentConfig,
        durationP99: Duration.millis(config.delivery.rollback.durationP99Ms[name]),
        postHook: this.postTrafficHook?.function,
        bucket,
        config,
        removalPolicy: props.removalPolicy,
      });
      if (this.postTrafficHook) release.grantReport(this.postTrafficHook.role);
      this.releases[target.spec.handlerDir] = release;
    }
  }

  /** The AfterAllowTraffic hook: runs the workflow on a valid and an invalid smoke image. */
  private workflowHook(props: DeliveryProps, stateMachineName: string): DeploymentHookFunction {
    const stateMachineArn = Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const hook = new DeploymentHookFunction(this, 'PostTraffic', {
      entry: 'post-traffic',
      description: 'CodeDeploy AfterAllowTraffic: runs the workflow on a valid and an invalid smoke image.',
      timeout: Duration.seconds(DEPLOYMENT_HOOK_TIMEOUT_SECONDS['post-traffic']),
      environment: { IMAGES_BUCKET_NAME: props.bucket.bucketName, STATE_MACHINE_ARN: stateMachineArn },
      config: props.config,
      removalPolicy: props.removalPolicy,
    });
    grantSmokeObjects(hook, props.bucket);
    hook.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['states:StartSyncExecution'], resources: [stateMachineArn] }),
    );
    return hook;
  }
}
