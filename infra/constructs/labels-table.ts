/** The labels table (design in functions/core/labels-table.ts). */
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { LABELS_TABLE_SCHEMA as SCHEMA } from '../../functions/core/labels-table';

export interface LabelsTableProps {
  removalPolicy: RemovalPolicy;
  deletionProtection: boolean;
}

export class LabelsTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: LabelsTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: SCHEMA.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
      // The label counts are kept from the stream (functions/core/label-counts.ts): a count
      // changes by the diff of an IMAGE item's old and new label names.
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });
    // Indexes are only ever added (labels-table.ts): CloudFormation adds one to a live table.
    for (const index of SCHEMA.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.INCLUDE,
        nonKeyAttributes: [...index.nonKeyAttributes],
      });
    }
  }
}
