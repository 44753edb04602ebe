/**
 * The local cloud in process isolation: every function runs the bundle CDK ships, each
 * execution environment a process of its own, and REPORT lines carry its peak memory.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/config/functions';
import { COCO_CLASSES, createFixedModel } from '../../local/rekognition';
import { Harness } from '../../reliability/harness';

describe('the local cloud in process isolation', () => {
  let harness: Harness;
  let dataDir: string;
  const reports: { name: string; line: string }[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'local-isolated-'));
    harness = await Harness.start({
      dataDir,
      isolation: 'process',
      model: createFixedModel([
        {
          className: COCO_CLASSES[0] ?? 'person',
          score: 0.9,
          box: { left: 0.1, top: 0.1, width: 0.5, height: 0.5 },
        },
      ]),
      onLog: (name, line) => {
        if (line.startsWith('REPORT ')) reports.push({ name, line });
      },
    });
  }, 120_000);

  afterAll(async () => {
    await harness?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('labels an upload with the bundled functions and reports each one peak memory against its memory size', async () => {
    const body = readFileSync(new URL('../fixtures/photos/coffee.png', import.meta.url));

    await harness.upload('isolated/coffee.png', body, 'image/png');
    const records = await harness.waitForFinal(['isolated/coffee.png'], 60_000);

    expect(records.get('isolated/coffee.png')).toMatchObject({ status: 'LABELED' });
    const specs = [FUNCTIONS.start, FUNCTIONS.claim, FUNCTIONS.validate, FUNCTIONS.detect, FUNCTIONS.store];
    const reportOf = (handlerDir: string) => reports.find(({ name }) => name.endsWith(`-${handlerDir}`));
    // start-workflow reports after the workflow it waited for has written the record.
    const deadline = Date.now() + 10_000;
    while (specs.some((spec) => !reportOf(spec.handlerDir)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const spec of specs) {
      const report = reportOf(spec.handlerDir);
      expect(report?.line, spec.handlerDir).toMatch(
        new RegExp(`\\tMemory Size: ${spec.memoryMb} MB\\tMax Memory Used: \\d+ MB\\tInit Duration: `),
      );
      const used = Number(/Max Memory Used: (\d+) MB/.exec(report?.line ?? '')?.[1]);
      // A Node.js process with the SDK loaded, and far below this test runner's own memory.
      expect(used).toBeGreaterThan(30);
      expect(used).toBeLessThan(spec.memoryMb);
    }
  }, 90_000);
});
