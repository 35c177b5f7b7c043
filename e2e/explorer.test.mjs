// The explorer as a newcomer meets it: errors beside the editor, keys that
// act where focus is, a compact timeline, phone and desktop layouts, print,
// notices for links that do not work, and the timeline's details.
// Run: `cd e2e && node --test` after `trunk build --release`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, openPage, startSite, stopSite } from './site.mjs';


const MOD = 'test_klp_callbacks_mod';
const DEMO = 'test_klp_callbacks_demo';
const BUSY = 'test_klp_callbacks_busy';

/** The share encoding of a list of commands (what the app writes). */
const link = (cmds) => '#s=' + cmds.map((c) => c.replaceAll(' ', '+').replaceAll('>', '%3E')).join('!');

const REVERSED = [
  `insmod test_modules/${BUSY}.ko block_transition=Y`,
  `insmod test_modules/${DEMO}.ko`,
  `insmod test_modules/${MOD}.ko`,
  `rmmod ${MOD}`,
  `echo 0 > /sys/kernel/livepatch/${DEMO}/enabled`,
];

/** Ten steps: load, enable, disable, unload, twice over, in both orders. */
const TEN = [
  `insmod test_modules/${MOD}.ko`,
  `insmod test_modules/${DEMO}.ko`,
  `echo 0 > /sys/kernel/livepatch/${DEMO}/enabled`,
  `rmmod ${DEMO}`,
  `rmmod ${MOD}`,
  `insmod test_modules/${DEMO}.ko`,
  `insmod test_modules/${MOD}.ko`,
  `rmmod ${MOD}`,
  `echo 0 > /sys/kernel/livepatch/${DEMO}/enabled`,
  `rmmod ${DEMO}`,
];

let browser;
let server;

before(async () => ({ server, browser } = await startSite()));
after(() => stopSite({ server, browser }));

/** A fresh page on `hash` at `width` px, recording page and console errors. */
const open = (hash = '', { width = 1366, height = 900, permissions } = {}) =>
  openPage(browser, server.url + hash, { width, height, permissions });

async function position(page) {
  return (await page.getByTestId('position').textContent()).trim();
}

/** Opens the scenario editor and puts `text` in it. */
async function edit(page, text) {
  const editor = page.getByTestId('editor');
  if (!(await editor.evaluate((d) => d.open))) await editor.locator('summary').click();
  await page.getByTestId('editor-text').fill(text);
}

