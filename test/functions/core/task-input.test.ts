import { describe, expect, it } from 'vitest';
import { InvalidTaskInputError } from '../../../functions/core/errors';
import { parseTaskInput } from '../../../functions/core/task-input';
import { WorkflowInputSchema } from '../../../functions/core/workflow-schemas';

describe('parseTaskInput', () => {
  const valid = {
    object: { bucket: 'uploads', key: 'a.png', eTag: 'abc', size: 10, sequencer: '00AB' },
    eventTime: '2024-06-01T00:00:00.000Z',
  };

  it('returns the parsed input', () => {
    expect(parseTaskInput(WorkflowInputSchema, valid)).toEqual(valid);
  });

  it('throws InvalidTaskInput naming every problem', () => {
    const action = () =>
      parseTaskInput(WorkflowInputSchema, { object: { ...valid.object, sequencer: 'xyz', size: -1 } });

    expect(action).toThrow(InvalidTaskInputError);
    expect(action).toThrow(/object\.sequencer.*object\.size|object\.size.*object\.sequencer/s);
    expect(action).toThrow(/eventTime/);
  });

  it('names the root when the input is not an object', () => {
    expect(() => parseTaskInput(WorkflowInputSchema, 'nope')).toThrow(/\(root\)/);
  });
});
