/**
 * The rules of infra/asl/resources.ts, each fed a broken definition: Task resources (and the
 * integration patterns Express runs), Map ItemProcessor and ItemReader settings.
 */
import { describe, expect, it } from 'vitest';
import { distributedMap, expectRefused, type Json, machine, rules, task } from '../../support/asl';

describe('the static check: Task resources', () => {
  it.each([
    [
      'a placeholder CDK did not substitute',
      `\${ReconcileObjectFunctionArn}`,
      /still holds a substitution placeholder/,
    ],
    [
      'an account that is not 12 digits',
      'arn:aws:lambda:us-east-1:1234:function:f:live',
      /is not a Lambda function ARN/,
    ],
    [
      'a region that is not one',
      'arn:aws:lambda:useast1:123456789012:function:f',
      /is not a Lambda function ARN/,
    ],
    [
      'a function name over 64 characters',
      `arn:aws:lambda:us-east-1:123456789012:function:${'f'.repeat(65)}`,
      /is not a Lambda/,
    ],
    ['a qualifier with a dot', 'arn:aws:lambda:us-east-1:123456789012:function:f:v1.2', /is not a Lambda/],
    ['a bare function name', 'image-labeling-dev-reconcile', /is not a Lambda function ARN/],
    ['an integration with a region', 'arn:aws:states:us-east-1::lambda:invoke', /is not a Lambda/],
    [
      'an AWS SDK integration run as a job',
      'arn:aws:states:::aws-sdk:s3:headObject.sync',
      /have no \.sync pattern/,
    ],
  ])('refuses %s', (_case, resource, message) => {
    expectRefused(machine(task({ Resource: resource })), { field: 'Resource', message });
  });

  it.each([
    'arn:aws:lambda:us-east-1:123456789012:function:f',
    'arn:aws:lambda:eu-west-3:123456789012:function:f:$LATEST',
    'arn:aws:lambda:us-gov-west-1:123456789012:function:f:12',
    'arn:aws:states:::lambda:invoke',
    'arn:aws:states:::aws-sdk:s3:headObject',
    'arn:aws:states:us-east-1:123456789012:activity:review',
  ])('accepts %s', (resource) => {
    expect(rules(machine(task({ Resource: resource })), 'EXPRESS')).toEqual([]);
  });

  it.each([
    'arn:aws:states:::states:startExecution.sync:2',
    'arn:aws:states:::lambda:invoke.waitForTaskToken',
  ])('refuses %s in an Express workflow and in the Express children of a Distributed Map', (resource) => {
    expectRefused(
      machine(task({ Resource: resource })),
      { field: 'Resource', message: /Express workflows do not support/ },
      'EXPRESS',
    );
    expect(rules(machine(task({ Resource: resource })), 'STANDARD')).toEqual([]);
    const map = distributedMap();
    map.ItemProcessor = { ...map.ItemProcessor, States: { C: task({ Resource: resource }) } };
    expectRefused(machine(map), {
      state: 'S > C',
      field: 'Resource',
      message: /Express workflows do not support/,
    });
  });
});

