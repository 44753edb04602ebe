import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type * as z from 'zod';
import {
  buildImageEvent,
  IMAGE_EVENT_SOURCE,
  IMAGE_EVENT_TYPES,
  type ImageEventDetail,
  type ImageEventStatus,
} from '../../functions/core/image-events';
import { loadStageConfig } from '../../infra/config/stage-config';
import { pipelineTiming } from '../../infra/config/timing';
import { ImageEventDetailSchema } from '../../infra/constructs/image-event-schema';
import {
  grantPutImageEvents,
  IMAGE_EVENT_SCHEMA_TYPE,
  imageEventSchemaDocument,
  imageEventSchemaName,
} from '../../infra/constructs/image-events';
import { StorageStack } from '../../infra/stacks/storage-stack';
import { buildStage } from '../support/synth';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
const resources = (template: Template, type: string) =>
  Object.entries(template.findResources(type) as Record<string, Resource>);

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};
const STATUSES = Object.keys(IMAGE_EVENT_TYPES) as ImageEventStatus[];
/** The bus ARN as the pipeline and API stacks render it: from the fixed name, no export. */
const busArn = (name: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':events:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:event-bus/${name}`,
    ],
  ],
});

describe('the image event schema', () => {
  it("describes exactly the functions' ImageEventDetail type (checked by tsc)", () => {
    expectTypeOf<z.infer<typeof ImageEventDetailSchema>>().toEqualTypeOf<ImageEventDetail>();
  });
});

describe('image events on AWS, dev stage', () => {
  let built: ReturnType<typeof buildStage>;
  let storage: Template;
  let pipeline: Template;
  let api: Template;
  beforeAll(() => {
    built = buildStage('dev');
    storage = Template.fromStack(built.storage);
    pipeline = Template.fromStack(built.pipeline);
    api = Template.fromStack(built.api);
  });

  it('puts the bus image-labeling-dev in the storage stack, and only there', () => {
    expect(resources(storage, 'AWS::Events::EventBus').map(([, bus]) => bus.Properties.Name)).toEqual([
      'image-labeling-dev',
    ]);
    for (const template of [pipeline, api]) expect(resources(template, 'AWS::Events::EventBus')).toEqual([]);
  });

  it('archives every image event of the bus for as long as the bucket keeps old image versions', () => {
    const [[busId]] = resources(storage, 'AWS::Events::EventBus') as [[string, Resource]];
    const archives = resources(storage, 'AWS::Events::Archive');
    expect(archives).toHaveLength(1);
    expect(archives[0]?.[1].Properties).toMatchObject({
      ArchiveName: 'image-labeling-dev-events',
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      EventPattern: { source: [IMAGE_EVENT_SOURCE] },
      RetentionDays: built.config.images.noncurrentVersionExpirationDays,
    });
  });

  it('registers one JSONSchemaDraft4 schema per detail type in the registry image-labeling-dev', () => {
    const [[registryId, registry]] = resources(storage, 'AWS::EventSchemas::Registry') as [
      [string, Resource],
    ];
    expect(registry.Properties.RegistryName).toBe('image-labeling-dev');
    const schemas = resources(storage, 'AWS::EventSchemas::Schema');
    expect(schemas.map(([, schema]) => schema.Properties.SchemaName).sort()).toEqual([
      'image-labeling@ImageDeleted',
      'image-labeling@ImageFailed',
      'image-labeling@ImageLabeled',
      'image-labeling@ImageRejected',
    ]);
    for (const [, schema] of schemas) {
      expect(schema.Properties).toMatchObject({
        RegistryName: 'image-labeling-dev',
        Type: IMAGE_EVENT_SCHEMA_TYPE,
      });
      // The registry name is a plain string: the schema must wait for the registry explicitly.
      expect(schema.DependsOn).toContain(registryId);
    }
  });

  it("describes each detail type's events: the envelope, and the detail generated from the zod schema", () => {
    const detailFields = Object.keys(ImageEventDetailSchema.shape).sort();
    expect(detailFields).toEqual(
      expect.arrayContaining(['eventId', 'status', 'bucket', 'key', 'labels', 'reason', 'error']),
    );
    for (const [, schema] of resources(storage, 'AWS::EventSchemas::Schema')) {
      const content = JSON.parse(schema.Properties.Content as string);
      const detailType = content['x-amazon-events-detail-type'];
      const definition = content.definitions[content.properties.detail.$ref.replace('#/definitions/', '')];
      expect(content).toMatchObject({
        $schema: 'http://json-schema.org/draft-04/schema#',
        'x-amazon-events-source': IMAGE_EVENT_SOURCE,
        properties: { 'detail-type': { enum: [detailType] }, source: { enum: [IMAGE_EVENT_SOURCE] } },
      });
      expect(content.required).toEqual(expect.arrayContaining(['detail-type', 'source', 'time', 'detail']));
      expect(Object.keys(definition.properties).sort()).toEqual(detailFields);
      expect(definition.required.sort()).toEqual(detailFields);
      expect(definition.properties.eventId.pattern).toBe('^[0-9a-f]{64}$');
      expect(definition.properties.labels.maxItems).toBeGreaterThan(0);
      const status = STATUSES.find((candidate) => IMAGE_EVENT_TYPES[candidate] === detailType);
      expect(definition.properties.status).toEqual({ type: 'string', enum: [status] });
    }
  });

  it('lets exactly the four publishing functions put events, on the stage bus only', () => {
    const publishers = [
      built.pipeline.functions.store,
      built.pipeline.functions.record,
      built.pipeline.functions.start,
      built.api.function,
    ].map((fn) => {
      if (!fn) throw new Error('a publishing function is missing');
      return Stack.of(fn).getLogicalId(fn.role.node.defaultChild as iam.CfnRole);
    });
    const granted: string[] = [];
    for (const template of [storage, pipeline, api]) {
      for (const [, policy] of resources(template, 'AWS::IAM::Policy')) {
        const document = policy.Properties.PolicyDocument as { Statement: Statement[] };
        const putEvents = document.Statement.filter((statement) =>
          [statement.Action].flat().some((action) => action.startsWith('events:Put')),
        );
        if (putEvents.length === 0) continue;
        expect(putEvents).toEqual([
          { Action: 'events:PutEvents', Effect: 'Allow', Resource: busArn('image-labeling-dev') },
        ]);
        granted.push(...(policy.Properties.Roles as { Ref: string }[]).map((role) => role.Ref));
      }
    }
    expect(granted.sort()).toEqual(publishers.sort());
  });
});

