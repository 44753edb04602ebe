/**
 * Grants a function what its spec's `permissions` list (infra/config/permissions.ts), on the
 * resources its stack passes in, in the order listed. A permission whose resource the stack did
 * not pass fails the synth with the function's name: a wiring mistake, never a silent gap.
 */
import { Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';
import { IMAGES_INDEX, LABELS_INDEX } from '../../functions/core/labels-table';
import type { Permission } from '../config/permissions';
import { nagResourceFinding } from '../nag';

/** The resources permissions name; a stack passes those its functions need. */
export interface PermissionResources {
  table?: dynamodb.ITable;
  bucket?: s3.IBucket;
  stateMachine?: sfn.IStateMachine;
  queue?: sqs.IQueue;
  cursorSecret?: secretsmanager.ISecret;
}

export interface Grantee {
  /** Named in a wiring error. */
  name: string;
  function: lambda.IFunction;
  role: iam.IRole;
}

function required<K extends keyof PermissionResources>(
  resources: PermissionResources,
  key: K,
  grantee: Grantee,
  permission: Permission,
): NonNullable<PermissionResources[K]> {
  const resource = resources[key];
  if (!resource) {
    throw new Error(
      `${grantee.name} needs the ${key} for its "${permission.on}" permission; pass it in its resources`,
    );
  }
  return resource as NonNullable<PermissionResources[K]>;
}

function grantOne(
  scope: IConstruct,
  grantee: Grantee,
  permission: Permission,
  resources: PermissionResources,
) {
  const need = <K extends keyof PermissionResources>(key: K) => required(resources, key, grantee, permission);
  const allow = (actions: readonly string[], resourceArns: string[]) =>
    iam.Grant.addToPrincipal({ grantee: grantee.function, actions: [...actions], resourceArns });
  const acknowledge = (resource: string, reason: string) =>
    Validations.of(grantee.role).acknowledge({
      id: nagResourceFinding(scope, 'AwsSolutions-IAM5', resource),
      reason,
    });
  switch (permission.on) {
    case 'table':
      return void allow(permission.actions, [need('table').tableArn]);
    case 'tableIndexes': {
      const { tableArn } = need('table');
      return void allow(
        ['dynamodb:Query'],
        [LABELS_INDEX, IMAGES_INDEX].map((index) => `${tableArn}/index/${index}`),
      );
    }
    case 'images': {
      const objects = need('bucket').arnForObjects('*');
      allow(permission.actions, [objects]);
      return acknowledge(objects, permission.why);
    }
    case 'imagesList':
      return void allow(['s3:ListBucket'], [need('bucket').bucketArn]);
    case 'uploads': {
      const uploads = need('bucket').arnForObjects('uploads/*');
      allow(['s3:PutObject'], [uploads]);
      return acknowledge(uploads, permission.why);
    }
    case 'workflow':
      return void need('stateMachine').grantStartSyncExecution(grantee.function);
    case 'ingestQueue':
      return void allow(['sqs:SendMessage'], [need('queue').queueArn]);
    case 'cursorSecret':
      return void need('cursorSecret').grantRead(grantee.function);
    case 'rekognition':
      return void grantee.function.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['rekognition:DetectLabels'], resources: ['*'] }),
      );
  }
}

/** Grants each permission in turn. */
export function grantPermissions(
  scope: IConstruct,
  grantee: Grantee,
  permissions: readonly Permission[],
  resources: PermissionResources,
): void {
  for (const permission of permissions) grantOne(scope, grantee, permission, resources);
}
