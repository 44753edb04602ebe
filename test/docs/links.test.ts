/**
 * Every relative link in README.md and docs/ resolves: the file exists, and a `#fragment` names a
 * heading of the file it points to (GitHub's anchor for it). Links inside code blocks are code,
 * not links, and web addresses are not followed (no network here).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
  'local/rekognition/README.md',
  'bench/README.md',
].filter((file) => existsSync(join(ROOT, file)));

/** The text outside fenced code blocks. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** GitHub's anchors for a file's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = (heading ?? '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

/** Relative link targets: `[text](target)`, without web addresses. */
function links(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** The relative links of `markdown` (the text of `file`, relative to the project) that do not resolve. */
function brokenLinks(file: string, markdown: string): string[] {
  return links(markdown).filter((target) => {
    const [path = '', fragment] = target.split('#');
    const absolute = path ? resolve(dirname(join(ROOT, file)), decodeURIComponent(path)) : join(ROOT, file);
    if (!existsSync(absolute)) return true;
    if (!fragment || !absolute.endsWith('.md')) return false;
    const linked = absolute === join(ROOT, file) ? markdown : readFileSync(absolute, 'utf8');
    return !anchors(linked).has(fragment);
  });
}

describe('links in the documentation', () => {
  it('finds the documents to check', () => {
    expect(DOCS).toEqual(expect.arrayContaining(['README.md', 'docs/events.md']));
  });

  it.each(DOCS)('%s: every relative link resolves', (file) => {
    const markdown = readFileSync(join(ROOT, file), 'utf8');
    expect(brokenLinks(file, markdown), `broken links in ${relative(ROOT, join(ROOT, file))}`).toEqual([]);
  });

  it('reports a missing file and a missing heading, and accepts what exists', () => {
    const markdown = [
      '# Here',
      '[gone](docs/nope.md) [no heading](#nowhere) [fine](docs/events.md#the-event) [self](#here)',
      '[web](https://example.com/x) [a file](package.json)',
      '```sh',
      '[inside a code block](missing.md)',
      '```',
    ].join('\n');
    expect(brokenLinks('README.md', markdown)).toEqual(['docs/nope.md', '#nowhere']);
  });

  it('computes anchors as GitHub does', () => {
    const headings =
      '# Image events (EventBridge)\n## Safe delivery: canaries, CI/CD\n## The local cloud (`npm start`)\n## Notes\n## Notes\n';
    expect([...anchors(headings)]).toEqual([
      'image-events-eventbridge',
      'safe-delivery-canaries-cicd',
      'the-local-cloud-npm-start',
      'notes',
      'notes-1',
    ]);
  });
});