describe('the event archive per stage', () => {
  it.each(['dev', 'prod'])('keeps %s events as long as that stage keeps old image versions', (stage) => {
    const config = loadStageConfig(stage);
    const app = new App({ context: cdkJson.context });
    const stack = new StorageStack(app, 'Storage', { config, timing: pipelineTiming() });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Archive', {
      RetentionDays: config.images.noncurrentVersionExpirationDays,
    });
  });
});

describe('imageEventSchemaDocument', () => {
  // Draft 4 as the registry reads it; ajv's default draft (07) takes these keywords the same way.
  const validator = (status: ImageEventStatus) => {
    const { $schema: _draft4, ...schema } = imageEventSchemaDocument(status);
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    return ajv.compile(schema);
  };
  /** An event as EventBridge delivers what a publishing function put. */
  const delivered = (status: ImageEventStatus) => {
    const event = buildImageEvent({
      bucket: 'images',
      key: 'uploads/cat.jpg',
      versionId: 'v1',
      objectVersion: 'v1',
      status,
      labels: status === 'LABELED' ? [{ name: 'Cat', confidence: 98.5 }] : [],
      labelModelVersion: status === 'LABELED' ? '3.0' : null,
      reason: status === 'REJECTED' ? 'UNSUPPORTED_FORMAT' : null,
      error: status === 'FAILED' ? { name: 'RekognitionFailed', message: 'boom' } : null,
      occurredAt: '2026-12-02T10:00:00.000Z',
    });
    return {
      version: '0',
      id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      'detail-type': event.detailType,
      source: event.source,
      account: '123456789012',
      time: '2026-12-02T10:00:01Z',
      region: 'us-east-1',
      resources: [],
      detail: event.detail,
    };
  };

  it.each(STATUSES)('accepts the %s events the publishers build, envelope and detail', (status) => {
    const validate = validator(status);
    expect(validate(delivered(status)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('refuses an event of another detail type, and a detail without its eventId', () => {
    const validate = validator('LABELED');
    expect(validate(delivered('REJECTED'))).toBe(false);
    const event = delivered('LABELED');
    const { eventId: _eventId, ...detail } = event.detail;
    expect(validate({ ...event, detail })).toBe(false);
  });

  it('names a schema as AWS names its own, <source>@<DetailType>', () => {
    expect(imageEventSchemaName('Image Rejected')).toBe('image-labeling@ImageRejected');
  });
});

describe('grantPutImageEvents', () => {
  it('grants PutEvents on the named bus of the role stack, nothing else', () => {
    const stack = new Stack(new App(), 'Publisher');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    grantPutImageEvents(role, 'image-labeling-test');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: busArn('image-labeling-test') }],
      },
    });
  });
});