test('a declaration typo shows its error beside the editor, with the hint and the line marked', async () => {
  const { page, errors, context } = await open(link(REVERSED.slice(0, 2)));
  await edit(
    page,
    [
      '# my patch',
      'define livepatch my_patch',
      '  object vmlinux',
      '    pre_ptach returns -ENODEV',
      'end',
      '% insmod my_patch.ko',
    ].join('\n'),
  );
  const error = page.getByTestId('editor-error');
  await error.waitFor();
  const msg = await error.innerText();
  assert.match(msg, /^line 4, col 5: cannot read declaration: unknown line 'pre_ptach'/);
  assert.match(msg, /did you mean 'pre_patch'\?/);
  const text = page.getByTestId('editor-text');
  assert.equal(await text.getAttribute('aria-invalid'), 'true');
  // The line is marked in the gutter and in the text.
  assert.equal(await page.locator('[data-testid=editor] .gutter').getAttribute('data-bad'), '4');
  assert.match(await page.locator('[data-testid=editor] .gutter').innerText(), /^1\n2\n3\n4\n5\n6\n/);
  const mark = await page.locator('[data-testid=editor] .line-mark').boundingBox();
  const t0 = await page.getByTestId('editor-text').boundingBox();
  assert.ok(Math.abs(mark.y - (t0.y + 4 + 3 * 18)) < 3, `line mark at ${mark.y}, text at ${t0.y}`);
  // Beside the editor: right under the text box, not somewhere above it.
  const t = await text.boundingBox();
  const e = await error.boundingBox();
  assert.ok(e.y >= t.y + t.height - 1 && e.y - (t.y + t.height) < 60, `error at ${e.y}, text ends at ${t.y + t.height}`);
  // The run shown is marked stale until the text parses again.
  assert.match(await page.getByTestId('stale').innerText(), /Stale.*line 4/);
  assert.ok(await page.locator('.run-view.stale').count());
  // Replaying puts the caret on the error, and nothing is replayed.
  await page.getByTestId('editor-replay').click();
  assert.equal(await position(page), 'step 2 / 2');
  const caret = await text.evaluate((el) => [document.activeElement === el, el.value.slice(0, el.selectionStart).split('\n').length]);
  assert.deepEqual(caret, [true, 4]);
  // Fixed, it parses, replays, and the stale mark goes.
  await text.fill(
    ['define livepatch my_patch', '  object vmlinux', '    pre_patch returns -ENODEV', 'end', '% insmod my_patch.ko'].join('\n'),
  );
  assert.equal(await error.count(), 0);
  assert.equal(await text.getAttribute('aria-invalid'), 'false');
  assert.equal(await page.locator('[data-testid=editor] .line-mark').isVisible(), false);
  await text.press('Control+Enter');
  assert.equal(await position(page), 'step 1 / 1');
  assert.equal(await page.getByTestId('stale').isVisible(), false);
  assert.equal(await page.locator('.run-view.stale').count(), 0);
  assert.match(await page.getByTestId('transcript').innerText(), /pre-patch callback failed for object 'vmlinux'/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a missing end and an unknown object are reported at their own lines', async () => {
  const { page, context } = await open();
  await edit(page, ['define module m', '  func f', '', '% insmod m.ko'].join('\n'));
  let msg = await page.getByTestId('editor-error').innerText();
  assert.match(msg, /^line 1, col 1: missing 'end': 'define module m' has no matching 'end'/);
  assert.match(msg, /before line 4/);
  assert.equal(await page.locator('[data-testid=editor] .gutter').getAttribute('data-bad'), '1');
  await edit(page, ['define livepatch p', `  object ${MOD.replace('mod', 'mdo')}`, '    pre_patch', 'end'].join('\n'));
  // A near miss parses (the kernel accepts an object for an absent module), with a warning.
  msg = await page.getByTestId('editor-warning').innerText();
  assert.match(msg, /^warning: line 2, col 10: object 'test_klp_callbacks_mdo' names no module this scenario knows/);
  assert.match(msg, /did you mean 'test_klp_callbacks_mod'\?/);
  await context.close();
});

test('a text with no command line says so and leaves the run alone', async () => {
  const { page, context } = await open(link(REVERSED.slice(0, 1)));
  await edit(page, 'livepatch: enabling patch \'test_klp_callbacks_demo\'\nlivepatch: patching complete\n');
  await page.getByTestId('editor-replay').click();
  assert.match(await page.getByTestId('editor-notice').innerText(), /no command line.*'% '/);
  assert.equal(await position(page), 'step 1 / 1');
  await context.close();
});

test('arrow keys step the explorer only where focus is', async () => {
  const { page, errors, context } = await open('#doc=modules' + link(REVERSED).slice(1).replace(/^/, '&'));
  assert.equal(await position(page), 'step 5 / 5');
  // In a docs mini-timeline: the keys scroll it, the explorer stays.
  const mini = page.getByTestId('mini-timeline').first();
  await mini.focus();
  for (const key of ['ArrowLeft', 'Home', 'End', 'ArrowRight']) await page.keyboard.press(key);
  assert.equal(await position(page), 'step 5 / 5');
  // On a docs link: the same.
  await page.locator('nav.chapters a').first().focus();
  await page.keyboard.press('ArrowLeft');
  assert.equal(await position(page), 'step 5 / 5');
  // In the command line the caret moves.
  await page.locator('#cmd-input').fill('rmmod x');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await position(page), 'step 5 / 5');
  assert.equal(await page.locator('#cmd-input').evaluate((el) => el.selectionStart), 6);
  // In the explorer's scrollable timeline the keys scroll it.
  await page.getByTestId('timeline').focus();
  await page.keyboard.press('ArrowLeft');
  assert.equal(await position(page), 'step 5 / 5');
  // On an explorer control, or with nothing focused, they step.
  await page.getByTestId('back').focus();
  await page.keyboard.press('ArrowLeft');
  assert.equal(await position(page), 'step 4 / 5');
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('Home');
  assert.equal(await position(page), 'step 0 / 5');
  // Reading the docs never changed the scenario.
  assert.match(page.url(), /s1=i\.busy\+block_transition=Y/);
  assert.deepEqual(errors, []);
  await context.close();
});

