import { describe, expect, it } from 'vitest';
import { DEFAULT_FLAGS } from '../../../functions/core/flags';
import {
  createFlagsReader,
  describeCause,
  type FlagsDocumentSource,
} from '../../../functions/core/flags-reader';

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const document = encode({ processing: { enabled: false } });

/** A flags store that answers from a script of outcomes, then repeats the last one. */
function scriptedSource(outcomes: (Uint8Array | undefined | Error)[]) {
  let calls = 0;
  const source: FlagsDocumentSource = {
    fetch: async () => {
      const outcome = outcomes[Math.min(calls++, outcomes.length - 1)];
      if (outcome instanceof Error) throw outcome;
      return { body: outcome, versionLabel: 'v7' };
    },
  };
  return { source, calls: () => calls };
}

function reader(source: FlagsDocumentSource | undefined, clock = { now: 0 }) {
  const fallbacks: { reason: string; repeated: boolean }[] = [];
  const flags = createFlagsReader(source, {
    maxAgeSeconds: 5,
    now: () => clock.now,
    onFallback: (reason, repeated) => fallbacks.push({ reason, repeated }),
  });
  return { flags, fallbacks };
}

describe('the flags reader', () => {
  it("returns the document's flags with the store's version label", async () => {
    const { flags, fallbacks } = reader(scriptedSource([document]).source);

    expect(await flags.get()).toMatchObject({ source: 'appconfig', version: 'v7', processing: false });
    expect(fallbacks).toEqual([]);
  });

  it('falls back to the safe defaults, and says why, when nothing says where the flags are', async () => {
    const { flags, fallbacks } = reader(undefined);

    expect(await flags.get()).toBe(DEFAULT_FLAGS);
    expect(fallbacks).toEqual([
      { reason: 'no AppConfig application, environment and profile configured', repeated: false },
    ]);
  });

  it.each([
    ['an empty configuration', new Uint8Array(), 'AppConfig returned no configuration'],
    ['no configuration', undefined, 'AppConfig returned no configuration'],
    ['a document that is not JSON', new TextEncoder().encode('{'), 'the configuration is not JSON'],
  ])('falls back on %s', async (_case, body, reason) => {
    const { flags, fallbacks } = reader(scriptedSource([body]).source);

    expect(await flags.get()).toBe(DEFAULT_FLAGS);
    expect(fallbacks[0]?.reason).toContain(reason);
  });

  it('after a failed read, keeps the defaults for one cache period without asking the store', async () => {
    const clock = { now: 0 };
    const store = scriptedSource([new Error('down', { cause: new Error('socket hang up') }), document]);
    const { flags, fallbacks } = reader(store.source, clock);

    expect(await flags.get()).toBe(DEFAULT_FLAGS);
    clock.now = 4_999;
    expect(await flags.get()).toBe(DEFAULT_FLAGS);
    expect(store.calls()).toBe(1);
    clock.now = 5_000;
    expect(await flags.get()).toMatchObject({ processing: false });
    expect(store.calls()).toBe(2);
    expect(fallbacks).toEqual([
      { reason: 'AppConfig could not be read (Error: socket hang up)', repeated: false },
      { reason: 'AppConfig failed within the last cache period', repeated: true },
    ]);
  });
});

describe('describeCause', () => {
  it('names the innermost cause, since Powertools wraps the SDK error', () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    expect(describeCause(new Error('GetParameterError', { cause: throttled }))).toBe(
      'ThrottlingException: Rate exceeded',
    );
    expect(describeCause('plain')).toBe('plain');
  });
});
