// End-to-end tests of the built site (dist/) in Debian's headless Chromium.
// Run: `cd e2e && node --test` after `trunk build --release`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { cpSync, mkdtempSync, readdirSync, truncateSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, DIST } from './server.mjs';
import { openPage, startSite, stopSite } from './site.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

const MOD = 'test_klp_callbacks_mod';
const DEMO = 'test_klp_callbacks_demo';
const BUSY = 'test_klp_callbacks_busy';

let browser;
let server;

before(async () => ({ server, browser } = await startSite()));
after(() => stopSite({ server, browser }));

/** A fresh page on `url`, recording page, console, request and HTTP errors. */
const open = (url, { permissions } = {}) => openPage(browser, url, { permissions, http: true });

/** Picks a module in the explorer and clicks the command button showing `cmd`. */
async function issue(page, module, cmd) {
  await page.locator(`[data-pick="${module}"]`).click();
  await page.locator(`[data-module="${module}"] button.cmd[data-cmd="${cmd}"]`).click();
}

/** Markers on the main timeline, as "object callback state" strings. */
async function markers(page, { step } = {}) {
  const sel = `[data-testid=timeline] .marker${step ? `[data-step="${step}"]` : ''}`;
  // In lane order (DOM order); the model's unit tests check the order in time.
  const found = await page.locator(sel).evaluateAll((els) =>
    els.map((e) => `${e.dataset.object} ${e.dataset.callback} ${e.dataset.state ?? '-'}`),
  );
  return found.sort();
}

async function position(page) {
  return (await page.getByTestId('position').textContent()).trim();
}

test('the page loads without errors and shows both panes', async () => {
  const { page, errors, context } = await open(server.url);
  await page.getByTestId('chapter').locator('h1').waitFor();
  assert.equal(await page.getByTestId('chapter').locator('h1').first().innerText(), 'Introduction#');
  // Live blocks in the docs render timelines.
  assert.ok((await page.getByTestId('mini-timeline').count()) >= 1);
  assert.ok((await page.locator('[data-testid=mini-timeline] .marker').count()) > 0);
  assert.equal(await position(page), 'step 0 / 0');
  assert.deepEqual(errors, []);
  await context.close();
});

