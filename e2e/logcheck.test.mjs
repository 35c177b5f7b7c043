// Browser tests of "check a kernel log": found in the top bar or by
// pasting a log on the page, the counts and a verdict per side of a
// selftest diff, the differing words marked, long logs folded, and the
// whole check from the keyboard. Run: `cd e2e && node --test` after
// `trunk build --release`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openPage, startSite, stopSite, axeViolations } from './site.mjs';

const LOGS = new URL('../engine/tests/logs/', import.meta.url);
const log = (name) => readFileSync(new URL(name, LOGS), 'utf8');
const DIFF = log('010-busy-target-unwinder-regression-2019.txt');
const FULL = log('030-s390-next-selftests-full-dmesg-attachment.txt');
const NO_COMMAND = log('015-unreliable-stack-new-fork-debug.txt');

let browser;
let server;

before(async () => ({ server, browser } = await startSite()));
after(() => stopSite({ server, browser }));

/** Opens the check from the top bar, pastes `text` and checks it. */
async function check(page, text) {
  await page.getByTestId('open-paste').click();
  const dialog = page.getByTestId('paste-dialog');
  await dialog.getByTestId('paste-text').fill(text);
  await dialog.getByTestId('paste-check').click();
  await dialog.getByTestId('paste-summary').waitFor();
  return dialog;
}

