/**
 * Each function's permissions are declared with its spec (infra/config/functions.ts) and granted
 * by the house construct: its role allows what the spec lists, and beyond that only what every
 * function gets (its log group, X-Ray) or what another declared contract gives it (the image
 * events bus with EVENT_BUS_NAME, the flags of its stage with the flags variables, the ingest
 * queue to the function its event source mapping feeds, the event source mapping to apply-flags,
 * the table's stream and its failures queue to count-labels, whose stream source reads the one
 * and reports failed batches to the other).
 */
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, type FunctionSpec } from '../../infra/config/functions';
import type { Permission } from '../../infra/config/permissions';
import { loadStageConfig } from '../../infra/config/stage-config';
import { LabelerFunction } from '../../infra/constructs/labeler-function';
import { buildStage } from '../support/synth';

type Statement = { Action: string | string[] };
type Policy = { Properties: { Roles: unknown; PolicyDocument: { Statement: Statement[] } } };

/** The IAM actions a permission stands for. */
const ACTIONS: { [K in Permission['on']]: (permission: Extract<Permission, { on: K }>) => string[] } = {
  table: ({ actions }) => [...actions],
  tableIndexes: () => ['dynamodb:Query'],
  images: ({ actions }) => [...actions],
  imagesList: () => ['s3:ListBucket'],
  uploads: () => ['s3:PutObject'],
  workflow: () => ['states:StartSyncExecution'],
  ingestQueue: () => ['sqs:SendMessage'],
  cursorSecret: () => ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
  rekognition: () => ['rekognition:DetectLabels'],
};
const declared = (spec: FunctionSpec) =>
  new Set(spec.permissions.flatMap((permission) => ACTIONS[permission.on](permission as never)));

/** What a role may hold besides its spec's list: the house grants and other declared contracts. */
const beyondTheSpec =
  /^(logs:CreateLogStream|logs:PutLogEvents|xray:|events:PutEvents$|appconfig:|lambda:|sqs:(ReceiveMessage|DeleteMessage|ChangeMessageVisibility|GetQueueAttributes|GetQueueUrl)$|dynamodb:(ListStreams|DescribeStream|GetRecords|GetShardIterator)$)/;
/** A stream source's on-failure destination: its failures queue (infra/constructs/label-counts.ts). */
const onFailureDestination = (spec: FunctionSpec, action: string) =>
  spec.handlerDir === 'count-labels' && action === 'sqs:SendMessage';

describe('function permissions', () => {
  const templates: Template[] = [];
  beforeAll(() => {
    const built = buildStage('dev');
    for (const stack of [built.pipeline, built.api]) templates.push(Template.fromStack(stack));
  });

  function roleActions(spec: FunctionSpec): Set<string> {
    const actions = new Set<string>();
    for (const template of templates) {
      for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
        if (!id.startsWith(`${spec.id}Role`)) continue;
        expect(role.Properties.Description).toBe(`Execution role of ${spec.handlerDir}`);
        const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Policy[];
        for (const policy of policies.filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${id}"`))) {
          for (const statement of policy.Properties.PolicyDocument.Statement) {
            for (const action of [statement.Action].flat()) actions.add(action);
          }
        }
      }
    }
    return actions;
  }

  it.each(Object.values(FUNCTIONS) as FunctionSpec[])(
    '$handlerDir may call what its spec lists, and only that',
    (spec) => {
      const actions = roleActions(spec);
      expect(actions.size, `no role found for ${spec.id}`).toBeGreaterThan(0);
      const wanted = declared(spec);
      expect([...wanted].filter((action) => !actions.has(action))).toEqual([]);
      const extra = [...actions].filter(
        (action) => !wanted.has(action) && !beyondTheSpec.test(action) && !onFailureDestination(spec, action),
      );
      expect(extra).toEqual([]);
    },
  );

  it('fails the synth, naming the function, when its stack does not pass a resource a permission needs', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Bare');
    const build = () =>
      new LabelerFunction(stack, 'Api', {
        spec: FUNCTIONS.api,
        config: loadStageConfig('dev'),
        environment: {},
        timeout: Duration.seconds(10),
        removalPolicy: RemovalPolicy.DESTROY,
        resources: {},
      });
    expect(build).toThrow(/api needs the cursorSecret for its "cursorSecret" permission/);
  });
});
