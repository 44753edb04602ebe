/**
 * What AWS accepts for the Task and Map states these workflows use, beyond asl-validator's schema:
 * Task `Resource` ARNs (Lambda functions with their qualifier, Step Functions integrations,
 * activities), the integration patterns an Express execution can run, and a Map state's
 * ItemProcessor / ItemReader settings (developer guide: state-map-distributed,
 * input-output-itemreader; aws-cdk-lib's DistributedMap checks).
 */

type Json = Record<string, unknown>;
/** Reports one problem about a field of the state being checked. */
export type FieldReport = (field: string, message: string) => void;

const PARTITION = '(?:aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc)';
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d';
const ACCOUNT = '\\d{12}';

/** arn:aws:lambda:region:account:function:name[:$LATEST|version|alias] */
export const LAMBDA_FUNCTION_ARN = new RegExp(
  `^arn:${PARTITION}:lambda:${REGION}:${ACCOUNT}:function:[A-Za-z0-9_-]{1,64}(?::(?:\\$LATEST|[A-Za-z0-9_-]{1,128}))?$`,
);
/** arn:aws:states:::service:action[.sync|.sync:2|.waitForTaskToken], and aws-sdk:service:action */
export const INTEGRATION_ARN = new RegExp(
  `^arn:${PARTITION}:states:::(?:aws-sdk:)?[a-z0-9-]+:[A-Za-z0-9]+(?<pattern>\\.sync(?::2)?|\\.waitForTaskToken)?$`,
);
export const ACTIVITY_ARN = new RegExp(
  `^arn:${PARTITION}:states:${REGION}:${ACCOUNT}:activity:[A-Za-z0-9_-]{1,80}$`,
);

/** The ItemReader resources of a Distributed Map. */
const ITEM_READERS = ['s3:listObjectsV2', 's3:getObject'] as const;
const ITEM_READER_ARN = new RegExp(`^arn:${PARTITION}:states:::(s3:listObjectsV2|s3:getObject)$`);

const READER_INPUT_TYPES = ['CSV', 'JSON', 'JSONL', 'PARQUET', 'MANIFEST'];
const MANIFEST_TYPES = ['ATHENA_DATA', 'S3_INVENTORY'];
const TRANSFORMATIONS = ['NONE', 'LOAD_AND_FLATTEN'];
const CSV_HEADER_LOCATIONS = ['FIRST_ROW', 'GIVEN'];
const CSV_DELIMITERS = ['COMMA', 'PIPE', 'SEMICOLON', 'SPACE', 'TAB'];
const MAX_ITEMS_LIMIT = 100_000_000;

/** Fields only a Distributed Map (ProcessorConfig.Mode DISTRIBUTED) may have. */
const DISTRIBUTED_ONLY = [
  'ItemReader',
  'ItemBatcher',
  'ResultWriter',
  'ToleratedFailurePercentage',
  'ToleratedFailurePercentagePath',
  'ToleratedFailureCount',
  'ToleratedFailureCountPath',
  'Label',
];

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function oneOf(report: FieldReport, field: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    report(field, `${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  }
}

/** A Task state's Resource; `express`: the state runs in an Express execution. */
export function checkTaskResource(resource: unknown, express: boolean, report: FieldReport): void {
  if (typeof resource !== 'string') return; // the schema reports a missing or non-string Resource
  if (/\$\{[^}]*\}/.test(resource)) {
    report('Resource', `'${resource}' still holds a substitution placeholder`);
    return;
  }
  const integration = INTEGRATION_ARN.exec(resource);
  if (integration) {
    const pattern = integration.groups?.pattern;
    if (pattern?.startsWith('.sync') && resource.includes(':::aws-sdk:')) {
      report('Resource', `'${resource}': AWS SDK integrations have no ${pattern} pattern`);
    }
    if (express && pattern) {
      report(
        'Resource',
        `'${resource}': Express workflows do not support the ${pattern} integration pattern`,
      );
    }
    return;
  }
  if (LAMBDA_FUNCTION_ARN.test(resource) || ACTIVITY_ARN.test(resource)) return;
  report(
    'Resource',
    `'${resource}' is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>[:<alias or version>]), ` +
      'a Step Functions integration (arn:aws:states:::<service>:<action>) or an activity ARN',
  );
}

/** The Map state's mode: ItemProcessor.ProcessorConfig (INLINE when absent). */
export function mapMode(state: Json): { mode: unknown; executionType: unknown } {
  const processor = isObject(state.ItemProcessor) ? state.ItemProcessor : undefined;
  const config = processor && isObject(processor.ProcessorConfig) ? processor.ProcessorConfig : {};
  return { mode: config.Mode ?? 'INLINE', executionType: config.ExecutionType };
}

/** A Map state's processor settings and, for a Distributed Map, its ItemReader. */
export function checkMapState(state: Json, report: FieldReport): void {
  const { mode, executionType } = mapMode(state);
  oneOf(report, 'ItemProcessor.ProcessorConfig.Mode', mode, ['INLINE', 'DISTRIBUTED']);
  if (mode === 'DISTRIBUTED') {
    if (executionType === undefined) {
      report('ItemProcessor.ProcessorConfig.ExecutionType', 'a Distributed Map needs STANDARD or EXPRESS');
    }
    oneOf(report, 'ItemProcessor.ProcessorConfig.ExecutionType', executionType, ['STANDARD', 'EXPRESS']);
  } else if (mode === 'INLINE') {
    if (executionType !== undefined) {
      report('ItemProcessor.ProcessorConfig.ExecutionType', 'only a Distributed Map has an ExecutionType');
    }
    for (const field of DISTRIBUTED_ONLY) {
      if (field in state) report(field, 'only a Distributed Map (ProcessorConfig Mode DISTRIBUTED) has it');
    }
  }
  if ('Iterator' in state && mode === 'DISTRIBUTED') {
    report('Iterator', 'a Distributed Map needs ItemProcessor (Iterator is the old inline-only form)');
  }
  if ('ItemReader' in state && ('ItemsPath' in state || 'Items' in state)) {
    report('ItemReader', 'a Map reads its items either from ItemReader or from ItemsPath/Items, not both');
  }
  if (
    typeof state.Label === 'string' &&
    (state.Label.length > 40 || /[\s?*<>{}[\]:;,\\|^~$#%&`"]/.test(state.Label))
  ) {
    report('Label', 'at most 40 characters, without whitespace or special characters');
  }
  if ('ItemReader' in state) checkItemReader(state.ItemReader, report);
}