test('target module then livepatch: pre_patch and post_patch on both lanes, module LIVE', async () => {
  const { page, errors, context } = await open(server.url);
  await issue(page, MOD, `insmod test_modules/${MOD}.ko`);
  await issue(page, DEMO, `insmod test_modules/${DEMO}.ko`);
  assert.equal(await position(page), 'step 2 / 2');
  assert.deepEqual(await markers(page, { step: 2 }), [
    `${MOD} post_patch MODULE_STATE_LIVE`,
    `${MOD} pre_patch MODULE_STATE_LIVE`,
    'vmlinux post_patch -',
    'vmlinux pre_patch -',
  ]);
  // Each kind is told apart without colour: its own glyph and its name.
  const pre = page.locator(`[data-testid=timeline] .marker[data-object="${MOD}"][data-callback=pre_patch]`);
  assert.equal(await pre.locator('.glyph').innerText(), '▷');
  assert.match(await pre.innerText(), /pre_patch on test_klp_callbacks_mod in MODULE_STATE_LIVE/);
  // Selecting a marker explains it and links to the rule.
  await pre.click();
  const chain = await page.getByTestId('why-chain').innerText();
  assert.match(chain, /klp_pre_patch_callback/);
  assert.match(chain, /__klp_enable_patch/);
  assert.equal(await page.getByTestId('why-doc').getAttribute('href'), '#doc=callbacks/enabling-a-patch');
  // ... and highlights its line in the transcript.
  assert.match(
    await page.locator('[data-testid=transcript] .line.selected').innerText(),
    /pre_patch_callback: test_klp_callbacks_mod -> \[MODULE_STATE_LIVE\]/,
  );
  // The state panel lists the patch and the module states.
  const panel = page.getByTestId('state-panel');
  assert.match(await panel.locator(`[data-patch="${DEMO}"]`).innerText(), /enabled=1/);
  assert.match(await panel.locator(`tr[data-module="${MOD}"]`).innerText(), /MODULE_STATE_LIVE/);
  // Selecting a log line selects its marker.
  await page.locator('[data-testid=transcript] .line.pickable', { hasText: 'post_patch_callback: vmlinux' }).click();
  assert.equal(
    await page.locator('[data-testid=timeline] .marker.selected').getAttribute('data-callback'),
    'post_patch',
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test('a blocked transition shows as stalled, and echo 0 > enabled reverses it', async () => {
  const { page, errors, context } = await open(server.url);
  await page.locator(`[data-pick="${BUSY}"]`).click();
  await page.locator(`#p-${BUSY}-block_transition`).selectOption('Y');
  await issue(page, BUSY, `insmod test_modules/${BUSY}.ko block_transition=Y`);
  await issue(page, DEMO, `insmod test_modules/${DEMO}.ko`);
  await page.getByTestId('stalled').first().waitFor();
  assert.match(await page.getByTestId('transition-state').innerText(), /patching — stalled/);
  assert.match(await page.getByTestId('state-panel').locator('ul.blocked').innerText(), /busymod_work_func/);
  // No post_patch while stalled.
  assert.deepEqual(await markers(page, { step: 2 }), [
    `${BUSY} pre_patch MODULE_STATE_LIVE`,
    'vmlinux pre_patch -',
  ]);
  await issue(page, DEMO, `echo 0 > /sys/kernel/livepatch/${DEMO}/enabled`);
  await page.locator('[data-testid=timeline] .chip[data-phase=reverse]').waitFor();
  assert.match(await page.getByTestId('transition-state').innerText(), /No transition in progress/);
  assert.deepEqual(await markers(page, { step: 3 }), [
    `${BUSY} post_unpatch MODULE_STATE_LIVE`,
    'vmlinux post_unpatch -',
  ]);
  assert.match(await page.getByTestId('transcript').innerText(), /reversing transition from patching to unpatching/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('stepping back restores the earlier timeline and state; a new command drops later steps', async () => {
  const { page, errors, context } = await open(server.url);
  await issue(page, MOD, `insmod test_modules/${MOD}.ko`);
  await issue(page, DEMO, `insmod test_modules/${DEMO}.ko`);
  await issue(page, DEMO, `echo 0 > /sys/kernel/livepatch/${DEMO}/enabled`);
  assert.equal(await position(page), 'step 3 / 3');
  await page.getByTestId('back').click();
  assert.equal(await position(page), 'step 2 / 3');
  assert.match(await page.getByTestId('transition-state').innerText(), /No transition/);
  assert.match(await page.getByTestId('state-panel').locator('h2').textContent(), /after step 2/);
  assert.match(await page.getByTestId('state-panel').locator(`[data-patch="${DEMO}"]`).innerText(), /enabled=1/);
  // Step 3 is still drawn, dimmed as not yet applied: in dimmed colours,
  // not translucent (a translucent cell costs a stacking context each, and
  // re-layering the timeline at every step).
  assert.ok(await page.locator('[data-testid=timeline] .future > [data-step-head="3"]').count());
  const looks = await page.evaluate(() => {
    const css = (sel) => getComputedStyle(document.querySelector(`[data-testid=timeline] ${sel}`));
    return {
      opacity: [...document.querySelectorAll('[data-testid=timeline] .future > *')].map((el) => getComputedStyle(el).opacity),
      future: css('.future > .step-head .step-no').color,
      past: css('.past > .step-head .step-no').color,
    };
  });
  assert.ok(looks.opacity.length > 0 && looks.opacity.every((o) => o === '1'), JSON.stringify(looks.opacity));
  assert.notEqual(looks.future, looks.past);
  await page.waitForFunction(() => /at=2/.test(location.hash));
  await page.getByTestId('scrub').fill('1');
  assert.equal(await position(page), 'step 1 / 3');
  assert.equal(await page.getByTestId('state-panel').locator(`[data-patch]`).count(), 0);
  // Running a command here replaces steps 2 and 3.
  await issue(page, MOD, `rmmod ${MOD}`);
  assert.equal(await position(page), 'step 2 / 2');
  assert.deepEqual(await markers(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('reloading restores the scenario from the URL fragment', async () => {
  const { page, errors, context } = await open(server.url);
  await issue(page, MOD, `insmod test_modules/${MOD}.ko`);
  await issue(page, DEMO, `insmod test_modules/${DEMO}.ko`);
  await page.getByTestId('back').click();
  await page.waitForFunction(() => /at=1/.test(location.hash));
  const url = page.url();
  assert.match(url, /#.*s1=i\.mod,i\.demo/);
  await page.reload();
  await page.locator('[data-testid=timeline] .marker').first().waitFor();
  assert.equal(await position(page), 'step 1 / 2');
  assert.equal((await markers(page, { step: 2 })).length, 4);
  // The same link in a new page.
  const second = await open(url);
  assert.equal(await position(second.page), 'step 1 / 2');
  assert.deepEqual(second.errors, []);
  await second.context.close();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a command the kernel refuses is shown with its answer; a malformed one is rejected', async () => {
  const { page, errors, context } = await open(server.url);
  const input = page.locator('#cmd-input');
  await input.fill(`rmmod ${MOD}`);
  await input.press('Enter');
  assert.equal(await position(page), 'step 1 / 1');
  assert.match(await page.getByTestId('transcript').innerText(), /rmmod: ERROR/);
  await input.fill('insmodd foo');
  await input.press('Enter');
  assert.match(await page.getByTestId('error').innerText(), /line 2, col 3/);
  assert.equal(await position(page), 'step 1 / 1');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a hostile fragment is shown as text, never run as markup', async () => {
  const evil = encodeURIComponent('<img src=x onerror="window.__pwned=1">');
  const { page, errors, context } = await open(`${server.url}#s=${evil}`);
  await page.getByTestId('scenario-error').waitFor();
  assert.match(await page.getByTestId('scenario-error').innerText(), /unknown command '<img'/);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator('img[src=x]').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

/** Presses Tab until the focused element matches `selector` (at most `max` times). */
async function tabTo(page, selector, max = 120) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${selector}`);
}

test('the main controls work from the keyboard alone', async () => {
  const { page, errors, context } = await open(server.url);
  await tabTo(page, `[data-pick="${MOD}"]`);
  await page.keyboard.press('Enter');
  await tabTo(page, `[data-module="${MOD}"] button.cmd[data-cmd="insmod test_modules/${MOD}.ko"]`);
  await page.keyboard.press('Enter');
  assert.equal(await position(page), 'step 1 / 1');
  await tabTo(page, '#cmd-input');
  await page.keyboard.type(`insmod test_modules/${DEMO}.ko`);
  await page.keyboard.press('Enter');
  assert.equal(await position(page), 'step 2 / 2');
  // Arrow keys, Home and End step through the scenario (outside text fields).
  await page.locator('#cmd-input').blur();
  await page.keyboard.press('ArrowLeft');
  assert.equal(await position(page), 'step 1 / 2');
  await page.keyboard.press('Home');
  assert.equal(await position(page), 'step 0 / 2');
  await page.keyboard.press('End');
  assert.equal(await position(page), 'step 2 / 2');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowRight');
  assert.equal(await position(page), 'step 2 / 2');
  // Markers are buttons: reach one and select it.
  await tabTo(page, '[data-testid=timeline] button.marker');
  await page.keyboard.press('Enter');
  await page.getByTestId('why-chain').waitFor();
  // `?` opens the help, Escape closes it.
  await page.keyboard.press('?');
  await page.locator('dialog.help[open]').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('dialog.help[open]').waitFor({ state: 'detached' });
  // Focus is visible.
  await tabTo(page, '[data-testid=back]');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none');
  assert.deepEqual(errors, []);
  await context.close();
});

test('docs: chapters, anchors, and "open in explorer"', async () => {
  const { page, errors, context } = await open(server.url);
  await page.getByRole('link', { name: /Modules that come and go/ }).first().click();
  await page.waitForFunction(() => location.hash.includes('doc=modules'));
  assert.match(await page.getByTestId('chapter').locator('h1').innerText(), /Modules that come and go/);
  const block = page.getByTestId('live-block').first();
  await block.getByRole('button', { name: /open in explorer/ }).click();
  assert.equal(await position(page), 'step 5 / 5');
  assert.ok((await markers(page, { step: 2 })).includes(`${MOD} pre_patch MODULE_STATE_COMING`));
  // A heading link keeps the scenario.
  await page.locator('#doc-a-module-goes-away a.anchor').click();
  await page.waitForFunction(() => location.hash.includes('doc=modules/a-module-goes-away'));
  await page.waitForFunction(() => /s1=i\./.test(location.hash));
  // The rule link of a marker opens its chapter.
  await page.locator(`[data-testid=timeline] .marker[data-object="${MOD}"][data-callback=pre_unpatch]`).click();
  await page.getByTestId('why-doc').click();
  await page.waitForFunction(() => location.hash.includes('doc=modules/a-module-goes-away'));
  assert.match(await page.getByTestId('chapter').locator('h1').innerText(), /Modules that come and go/);
  // Previous / next.
  await page.locator('nav.prev-next a.next').click();
  await page.waitForFunction(() => location.hash.includes('doc=transitions'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('copy transcript puts the kernel log on the clipboard', async () => {
  const { page, errors, context } = await open(server.url, { permissions: ['clipboard-read', 'clipboard-write'] });
  await issue(page, MOD, `insmod test_modules/${MOD}.ko`);
  await issue(page, DEMO, `insmod test_modules/${DEMO}.ko`);
  await page.getByTestId('copy-transcript').click();
  await page.getByTestId('copy-status').filter({ hasText: 'Copied' }).waitFor();
  const text = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(text, /^% insmod test_modules\/test_klp_callbacks_mod\.ko\ntest_klp_callbacks_mod: test_klp_callbacks_mod_init\n/);
  assert.match(text, /livepatch: 'test_klp_callbacks_demo': patching complete\n$/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('each step is announced to screen readers', async () => {
  const { page, context } = await open(server.url);
  await issue(page, MOD, `insmod test_modules/${MOD}.ko`);
  await issue(page, DEMO, `insmod test_modules/${DEMO}.ko`);
  await page.getByTestId('back').click();
  await page.getByTestId('forward').click();
  const said = await page.getByTestId('announcer').innerText();
  assert.match(said, /Step 2 of 2/);
  assert.match(said, /pre_patch test_klp_callbacks_mod \(MODULE_STATE_LIVE\)/);
  await context.close();
});

test('no serious or critical accessibility violations (axe-core)', async () => {
  for (const theme of ['light', 'dark']) {
    const { page, context } = await open(server.url);
    await page.getByTestId('theme').selectOption(theme);
    await issue(page, MOD, `insmod test_modules/${MOD}.ko`);
    await issue(page, DEMO, `insmod test_modules/${DEMO}.ko`);
    await page.locator(`[data-testid=timeline] .marker`).first().click();
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${theme}: ${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    assert.deepEqual(bad, []);
    await context.close();
  }
});

test('works from a sub-path of a static host', async () => {
  const sub = await startServer({ prefix: '/some/sub/path/' });
  try {
    const { page, errors, context } = await open(
      `${sub.url}#s=insmod+test_modules/${MOD}.ko!insmod+test_modules/${DEMO}.ko`,
    );
    await page.locator('[data-testid=timeline] .marker').first().waitFor();
    assert.equal((await markers(page)).length, 4);
    await issue(page, DEMO, `echo 0 > /sys/kernel/livepatch/${DEMO}/enabled`);
    assert.equal(await position(page), 'step 3 / 3');
    assert.ok(new URL(page.url()).pathname.startsWith('/some/sub/path/'));
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await sub.close();
  }
});

test('the load check fails on a broken build (a wasm that cannot instantiate)', async () => {
  // The same checks as every test above, against a copy of dist/ whose wasm
  // is cut short: they must fail, or they would not catch a broken build.
  const root = mkdtempSync(path.join(os.tmpdir(), 'klpscope-broken-'));
  cpSync(DIST, root, { recursive: true });
  const wasm = readdirSync(root).find((f) => f.endsWith('.wasm'));
  assert.ok(wasm, 'dist/ has a wasm file');
  truncateSync(path.join(root, wasm), 4096);
  const broken = await startServer({ root });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(broken.url);
    await assert.rejects(page.locator('[data-testid=explorer]').waitFor({ timeout: 5_000 }));
    assert.ok(errors.length > 0, 'the failure is reported');
    await context.close();
  } finally {
    await broken.close();
    rmSync(root, { recursive: true, force: true });
  }
});
