/**
 * `npm run test:reliability`: runs the reliability scenarios against the local cloud, prints
 * one row per scenario, and exits non-zero when any object is lost or any scenario fails.
 *
 *   npm run test:reliability                  every scenario
 *   npm run test:reliability -- --only=bad-input,duplicates
 */
import { parseArgs } from 'node:util';
import type { ScenarioResult } from './harness';
import { SCENARIOS } from './scenarios';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values } = parseArgs({ options: { only: { type: 'string' } } });
const wanted = values.only ? new Set(values.only.split(',')) : undefined;

const results: ScenarioResult[] = [];
for (const [name, run] of Object.entries(SCENARIOS)) {
  if (wanted && !wanted.has(name)) continue;
  const started = performance.now();
  process.stdout.write(`running ${name}...`);
  try {
    const result = await run();
    results.push(result);
    process.stdout.write(` ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    process.stdout.write(' crashed\n');
    results.push({
      scenario: name,
      inputs: 0,
      labeled: 0,
      rejected: 0,
      failed: 0,
      rekognitionCalls: 0,
      dlqMessages: 0,
      lost: 0,
      problems: [`the scenario crashed: ${error instanceof Error ? error.stack : String(error)}`],
    });
  }
}

const columns = [
  'scenario',
  'inputs',
  'labeled',
  'rejected',
  'failed',
  'rekognitionCalls',
  'dlqMessages',
  'lost',
  'events',
  'result',
  'notes',
];
console.log(`\n| ${columns.join(' | ')} |\n| ${columns.map(() => '---').join(' | ')} |`);
for (const result of results) {
  const ok = result.lost === 0 && result.problems.length === 0;
  const row: Record<string, unknown> = {
    ...result,
    result: ok ? 'pass' : 'FAIL',
    notes: result.notes ?? '',
    events: result.events ?? 'n/a',
  };
  const cell = (value: unknown) => (typeof value === 'number' && Number.isNaN(value) ? 'n/a' : String(value));
  console.log(`| ${columns.map((column) => cell(row[column])).join(' | ')} |`);
}
for (const result of results.filter((r) => r.problems.length > 0)) {
  console.log(`\n${result.scenario}:\n  - ${result.problems.join('\n  - ')}`);
}
const failed = results.filter((result) => result.lost > 0 || result.problems.length > 0).length;
console.log(`\nreliability: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
