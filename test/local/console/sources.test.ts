/**
 * When `npm start` rebuilds the console: the decision (pure) and the hash of the sources it
 * compares (web/ but its output, the console contract, the lockfile).
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDecision, consoleSourceHash } from '../../../local/console';

describe('the console build decision', () => {
  it('builds when it was never built, or when the stamp is not the sources’ hash', () => {
    expect(buildDecision({ stamp: undefined, sourceHash: 'a', hasIndex: true })).toEqual({
      build: true,
      reason: 'never built',
    });
    expect(buildDecision({ stamp: 'a', sourceHash: 'a', hasIndex: false })).toEqual({
      build: true,
      reason: 'never built',
    });
    expect(buildDecision({ stamp: 'b', sourceHash: 'a', hasIndex: true })).toEqual({
      build: true,
      reason: 'sources changed',
    });
  });

  it('does not build when the stamp matches (a trailing newline aside)', () => {
    expect(buildDecision({ stamp: 'a\n', sourceHash: 'a', hasIndex: true })).toEqual({ build: false });
  });
});

describe('the console sources hash', () => {
  let root: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'console-sources-'));
    write('web/index.html', '<div id="app"></div>');
    write('web/src/main.tsx', 'render()');
    write('web/vite.config.ts', 'export default {}');
    write('web/dist/index.html', 'built');
    write('infra/config/console.ts', 'export const A = 1;');
    write('package-lock.json', '{}');
    write('functions/handler.ts', 'not a console source');
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('changes with any source: a file under web/, the console contract, the lockfile, a rename', () => {
    const hashes = new Set([consoleSourceHash(root)]);
    write('web/src/main.tsx', 'render(<App />)');
    hashes.add(consoleSourceHash(root));
    write('web/src/components/new.tsx', 'x');
    hashes.add(consoleSourceHash(root));
    write('infra/config/console.ts', 'export const A = 2;');
    hashes.add(consoleSourceHash(root));
    write('package-lock.json', '{"v":2}');
    hashes.add(consoleSourceHash(root));
    renameSync(join(root, 'web/src/components/new.tsx'), join(root, 'web/src/components/old.tsx'));
    hashes.add(consoleSourceHash(root));
    expect(hashes.size).toBe(6);
  });

  it('ignores the build output, dotfiles and files outside the console', () => {
    const before = consoleSourceHash(root);
    write('web/dist/assets/index-123.js', 'built');
    write('web/dist/.source-hash', before);
    write('web/.DS_Store', 'x');
    write('functions/handler.ts', 'changed');
    expect(consoleSourceHash(root)).toBe(before);
  });
});
