/** The labels table as the DynamoDB adapters take it: a client and a name, no module state. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface TableRef {
  db: DynamoDBDocumentClient;
  tableName: string;
}
