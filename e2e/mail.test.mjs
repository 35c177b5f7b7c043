// Browser tests of what klpscope gives a mailing list: short links that
// restore the exact view, and hostile links shown as text.
// Run: `cd e2e && node --test` after `trunk build --release`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, DIST } from './server.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

let browser;
let server;

before(async () => {
  assert.ok(existsSync(path.join(DIST, 'index.html')), `no ${DIST}/index.html: run trunk build --release first`);
  server = await startServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh page on `url` (waiting for `ready`), recording errors. */
async function open(url, { permissions, ready = '[data-testid=explorer]', viewport } = {}) {
  const context = await browser.newContext({ viewport: viewport ?? { width: 1400, height: 900 }, permissions });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  await page.locator(ready).first().waitFor({ timeout: 15_000 });
  return { page, errors, context };
}

const position = (page) => page.getByTestId('position').innerText();

/** The selected marker as "step object callback state", or null. */
async function selectedMarker(page) {
  const sel = page.locator('[data-testid=timeline] .marker.selected');
  if ((await sel.count()) === 0) return null;
  return sel.evaluate((e) => `${e.dataset.step} ${e.dataset.object} ${e.dataset.callback} ${e.dataset.state ?? '-'}`);
}

test('a short link restores the exact step and selected event', async () => {
  // Every selftest link is at most 100 characters; this is 09's.
  const link = '#s1=i.busy+block_transition=Y,i.demo,i.mod,r.mod,demo/enabled=0,r.demo,r.busy';
  assert.ok(link.length <= 100);
  const { page, errors, context } = await open(server.url + link);
  await page.locator('[data-testid=timeline] .marker').first().waitFor();
  assert.equal(await position(page), 'step 7 / 7');
  // Step back to step 5, then select the module's pre_patch (step 3).
  await page.getByTestId('scrub').fill('5');
  assert.equal(await position(page), 'step 5 / 7');
  await page.locator('[data-testid=timeline] .marker[data-step="3"][data-callback=pre_patch]').click();
  const chosen = await selectedMarker(page);
  assert.equal(chosen, '3 test_klp_callbacks_mod pre_patch MODULE_STATE_COMING');
  await page.waitForFunction(() => location.hash.includes('&ev=3.'));
  const url = page.url();
  assert.match(url, /&at=5/);
  assert.match(url, /&ev=3\.\d+/);
  assert.match(url, /s1=i\.busy\+block_transition=Y,i\.demo,/);
  // The same URL in a fresh browser context.
  const second = await open(url);
  await second.page.locator('[data-testid=timeline] .marker.selected').waitFor();
  assert.equal(await position(second.page), 'step 5 / 7');
  assert.equal(await selectedMarker(second.page), chosen);
  assert.match(await second.page.getByTestId('why').innerText(), /pre_patch/);
  assert.deepEqual(second.errors, []);
  await second.context.close();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a link in the first (s=) form still opens', async () => {
  const old =
    '#s=insmod+test_modules/test_klp_callbacks_mod.ko!insmod+test_modules/test_klp_callbacks_demo.ko' +
    '!echo+0+%3E+/sys/kernel/livepatch/test_klp_callbacks_demo/enabled';
  const { page, errors, context } = await open(server.url + old);
  await page.locator('[data-testid=timeline] .marker').first().waitFor();
  assert.equal(await position(page), 'step 3 / 3');
  assert.match(await page.getByTestId('transcript').innerText(), /unpatching complete/);
  // The site rewrites it in the current form.
  await page.waitForFunction(() => location.hash.includes('s1=i.mod,i.demo,demo/enabled=0'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a fragment with <script> shows as text and runs nothing', async () => {
  for (const [frag, shown] of [
    // Decodes to an `echo` into a module that does not exist: the kernel's
    // answer is shown, with the text as typed.
    [`#s1=i.mod,${encodeURIComponent('<script>window.__pwned=1</script>')}`, '<script>'],
    // An unknown token: the link does not open, and says why.
    [`#s1=i.mod,${encodeURIComponent('<script>x')}`, "'<script>x'"],
    // A command written out that the parser rejects.
    [`#s1=i.mod,sleep+${encodeURIComponent('<img src=x onerror="window.__pwned=1">')}`, "unexpected 'src=x'"],
  ]) {
    const { page, errors, context } = await open(server.url + frag);
    await page.waitForFunction((s) => document.body.textContent.includes(s), shown);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal(await page.locator('img[src=x], main script').count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

export { open, position, AXE };