function checkItemReader(reader: unknown, report: FieldReport): void {
  if (!isObject(reader)) return; // the schema reports it
  const resource = typeof reader.Resource === 'string' ? reader.Resource : '';
  const kind = ITEM_READER_ARN.exec(resource)?.[1];
  if (!kind) {
    report(
      'ItemReader.Resource',
      `'${resource}' is not an ItemReader resource (arn:aws:states:::${ITEM_READERS.join(' or arn:aws:states:::')})`,
    );
    return;
  }
  const args = isObject(reader.Parameters)
    ? reader.Parameters
    : isObject(reader.Arguments)
      ? reader.Arguments
      : {};
  const has = (name: string) => name in args || `${name}.$` in args;
  if (!has('Bucket')) report('ItemReader.Parameters', `${kind} needs a Bucket`);
  if (kind === 's3:getObject' && !has('Key')) report('ItemReader.Parameters', 's3:getObject needs a Key');
  if (kind === 's3:listObjectsV2' && has('Key')) {
    report('ItemReader.Parameters', 's3:listObjectsV2 takes a Prefix, not a Key');
  }
  checkReaderConfig(kind, isObject(reader.ReaderConfig) ? reader.ReaderConfig : {}, report);
}

function checkReaderConfig(kind: string, config: Json, report: FieldReport): void {
  const field = (name: string) => `ItemReader.ReaderConfig.${name}`;
  const { InputType, ManifestType, Transformation, CSVHeaderLocation, CSVHeaders, CSVDelimiter, MaxItems } =
    config;
  oneOf(report, field('InputType'), InputType, READER_INPUT_TYPES);
  oneOf(report, field('ManifestType'), ManifestType, MANIFEST_TYPES);
  oneOf(report, field('Transformation'), Transformation, TRANSFORMATIONS);
  oneOf(report, field('CSVHeaderLocation'), CSVHeaderLocation, CSV_HEADER_LOCATIONS);
  oneOf(report, field('CSVDelimiter'), CSVDelimiter, CSV_DELIMITERS);
  if (kind === 's3:getObject' && InputType === undefined && ManifestType === undefined) {
    report(field('InputType'), 's3:getObject needs an InputType (or a ManifestType)');
  }
  if (Transformation !== undefined && kind !== 's3:listObjectsV2') {
    report(field('Transformation'), 'only an s3:listObjectsV2 reader has a Transformation');
  }
  if (Transformation === 'LOAD_AND_FLATTEN' && InputType === undefined) {
    report(field('InputType'), 'LOAD_AND_FLATTEN needs an InputType');
  }
  if (ManifestType === 'S3_INVENTORY' && InputType !== undefined) {
    report(field('InputType'), 'an S3_INVENTORY manifest takes no InputType (it is CSV)');
  }
  const csv = InputType === 'CSV' || InputType === 'MANIFEST';
  if (!csv && (CSVHeaderLocation !== undefined || CSVDelimiter !== undefined)) {
    report(field('CSVHeaderLocation'), 'CSV settings need InputType CSV or MANIFEST');
  }
  if (CSVHeaderLocation === 'GIVEN' && !(Array.isArray(CSVHeaders) && CSVHeaders.length > 0)) {
    report(field('CSVHeaders'), 'CSVHeaderLocation GIVEN needs the CSVHeaders');
  }
  // A JSONata state may give a string (an expression) instead.
  if (
    typeof MaxItems === 'number' &&
    !(Number.isInteger(MaxItems) && MaxItems >= 1 && MaxItems <= MAX_ITEMS_LIMIT)
  ) {
    report(field('MaxItems'), `must be an integer from 1 to ${MAX_ITEMS_LIMIT}`);
  }
}
