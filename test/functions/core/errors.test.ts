import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  ERROR_NAMES,
  ImageEventsUnavailableError,
  ImageInProgressError,
  ImageRejectedError,
  InvalidTaskInputError,
  LabelStoreThrottledError,
  MalformedEventError,
  parseRejection,
  parseTaskCause,
  REJECTION_REASONS,
  RekognitionThrottledError,
  RekognitionUnavailableError,
  SmokeTestFailedError,
  WorkflowFailedError,
} from '../../../functions/core/errors';

describe('parseTaskCause', () => {
  it('reads errorType and errorMessage from a Lambda error Cause', () => {
    const cause = JSON.stringify({
      errorType: 'ImageRejected',
      errorMessage: 'FILE_TOO_LARGE: The object is 15728641 bytes; the limit is 15728640 bytes (15 MiB).',
      trace: ['ImageRejected: FILE_TOO_LARGE: ...', '    at inspectImage (/var/task/index.mjs:1:2)'],
    });

    expect(parseTaskCause(cause)).toEqual({
      errorType: 'ImageRejected',
      errorMessage: 'FILE_TOO_LARGE: The object is 15728641 bytes; the limit is 15728640 bytes (15 MiB).',
    });
  });

  it('returns a plain-text cause (States.* errors) as the message', () => {
    const cause = 'The cause could not be determined because Lambda did not return an error type.';

    expect(parseTaskCause(cause)).toEqual({ errorMessage: cause });
  });

  it('keeps a JSON cause without errorMessage whole, as text', () => {
    const cause = JSON.stringify({ something: 'else' });

    expect(parseTaskCause(cause)).toEqual({ errorMessage: cause });
  });

  it('returns an empty message for a missing cause', () => {
    expect(parseTaskCause(undefined)).toEqual({ errorMessage: '' });
    expect(parseTaskCause('')).toEqual({ errorMessage: '' });
  });
});

describe('parseRejection', () => {
  it.each(REJECTION_REASONS)('reads %s back out of an ImageRejectedError message', (reason) => {
    const error = new ImageRejectedError(reason, 'Some detail: with a colon\nand a second line.');

    expect(parseRejection(error.message)).toEqual({
      reason,
      detail: 'Some detail: with a colon\nand a second line.',
    });
  });

  it('treats an unknown code or free text as rejected by the label service, keeping the message', () => {
    expect(parseRejection('NOT_A_REASON: whatever')).toEqual({
      reason: 'REJECTED_BY_LABEL_SERVICE',
      detail: 'NOT_A_REASON: whatever',
    });
    expect(parseRejection('Something odd happened')).toEqual({
      reason: 'REJECTED_BY_LABEL_SERVICE',
      detail: 'Something odd happened',
    });
  });
});

describe('error classes', () => {
  const instances = [
    new ImageRejectedError('EMPTY_FILE', 'x'),
    new ImageInProgressError('x'),
    new RekognitionThrottledError('x'),
    new RekognitionUnavailableError('x'),
    new LabelStoreThrottledError('x'),
    new ImageEventsUnavailableError('x'),
    new MalformedEventError('x'),
    new WorkflowFailedError('x'),
    new ConfigurationError('x'),
    new InvalidTaskInputError('x'),
    new SmokeTestFailedError('x'),
  ];

  it.each(instances.map((error) => [error.name, error] as const))(
    '%s has a fixed name listed in ERROR_NAMES and is an Error',
    (name, error) => {
      expect(error).toBeInstanceOf(Error);
      expect(ERROR_NAMES).toContain(name);
    },
  );

  it.each(instances.map((error) => [error.name, error] as const))(
    '%s is its class errorName',
    (name, error) => {
      expect((error.constructor as unknown as { errorName: string }).errorName).toBe(name);
    },
  );

  it('covers every name in ERROR_NAMES with exactly one class', () => {
    expect(instances.map((error) => error.name).sort()).toEqual([...ERROR_NAMES].sort());
  });

  it('lists in ERROR_NAMES every custom error the state machine retries or catches', () => {
    const asl = JSON.parse(
      readFileSync(path.join(import.meta.dirname, '../../../statemachines/label-image.asl.json'), 'utf8'),
    ) as {
      States: Record<string, { Retry?: { ErrorEquals: string[] }[]; Catch?: { ErrorEquals: string[] }[] }>;
    };
    const matched = Object.values(asl.States).flatMap((state) =>
      [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule) => rule.ErrorEquals),
    );
    // States.*, Lambda.* and the Lambda runtime's own (Runtime.*, Sandbox.*) are built in.
    const custom = [...new Set(matched.filter((name) => !/^(States|Lambda|Runtime|Sandbox)\./.test(name)))];

    expect(custom.length).toBeGreaterThan(0);
    for (const name of custom) expect(ERROR_NAMES).toContain(name);
  });
});
