// Semantics profiles in the site: the switch, a link that keeps the
// profile, and the compare view with the discussion point each difference
// answers.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startSite, stopSite } from './site.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
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

test('the compare view aligns both timelines step by step and names the point each difference answers', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url);
  await page.locator('[data-testid=explorer]').waitFor();
  const line = page.locator('[data-testid=explorer] input[aria-label*="ommand"]').first();
  // A step both profiles print alike, then the failing load that differs.
  for (const cmd of ['insmod test_modules/test_klp_callbacks_mod.ko', FAILING]) {
    await line.fill(cmd);
    await line.press('Enter');
  }
  await page.locator('[data-testid=position]').filter({ hasText: 'step 2 / 2' }).waitFor();
  await page.locator('[data-testid=compare] summary').click();
  const summary = page.locator('[data-testid=compare-summary]');
  await summary.waitFor();
  assert.equal(await summary.innerText(), '1 of 2 commands print differently under upstream and seed-v1.');

  // One timeline per profile, labelled with its name.
  const sides = page.locator('[data-testid=compare-timelines] [data-profile]');
  assert.equal(await sides.count(), 2);
  const a = sides.nth(0);
  const b = sides.nth(1);
  assert.equal(await a.getAttribute('data-profile'), 'upstream');
  assert.equal(await b.getAttribute('data-profile'), 'seed-v1');
  assert.equal(await a.locator('.compare-label .compare-name').innerText(), 'upstream');
  assert.equal(await b.locator('.compare-label .compare-name').innerText(), 'seed-v1');
  // The same steps, each over the same horizontal span in both.
  const spans = (side) =>
    side.locator('[data-step-head]').evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return [e.dataset.stepHead, Math.round(r.left), Math.round(r.width)];
      }),
    );
  const [sa, sb] = [await spans(a), await spans(b)];
  assert.equal(sa.length, 2);
  assert.deepEqual(sa, sb);
  // Only the failing load differs, and it is marked in both timelines.
  for (const side of [a, b]) {
    assert.equal(await side.locator('.step-head.differs[data-step-head="2"]').count(), 1);
    assert.equal(await side.locator('.step-head.differs').count(), 1);
  }
  // The difference shows in the timelines: mainline's pre_patch fails.
  assert.ok((await a.locator('.marker.failed').count()) >= 1);

  const steps = page.locator('[data-testid=compare-steps] > li');
  assert.equal(await steps.count(), 1);
  assert.equal(await steps.first().getAttribute('data-step'), '2');
  const text = await steps.first().innerText();
  assert.match(text, /2\. % insmod test_modules\/test_klp_callbacks_demo\.ko pre_patch_ret=-19 answers: Errors propagate; The gate/);
  // The kernel lines of both, side by side, the differing rows marked.
  const table = steps.first().locator('table.compare-lines');
  assert.deepEqual(await table.locator('th').allInnerTexts(), ['upstream', 'seed-v1']);
  assert.ok((await table.locator('tr.differs').count()) >= 1);
  assert.match(await table.innerText(), /pre-patch callback failed for object/);
  // Each point stated once, with the steps it answers.
  const points = page.locator('[data-testid=compare-points] > li');
  assert.equal(await points.count(), 2);
  assert.match(await points.nth(0).innerText(), /^Errors propagate\. Petr Mladek's review[^]*\(step 2\)$/);
  assert.match(await points.nth(1).innerText(), /^The gate\.[^]*\(step 2\)$/);
  // The 2017 hooks under their own names; mainline's callbacks under theirs.
  // (Compact, a marker's name is the sentence a screen reader reads.)
  assert.ok((await b.locator('.marker .visually-hidden', { hasText: /^patch hook on / }).count()) >= 1);
  assert.equal(await b.locator('.marker .visually-hidden', { hasText: /^pre_patch on / }).count(), 0);
  assert.ok((await a.locator('.marker .visually-hidden', { hasText: /^pre_patch on / }).count()) >= 1);
  // One toggle switches both timelines, still aligned.
  await page.getByTestId('compare-mode').click();
  assert.equal(await page.locator('[data-testid=compare-timelines] .timeline-box.compact').count(), 0);
  assert.deepEqual(await spans(a), await spans(b));

  await page.locator('[data-testid=compare-with]').selectOption('upstream');
  await summary.filter({ hasText: 'print the same for every command' }).waitFor();
  assert.equal(await page.locator('[data-testid=compare-timelines] .step-head.differs').count(), 0);
  assert.equal(await page.locator('[data-testid=compare-steps] > li').count(), 0);

  await page.addScriptTag({ path: AXE });
  await page.locator('[data-testid=compare-with]').selectOption('state-callbacks-2025');
  // Axe over the page with the comparison open (still detailed), light and dark.
  assert.equal(await page.getByTestId('compare-mode').getAttribute('aria-pressed'), 'true');
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], colorScheme);
  }
  await context.close();
});
