import { describe, expect, it } from 'vitest';
import {
  type EventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
  parseEventPattern,
  validateEventPattern,
} from '../../../local/eventbridge';

/** An image event as the pipeline publishes it. */
const event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'Image Labeled',
  source: 'image-labeling',
  account: '000000000000',
  time: '2026-12-02T10:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:s3:::image-labeling-local-images/cats/tom.png'],
  detail: {
    bucket: 'image-labeling-local-images',
    key: 'cats/Tom.PNG',
    status: 'LABELED',
    labelCount: 3,
    confidence: 97.5,
    versionId: null,
    reviewed: true,
    sourceIp: '10.0.0.33',
    clientIp: '2001:db8::1',
    labels: [
      { name: 'Cat', confidence: 99 },
      { name: 'Pet', confidence: 80 },
    ],
    tags: ['cute', 'indoor'],
    owner: { team: 'photos' },
  },
};

const matches = (pattern: EventPattern) =>
  matchesEventPattern(parseEventPattern(JSON.stringify(pattern)), event);

/** Each operator: a pattern it matches the event with, and one it does not. */
const operators: [string, EventPattern, EventPattern][] = [
  ['exact string', { source: ['image-labeling'] }, { source: ['aws.s3'] }],
  ['a list of values is an OR', { source: ['aws.s3', 'image-labeling'] }, { source: ['aws.s3', 'aws.ec2'] }],
  ['exact number, compared as a number', { detail: { labelCount: [3.0] } }, { detail: { labelCount: [4] } }],
  ['exact true', { detail: { reviewed: [true] } }, { detail: { reviewed: [false] } }],
  ['exact null', { detail: { versionId: [null] } }, { detail: { status: [null] } }],
  [
    'a string is not the number it spells',
    { detail: { labelCount: [3] } },
    { detail: { labelCount: ['3'] } },
  ],
  ['prefix', { detail: { key: [{ prefix: 'cats/' }] } }, { detail: { key: [{ prefix: 'dogs/' }] } }],
  [
    'prefix ignoring case',
    { detail: { key: [{ prefix: { 'equals-ignore-case': 'CATS/' } }] } },
    { detail: { key: [{ prefix: { 'equals-ignore-case': 'DOGS/' } }] } },
  ],
  ['suffix', { detail: { key: [{ suffix: '.PNG' }] } }, { detail: { key: [{ suffix: '.png' }] } }],
  [
    'suffix ignoring case',
    { detail: { key: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    { detail: { key: [{ suffix: { 'equals-ignore-case': '.jpg' } }] } },
  ],
  [
    'equals-ignore-case',
    { 'detail-type': [{ 'equals-ignore-case': 'image labeled' }] },
    { 'detail-type': [{ 'equals-ignore-case': 'image failed' }] },
  ],
  [
    'wildcard',
    { detail: { key: [{ wildcard: 'cats/*.PNG' }] } },
    { detail: { key: [{ wildcard: 'cats/*.jpg' }] } },
  ],
  [
    'wildcard with an escaped star is a literal star',
    { detail: { key: [{ wildcard: 'cats/*' }] } },
    { detail: { key: [{ wildcard: 'cats/\\*' }] } },
  ],
  [
    'anything-but a string',
    { detail: { status: [{ 'anything-but': 'FAILED' }] } },
    { detail: { status: [{ 'anything-but': 'LABELED' }] } },
  ],
  [
    'anything-but a list of strings',
    { detail: { status: [{ 'anything-but': ['FAILED', 'REJECTED'] }] } },
    { detail: { status: [{ 'anything-but': ['FAILED', 'LABELED'] }] } },
  ],
  [
    'anything-but a list of numbers',
    { detail: { labelCount: [{ 'anything-but': [0, 1] }] } },
    { detail: { labelCount: [{ 'anything-but': [3, 4] }] } },
  ],
  [
    'anything-but a prefix',
    { detail: { key: [{ 'anything-but': { prefix: 'dogs/' } }] } },
    { detail: { key: [{ 'anything-but': { prefix: 'cats/' } }] } },
  ],
  [
    'anything-but a suffix',
    { detail: { key: [{ 'anything-but': { suffix: '.jpg' } }] } },
    { detail: { key: [{ 'anything-but': { suffix: '.PNG' } }] } },
  ],
  [
    'anything-but ignoring case',
    { detail: { status: [{ 'anything-but': { 'equals-ignore-case': ['failed'] } }] } },
    { detail: { status: [{ 'anything-but': { 'equals-ignore-case': 'labeled' } }] } },
  ],
  [
    'anything-but a wildcard',
    { detail: { key: [{ 'anything-but': { wildcard: 'dogs/*' } }] } },
    { detail: { key: [{ 'anything-but': { wildcard: '*/Tom.*' } }] } },
  ],
  [
    'numeric range',
    { detail: { confidence: [{ numeric: ['>', 90, '<=', 97.5] }] } },
    { detail: { confidence: [{ numeric: ['>=', 0, '<', 97.5] }] } },
  ],
  [
    'numeric equals',
    { detail: { labelCount: [{ numeric: ['=', 3] }] } },
    { detail: { labelCount: [{ numeric: ['=', 2] }] } },
  ],
  [
    'numeric works on numbers only',
    { detail: { labelCount: [{ numeric: ['<', 10] }] } },
    { detail: { status: [{ numeric: ['<', 10] }] } },
  ],
  ['exists true', { detail: { bucket: [{ exists: true }] } }, { detail: { error: [{ exists: true }] } }],
  ['exists false', { detail: { error: [{ exists: false }] } }, { detail: { bucket: [{ exists: false }] } }],
  [
    'exists on a field holding an object: not a leaf, so absent',
    { detail: { owner: [{ exists: false }] } },
    { detail: { owner: [{ exists: true }] } },
  ],
  ['empty string', { detail: { status: ['', 'LABELED'] } }, { detail: { status: [''] } }],
  [
    'cidr, IPv4',
    { detail: { sourceIp: [{ cidr: '10.0.0.0/24' }] } },
    { detail: { sourceIp: [{ cidr: '10.0.1.0/24' }] } },
  ],
  [
    'cidr, IPv6',
    { detail: { clientIp: [{ cidr: '2001:db8::/32' }] } },
    { detail: { clientIp: [{ cidr: '2001:db9::/32' }] } },
  ],
  [
    'nested objects',
    { detail: { owner: { team: ['photos'] } } },
    { detail: { owner: { team: ['videos'] } } },
  ],
  [
    'an event array matches when any element does',
    { detail: { tags: ['indoor'] }, resources: [{ suffix: 'tom.png' }] },
    { detail: { tags: ['outdoor'] } },
  ],
  [
    'objects in an array: both fields must match the same element',
    { detail: { labels: { name: ['Cat'], confidence: [99] } } },
    { detail: { labels: { name: ['Cat'], confidence: [80] } } },
  ],
  [
    '$or: any of the alternatives',
    {
      source: ['image-labeling'],
      $or: [{ 'detail-type': ['Image Failed'] }, { detail: { labelCount: [3] } }],
    },
    { $or: [{ 'detail-type': ['Image Failed'] }, { detail: { labelCount: [4] } }] },
  ],
  [
    '$or inside a nested object',
    { detail: { $or: [{ status: ['FAILED'] }, { bucket: [{ prefix: 'image-' }] }] } },
    { detail: { $or: [{ status: ['FAILED'] }, { bucket: [{ prefix: 'video-' }] }] } },
  ],
  [
    'fields are ANDed',
    { source: ['image-labeling'], 'detail-type': ['Image Labeled'] },
    { source: ['image-labeling'], 'detail-type': ['Image Failed'] },
  ],
];

describe('event patterns', () => {
  describe.each(operators)('%s', (_name, matching, failing) => {
    it('matches the event', () => {
      expect(matches(matching)).toBe(true);
    });
    it('does not match when the condition fails', () => {
      expect(matches(failing)).toBe(false);
    });
  });

  it('does not match a field the event lacks, except with exists: false or a nested exists: false', () => {
    expect(matches({ detail: { missing: ['x'] } })).toBe(false);
    expect(matches({ detail: { missing: [{ 'anything-but': 'x' }] } })).toBe(false);
    expect(matches({ nothing: { deeper: [{ exists: false }] } })).toBe(true);
  });

  it('matches anything-but against strings and numbers only', () => {
    expect(matches({ detail: { versionId: [{ 'anything-but': 'v1' }] } })).toBe(false);
    expect(matches({ detail: { labelCount: [{ 'anything-but': 'three' }] } })).toBe(true);
  });
});

/** Patterns EventBridge refuses, and the reason it gives. */
const invalid: [string, unknown, RegExp][] = [
  ['not an object', ['image-labeling'], /must be a JSON object/],
  ['an empty pattern', {}, /Empty objects are not allowed/],
  ['a leaf that is not a list', { source: 'image-labeling' }, /"source" must be an object or an array/],
  ['an empty list', { source: [] }, /Empty arrays are not allowed/],
  ['a list inside a list', { source: [['a']] }, /Match value must be/],
  ['an unknown operator', { source: [{ contains: 'image' }] }, /Unrecognized match type contains/],
  ['two operators in one object', { source: [{ prefix: 'a', suffix: 'b' }] }, /exactly one operator/],
  ['prefix of a number', { source: [{ prefix: 5 }] }, /"prefix" must be given a string/],
  ['exists that is not a boolean', { source: [{ exists: 'yes' }] }, /either true or false/],
  ['numeric with an unknown operator', { n: [{ numeric: ['!=', 3] }] }, /Value of numeric/],
  ['numeric bounds in the wrong order', { n: [{ numeric: ['<', 5, '>', 1] }] }, /lower bound/],
  ['numeric bottom above top', { n: [{ numeric: ['>', 5, '<', 1] }] }, /Bottom must be less than top/],
  [
    'anything-but mixing strings and numbers',
    { s: [{ 'anything-but': ['a', 1] }] },
    /all values must be strings/,
  ],
  [
    'anything-but with an unknown operator',
    { s: [{ 'anything-but': { numeric: ['>', 1] } }] },
    /Unsupported/,
  ],
  ['a wildcard with consecutive stars', { s: [{ wildcard: 'a**b' }] }, /Consecutive wildcard/],
  ['a wildcard escaping a letter', { s: [{ wildcard: 'a\\b' }] }, /backslash/],
  ['a malformed CIDR', { ip: [{ cidr: '10.0.0.0/33' }] }, /Nonstandard IP address/],
  ['$or with one alternative', { $or: [{ source: ['a'] }] }, /at least two/],
  ['an empty nested object', { detail: {} }, /Empty objects are not allowed \(at "detail"\)/],
];

describe('invalid patterns', () => {
  it.each(invalid)('refuses %s', (_name, pattern, reason) => {
    const error = (() => {
      try {
        validateEventPattern(pattern);
      } catch (caught) {
        return caught;
      }
    })();

    expect(error).toBeInstanceOf(InvalidEventPatternError);
    expect((error as Error).message).toMatch(/^Event pattern is not valid\. Reason: /);
    expect((error as Error).message).toMatch(reason);
  });

  it('refuses text that is not JSON', () => {
    expect(() => parseEventPattern('{"source": [')).toThrow(/not JSON/);
  });
});
