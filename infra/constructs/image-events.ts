/**
 * The AWS side of image events (functions/core/image-events.ts): the stage's EventBridge bus,
 * an archive of what it carried, and the events' schemas in the EventBridge schema registry.
 *
 * The bus has a fixed name, `image-labeling-<stage>`, so the stacks whose functions publish on it
 * (pipeline, API) reach it by an ARN built from that name, as they reach the images bucket: no
 * cross-stack export, and the storage stack never has to be updated for a consumer.
 *
 * The schemas are generated from ImageEventDetailSchema (zod, `z.toJSONSchema`, JSON Schema
 * draft 4, the draft the registry's JSONSchemaDraft4 type takes), one per detail type, each
 * wrapped in the EventBridge envelope: what `aws schemas describe-schema` shows a consumer (and
 * what it generates code bindings from) is exactly what the publishers validate against.
 */
import { type Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import * as z from 'zod';
import {
  IMAGE_EVENT_SOURCE,
  IMAGE_EVENT_TYPES,
  type ImageEventStatus,
  type ImageEventType,
  imageEventBusName,
} from '../../functions/core/image-events';
import { ImageEventDetailSchema } from './image-event-schema';

/** The registry's schema type: EventBridge takes OpenApi3 or JSONSchemaDraft4. */
export const IMAGE_EVENT_SCHEMA_TYPE = 'JSONSchemaDraft4';

/** A schema's name in the registry, in AWS's own form `<source>@<DetailTypeWithoutSpaces>`. */
export function imageEventSchemaName(detailType: ImageEventType): string {
  return `${IMAGE_EVENT_SOURCE}@${detailType.replaceAll(' ', '')}`;
}

/** A bus's ARN from its fixed name, in `scope`'s account and region. */
function busArn(scope: IConstruct, busName: string): string {
  return Stack.of(scope).formatArn({ service: 'events', resource: 'event-bus', resourceName: busName });
}

/**
 * Lets `role` publish on the bus named `busName` (the function's EVENT_BUS_NAME), and on no
 * other bus. PutEvents has no finer resource than the bus.
 */
export function grantPutImageEvents(role: iam.IRole, busName: string): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [busArn(role, busName)] }),
  );
}

/**
 * The registry document of one detail type: the EventBridge envelope (what every event on the
 * bus carries) around the detail schema, with `detail-type`, `source` and `status` fixed to this
 * type's values. JSON Schema draft 4, as the registry's JSONSchemaDraft4 type requires.
 */
export function imageEventSchemaDocument(status: ImageEventStatus): Record<string, unknown> {
  const detailType = IMAGE_EVENT_TYPES[status];
  const definition = detailType.replaceAll(' ', '');
  const { $schema, ...detail } = z.toJSONSchema(ImageEventDetailSchema, { target: 'draft-04' }) as {
    $schema: string;
    properties: Record<string, unknown>;
  } & Record<string, unknown>;
  const string = { type: 'string' };
  return {
    $schema,
    title: definition,
    description: `${detailType}: published once per final outcome of an object version (deduplicate on detail.eventId).`,
    type: 'object',
    'x-amazon-events-source': IMAGE_EVENT_SOURCE,
    'x-amazon-events-detail-type': detailType,
    required: ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'],
    properties: {
      version: string,
      id: string,
      'detail-type': { type: 'string', enum: [detailType] },
      source: { type: 'string', enum: [IMAGE_EVENT_SOURCE] },
      account: string,
      time: { type: 'string', format: 'date-time' },
      region: string,
      resources: { type: 'array', items: string },
      detail: { $ref: `#/definitions/${definition}` },
    },
    definitions: {
      [definition]: {
        ...detail,
        properties: { ...detail.properties, status: { type: 'string', enum: [status] } },
      },
    },
  };
}

export interface ImageEventsProps {
  stage: string;
  /** How long the archive keeps events (replayable for as long). */
  archiveRetention: Duration;
  removalPolicy: RemovalPolicy;
}

export class ImageEvents extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;
  readonly registry: eventschemas.CfnRegistry;
  /** By detail type. */
  readonly schemas: Record<ImageEventType, eventschemas.CfnSchema>;

  constructor(scope: Construct, id: string, props: ImageEventsProps) {
    super(scope, id);
    const name = imageEventBusName(props.stage);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: name,
      description: `Image labeling (${props.stage}): Image Labeled, Rejected, Failed and Deleted events.`,
    });
    this.bus.applyRemovalPolicy(props.removalPolicy);
    this.archive = this.bus.archive('Archive', {
      archiveName: `${name}-events`,
      description: `Every image event of ${props.stage}, replayable onto the bus while it is kept.`,
      eventPattern: { source: [IMAGE_EVENT_SOURCE] },
      retention: props.archiveRetention,
    });
    this.archive.applyRemovalPolicy(props.removalPolicy);

    this.registry = new eventschemas.CfnRegistry(this, 'Registry', {
      registryName: name,
      description: `Image labeling (${props.stage}): the schemas of the events on the ${name} bus.`,
    });
    const entries = (Object.keys(IMAGE_EVENT_TYPES) as ImageEventStatus[]).map((status) => {
      const detailType = IMAGE_EVENT_TYPES[status];
      const schema = new eventschemas.CfnSchema(this, detailType.replaceAll(' ', ''), {
        registryName: name,
        schemaName: imageEventSchemaName(detailType),
        type: IMAGE_EVENT_SCHEMA_TYPE,
        description: `${detailType} events of source ${IMAGE_EVENT_SOURCE} (functions/core/image-events.ts).`,
        content: JSON.stringify(imageEventSchemaDocument(status)),
      });
      schema.node.addDependency(this.registry);
      return [detailType, schema] as const;
    });
    this.schemas = Object.fromEntries(entries) as Record<ImageEventType, eventschemas.CfnSchema>;
  }
}