/** Elements that scroll sideways (and are shown) but cannot take focus. */
async function unreachableScrollers(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((el) => {
        const s = getComputedStyle(el);
        return (
          ['auto', 'scroll'].includes(s.overflowX) &&
          el.scrollWidth > el.clientWidth + 1 &&
          el.getClientRects().length > 0 &&
          el.tabIndex < 0
        );
      })
      .map((el) => el.className || el.tagName),
  );
}

test('at 390 px: no page scroll sideways, the explorer one tap away, the current step in view', async () => {
  const { page, errors, context } = await open(link(REVERSED), { width: 390, height: 844 });
  await page.locator('[data-testid=timeline] .marker').first().waitFor();
  await page.locator('[data-testid=timeline] .marker').first().click();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `page is ${wide} px wide`);
  // Every box that scrolls sideways can be scrolled from the keyboard.
  assert.deepEqual(await unreachableScrollers(page), []);
  // From the top, one tap on "Explorer" shows it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.locator('nav.jump a', { hasText: 'Explorer' }).click();
  const h = await page.locator('#explorer-h').boundingBox();
  assert.ok(h.y >= 0 && h.y < 844, `explorer heading at ${h.y}`);
  // ... and "Docs" from anywhere, as the bar stays.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  assert.ok(await page.locator('nav.jump a', { hasText: 'Docs' }).isVisible());
  const top = await page.locator('header.top').boundingBox();
  assert.ok(top.y >= -1 && top.y < 5, `top bar at ${top.y}`);
  // The current step (5 of 5) is in the timeline's view.
  const box = await page.getByTestId('timeline').boundingBox();
  const head = await page.locator('[data-testid=timeline] [data-step-head="5"]').boundingBox();
  assert.ok(head.x >= box.x && head.x + head.width <= box.x + box.width + 1, `step 5 at ${head.x}..${head.x + head.width}, box ${box.x}..${box.x + box.width}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('at 1366 px: the state tables do not run under the kernel log', async () => {
  const { page, context } = await open(link(REVERSED.slice(0, 3)), { width: 1366, height: 900 });
  const panel = await page.getByTestId('state-panel').boundingBox();
  const log = await page.getByTestId('transcript').boundingBox();
  const overlap = !(panel.x + panel.width <= log.x || log.x + log.width <= panel.x || panel.y + panel.height <= log.y || log.y + log.height <= panel.y);
  assert.ok(!overlap, 'state panel and kernel log overlap');
  // Every column of the modules table is inside the panel.
  for (const col of ['klp_alive', 'parameters']) {
    const th = await page.getByTestId('state-panel').locator('table.modules th', { hasText: col }).boundingBox();
    assert.ok(th.x + th.width <= panel.x + panel.width + 1, `${col} is cut off`);
  }
  await context.close();
});

test('compact timeline: a 10-step scenario fits the docs pane, 20 the explorer; detailed is one toggle away', async () => {
  const { page, errors, context } = await open(link([...TEN, ...TEN]), { width: 1366, height: 900 });
  const fits = (sel) => page.locator(sel).evaluate((el) => [el.scrollWidth, el.clientWidth]);
  // 20 steps in the explorer.
  const [w, c] = await fits('[data-testid=timeline]');
  assert.ok(w <= c + 1, `explorer timeline ${w} px in ${c}`);
  // Every scenario block of every chapter fits its docs pane.
  const chapters = await page.locator('nav.chapters > ol > li > a').evaluateAll((as) =>
    as.map((a) => [a.getAttribute('href'), a.textContent.replace(/^\d+ /, '')]),
  );
  assert.ok(chapters.length > 10);
  let blocks = 0;
  for (const [href, title] of chapters) {
    await page.evaluate((h) => (location.hash = h), href);
    await page.waitForFunction((h) => location.hash.startsWith(h), href);
    // The chapter is loaded when it is opened: wait for its own heading.
    await page.waitForFunction(
      (t) => document.querySelector('[data-testid=chapter] h1')?.textContent.startsWith(t),
      title,
    );
    const docs = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid=mini-timeline]')].map((el) => [
        el.querySelectorAll('[data-step-head]').length,
        el.scrollWidth,
        el.clientWidth,
      ]),
    );
    for (const [steps, sw, cw] of docs) assert.ok(sw <= cw + 1, `${href}: ${steps}-step block is ${sw} px in ${cw}`);
    blocks += docs.length;
  }
  assert.ok(blocks > 50, `${blocks} blocks`);
  // A 10-step scenario (load, enable, disable, unload, twice) needs no
  // more than a docs block's width: laid out with the docs' lane labels,
  // its columns at their narrowest.
  await page.evaluate((h) => (location.hash = h), link(TEN) + '&doc=modules');
  await page.getByTestId('position').filter({ hasText: 'step 10 / 10' }).waitFor();
  const need = await page.locator('[data-testid=timeline]').evaluate((el) => {
    const docsBox = document.querySelector('.pane.docs .timeline-box');
    el.parentElement.style.setProperty('--lane-label', getComputedStyle(docsBox).getPropertyValue('--lane-label'));
    const grid = el.querySelector('.timeline');
    grid.style.minWidth = '0';
    grid.style.width = 'min-content';
    const width = grid.getBoundingClientRect().width;
    grid.style.width = grid.style.minWidth = '';
    return width;
  });
  const room = await page.locator('.pane.docs [data-testid=mini-timeline]').first().evaluate((el) => el.clientWidth);
  assert.ok(need <= room, `10 steps need ${need} px, a docs block has ${room}`);
  // The full command: on hover (the step's title), and in the caption row
  // for the current step.
  const head3 = page.locator('[data-testid=timeline] [data-step-head="3"] button');
  assert.equal(await head3.getAttribute('title'), `% ${TEN[2]}`);
  await head3.click();
  const caption = page.getByTestId('timeline').locator('..').getByTestId('step-caption');
  assert.equal((await caption.innerText()).replace(/\s+/, " "), `3 % ${TEN[2]}`);
  // Sticky headers: the step row and the lane names stay when scrolled.
  assert.equal(await page.locator('[data-testid=timeline] .step-head').first().evaluate((el) => getComputedStyle(el).position), 'sticky');
  assert.equal(await page.locator('[data-testid=timeline] .lane-label').first().evaluate((el) => getComputedStyle(el).position), 'sticky');
  // Detailed: every label, far wider.
  const [w10] = await fits('[data-testid=timeline]');
  const toggle = page.getByTestId('timeline').locator('..').getByTestId('timeline-mode');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  const [w2] = await fits('[data-testid=timeline]');
  assert.ok(w2 > w10 * 1.5, `detailed ${w2} px, compact ${w10} px`);
  assert.ok(await page.locator('[data-testid=timeline] .marker .name').first().isVisible());
  assert.deepEqual(errors, []);
  await context.close();
});

test('print: the chapter at full page width, its scenarios as open transcripts', async () => {
  const { page, context } = await open('#doc=modules', { width: 1366, height: 900 });
  await page.emulateMedia({ media: 'print' });
  const chapter = await page.getByTestId('chapter').boundingBox();
  assert.ok(chapter.x < 20 && chapter.width > 1366 * 0.95, `chapter at ${chapter.x}, ${chapter.width} px wide`);
  const block = page.getByTestId('live-block').first();
  assert.ok(await block.locator('pre.live-log').isVisible(), 'the transcript is shown');
  assert.match(await block.locator('pre.live-log').innerText(), /^% insmod test_modules\//m);
  assert.equal(await page.getByTestId('explorer').isVisible(), false);
  await context.close();
});

test('links that do not work say so, and status texts are right', async () => {
  const { page, errors, context } = await open('#doc=no-such-chapter&s=%zz', { permissions: ['clipboard-read', 'clipboard-write'] });
  // Shown where the explorer shows errors, until the next command that parses.
  const notice = page.getByTestId('error');
  await notice.waitFor();
  const text = await notice.innerText();
  assert.match(text, /chapter 'no-such-chapter' that does not exist; showing the first chapter/);
  assert.match(text, /could not be decoded.*the explorer starts empty/);
  // A section that does not exist, in a link followed in the open page.
  await page.evaluate(() => (location.hash = '#doc=callbacks/nowhere'));
  await page.getByTestId('error').filter({ hasText: 'nowhere' }).waitFor();
  assert.match(await notice.innerText(), /has no section 'nowhere'; showing the top of the chapter/);
  // Nothing to copy is not "Copied ... (0 lines)".
  await page.getByTestId('copy-transcript').click();
  await page.getByTestId('copy-status').filter({ hasText: /^Nothing copied/ }).waitFor({ timeout: 5_000 });
  // One line is "1 line"; the command clears the notice.
  await page.locator('#cmd-input').fill('sleep 1');
  await page.locator('#cmd-input').press('Enter');
  await notice.waitFor({ state: 'detached', timeout: 5_000 });
  await page.getByTestId('copy-transcript').click();
  await page.getByTestId('copy-status').filter({ hasText: 'Copied' }).waitFor();
  assert.equal(await page.getByTestId('copy-status').innerText(), 'Copied the transcript (1 line).');
  assert.deepEqual(errors, []);
  await context.close();
});

test('details: the reversal marker and its rule, natural marker names, preset buttons', async () => {
  const { page, errors, context } = await open(link(REVERSED));
  // The reversal: its own marker (⇄) on the transition row, in step 5.
  const reversal = page.locator('[data-testid=timeline] .reversal-marker');
  await reversal.waitFor();
  assert.equal(await reversal.locator('.short').innerText(), '⇄');
  assert.equal(await reversal.getAttribute('title'), 'reversed → unpatching');
  const box = await reversal.boundingBox();
  const step5 = await page.locator('[data-testid=timeline] [data-step-head="5"]').boundingBox();
  assert.ok(box.x >= step5.x - 1 && box.x < step5.x + step5.width, 'in the column of step 5');
  assert.equal(await page.locator('[data-testid=timeline] .reversal-marker').count(), 1);
  // The callbacks the reversal ran link to the reversal too.
  await page.locator('[data-testid=timeline] .marker[data-step="5"][data-callback=post_unpatch]').first().click();
  assert.equal(await page.getByTestId('why-doc').getAttribute('href'), '#doc=transitions/reversing-a-transition');
  // Markers read naturally.
  assert.equal(
    await page.getByRole('button', { name: `pre_patch on vmlinux, patch ${DEMO}, may fail, step 2`, exact: true }).count(),
    1,
  );
  assert.equal(
    await page.getByRole('button', { name: `pre_patch on ${MOD} in MODULE_STATE_COMING, patch ${DEMO}, may fail, before init, old and new code, step 3`, exact: true }).count(),
    1,
  );
  // Presets are buttons that look like buttons.
  await page.locator('button.reset').click();
  const preset = page.locator('.examples button.preset').first();
  const look = await preset.evaluate((el) => {
    const s = getComputedStyle(el);
    return [s.borderTopStyle, s.textDecorationLine];
  });
  assert.deepEqual(look, ['solid', 'none']);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the why panel leads with the contract the engine computed for the callback', async () => {
  const { page, errors, context } = await open(link(REVERSED));
  // pre_patch of the module loading under a patch in transition (step 3).
  await page
    .getByRole('button', { name: `pre_patch on ${MOD} in MODULE_STATE_COMING, patch ${DEMO}, may fail, before init, old and new code, step 3`, exact: true })
    .click();
  const why = page.getByTestId('why');
  const card = why.getByTestId('why-contract');
  await card.waitFor();
  // First in the panel, before the title and the kernel path.
  assert.equal(await why.evaluate((w) => w.querySelector('[data-testid=why-contract]') === w.querySelector('.contract, .why-body')), true);
  assert.equal(await card.getByTestId('contract-object').innerText(), 'not running yet');
  assert.equal(await card.getByTestId('contract-system').innerText(), 'old and new');
  assert.equal(await card.getByTestId('contract-module').innerText(), 'before init');
  assert.match(await card.getByTestId('contract-fail').innerText(), /^yes: klp_module_coming\(\)/);
  assert.match(await card.innerText(), /klp_mutex/);
  // A post callback cannot fail.
  await page.locator('[data-testid=timeline] .marker[data-step="5"][data-callback=post_unpatch]').first().click();
  assert.match(await page.getByTestId('contract-fail').innerText(), /^no/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('axe: no violations at 390 and 1366 px, light and dark, with the editor showing an error', async () => {
  for (const [width, theme] of [[390, 'dark'], [1366, 'light'], [1366, 'dark']]) {
    const { page, context } = await open('#doc=nowhere' + link(REVERSED).replace('#', '&'), { width });
    await page.getByTestId('theme').selectOption(theme);
    await page.locator('[data-testid=timeline] .marker').first().click();
    await edit(page, '% insmodd x.ko\n');
    await page.getByTestId('editor-error').waitFor();
    const bad = (await axeViolations(page)).map((v) => `${width} ${theme}: ${v}`);
    assert.deepEqual(bad, []);
    await context.close();
  }
});
