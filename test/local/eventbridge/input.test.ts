import { describe, expect, it } from 'vitest';
import {
  type DeliveryContext,
  parseJsonPath,
  readJsonPath,
  TargetInputError,
  targetInput,
  validateTargetInput,
} from '../../../local/eventbridge';

/** The EC2 event of the EventBridge documentation's input transformer examples. */
const event = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING', count: 2, tags: ['a', 'b'] },
};
const context: DeliveryContext = {
  ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example',
  ruleName: 'example',
  ingestionTime: '2015-11-11T21:29:55Z',
};
const paths = { instance: '$.detail.instance-id', state: '$.detail.state' };
const transform = (InputTemplate: string, InputPathsMap: Record<string, string> = paths) =>
  targetInput({ InputTransformer: { InputPathsMap, InputTemplate } }, event, context);

describe('what a target receives', () => {
  it('is the whole event by default', () => {
    expect(JSON.parse(targetInput({}, event, context))).toEqual(event);
  });

  it('is the constant Input, as given', () => {
    expect(targetInput({ Input: '{"hello": "world"}' }, event, context)).toBe('{"hello": "world"}');
  });

  it('is the JSON of the value at InputPath', () => {
    expect(targetInput({ InputPath: '$.detail' }, event, context)).toBe(JSON.stringify(event.detail));
    expect(targetInput({ InputPath: '$.detail.state' }, event, context)).toBe('"RUNNING"');
  });
});

describe('InputTransformer, as in the EventBridge documentation', () => {
  it('fills a simple string', () => {
    expect(transform('"instance <instance> is in <state>"')).toBe('"instance i-0123456789 is in RUNNING"');
  });

  it('fills a string with escaped quotes', () => {
    expect(transform('"instance \\"<instance>\\" is in <state>"')).toBe(
      '"instance \\"i-0123456789\\" is in RUNNING"',
    );
  });

  it('fills simple JSON, quoting the values placed outside quotes', () => {
    expect(JSON.parse(transform('{"instance" : <instance>, "state": <state>}'))).toEqual({
      instance: 'i-0123456789',
      state: 'RUNNING',
    });
  });

  it('fills JSON with strings and variables, minified', () => {
    expect(
      transform(
        '{\n "instance" : <instance>,\n "state": "<state>",\n "status": "instance \\"<instance>\\" is in <state>"\n}',
      ),
    ).toBe(
      '{"instance":"i-0123456789","state":"RUNNING","status":"instance \\"i-0123456789\\" is in RUNNING"}',
    );
  });

  it('mixes variables and static values', () => {
    expect(
      JSON.parse(transform('{"instance": <instance>, "state": [9, <state>, true], "Transformed": "Yes"}')),
    ).toEqual({
      instance: 'i-0123456789',
      state: [9, 'RUNNING', true],
      Transformed: 'Yes',
    });
  });

  it('offers the reserved variables', () => {
    const output = JSON.parse(
      transform(
        '{"ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, "at": <aws.events.event.ingestion-time>, "original": <aws.events.event>, "whole": <aws.events.event.json>}',
      ),
    );
    const { detail: _detail, ...withoutDetail } = event;

    expect(output).toEqual({
      ruleArn: context.ruleArn,
      ruleName: 'example',
      at: context.ingestionTime,
      original: withoutDetail,
      whole: event,
    });
    expect(transform('"<aws.events.rule-name> triggered"')).toBe('"example triggered"');
  });

  it('places numbers, lists and objects as JSON', () => {
    const output = transform('{"count": <count>, "tags": <tags>, "text": "<count> tags"}', {
      count: '$.detail.count',
      tags: '$.detail.tags',
    });

    expect(JSON.parse(output)).toEqual({ count: 2, tags: ['a', 'b'], text: '2 tags' });
  });

  it('does not escape what it places inside quotes, so the result may not be JSON (delivered as it is)', () => {
    expect(transform('{"text": "<tags>"}', { tags: '$.detail.tags' })).toBe('{"text": "["a","b"]"}');
  });

  it('gives null outside quotes and nothing inside for a path the event lacks', () => {
    expect(
      JSON.parse(transform('{"v": <missing>, "s": "[<missing>]"}', { missing: '$.detail.nope' })),
    ).toEqual({
      v: null,
      s: '[]',
    });
  });

  it('fills a plain-text template with bare values', () => {
    expect(transform('<instance> is in state <state>')).toBe('i-0123456789 is in state RUNNING');
  });

  it('leaves angle brackets that name no variable alone', () => {
    expect(transform('"<b>bold</b> <state>"')).toBe('"<b>bold</b> RUNNING"');
  });
});

describe('JSON paths', () => {
  it('reads names with dashes, indices, quoted names and wildcards', () => {
    const read = (path: string) => readJsonPath(parseJsonPath(path), event);

    expect(read('$')).toEqual(event);
    expect(read('$.detail.instance-id')).toBe('i-0123456789');
    expect(read("$['detail-type']")).toBe(event['detail-type']);
    expect(read('$.detail.tags[1]')).toBe('b');
    expect(read('$.detail.tags[*]')).toEqual(['a', 'b']);
    expect(read('$.resources[5]')).toBeUndefined();
  });

  it('refuses what is not a JSON path', () => {
    expect(() => parseJsonPath('detail.state')).toThrow(TargetInputError);
    expect(() => parseJsonPath('$.detail..state')).toThrow(/not a JSON path/);
  });
});

describe('PutTargets input checks', () => {
  it.each([
    ['two kinds of input', { Input: '{}', InputPath: '$' }, /Only one of/],
    ['Input that is not JSON', { Input: 'hello' }, /not valid JSON/],
    ['a bad InputPath', { InputPath: 'detail' }, /not a JSON path/],
    ['a transformer without a template', { InputTransformer: { InputTemplate: '' } }, /InputTemplate/],
    [
      'a reserved variable name',
      { InputTransformer: { InputTemplate: '<aws.events.x>', InputPathsMap: { 'aws.events.x': '$' } } },
      /reserved/,
    ],
    [
      'a variable name with other characters',
      { InputTransformer: { InputTemplate: '<a b>', InputPathsMap: { 'a b': '$' } } },
      /may contain only/,
    ],
    [
      'a bad path in the map',
      { InputTransformer: { InputTemplate: '<a>', InputPathsMap: { a: '$.[' } } },
      /not a JSON path/,
    ],
  ])('refuses %s', (_name, target, reason) => {
    expect(() => validateTargetInput(target)).toThrow(reason);
  });

  it('accepts each kind of input alone', () => {
    expect(() => validateTargetInput({ Input: '{"a":1}' })).not.toThrow();
    expect(() => validateTargetInput({ InputPath: '$.detail' })).not.toThrow();
    expect(() =>
      validateTargetInput({ InputTransformer: { InputTemplate: '"<a>"', InputPathsMap: paths } }),
    ).not.toThrow();
  });
});