test('a selftest diff: six counts, a verdict per side, the differing word marked, axe clean', async () => {
  const { page, errors, context } = await openPage(browser, server.url);
  // A top-level action, not inside a menu.
  assert.ok(await page.locator('header.top').getByTestId('open-paste').isVisible());
  const dialog = await check(page, DIFF);
  assert.match(await dialog.getByTestId('paste-summary').innerText(), /9 lines differ from the model/);
  const counts = await dialog.getByTestId('paste-counts').innerText();
  for (const what of ['agree', 'differ', 'only in log', 'only in model', 'ignored', 'not modelled']) {
    assert.match(counts, new RegExp(`\\d+ ${what}`), counts);
  }
  const sides = dialog.getByTestId('paste-side');
  assert.equal(await sides.count(), 2);
  // The expected text agrees with the model; the 2019 kernel completed a
  // transition the busy task should have held.
  assert.match(await sides.nth(0).innerText(), /^expected side: agrees \(13 lines\)/);
  assert.match(await sides.nth(1).innerText(), /^result side: differs \(first at 10: /);
  // The model's differing words are marked, as text.
  const differs = dialog.locator('li[data-verdict=differs]');
  assert.equal(await differs.count(), 1);
  assert.match(await differs.locator('.pl-model mark').innerText(), /reversing/);
  assert.deepEqual(await axeViolations(page), []);
  // Escape closes what it opened.
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a word changed inside a line is marked on both sides', async () => {
  const { page, errors, context } = await openPage(browser, server.url);
  const text = [
    '[ 1.0] % insmod test_modules/test_klp_callbacks_demo.ko',
    "[ 1.1] livepatch: enabling patch 'test_klp_callbacks_demo'",
    "[ 1.2] livepatch: 'test_klp_callbacks_demo': initializing patching transition",
    '[ 1.3] test_klp_callbacks_demo: pre_patch_callback: vmlinux',
    "[ 1.4] livepatch: 'test_klp_callbacks_demo': starting patching transition",
    "[ 2.0] livepatch: 'test_klp_callbacks_demo': completing patching transition",
    '[ 2.1] test_klp_callbacks_demo: post_patch_callback: vmlinuz',
    "[ 2.2] livepatch: 'test_klp_callbacks_demo': patching complete",
  ].join('\n');
  const dialog = await check(page, text);
  const row = dialog.locator('li[data-verdict=differs]');
  assert.equal(await row.count(), 1);
  const marks = await row.locator('mark').allInnerTexts();
  assert.equal(marks.length, 2, String(marks));
  assert.match(marks[0], /z/);
  assert.match(marks[1], /x/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a log without a command says nothing was compared, never that it agrees', async () => {
  const { page, errors, context } = await openPage(browser, server.url);
  const dialog = await check(page, NO_COMMAND);
  const summary = await dialog.getByTestId('paste-summary').innerText();
  assert.match(summary, /^nothing compared: /);
  assert.doesNotMatch(summary, /agree/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('pasting a kernel log on the page opens the check with it; a text field keeps its paste', async () => {
  const { page, errors, context } = await openPage(browser, server.url);
  const paste = (selector, text) =>
    page.evaluate(([sel, t]) => {
      const dt = new DataTransfer();
      dt.setData('text/plain', t);
      document.querySelector(sel).dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, [selector, text]);
  const dialog = page.getByTestId('paste-dialog');
  // Into a text field: nothing but the field's own paste.
  await paste('#cmd-input', DIFF);
  await paste('body', 'just some words [1] here');
  await page.waitForTimeout(300);
  assert.equal(await dialog.isVisible(), false);
  // Outside one: the check opens, filled in and checked.
  await paste('body', DIFF);
  await dialog.getByTestId('paste-summary').waitFor();
  assert.equal(await dialog.getByTestId('paste-text').inputValue(), DIFF);
  assert.equal(await dialog.getByTestId('paste-side').count(), 2);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the check runs from the keyboard alone', async () => {
  const { page, errors, context } = await openPage(browser, server.url);
  const focused = () => page.evaluate(() => document.activeElement?.dataset.testid ?? document.activeElement?.tagName);
  // Tab from the top of the page to the top bar's action.
  for (let i = 0; i < 40 && (await focused()) !== 'open-paste'; i++) await page.keyboard.press('Tab');
  assert.equal(await focused(), 'open-paste');
  await page.keyboard.press('Enter');
  await page.getByTestId('paste-dialog').waitFor();
  assert.equal(await focused(), 'paste-text');
  await page.getByTestId('paste-text').fill(DIFF);
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'paste-check');
  await page.keyboard.press('Enter');
  const summary = page.getByTestId('paste-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /lines differ/);
  // Ctrl+Enter in the box checks too.
  await page.getByTestId('paste-text').focus();
  await page.keyboard.press('Control+Enter');
  await page.keyboard.press('Escape');
  await page.getByTestId('paste-dialog').waitFor({ state: 'hidden' });
  assert.equal(await focused(), 'open-paste');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a 1,741-line selftest run is checked and drawn quickly, its quiet runs folded', async () => {
  const { page, errors, context } = await openPage(browser, server.url);
  await page.getByTestId('open-paste').click();
  await page.getByTestId('paste-text').fill(FULL);
  const ms = await page.evaluate(() => new Promise((resolve) => {
    const t = performance.now();
    document.querySelector('[data-testid=paste-check]').click();
    const poll = () => (document.querySelector('[data-testid=paste-summary]')
      ? requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t), 0))
      : requestAnimationFrame(poll));
    poll();
  }));
  const checkMs = Number(await page.getByTestId('paste-result').getAttribute('data-check-ms'));
  const rows = await page.locator('[data-testid=paste-lines] li.pl').count();
  console.log(`# 030 (1,741 lines): check ${checkMs} ms, check + draw ${ms.toFixed(0)} ms, ${rows} rows drawn`);
  assert.ok(ms < 2000, `${ms} ms`);
  assert.ok(rows < 600, `${rows} rows drawn`);
  // Three full runs agree, line for line; a fold opens to its rows.
  assert.match(await page.getByTestId('paste-summary').innerText(), /agree/);
  assert.match(await page.getByTestId('paste-counts').innerText(), /1306 agree\s+0 differ\s+0 only in log\s+0 only in model/);
  const fold = page.getByTestId('paste-fold').first();
  await fold.locator('summary').click();
  await fold.locator('li.pl').first().waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('runs of lines the model does not model are folded, and open to their rows', async () => {
  const { page, errors, context } = await openPage(browser, server.url);
  const dialog = await check(page, log('012-kprobe-ipmodify-livepatch-sample-console.txt'));
  assert.match(await dialog.getByTestId('paste-counts').innerText(), /11 not modelled/);
  const folds = dialog.locator('[data-testid=paste-fold].not-modelled');
  assert.ok((await folds.count()) >= 2);
  // A fold holds two lines or more; a lone one is drawn as a row.
  for (const s of await folds.locator('summary').allInnerTexts()) assert.match(s, /^\d+ lines not modelled \(lines \d+–\d+\)$/);
  const drawn = await dialog.locator('[data-testid=paste-lines] > li[data-verdict=not-modelled]').count();
  const first = folds.first();
  assert.equal(await first.locator('li.pl').count(), 0);
  await first.locator('summary').focus();
  await page.keyboard.press('Enter');
  await first.locator('li[data-verdict=not-modelled]').first().waitFor();
  const inside = await folds.evaluateAll((fs) => fs.map((f) => Number(f.querySelector('summary').textContent.split(' ')[0])).reduce((a, b) => a + b, 0));
  assert.equal(drawn + inside, 11);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the check with a diff passes axe in the dark scheme too; a log over 1 MiB says how to fix it', async () => {
  const { page, errors, context } = await openPage(browser, server.url, { colorScheme: 'dark' });
  const dialog = await check(page, DIFF);
  await dialog.getByTestId('paste-side').first().waitFor();
  assert.deepEqual(await axeViolations(page), []);
  // Set at once: typing a megabyte through fill() takes longer than a test should.
  await dialog.getByTestId('paste-text').evaluate((el, n) => {
    el.value = 'x'.repeat(n);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, (1 << 20) + 10);
  await dialog.getByTestId('paste-check').click();
  const error = dialog.getByTestId('paste-error');
  await error.waitFor();
  assert.match(await error.innerText(), /^This log cannot be checked: .*bytes.*paste at most 1048576 bytes \(1 MiB\)/);
  assert.equal(await error.getAttribute('role'), 'alert');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a first visit fetches neither the log check nor the selftest transcripts; a selftest report fetches them once and is completed', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  const fetched = [];
  const module = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/selftests.txt')) fetched.push(r.url());
    if (/klpscope-tools/.test(r.url())) module.push(r.url().replace(server.url, ''));
  });
  await page.goto(server.url);
  await page.getByTestId('explorer').waitFor();
  await page.waitForLoadState('networkidle');
  assert.deepEqual(fetched, [], 'a first visit needs no selftest transcript');
  assert.deepEqual(module, [], 'nor the log check');
  const dialog = await check(page, DIFF);
  assert.deepEqual(module, ['klpscope-tools.js', 'klpscope-tools_bg.wasm']);
  assert.deepEqual(fetched, [new URL("selftests.txt", server.url).href]);
  assert.match(await dialog.getByTestId('paste-summary').innerText(), /9 lines differ from the model/);
  // The hunks were completed from the named test's transcript.
  assert.match(await dialog.getByTestId('paste-side').nth(0).innerText(), /taken from the selftest 'busy target module'/);
  // A second check uses what the first loaded.
  await dialog.getByTestId('paste-check').click();
  await dialog.getByTestId('paste-summary').waitFor();
  assert.equal(fetched.length, 1);
  // Closed and opened again: the same module, loaded once.
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  await page.getByTestId('open-paste').click();
  await dialog.waitFor();
  assert.equal(module.length, 2);
  assert.deepEqual(errors, []);
  await context.close();
});

test('while the transcripts load the check says so; when they cannot, it says how to fix it', async () => {
  const { page, context } = await openPage(browser, server.url);
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/selftests.txt', async (r) => {
    await held;
    await r.fulfill({ status: 404, body: 'not here' });
  });
  await page.getByTestId('open-paste').click();
  const dialog = page.getByTestId('paste-dialog');
  await dialog.getByTestId('paste-text').fill(DIFF);
  await dialog.getByTestId('paste-check').click();
  const loading = dialog.getByTestId('paste-loading');
  await loading.waitFor();
  assert.match(await loading.innerText(), /Loading/);
  release();
  const error = dialog.getByTestId('paste-error');
  await error.waitFor();
  assert.match(await error.innerText(), /could not be loaded.*HTTP 404.*[Rr]eload the page/s);
  assert.equal(await dialog.getByTestId('paste-summary').count(), 0);
  assert.equal(await loading.count(), 0);
  await context.close();
});

test('when the log check cannot be loaded, the top bar says how to fix it, and the button tries again', async () => {
  const { page, context } = await openPage(browser, server.url);
  let refuse = true;
  await page.route('**/klpscope-tools.js', (r) => (refuse ? r.abort() : r.continue()));
  await page.getByTestId('open-paste').click();
  const status = page.getByTestId('copy-status');
  await status.filter({ hasText: 'could not be loaded' }).waitFor();
  assert.match(await status.innerText(), /check the connection and press the button again/);
  assert.equal(await page.getByTestId('paste-dialog').count(), 0);
  refuse = false;
  await page.getByTestId('open-paste').click();
  await page.getByTestId('paste-dialog').waitFor();
  assert.equal(await status.innerText(), '');
  await context.close();
});

test('a pointer over the log check\'s button, or the focus on it, starts loading the tools; the click then opens at once', async () => {
  const { page, context } = await openPage(browser, server.url);
  const module = [];
  page.on('request', (r) => { if (/klpscope-tools/.test(r.url())) module.push(r.url().replace(server.url, '')); });
  await page.getByTestId('open-paste').hover();
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('klpscope-tools_bg.wasm') && e.responseEnd > 0));
  assert.deepEqual(module, ['klpscope-tools.js', 'klpscope-tools_bg.wasm']);
  assert.equal(await page.getByTestId('paste-dialog').count(), 0, 'loading does not open it');
  assert.equal(await page.getByTestId('copy-status').innerText(), '', 'nor says anything');
  await page.getByTestId('open-paste').click();
  await page.getByTestId('paste-dialog').waitFor();
  assert.equal(module.length, 2);
  await context.close();
  // The keyboard too: Tab to the button.
  const second = await openPage(browser, server.url);
  const loads = [];
  second.page.on('request', (r) => { if (/klpscope-tools_bg/.test(r.url())) loads.push(r.url()); });
  await second.page.getByTestId('open-paste').focus();
  await second.page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('klpscope-tools_bg.wasm')));
  assert.equal(loads.length, 1);
  await second.context.close();
});
