/**
 * The web console in a real browser (Debian's Chromium) against a whole local cloud with the
 * real label model, as a person would use it: sign in, drop three files at once, watch each
 * reach its final state, check the boxes sit on the person at two window sizes and for an
 * EXIF-rotated JPEG, search, browse labels, delete, sign out; with axe-core on every screen and
 * the console's real Content-Security-Policy in force.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud';
import { chromiumOrSkip, launchChromium, seriousAxeViolations } from './support/chromium';
import { expectedRect, iou, maxEdgeDifference, type Ratios, type Rect } from './support/geometry';

const chromiumPath = chromiumOrSkip();
const SCREENSHOTS = join(import.meta.dirname, '.screenshots');
const photo = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'photos', name));

interface ApiImage {
  key: string;
  status: string;
  labels: { name: string; instances: { box: Ratios }[] }[];
}

describe.skipIf(!chromiumPath)('the web console in Chromium, against the local cloud', () => {
  let cloud: LocalCloud;
  let dataDir: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const cspViolations: string[] = [];
  const keys: Record<string, string> = {};

  /** GET on the labels API with a token of the local machine client, as curl would. */
  async function api(path: string): Promise<{ status: number; body: unknown }> {
    const token = await cloud.issuer.mint();
    const response = await fetch(`${cloud.info.endpoints.api}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: response.status === 204 ? undefined : await response.json() };
  }

  async function expectAccessible(screen: string) {
    const violations = await seriousAxeViolations(page);
    expect(violations, `serious or critical axe-core violations on ${screen}`).toEqual([]);
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'console-browser-'));
    cloud = await startLocalCloud({
      dataDir,
      awsPort: 0,
      apiPort: 0,
      authPort: 0,
      consolePort: 0,
      logs: 'silent',
      retryIntervalScale: 0.01,
    });
    await cloud.rekognition.warmUp();
    browser = await launchChromium(chromiumPath as string);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('console', (message) => {
      if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
      browserLog.push(`${message.type()}: ${message.text()}`);
    });
    page.on('requestfailed', (request) =>
      browserLog.push(`request failed: ${request.method()} ${request.url()}`),
    );
    page.on('response', (response) => {
      if (response.status() >= 400)
        browserLog.push(`${response.status()}: ${response.request().method()} ${response.url()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await cloud?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  // A failed step says what the page showed (a locator timeout alone does not), and what the
  // browser logged, so a failure in CI can be read without a trace.
  const browserLog: string[] = [];
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail' && page) {
      const shown = await page
        .locator('body')
        // biome-ignore lint/performance/useDomNodeTextContent: what a person saw (rendered text), not the DOM's text
        .innerText({ timeout: 2_000 })
        .catch((error: unknown) => `(unreadable: ${String(error)})`);
      context.task.result.errors?.push({
        name: 'PageState',
        message: `at ${page.url()} the page showed:\n${shown}\nbrowser log (last 20):\n${browserLog.slice(-20).join('\n')}`,
      });
    }
  });

  /** The key an upload row links to, once it has one. */
  async function keyOfUpload(name: string): Promise<string> {
    const href = await page.locator(`li[data-upload-name="${name}"] a`).getAttribute('href');
    const encoded = href?.replace(/^\/images\//, '');
    if (!encoded) throw new Error(`the upload row of ${name} links to no image`);
    return decodeURIComponent(encoded);
  }

  async function waitForStatus(name: string, status: string) {
    await expect
      .poll(() => page.locator(`li[data-upload-name="${name}"]`).getAttribute('data-status'), {
        timeout: 120_000,
        interval: 250,
      })
      .toBe(status);
  }

  /** The rendered image's content box, after it has loaded. */
  async function renderedImage(): Promise<Rect & { naturalWidth: number; naturalHeight: number }> {
    const image = page.getByTestId('image');
    await image.evaluate((img: HTMLImageElement) =>
      img.complete && img.naturalWidth > 0
        ? undefined
        : new Promise((resolve, reject) => {
            img.addEventListener('load', resolve, { once: true });
            img.addEventListener('error', reject, { once: true });
          }),
    );
    return image.evaluate((img: HTMLImageElement) => {
      const rect = img.getBoundingClientRect();
      const style = getComputedStyle(img);
      const px = (value: string) => Number.parseFloat(value) || 0;
      const left = px(style.borderLeftWidth) + px(style.paddingLeft);
      const top = px(style.borderTopWidth) + px(style.paddingTop);
      const right = px(style.borderRightWidth) + px(style.paddingRight);
      const bottom = px(style.borderBottomWidth) + px(style.paddingBottom);
      return {
        x: rect.x + left,
        y: rect.y + top,
        width: rect.width - left - right,
        height: rect.height - top - bottom,
        naturalWidth: img.naturalWidth,
        naturalHeight: img.naturalHeight,
      };
    });
  }

  /**
   * Every Person box on screen against the rectangle computed from the API's ratios and the
   * rendered image: within 2 px. Returns the boxes' ratios, as the API gave them.
   */
  async function expectPersonBoxesInPlace(key: string): Promise<Ratios[]> {
    const { body } = await api(`/images/${encodeURIComponent(key)}`);
    const person = (body as ApiImage).labels.find((label) => label.name === 'Person');
    expect(person?.instances.length, 'the API found the person').toBeGreaterThan(0);
    const ratios = (person?.instances ?? []).map((instance) => instance.box);
    const image = await renderedImage();
    // Shown at its own aspect ratio (no cropping or stretching, which would move every box).
    expect(image.width / image.height).toBeCloseTo(image.naturalWidth / image.naturalHeight, 2);
    const boxes = page.locator('[data-testid="box"][data-label="Person"]');
    await expect.poll(() => boxes.count()).toBe(ratios.length);
    for (const [index, box] of ratios.entries()) {
      const shown = boxes.nth(index);
      expect(await shown.getAttribute('data-box')).toBe([box.left, box.top, box.width, box.height].join(','));
      const rect = await shown.boundingBox();
      if (!rect) throw new Error('a Person box is not rendered');
      const expected = expectedRect(box, image);
      expect(maxEdgeDifference(rect, expected), `box ${index} of ${key}, in px`).toBeLessThanOrEqual(2);
    }
    return ratios;
  }

  async function openImage(key: string) {
    await page.goto(`${cloud.info.endpoints.console}/images/${encodeURIComponent(key)}`);
    await page.getByTestId('image').waitFor();
  }

  it('signs in with the code flow and PKCE on the sign-in page', async () => {
    await page.goto(cloud.info.endpoints.console);
    await expectAccessible('the signed-out start page');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Email').waitFor();
    await expectAccessible('the local sign-in page');
    await page.getByLabel('Email').fill('tester@example.com');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(new URL(page.url()).origin).toBe(new URL(cloud.info.endpoints.console).origin);
    await expectAccessible('the signed-in start page');
  });

  it('takes three dropped files at once and shows each reach its final state', async () => {
    const files = [
      { name: 'astronaut.png', type: 'image/png', base64: photo('astronaut.png').toString('base64') },
      // A text file named .jpg: the browser calls it image/jpeg; the server rejects it.
      { name: 'notes.jpg', type: 'image/jpeg', base64: Buffer.from('just some notes\n').toString('base64') },
      { name: 'coffee.png', type: 'image/png', base64: photo('coffee.png').toString('base64') },
    ];
    const dataTransfer = await page.evaluateHandle((list) => {
      const transfer = new DataTransfer();
      for (const file of list) {
        const bytes = Uint8Array.from(atob(file.base64), (char) => char.charCodeAt(0));
        transfer.items.add(new File([bytes], file.name, { type: file.type }));
      }
      return transfer;
    }, files);
    await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer });

    await waitForStatus('astronaut.png', 'LABELED');
    await waitForStatus('notes.jpg', 'REJECTED');
    await waitForStatus('coffee.png', 'LABELED');
    await expect
      .poll(() => page.locator('li[data-upload-name="notes.jpg"]').textContent())
      .toMatch(/not a JPEG or PNG|JPEG or PNG/i);
    for (const name of ['astronaut.png', 'notes.jpg', 'coffee.png']) keys[name] = await keyOfUpload(name);
    expect((await api(`/images/${encodeURIComponent(keys['notes.jpg'] ?? '')}`)).body).toMatchObject({
      status: 'REJECTED',
      reason: 'UNSUPPORTED_FORMAT',
    });
    await expectAccessible('the start page with finished uploads');
  });

  it('uploads an EXIF-rotated JPEG with the file picker', async () => {
    await page.getByLabel('Choose images').setInputFiles({
      name: 'astronaut-rotated.jpg',
      mimeType: 'image/jpeg',
      buffer: photo('astronaut-rotated.jpg'),
    });
    await waitForStatus('astronaut-rotated.jpg', 'LABELED');
    keys['astronaut-rotated.jpg'] = await keyOfUpload('astronaut-rotated.jpg');
  });

  it('draws the person box where the API says, at two window sizes, and writes a screenshot', async () => {
    const key = keys['astronaut.png'] ?? '';
    await openImage(key);
    await expectPersonBoxesInPlace(key);
    await expectAccessible('the image view');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'image-view.png'), fullPage: true });

    await page.setViewportSize({ width: 480, height: 800 });
    await expectPersonBoxesInPlace(key);
    await page.screenshot({ path: join(SCREENSHOTS, 'image-view-narrow.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('draws the box on the person in an EXIF-rotated JPEG, as the browser displays it', async () => {
    const key = keys['astronaut-rotated.jpg'] ?? '';
    await openImage(key);
    const image = await renderedImage();
    // The browser applied EXIF orientation 6: the 512x384 stored frame shows as 384x512.
    expect([image.naturalWidth, image.naturalHeight]).toEqual([384, 512]);
    const [rotated] = await expectPersonBoxesInPlace(key);
    await page.setViewportSize({ width: 480, height: 800 });
    await expectPersonBoxesInPlace(key);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(SCREENSHOTS, 'image-view-exif-rotated.png'), fullPage: true });

    // The same person as in the upright original (the fixture is its crop from x = 64): had the
    // orientation been ignored anywhere, the box would lie across the picture instead.
    const { body } = await api(`/images/${encodeURIComponent(keys['astronaut.png'] ?? '')}`);
    const upright = (body as ApiImage).labels.find((label) => label.name === 'Person')?.instances[0]?.box;
    if (!rotated || !upright) throw new Error('no Person box to compare');
    const inOriginalPixels = (box: Ratios, width: number, height: number, dx: number): Rect => ({
      x: box.left * width + dx,
      y: box.top * height,
      width: box.width * width,
      height: box.height * height,
    });
    expect(
      iou(inOriginalPixels(rotated, 384, 512, 64), inOriginalPixels(upright, 512, 512, 0)),
    ).toBeGreaterThan(0.6);
  });

  it("highlights a label's boxes when the label is focused with the keyboard", async () => {
    await openImage(keys['astronaut.png'] ?? '');
    const personBoxes = page.locator('[data-testid="box"][data-label="Person"]');
    await expect.poll(() => personBoxes.count()).toBeGreaterThan(0);
    let focused = '';
    for (let presses = 0; presses < 40 && !/^Person/.test(focused); presses++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    }
    expect(focused, 'Tab reaches the Person label').toMatch(/^Person/);
    await expect.poll(() => personBoxes.first().getAttribute('class')).toMatch(/box-active/);
  });

  it('finds the image by searching for "person", and not the coffee', async () => {
    await page.goto(cloud.info.endpoints.console);
    await page.getByLabel('Label', { exact: true }).fill('person');
    await page.getByLabel('Minimum confidence').fill('50');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: 'Results at 50% confidence or more' }).waitFor();
    // The results, not the list of every image that was on screen before the search.
    const results = page.locator('[aria-labelledby="results-heading"]');
    await results.locator(`[data-key="${keys['astronaut.png']}"]`).waitFor();
    expect(new URL(page.url()).searchParams.get('label')).toBe('person');
    expect(await results.locator(`[data-key="${keys['astronaut-rotated.jpg']}"]`).count()).toBe(1);
    expect(await page.locator(`[data-key="${keys['coffee.png']}"]`).count()).toBe(0);
    await expectAccessible('the search results');
  });

  it('lists label counts, and choosing one searches for it', async () => {
    // The counts follow the images from the table's stream, about a window (1 s locally) later.
    await expect
      .poll(async () => JSON.stringify((await api('/labels')).body), { timeout: 15_000, interval: 250 })
      .toContain('"Person"');
    await page.getByRole('link', { name: 'Labels' }).click();
    const person = page.getByRole('link', { name: 'Person', exact: true });
    await person.waitFor();
    await expectAccessible('the labels page');
    await person.click();
    await page.locator(`[data-key="${keys['astronaut.png']}"]`).waitFor();
    expect(new URL(page.url()).pathname).toBe('/search');
  });

  it('deletes an image after a confirmation', async () => {
    const key = keys['astronaut.png'] ?? '';
    await openImage(key);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await expectAccessible('the delete confirmation');
    await dialog.getByRole('button', { name: 'Delete image' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/');
    await expect.poll(async () => (await api(`/images/${encodeURIComponent(key)}`)).status).toBe(404);
    await page.locator(`[data-key="${keys['coffee.png']}"]`).waitFor();
    expect(await page.locator(`[data-key="${key}"]`).count()).toBe(0);
  });

  it('refreshes an access token the API refuses, and says so plainly when the session is over', async () => {
    const storedUser = () =>
      page.evaluate(() => {
        const name = Object.keys(sessionStorage).find((key) => key.startsWith('oidc.user:'));
        return name ? { name, user: JSON.parse(sessionStorage.getItem(name) ?? '{}') } : undefined;
      });
    const spoil = (fields: Record<string, string>) =>
      page.evaluate(
        ([changes]) => {
          const name = Object.keys(sessionStorage).find((key) => key.startsWith('oidc.user:'));
          if (!name) throw new Error('no stored user');
          const user = JSON.parse(sessionStorage.getItem(name) ?? '{}');
          sessionStorage.setItem(name, JSON.stringify({ ...user, ...changes }));
        },
        [fields] as const,
      );
    // An access token the API rejects (401): the console refreshes it once and goes on.
    await spoil({ access_token: 'not-a-valid-token' });
    await page.goto(`${cloud.info.endpoints.console}/labels`);
    await page.getByRole('link', { name: 'Person', exact: true }).waitFor();
    expect((await storedUser())?.user.access_token).not.toBe('not-a-valid-token');

    // Neither token works any more: the console says so and offers to sign in again.
    await spoil({ access_token: 'not-a-valid-token', refresh_token: 'revoked' });
    await page.goto(`${cloud.info.endpoints.console}/labels`);
    await page.getByText('Your session has ended. Sign in again.').first().waitFor();
    await page.getByRole('button', { name: 'Sign in' }).first().waitFor();
    await expectAccessible('the session-ended prompt');
  });

  it('signs out, and the session stays closed', async () => {
    // Sign in again after the previous test ended the session.
    await page.getByRole('button', { name: 'Sign in' }).first().click();
    const email = page.getByLabel('Email');
    // The sign-in service may remember the browser and skip its form.
    await Promise.race([email.waitFor(), page.getByRole('button', { name: 'Sign out' }).waitFor()]);
    if (await email.isVisible()) {
      await email.fill('tester@example.com');
      await page.getByRole('button', { name: 'Sign in' }).click();
    }
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).first().waitFor();
    expect(new URL(page.url()).origin).toBe(new URL(cloud.info.endpoints.console).origin);
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).first().waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
  });

  it('met its Content-Security-Policy throughout', () => {
    expect(cspViolations).toEqual([]);
  });
});
