// The scenario as kernel modules, in Debian's headless Chromium: the
// generated C beside the scenario, each file and the whole set as a
// download, by keyboard, without markup from the scenario, axe-clean.
// Run: `cd e2e && node --test` after `trunk build --release`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { openPage, startSite, stopSite } from './site.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

// A target whose tasks a parameter write starts, and a livepatch that
// redirects both of its functions (engine/tests/scenarios/replacement-functions.txt).
const SCENARIO = [
  'define module tgt',
  '  func quick',
  '  func slow',
  '  param go_quick bool',
  '  param go_slow bool',
  '  task q sleeps in quick started by param go_quick',
  '  task s sleeps in slow while go_slow started by param go_slow',
  'end',
  'define livepatch fix',
  '  object tgt',
  '    func quick -> quick_v2 prints "quick_v2: returns at once"',
  '    func slow -> slow_v2 sleeps',
  '    pre_unpatch',
  'end',
  '% insmod tgt.ko',
  '% insmod fix.ko',
  '% echo Y > /sys/module/tgt/parameters/go_slow',
].join('\n');

/** The share-link fragment of a scenario text (define lines as `>` lines). */
function fragment(text) {
  const lines = text.split('\n').map((l) => (l.startsWith('% ') ? l.slice(2) : `>${l}`));
  return `#s=${lines.map((l) => encodeURIComponent(l).replace(/%20/g, '+')).join('!')}`;
}

let browser;
let server;

before(async () => ({ server, browser } = await startSite()));
after(() => stopSite({ server, browser }));

const open = (url) => openPage(browser, url, { acceptDownloads: true, http: true });

const panel = (page) => page.getByTestId('kmod');
const file = (page, name) => panel(page).locator(`details.kmod-file[data-file="${name}"]`);

/** Clicks a download link and returns [suggested name, contents]. */
async function download(page, locator) {
  const [d] = await Promise.all([page.waitForEvent('download'), locator.click()]);
  return [d.suggestedFilename(), readFileSync(await d.path(), 'utf8')];
}

test('the scenario loaded from a link shows its modules as C, file by file', async () => {
  const { page, errors, context } = await open(`${server.url}${fragment(SCENARIO)}`);
  assert.equal((await page.getByTestId('position').textContent()).trim(), 'step 3 / 3');
  const files = await panel(page).locator('details.kmod-file').evaluateAll((els) => els.map((e) => e.dataset.file));
  assert.deepEqual(files, ['tgt.c', 'fix.c', 'Kbuild', 'Makefile']);
  assert.match(await panel(page).locator('.kmod-summary').innerText(), /^The 2 declared modules as C/);
  // The first file is open: the target, its parameter's set op starting task s.
  assert.equal(await file(page, 'tgt.c').getAttribute('open'), '');
  assert.equal(await file(page, 'fix.c').getAttribute('open'), null);
  const tgt = await file(page, 'tgt.c').locator('pre').innerText();
  assert.match(tgt, /module_param_cb\(go_slow, &go_slow_ops, &go_slow, 0644\);/);
  assert.match(tgt, /noinline void slow\(struct completion \*in_place, const bool \*cond\)/);
  // Another file.
  await file(page, 'fix.c').locator('summary').click();
  assert.equal(await file(page, 'fix.c').getAttribute('open'), '');
  const fix = await file(page, 'fix.c').locator('pre').innerText();
  assert.match(fix, /pr_info\("quick_v2: returns at once\\n"\);/);
  assert.match(fix, /\.old_name = "slow",\s+\.new_func = slow_v2,/);
  assert.match(fix, /return klp_enable_patch\(&patch\);/);
  // The files follow the scenario: a command typed keeps them, as the text's declarations do.
  await page.locator('#cmd-input').fill('echo 0 > /sys/kernel/livepatch/fix/enabled');
  await page.locator('#cmd-input').press('Enter');
  assert.equal((await page.getByTestId('position').textContent()).trim(), 'step 4 / 4');
  assert.match(await file(page, 'Makefile').locator('pre').textContent(), /M=\$\(CURDIR\) modules/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('each file downloads as shown, and the whole set as a shell archive that writes them', async () => {
  const { page, errors, context } = await open(`${server.url}${fragment(SCENARIO)}`);
  await file(page, 'fix.c').locator('summary').click();
  const shown = await file(page, 'fix.c').locator('pre').textContent();
  const [name, text] = await download(page, file(page, 'fix.c').locator('a.kmod-download'));
  assert.equal(name, 'fix.c');
  assert.equal(text, shown);
  const [all, archive] = await download(page, panel(page).getByTestId('kmod-download-all'));
  assert.equal(all, 'klpscope-kmod.sh');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'klpscope-kmod-'));
  try {
    execFileSync('sh', ['-c', archive], { cwd: dir });
    assert.equal(readFileSync(path.join(dir, 'klpscope-kmod', 'fix.c'), 'utf8'), shown);
    const kbuild = readFileSync(path.join(dir, 'klpscope-kmod', 'Kbuild'), 'utf8');
    assert.match(kbuild, /obj-m \+= tgt\.o\nobj-m \+= fix\.o\n/);
    assert.match(readFileSync(path.join(dir, 'klpscope-kmod', 'tgt.c'), 'utf8'), /^\/\/ SPDX-License-Identifier: GPL-2.0\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('the files open from the keyboard alone', async () => {
  const { page, errors, context } = await open(`${server.url}${fragment(SCENARIO)}`);
  await file(page, 'tgt.c').locator('pre').focus();
  // Past the open file's source box, the next file's summary.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.parentElement.dataset.file), 'fix.c');
  await page.keyboard.press('Enter');
  assert.equal(await file(page, 'fix.c').getAttribute('open'), '');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('download')), 'fix.c');
  await page.keyboard.press('Tab');
  // The source box takes focus, so it scrolls from the keyboard.
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'fix.c');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Space');
  assert.equal(await file(page, 'fix.c').getAttribute('open'), null);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a catalog-only scenario says it declares no module; a text from the scenario stays text', async () => {
  const { page, errors, context } = await open(
    `${server.url}#s=insmod+test_modules/test_klp_callbacks_mod.ko`,
  );
  assert.match(await panel(page).locator('.kmod-summary').innerText(), /declares no module of its own/);
  assert.equal(await panel(page).locator('details.kmod-file').count(), 0);
  await context.close();
  const evil = 'define module m\n  init prints "<img src=x onerror=window.__pwned=1>"\nend\n% insmod m.ko';
  const second = await open(`${server.url}${fragment(evil)}`);
  const src = await file(second.page, 'm.c').locator('pre').innerText();
  assert.match(src, /pr_info\("<img src=x onerror=window.__pwned=1>\\n"\);/);
  assert.equal(await second.page.locator('[data-testid=kmod] img').count(), 0);
  assert.equal(await second.page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual([...errors, ...second.errors], []);
  await second.context.close();
});

test('no serious or critical accessibility violations in the modules panel (axe-core)', async () => {
  for (const theme of ['light', 'dark']) {
    const { page, context } = await open(`${server.url}${fragment(SCENARIO)}`);
    await page.getByTestId('theme').selectOption(theme);
    await file(page, 'fix.c').locator('summary').click();
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(() =>
      window.axe.run('[data-testid=kmod]', { resultTypes: ['violations'] }),
    );
    const bad = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${theme}: ${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    assert.deepEqual(bad, []);
    await context.close();
  }
});
