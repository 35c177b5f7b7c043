// "Can this ever happen?": questions explored by the engine in the page,
// in Debian's headless Chromium, against the release build in dist/.

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
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function open() {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  await page.goto(server.url);
  await page.locator('[data-testid=explorer]').waitFor({ timeout: 15_000 });
  await page.locator('[data-testid=ask] summary').click();
  return { page, errors, context };
}

/** Records the longest gap between two animation frames from now on. */
async function watchFrames(page) {
  await page.evaluate(() => {
    window.__gap = 0;
    let last = performance.now();
    const tick = (t) => {
      window.__gap = Math.max(window.__gap, t - last);
      last = t;
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function ask(page, id, depth) {
  await page.locator('[data-testid=ask-question]').selectOption(id);
  await page.locator('[data-testid=ask-depth]').selectOption(String(depth));
  await page.locator('[data-testid=ask-run]').click();
  await page.locator('[data-testid=ask-answer] [data-answer]').waitFor({ timeout: 60_000 });
  return page.locator('[data-testid=ask-answer]');
}

test('post_unpatch without pre_patch: never, with the states checked, and the page keeps painting', async () => {
  const { page, errors, context } = await open();
  await watchFrames(page);
  const answer = await ask(page, 'post-unpatch-without-pre-patch', 10);
  const gap = await page.evaluate(() => { window.__stop = true; return window.__gap; });
  const text = await answer.innerText();
  assert.match(text, /Never within 10 commands: checked 3069 states/);
  assert.equal(await answer.locator('[data-answer]').getAttribute('data-answer'), 'never');
  // Explored in slices: no frame waited for the whole exploration.
  const ms = Number(await answer.locator('[data-answer]').getAttribute('data-ms'));
  assert.ok(gap < Math.max(250, ms / 2), `longest frame gap ${gap} ms over an exploration of ${ms} ms`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('post_patch twice: yes, and the witness opens in the explorer at its step with the event selected', async () => {
  const { page, errors, context } = await open();
  const answer = await ask(page, 'post-patch-twice', 8);
  assert.match(await answer.innerText(), /Yes: post_patch of test_klp_callbacks_demo on test_klp_callbacks_mod/);
  const witness = await page.locator('[data-testid=ask-witness]').innerText();
  assert.equal(witness.trim().split('\n').length, 4, witness);
  await page.locator('[data-testid=ask-open]').click();
  await page.locator('[data-testid=position]').filter({ hasText: 'step 4 / 4' }).waitFor();
  const selected = page.locator('[data-testid=timeline] .marker.selected');
  await selected.waitFor();
  assert.equal(await selected.getAttribute('data-callback'), 'post_patch');
  assert.equal(await selected.getAttribute('data-object'), 'test_klp_callbacks_mod');
  assert.equal(await selected.getAttribute('data-step'), '4');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a built question, cancel, and no axe violations in the open panel', async () => {
  const { page, errors, context } = await open();
  await page.locator('[data-testid=ask-question]').selectOption('build');
  await page.locator('[data-testid=ask-callback]').selectOption('pre_unpatch');
  await page.locator('[data-testid=ask-object]').selectOption('test_klp_callbacks_mod');
  await page.locator('[data-testid=ask-state]').selectOption('MODULE_STATE_GOING');
  await page.locator('[data-testid=ask-after]').selectOption('rmmod');
  await page.locator('[data-testid=ask-depth]').selectOption('4');
  await page.locator('[data-testid=ask-run]').click();
  const answer = page.locator('[data-testid=ask-answer]');
  await answer.locator('[data-answer=yes]').waitFor({ timeout: 30_000 });
  assert.match(await answer.innerText(), /pre_unpatch of test_klp_callbacks_demo on test_klp_callbacks_mod seeing MODULE_STATE_GOING/);

  // A long exploration can be cancelled: the progress goes, no answer comes.
  await page.locator('[data-testid=ask-question]').selectOption('two-transitions');
  await page.locator('[data-testid=ask-depth]').selectOption('10');
  // Started and cancelled 100 ms later inside the page, well before the
  // exploration ends (a second or so), with the progress showing meanwhile.
  const progressShown = await page.evaluate(() => new Promise((done) => {
    document.querySelector('[data-testid=ask-run]').click();
    setTimeout(() => {
      const shown = document.querySelector('[data-testid=ask-progress]') !== null;
      document.querySelector('[data-testid=ask-cancel]').click();
      done(shown);
    }, 100);
  }));
  assert.ok(progressShown, 'the progress shows while exploring');
  await page.locator('[data-testid=ask-progress]').waitFor({ state: 'detached' });
  await page.waitForTimeout(3000);
  assert.equal(await answer.locator('[data-answer]').count(), 0, await answer.innerText());

  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), []);
  assert.deepEqual(errors, []);
  await context.close();
});
