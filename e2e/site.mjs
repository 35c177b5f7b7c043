// What every browser test file starts with: the release build in dist/
// served on localhost, and Debian's chromium, headless, with the flags this
// machine's closed network needs (never a downloaded browser).

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, DIST } from './server.mjs';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Debian's chromium, headless. */
export function launchChromium(options = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    ...options,
  });
}

/** The site and a browser, for a test file's `before`. */
export async function startSite() {
  assert.ok(existsSync(path.join(DIST, 'index.html')), `no ${DIST}/index.html: run trunk build --release first`);
  const server = await startServer();
  const browser = await launchChromium();
  return { server, browser };
}

/** Stops what `startSite` started, for a test file's `after`. */
export async function stopSite({ server, browser }) {
  await browser?.close();
  await server?.close();
}

/**
 * A fresh browser context and page on `url`, resolved once `ready` shows
 * (the wasm has mounted). `errors` collects page errors and console errors,
 * and with `http: true` failed requests and HTTP errors too. Other options
 * go to the context (`permissions`, `acceptDownloads`, `colorScheme`, ...).
 */
export async function openPage(browser, url, { width = 1400, height = 900, ready = '[data-testid=explorer]', http = false, ...options } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  if (http) {
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
    });
  }
  await page.goto(url);
  await page.locator(ready).first().waitFor({ timeout: 15_000 });
  return { page, errors, context };
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's violations on `page` (within `selector`), one line each. */
export async function axeViolations(page, selector = null) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(
    (sel) => window.axe.run(sel ?? document, { resultTypes: ['violations'] }),
    selector,
  );
  return result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`,
  );
}
