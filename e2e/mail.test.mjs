// Browser tests of what klpscope gives a mailing list: short links that
// restore the exact view, and hostile links shown as text.
// Run: `cd e2e && node --test` after `trunk build --release`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { openPage, startSite, stopSite } from './site.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

let browser;
let server;

before(async () => ({ server, browser } = await startSite()));
after(() => stopSite({ server, browser }));

/** A fresh page on `url` (waiting for `ready`), recording errors. */
const open = (url, { permissions, ready, viewport } = {}) =>
  openPage(browser, url, { permissions, ready, ...viewport });

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

test('define blocks go into the link deflated, and the link reopens the scenario', async () => {
  const { page, errors, context } = await open(server.url);
  const editor = page.getByTestId('editor');
  if (!(await editor.evaluate((d) => d.open))) await editor.locator('summary').click();
  const defines = ['fix', 'fix2', 'fix3'].map((p) =>
    `define livepatch ${p}\n  object vmlinux\n    pre_patch prints "set up ${p}"\n    post_unpatch prints "torn down ${p}"\nend\n`);
  await page.getByTestId('editor-text').fill(`${defines.join('')}% insmod fix.ko\n% insmod fix2.ko\n`);
  await page.getByTestId('editor-replay').click();
  await page.waitForFunction(() => location.hash.includes('s1=z.'));
  const url = page.url();
  // Readable, the three blocks alone would be longer than the whole link.
  const readable = defines.join('').replaceAll(' ', '+').replaceAll('\n', '!').length;
  assert.ok(url.split('#')[1].length < readable, url);
  const second = await open(url);
  await second.page.locator('[data-testid=timeline] .marker').first().waitFor();
  assert.equal(await position(second.page), 'step 2 / 2');
  assert.match(await second.page.getByTestId('transcript').innerText(), /set up fix2/);
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



// --- the "for mail" menu, the kernel log check, embed mode --------------

const DRESSED = [
  'On Tue, A. Developer wrote:',
  '> [   31.500001] % insmod test_modules/test_klp_callbacks_mod.ko',
  '> [   31.500002] test_klp_callbacks_mod: test_klp_callbacks_mod_init',
  '> [   31.600000] systemd[1]: Started Session 3 of User root.',
  '>> [   31.700000] <script>window.__pwned=1</script>',
  '> [   31.800000] % insmod test_modules/test_klp_callbacks_demo.ko',
  '> [   31.800001] livepatch: enabling patch \'test_klp_callbacks_demo\'',
  '> [   31.800002] livepatch: \'test_klp_callbacks_demo\': initializing patching transition',
  '> [   31.800003] test_klp_callbacks_demo: pre_patch_callback: vmlinux',
  '> [   31.800004] test_klp_callbacks_demo: pre_patch_callback: test_klp_callbacks_mod -> [MODULE_STATE_LIVE] Normal state',
  '> [   31.800005] livepatch: \'test_klp_callbacks_demo\': starting patching transition',
  '> [   31.800006] test_klp_callbacks_demo: tainting kernel with TAINT_LIVEPATCH',
  '> [   32.800007] livepatch: \'test_klp_callbacks_demo\': completing patching transition',
  '> [   32.800008] test_klp_callbacks_demo: post_patch_callback: vmlinux',
  '> [   32.800009] test_klp_callbacks_demo: post_patch_callback: test_klp_callbacks_mod -> [MODULE_STATE_LIVE] Normal state',
  '> [   32.800010] livepatch: \'test_klp_callbacks_demo\': patching complete',
].join('\n');

async function openMenu(page) {
  await page.getByTestId('mail-menu').locator('summary').click();
}

async function copied(page, button, what) {
  if (!(await page.getByTestId(button).isVisible())) await openMenu(page);
  await page.getByTestId(button).click();
  await page.getByTestId('mail-status').filter({ hasText: `Copied the ${what}` }).waitFor();
  return page.evaluate(() => navigator.clipboard.readText());
}

test('the copy buttons put swim-lane, docs block and mail text on the clipboard', async () => {
  const { page, errors, context } = await open(`${server.url}#s1=i.mod,i.demo`, {
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  await page.locator('[data-testid=timeline] .marker').first().waitFor();
  await openMenu(page);
  const lane = await copied(page, 'copy-swimlane', 'swim-lane');
  assert.match(lane, /^    vmlinux  mod\n  1 % insmod test_modules\/mod\.ko\n  2 % insmod test_modules\/demo\.ko\n/);
  assert.match(lane, /\n             preP\/L\n/);
  assert.match(lane, /legend: demo = test_klp_callbacks_demo, mod = test_klp_callbacks_mod\n/);
  assert.ok(lane.split('\n').every((l) => l.length <= 72), lane);
  const docs = await copied(page, 'copy-docs', 'docs block');
  assert.equal(
    docs,
    '```klpscope\n% insmod test_modules/test_klp_callbacks_mod.ko\n% insmod test_modules/test_klp_callbacks_demo.ko\n```\n',
  );
  assert.equal(await page.getByTestId('mail-scope').innerText(), 'Copies all 2 steps.');
  const mail = await copied(page, 'copy-mail', 'text for mail');
  assert.ok(mail.startsWith(`klpscope: ${server.url}#s1=i.mod,i.demo\n\nThe scenario:\n\n% insmod`), mail);
  assert.ok(mail.endsWith(lane), mail);
  // Stepped back, the copies follow the step shown.
  await page.keyboard.press('Escape');
  await page.getByTestId('back').click();
  await openMenu(page);
  assert.equal(await page.getByTestId('mail-scope').innerText(), 'Copies step 1 of 2 (the step shown).');
  const one = await copied(page, 'copy-docs', 'docs block');
  assert.equal(one, '```klpscope\n% insmod test_modules/test_klp_callbacks_mod.ko\n```\n');
  assert.match(await page.getByTestId('mail-status').innerText(), /step 1 of 2 \(the step shown\)/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the copy menu works from the keyboard', async () => {
  const { page, errors, context } = await open(`${server.url}#s1=i.mod`, {
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  await page.getByTestId('mail-menu').locator('summary').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'copy-swimlane');
  assert.equal(await page.getByTestId('mail-scope').innerText(), 'Copies all 1 step.');
  await page.keyboard.press('Enter');
  await page.getByTestId('mail-status').filter({ hasText: 'Copied the swim-lane' }).waitFor();
  assert.match(await page.evaluate(() => navigator.clipboard.readText()), /^    vmlinux\n  1 % insmod test_modules\/mod\.ko\n/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a pasted kernel log shows where it agrees, line by line, as text', async () => {
  const { page, errors, context } = await open(server.url);
  await page.getByTestId('open-paste').click();
  const dialog = page.getByTestId('paste-dialog');
  await dialog.getByTestId('paste-text').fill(DRESSED);
  await dialog.getByTestId('paste-check').click();
  await dialog.getByTestId('paste-summary').waitFor();
  assert.match(await dialog.getByTestId('paste-summary').innerText(), /^The kernel and the model agree\./);
  assert.match(await dialog.getByTestId('paste-counts').innerText(), /^10 agree\s+0 differ\s+0 only in log\s+0 only in model\s+4 ignored\s+0 not modelled$/);
  const verdict = (n) => dialog.locator('[data-testid=paste-lines] li').nth(n).getAttribute('data-verdict');
  assert.equal(await verdict(0), 'ignored'); // the mail's own words
  assert.equal(await verdict(1), 'command');
  assert.equal(await verdict(3), 'ignored'); // systemd
  assert.equal(await verdict(4), 'ignored'); // the <script> line, as text
  assert.equal(await verdict(8), 'agrees');
  const scriptRow = dialog.locator('[data-testid=paste-lines] li').nth(4);
  assert.match(await scriptRow.innerText(), /<script>window\.__pwned=1<\/script>/);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await dialog.locator('script').count(), 0);
  // Accessible while open.
  await page.addScriptTag({ path: AXE });
  const axe = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  assert.deepEqual(axe.violations.map((v) => `${v.id} (${v.impact})`), []);
  // One changed callback line: it differs, at its line.
  await dialog.getByTestId('paste-text').fill(DRESSED.replace('post_patch_callback: vmlinux', 'pre_unpatch_callback: vmlinux'));
  await dialog.getByTestId('paste-check').click();
  await dialog.getByTestId('paste-summary').filter({ hasText: '1 line differs' }).waitFor();
  const bad = dialog.locator('[data-testid=paste-lines] li[data-verdict=differs]');
  assert.equal(await bad.count(), 1);
  assert.match(await bad.innerText(), /^14\s*≠\s*test_klp_callbacks_demo: pre_unpatch_callback: vmlinux\s*model: test_klp_callbacks_demo: post_patch_callback: vmlinux/);
  // Its scenario opens in the explorer.
  await dialog.getByTestId('paste-open').click();
  await page.waitForFunction(() => location.hash.includes('s1=i.mod,i.demo'));
  assert.equal(await position(page), 'step 2 / 2');
  assert.deepEqual(errors, []);
  await context.close();
});

test('&embed renders only the scenario inside an iframe of another page', async () => {
  const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const src = `${server.url}#s1=i.mod,i.demo,demo/enabled=0&at=2&embed`;
  await page.setContent(
    `<!doctype html><html lang="en"><title>A blog post</title><h1>A blog post</h1>` +
      `<iframe title="klpscope: a livepatch over a loaded module" src="${src}" width="720" height="520"></iframe>`,
  );
  const frame = page.frameLocator('iframe');
  await frame.getByTestId('embed').waitFor();
  await frame.locator('[data-testid=timeline] .marker').first().waitFor();
  assert.equal(await frame.getByTestId('position').innerText(), 'step 2 / 3');
  assert.equal(await frame.locator('header.top, [data-testid=docs], [data-testid=explorer]').count(), 0);
  assert.match(await frame.getByTestId('transcript').innerText(), /pre_patch_callback: test_klp_callbacks_mod/);
  await frame.getByTestId('forward').click();
  assert.equal(await frame.getByTestId('position').innerText(), 'step 3 / 3');
  await frame.locator('[data-testid=timeline] .marker[data-callback=pre_unpatch]').first().click();
  const href = await frame.getByTestId('embed-open').getAttribute('href');
  assert.ok(href.startsWith(server.url + '#'), href);
  assert.ok(!href.includes('embed'), href);
  assert.match(href, /ev=3\.\d+/);
  // The link opens the full explorer at the same place.
  const full = await open(href);
  await full.page.locator('[data-testid=timeline] .marker.selected').waitFor();
  assert.equal(await position(full.page), 'step 3 / 3');
  assert.equal(await full.page.locator('[data-testid=timeline] .marker.selected').getAttribute('data-callback'), 'pre_unpatch');
  await full.context.close();
  assert.deepEqual(errors, []);
  await context.close();
});

test('the embed page alone passes axe', async () => {
  const { page, errors, context } = await open(`${server.url}#s1=i.mod,i.demo&embed`, { ready: '[data-testid=embed]' });
  await page.addScriptTag({ path: AXE });
  const axe = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  assert.deepEqual(axe.violations.map((v) => `${v.id} (${v.impact})`), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the embed item gives a ready iframe snippet for the step shown', async () => {
  const { page, errors, context } = await open(`${server.url}#s1=i.mod,i.demo,demo/enabled=0&at=2`, {
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  await page.locator('[data-testid=timeline] .marker').first().waitFor();
  await openMenu(page);
  await page.getByTestId('open-embed').click();
  const dialog = page.getByTestId('embed-dialog');
  await dialog.waitFor();
  const snippet = await dialog.getByTestId('embed-snippet').inputValue();
  assert.match(snippet, /^<iframe title="klpscope: a livepatch scenario"/);
  assert.ok(snippet.includes(`src="${server.url}#at=2&s1=i.mod,i.demo,demo/enabled=0&embed"`), snippet);
  assert.match(snippet, /width="600" height="400"/);
  assert.equal(await dialog.getByTestId('embed-snippet').getAttribute('readonly'), '');
  await dialog.getByTestId('embed-copy').click();
  await dialog.getByTestId('embed-status').filter({ hasText: 'Copied the snippet' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), snippet);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  // The snippet, pasted into a page, shows the scenario in 600x400 with no
  // scroll of the frame's page (only the timeline and the log scroll).
  const host = await browser.newContext({ viewport: { width: 800, height: 600 } });
  const post = await host.newPage();
  await post.setContent(`<!doctype html><html lang="en"><title>A post</title>${snippet}`);
  const frame = post.frameLocator('iframe');
  await frame.locator('[data-testid=timeline] .marker').first().waitFor();
  assert.equal(await frame.getByTestId('position').innerText(), 'step 2 / 3');
  const fits = await post.frames()[1].evaluate(() => {
    const el = document.scrollingElement;
    return { h: el.scrollHeight, ch: el.clientHeight, w: el.scrollWidth, cw: el.clientWidth };
  });
  assert.ok(fits.h <= fits.ch + 1 && fits.w <= fits.cw + 1, JSON.stringify(fits));
  assert.ok(await frame.getByTestId('transcript').isVisible());
  await host.close();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a broken link says what is wrong and stays in the address bar', async () => {
  for (const [frag, says] of [
    ['#s1=i.mod,z.AB!C', "not base64url: '!' at its character 3"],
    ['#s1=z.AAAA', 'does not inflate'],
    [`#s1=${'r.mod,'.repeat(11_000)}`, 'over the limit of 64 KiB'],
  ]) {
    const { page, errors, context } = await open(server.url + frag);
    const notice = page.getByTestId('error');
    await notice.waitFor();
    assert.ok((await notice.innerText()).includes(says), await notice.innerText());
    await page.waitForTimeout(400);
    assert.equal(await page.evaluate(() => location.hash), frag);
    assert.deepEqual(errors, []);
    await context.close();
  }
});
