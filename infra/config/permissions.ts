/**
 * What a function may call, declared with its spec (infra/config/functions.ts) and granted by the
 * house construct (infra/constructs/function-permissions.ts): least privilege, in one place per
 * function. Grants are made in the order listed, so a role's policy reads like the list.
 */

/** The DynamoDB calls the functions make. */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:Query';
/** The S3 calls on the objects of the images bucket. */
export type ImageAction = 's3:GetObject' | 's3:GetObjectVersion' | 's3:DeleteObject';

export type Permission =
  /** Actions on the labels table itself (not its indexes). */
  | { on: 'table'; actions: readonly TableAction[] }
  /** Query on the table's two indexes (labels, images). */
  | { on: 'tableIndexes' }
  /** Actions on any object of the images bucket; `why` answers cdk-nag's wildcard finding. */
  | { on: 'images'; actions: readonly ImageAction[]; why: string }
  /** ListBucket on the images bucket (so a missing key is a 404, not a 403). */
  | { on: 'imagesList' }
  /** PutObject under uploads/ only (presigned uploads are signed with the function's role). */
  | { on: 'uploads'; why: string }
  /** StartSyncExecution of the label-image workflow. */
  | { on: 'workflow' }
  /** SendMessage to the ingest queue. */
  | { on: 'ingestQueue' }
  /** GetSecretValue of the API's cursor secret. */
  | { on: 'cursorSecret' }
  /** Rekognition DetectLabels (no resource-level permissions). */
  | { on: 'rekognition' };

export type PermissionTarget = Permission['on'];
