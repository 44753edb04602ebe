import { describe, expect, it } from 'vitest';
import { compareSequencers, decodeS3EventKey } from '../../../functions/core/s3-key';

describe('decodeS3EventKey', () => {
  it.each([
    ['a space arrives as +', 'my+photo.jpg', 'my photo.jpg'],
    ['a literal plus arrives as %2B', 'a%2Bb.png', 'a+b.png'],
    ['a percent sign arrives as %25', '100%25+done.png', '100% done.png'],
    ['non-ASCII arrives as UTF-8 escapes', 'caf%C3%A9/%E7%8C%AB.png', 'café/猫.png'],
    [
      'nested prefixes keep their slashes',
      'uploads/2024/06/01/IMG_0001.JPG',
      'uploads/2024/06/01/IMG_0001.JPG',
    ],
    [
      'everything at once',
      'albums/summer+2024/caf%C3%A9+%2B+bar%25/%F0%9F%93%B7+1.jpeg',
      'albums/summer 2024/café + bar%/📷 1.jpeg',
    ],
  ])('decodes form encoding: %s', (_case, encoded, expected) => {
    expect(decodeS3EventKey(encoded)).toBe(expected);
  });

  it('does not decode twice (an escaped escape stays an escape)', () => {
    expect(decodeS3EventKey('a%252Bb')).toBe('a%2Bb');
  });

  it('throws on a malformed escape', () => {
    expect(() => decodeS3EventKey('bad%E0%A4%A.png')).toThrow(URIError);
  });
});

describe('compareSequencers', () => {
  it('orders sequencers of the same length by hexadecimal value', () => {
    expect(compareSequencers('0055AED6DCD90281E5', '0055AED6DCD90281E6')).toBeLessThan(0);
    expect(compareSequencers('0055AED6DCD90281E6', '0055AED6DCD90281E5')).toBeGreaterThan(0);
    expect(compareSequencers('0055AED6DCD90281E5', '0055AED6DCD90281E5')).toBe(0);
  });

  it('pads the shorter sequencer on the right with zeros before comparing', () => {
    // "0055AED6DCD9028" is "0055AED6DCD90280" once padded: smaller than ...81.
    expect(compareSequencers('0055AED6DCD9028', '0055AED6DCD90281')).toBeLessThan(0);
    expect(compareSequencers('0055AED6DCD90281', '0055AED6DCD9028')).toBeGreaterThan(0);
    // Equal once padded.
    expect(compareSequencers('0055AED6DCD9028', '0055AED6DCD902800')).toBe(0);
    // A longer string is not larger just for its length.
    expect(compareSequencers('0056', '0055FFFFFFFFFFFF')).toBeGreaterThan(0);
  });

  it('compares case-insensitively', () => {
    expect(compareSequencers('00ab', '00AB')).toBe(0);
    expect(compareSequencers('00ab', '00AC')).toBeLessThan(0);
  });

  it('orders the "0" stand-in before any real sequencer', () => {
    expect(compareSequencers('0', '0055AED6DCD90281E5')).toBeLessThan(0);
  });
});
