/**
 * Debian's Chromium, driven by playwright-core (Playwright cannot download its own browsers
 * here). `npm test` runs the browser tests when Chromium is found and says plainly when it is
 * not; CI (CI=true) never skips them: a missing Chromium is an error there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** CHROMIUM_PATH, or the first Chromium installed where Debian puts it; undefined when none. */
export function findChromium(env = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return existsSync(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  return CANDIDATES.find((path) => existsSync(path));
}

/**
 * The Chromium to run, or undefined (with one plain line on stderr) when there is none and
 * the tests may be skipped. In CI a missing Chromium throws.
 */
export function chromiumOrSkip(env = process.env): string | undefined {
  const path = findChromium(env);
  if (path) return path;
  const message =
    'Chromium not found (looked for CHROMIUM_PATH, ' +
    `${CANDIDATES.join(', ')}): install it with \`apt-get install chromium\`.`;
  if (env.CI === 'true') throw new Error(`${message} CI never skips the browser tests.`);
  process.stderr.write(`\n!! Skipping the browser tests: ${message}\n\n`);
  return undefined;
}

/**
 * Flags for a root user on a machine with no network: no sandbox (root), and none of
 * Chromium's background calls to the internet, which fail here and slow every start.
 */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    // Playwright gives every launch a fresh, temporary profile of its own.
    args: FLAGS,
  });
}

const axeSource = (): string =>
  readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core in the page and returns its serious and critical violations. It is evaluated
 * through the DevTools protocol, which the page's Content-Security-Policy does not govern, so
 * the console is checked under its real CSP.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(axeSource());
  const violations = (await page.evaluate(`
    window.axe.run(document, { resultTypes: ['violations'] }).then((result) =>
      result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => n.target.join(' ')),
      })),
    )
  `)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
