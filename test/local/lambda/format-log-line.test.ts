import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../../../local/lambda';

const readable = { json: false };

describe('formatLogLine', () => {
  it('turns a Powertools Logger line into time, function, level, message and the extra keys', () => {
    const line = JSON.stringify({
      level: 'INFO',
      message: 'Image accepted',
      timestamp: '2026-11-03T12:01:02.345Z',
      service: 'labeling',
      cold_start: true,
      function_name: 'validate-image',
      function_arn: 'arn:aws:lambda:us-east-1:000000000000:function:validate-image',
      function_request_id: 'abc',
      xray_trace_id: 'Root=1-x',
      sampling_rate: 0,
      key: 'a.png',
      width: 512,
    });

    expect(formatLogLine('validate-image', line, readable)).toBe(
      '12:01:02.345 validate-image INFO Image accepted {"key":"a.png","width":512}',
    );
  });

  it('shows a logged error without its stack', () => {
    const line = JSON.stringify({
      level: 'ERROR',
      message: 'Labeling failed',
      timestamp: '2026-11-03T12:01:02.345Z',
      error: {
        name: 'ThrottlingException',
        location: 'file.ts:1',
        message: 'slow down',
        stack: 'at x\nat y',
      },
    });

    expect(formatLogLine('label', line, readable)).toBe(
      '12:01:02.345 label ERROR Labeling failed {"error":{"name":"ThrottlingException","location":"file.ts:1","message":"slow down"}}',
    );
  });

  it('shows an EMF metrics blob compactly as METRIC name=value unit', () => {
    const line = JSON.stringify({
      _aws: {
        Timestamp: Date.parse('2026-11-03T12:01:02.345Z'),
        CloudWatchMetrics: [
          {
            Namespace: 'ImageLabeling',
            Dimensions: [['service']],
            Metrics: [
              { Name: 'ImagesLabeled', Unit: 'Count' },
              { Name: 'LabelLatency', Unit: 'Milliseconds' },
              { Name: 'Ratio', Unit: 'None' },
            ],
          },
        ],
      },
      service: 'labeling',
      ImagesLabeled: 1,
      LabelLatency: [12, 15],
      Ratio: 0.5,
    });

    expect(formatLogLine('label', line, readable)).toBe(
      '12:01:02.345 label METRIC ImagesLabeled=1 Count, LabelLatency=12,15 Milliseconds, Ratio=0.5',
    );
  });

  it('formats Lambda console lines in the Text and the JSON log format', () => {
    const text = '2026-11-03T12:01:02.345Z\t6f1c0c6e-0000-0000-0000-000000000000\tWARN\tdisk almost full';
    const json = JSON.stringify({
      timestamp: '2026-11-03T12:01:02.345Z',
      level: 'WARN',
      requestId: '6f1c0c6e-0000-0000-0000-000000000000',
      message: 'disk almost full',
    });

    expect(formatLogLine('fn', text, readable)).toBe('12:01:02.345 fn WARN disk almost full');
    expect(formatLogLine('fn', json, readable)).toBe('12:01:02.345 fn WARN disk almost full');
  });

  it('summarises a REPORT platform line and marks cold starts', () => {
    const cold =
      'REPORT RequestId: r1\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tInit Duration: 210.50 ms';
    const timedOut =
      'REPORT RequestId: r2\tDuration: 3000.10 ms\tBilled Duration: 3001 ms\tMemory Size: 128 MB\tStatus: timeout';

    expect(formatLogLine('fn', cold, readable)).toBe('fn REPORT 12.34 ms (cold start, init 210.50 ms)');
    expect(formatLogLine('fn', timedOut, readable)).toBe('fn REPORT 3000.10 ms timeout');
  });

  it('shows the peak memory of a REPORT line that carries Max Memory Used', () => {
    const line =
      'REPORT RequestId: r3\tDuration: 20.00 ms\tBilled Duration: 20 ms\tMemory Size: 256 MB\tMax Memory Used: 71 MB\tInit Duration: 99.10 ms';

    expect(formatLogLine('fn', line, readable)).toBe(
      'fn REPORT 20.00 ms, 71 of 256 MB (cold start, init 99.10 ms)',
    );
  });

  it('prefixes any other line with the function name', () => {
    expect(formatLogLine('fn', 'hello', readable)).toBe('fn hello');
    expect(formatLogLine('fn', '{"not":"a log"}', readable)).toBe('fn {"not":"a log"}');
    expect(formatLogLine('fn', '{broken', readable)).toBe('fn {broken');
  });

  it('returns the raw line unchanged in json mode', () => {
    const line = JSON.stringify({ level: 'INFO', message: 'x', timestamp: '2026-11-03T12:01:02.345Z' });

    expect(formatLogLine('fn', line, { json: true })).toBe(line);
  });
});
