// Semantics profiles in the site: the switch, a link that keeps the
// profile, and the compare view with the discussion point each difference
// answers.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';
import { startSite, stopSite } from './site.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
let browser;
let server;

before(async () => ({ server, browser } = await startSite()));
after(() => stopSite({ server, browser }));

const FAILING = 'insmod test_modules/test_klp_callbacks_demo.ko pre_patch_ret=-19';

test('switching to seed-v1 replays under the 2017 hooks, and the link keeps the profile', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.locator('[data-testid=explorer]').waitFor();
  const line = page.locator('[data-testid=explorer] input[aria-label*="ommand"]').first();
  await line.fill(FAILING);
  await line.press('Enter');
  await page.locator('[data-testid=position]').filter({ hasText: 'step 1 / 1' }).waitFor();
  await page.locator('[data-testid=profile]').selectOption('seed-v1');
  await page.waitForFunction(() => document.body.innerText.includes("patch hook '"));
  assert.match(await page.locator('body').innerText(), /livepatch: 'test_klp_callbacks_demo': patching complete/);
  // The fragment carries the profile: a reload comes back under seed-v1.
  await page.waitForFunction(() => location.hash.length > 1);
  const url = page.url();
  const again = await context.newPage();
  await again.goto(url);
  await again.locator('[data-testid=explorer]').waitFor();
  await again.waitForFunction(() => document.querySelector('[data-testid=profile]')?.value === 'seed-v1');
  assert.equal(await again.locator('[data-testid=profile]').inputValue(), 'seed-v1');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the compare view aligns both transcripts and names the point each difference answers', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url);
  await page.locator('[data-testid=explorer]').waitFor();
  const line = page.locator('[data-testid=explorer] input[aria-label*="ommand"]').first();
  await line.fill(FAILING);
  await line.press('Enter');
  await page.locator('[data-testid=compare] summary').click();
  const summary = page.locator('[data-testid=compare-summary]');
  await summary.waitFor();
  assert.equal(await summary.innerText(), '1 of 1 commands print differently under upstream and seed-v1.');
  const step = page.locator('[data-testid=compare-table] tbody.differs[data-step="1"]');
  const text = await step.innerText();
  assert.match(text, /pre-patch callback failed for object 'vmlinux'/);
  assert.match(text, /patch hook '[0-9a-f]+' failed for object 'vmlinux'/);
  assert.match(text, /Errors propagate\. Petr Mladek's review/);
  assert.match(text, /The gate\./);
  assert.ok(await step.locator('td.only').count() >= 2);

  await page.locator('[data-testid=compare-with]').selectOption('upstream');
  await summary.filter({ hasText: 'print the same for every command' }).waitFor();

  await page.addScriptTag({ path: AXE });
  await page.locator('[data-testid=compare-with]').selectOption('state-callbacks-2025');
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), []);
  await context.close();
});