describe('the static check: Map ItemProcessor and ItemReader', () => {
  it.each([
    [
      'an unknown Mode',
      distributedMap({}, { Mode: 'PARALLEL' }),
      'ItemProcessor.ProcessorConfig.Mode',
      /not one of INLINE, DISTRIBUTED/,
    ],
    [
      'DISTRIBUTED without ExecutionType',
      distributedMap({}, { Mode: 'DISTRIBUTED' }),
      'ItemProcessor.ProcessorConfig.ExecutionType',
      /needs STANDARD or EXPRESS/,
    ],
    [
      'an unknown ExecutionType',
      distributedMap({}, { Mode: 'DISTRIBUTED', ExecutionType: 'FAST' }),
      'ItemProcessor.ProcessorConfig.ExecutionType',
      /not one of STANDARD, EXPRESS/,
    ],
    [
      'INLINE with an ExecutionType',
      { ...distributedMap({}, { Mode: 'INLINE', ExecutionType: 'EXPRESS' }), ItemReader: undefined },
      'ItemProcessor.ProcessorConfig.ExecutionType',
      /only a Distributed Map/,
    ],
    [
      'an ItemReader on an INLINE map',
      distributedMap({}, { Mode: 'INLINE' }),
      'ItemReader',
      /only a Distributed Map/,
    ],
    ['an ItemReader and an ItemsPath', distributedMap({ ItemsPath: '$.items' }), 'ItemReader', /not both/],
    ['a Label with a space', distributedMap({ Label: 'my map' }), 'Label', /at most 40 characters/],
  ])('refuses %s', (_case, map, field, message) => {
    expectRefused(machine(JSON.parse(JSON.stringify(map))), { field, message });
  });

  const reader = (itemReader: Json) => distributedMap({ ItemReader: itemReader });
  const listing = { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: 'b' } };
  const object = { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: 'b', Key: 'k.json' } };

  it.each([
    [
      'a resource that is no reader',
      { ...listing, Resource: 'arn:aws:states:::s3:listObjects' },
      'ItemReader.Resource',
      /not an ItemReader resource/,
    ],
    [
      'a listing without a Bucket',
      { ...listing, Parameters: { Prefix: 'a/' } },
      'ItemReader.Parameters',
      /needs a Bucket/,
    ],
    [
      'a listing with a Key',
      { ...listing, Parameters: { Bucket: 'b', Key: 'k' } },
      'ItemReader.Parameters',
      /takes a Prefix, not a Key/,
    ],
    [
      'an object without a Key',
      { ...object, Parameters: { Bucket: 'b' }, ReaderConfig: { InputType: 'JSON' } },
      'ItemReader.Parameters',
      /needs a Key/,
    ],
    ['an object without an InputType', object, 'ItemReader.ReaderConfig.InputType', /needs an InputType/],
    [
      'an unknown InputType',
      { ...object, ReaderConfig: { InputType: 'XML' } },
      'ItemReader.ReaderConfig.InputType',
      /not one of CSV, JSON/,
    ],
    [
      'a Transformation on an object',
      { ...object, ReaderConfig: { InputType: 'JSON', Transformation: 'NONE' } },
      'ItemReader.ReaderConfig.Transformation',
      /only an s3:listObjectsV2/,
    ],
    [
      'LOAD_AND_FLATTEN without an InputType',
      { ...listing, ReaderConfig: { Transformation: 'LOAD_AND_FLATTEN' } },
      'ItemReader.ReaderConfig.InputType',
      /LOAD_AND_FLATTEN needs/,
    ],
    [
      'CSV settings on JSON',
      { ...object, ReaderConfig: { InputType: 'JSON', CSVDelimiter: 'PIPE' } },
      'ItemReader.ReaderConfig.CSVHeaderLocation',
      /need InputType CSV/,
    ],
    [
      'GIVEN headers that are not given',
      { ...object, ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'GIVEN' } },
      'ItemReader.ReaderConfig.CSVHeaders',
      /needs the CSVHeaders/,
    ],
    [
      'MaxItems of 0',
      { ...listing, ReaderConfig: { MaxItems: 0 } },
      'ItemReader.ReaderConfig.MaxItems',
      /integer from 1/,
    ],
    [
      'an S3 inventory with an InputType',
      { ...object, ReaderConfig: { ManifestType: 'S3_INVENTORY', InputType: 'CSV' } },
      'ItemReader.ReaderConfig.InputType',
      /takes no InputType/,
    ],
  ])('refuses %s', (_case, itemReader, field, message) => {
    expectRefused(machine(reader(itemReader)), { field, message });
  });

  it('accepts the readers the developer guide shows', () => {
    for (const itemReader of [
      listing,
      { ...listing, ReaderConfig: { InputType: 'JSON', Transformation: 'LOAD_AND_FLATTEN' } },
      { ...object, ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' } },
      { ...object, ReaderConfig: { InputType: 'JSON', ItemsPointer: '/inventory/products' } },
      { ...object, ReaderConfig: { ManifestType: 'S3_INVENTORY' } },
    ]) {
      expect(rules(machine(reader(itemReader)))).toEqual([]);
    }
  });
});
