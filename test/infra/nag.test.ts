import { Aws, Fn, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { nagResourceFinding } from '../../infra/nag';

describe('nagResourceFinding', () => {
  const stack = new Stack();
  const bucket = new s3.Bucket(stack, 'Site');
  const logicalId = stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);

  it('renders pseudo parameters as cdk-nag does', () => {
    expect(nagResourceFinding(stack, 'AwsSolutions-IAM5', `arn:aws:s3:::b-${Aws.ACCOUNT_ID}/*`)).toBe(
      'AwsSolutions-IAM5[Resource::arn:aws:s3:::b-<AWS::AccountId>/*]',
    );
  });

  it('renders attributes as <LogicalId.Attribute>', () => {
    expect(nagResourceFinding(stack, 'AwsSolutions-IAM5', bucket.arnForObjects('*'))).toBe(
      `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/*]`,
    );
  });

  it('renders Fn::Sub variables as <Name>', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub template
    const template = 'assets-${AWS::Region}/*';
    expect(nagResourceFinding(stack, 'AwsSolutions-IAM5', Fn.sub(template))).toBe(
      'AwsSolutions-IAM5[Resource::assets-<AWS::Region>/*]',
    );
  });

  it('refuses what it cannot render instead of guessing', () => {
    expect(() =>
      nagResourceFinding(stack, 'AwsSolutions-IAM5', `${Fn.select(0, Fn.split('-', Aws.STACK_NAME))}/x`),
    ).toThrow(/Cannot render/);
  });
});
