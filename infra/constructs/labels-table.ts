/** The labels table (design in functions/domain/labels-table.ts). */
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { LABELS_INDEX } from '../../functions/domain/labels-table';

export interface LabelsTableProps {
  removalPolicy: RemovalPolicy;
  deletionProtection: boolean;
}

export class LabelsTable extends Construct {
  readonly table: dynamodb.Table;
  static readonly labelsIndex = LABELS_INDEX;

  constructor(scope: Construct, id: string, props: LabelsTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: LABELS_INDEX,
      partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: ['key', 'name', 'confidence', 'objectVersion'],
    });
  }
}
