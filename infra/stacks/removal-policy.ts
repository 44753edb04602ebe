import { RemovalPolicy } from 'aws-cdk-lib';
import type { StageConfig } from '../config/stage-config';

/** The stage's removal policy as CDK takes it: `retain` keeps buckets, tables and logs. */
export function removalPolicyOf(config: StageConfig): RemovalPolicy {
  return config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}
