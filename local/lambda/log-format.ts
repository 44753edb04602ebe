/**
 * Turns one line of Lambda output into a readable one-liner. Pure: the same input always gives the same
 * output (times are shown in UTC, taken from the line itself).
 *
 * - Powertools Logger JSON: `12:01:02.345 validate-image INFO Image accepted {"key":"a.png"}` (the
 *   standard keys such as service, cold_start, function_arn, xray_trace_id are left out; an `error`
 *   object is shown without its stack).
 * - Powertools Metrics EMF blobs: `12:01:02.345 validate-image METRIC ImagesAccepted=1 Count`.
 * - Lambda console lines (Text `time\trequestId\tLEVEL\tmessage` or JSON): `time name LEVEL message`.
 * - `REPORT RequestId: ...` platform lines: `name REPORT 12.34 ms (cold start, init 210.00 ms)`, with
 *   `, 71 of 256 MB` when the line carries Max Memory Used (process isolation).
 * - Anything else: `name line`.
 * With `json: true` the raw line is returned unchanged.
 */
export interface FormatOptions {
  json: boolean;
}

const STANDARD_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_name',
  'function_memory_size',
  'function_arn',
  'function_request_id',
  'xray_trace_id',
  'sampling_rate',
  'requestId',
]);

function clock(value: unknown): string | undefined {
  const date =
    typeof value === 'number' ? new Date(value) : typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) return undefined;
  return date.toISOString().slice(11, 23);
}

function prefix(time: string | undefined, functionName: string): string {
  return time ? `${time} ${functionName}` : functionName;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function formatMetrics(
  functionName: string,
  blob: Record<string, unknown>,
  aws: Record<string, unknown>,
): string {
  const directives = Array.isArray(aws.CloudWatchMetrics) ? aws.CloudWatchMetrics : [];
  const parts: string[] = [];
  for (const directive of directives) {
    if (!isRecord(directive) || !Array.isArray(directive.Metrics)) continue;
    for (const metric of directive.Metrics) {
      if (!isRecord(metric) || typeof metric.Name !== 'string') continue;
      const raw = blob[metric.Name];
      const value = Array.isArray(raw) ? raw.join(',') : String(raw);
      const unit = typeof metric.Unit === 'string' && metric.Unit !== 'None' ? ` ${metric.Unit}` : '';
      parts.push(`${metric.Name}=${value}${unit}`);
    }
  }
  return `${prefix(clock(aws.Timestamp), functionName)} METRIC ${parts.join(', ')}`;
}

function formatReport(functionName: string, line: string): string {
  const duration = /\tDuration: ([\d.]+) ms/.exec(line)?.[1];
  const init = /\tInit Duration: ([\d.]+) ms/.exec(line)?.[1];
  const status = /\tStatus: (\w+)/.exec(line)?.[1];
  const memory = /\tMemory Size: (\d+) MB\tMax Memory Used: (\d+) MB/.exec(line);
  return `${functionName} REPORT ${duration ?? '?'} ms${memory ? `, ${memory[2]} of ${memory[1]} MB` : ''}${init ? ` (cold start, init ${init} ms)` : ''}${status ? ` ${status}` : ''}`;
}

export function formatLogLine(functionName: string, line: string, options: FormatOptions): string {
  if (options.json) return line;
  if (line.startsWith('REPORT RequestId:')) return formatReport(functionName, line);

  const text = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)\t[^\t]*\t([A-Z]+)\t(.*)$/s.exec(line);
  if (text) return `${prefix(clock(text[1]), functionName)} ${text[2]} ${text[3]}`;

  let parsed: unknown;
  if (line.startsWith('{')) {
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
  }
  if (!isRecord(parsed)) return `${functionName} ${line}`;

  if (isRecord(parsed._aws) && Array.isArray(parsed._aws.CloudWatchMetrics)) {
    return formatMetrics(functionName, parsed, parsed._aws);
  }
  if (typeof parsed.level !== 'string' || !('message' in parsed)) return `${functionName} ${line}`;

  const extras: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (STANDARD_KEYS.has(key)) continue;
    if (key === 'error' && isRecord(value)) {
      const { stack: _stack, ...rest } = value;
      extras[key] = rest;
    } else {
      extras[key] = value;
    }
  }
  const message = typeof parsed.message === 'string' ? parsed.message : JSON.stringify(parsed.message);
  const tail = Object.keys(extras).length > 0 ? ` ${JSON.stringify(extras)}` : '';
  return `${prefix(clock(parsed.timestamp), functionName)} ${parsed.level.toUpperCase()} ${message}${tail}`;
}
