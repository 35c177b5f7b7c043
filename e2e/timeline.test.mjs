// The explorer's timeline at length, and the badges its markers carry.
//
// A long scenario draws only the steps around the view (the rest of the
// grid keeps its width), follows the cursor and the scroll, and markers
// say what the engine's contract of the call stresses.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, openPage, startSite, stopSite } from './site.mjs';
import { ACTIONS, fragment, measure, ready } from './step-actions.mjs';

let browser;
let server;

before(async () => ({ server, browser } = await startSite()));
after(() => stopSite({ server, browser }));

const CYCLE = [
  'i.mod', 'i.busy+block_transition=Y', 'i.demo', 'demo/enabled=0', 'r.demo',
  'r.busy', 'i.demo2+replace=1', 'demo2/enabled=0', 'r.demo2', 'r.mod',
];
const LONG = Array.from({ length: 30 }, () => CYCLE).flat().join(',');
const STALLED = 'i.busy+block_transition=Y,i.demo,i.mod,r.mod,demo/enabled=0,r.demo,r.busy';

const open = (hash, { width = 1366, height = 900, colorScheme = 'light' } = {}) =>
  openPage(browser, server.url + hash, { width, height, colorScheme });

/** The step numbers whose headers are in the page, and whether `step`'s is in the box's view. */
const drawn = (page, step) =>
  page.getByTestId('timeline').evaluate((box, step) => {
    const heads = [...box.querySelectorAll('[data-step-head]')].map((h) => Number(h.dataset.stepHead));
    const head = box.querySelector(`[data-step-head="${step}"]`);
    const b = box.getBoundingClientRect();
    const r = head?.getBoundingClientRect();
    return { heads, inView: !!r && r.left >= b.left - 1 && r.right <= b.right + 1 };
  }, step);

/** No axe violation in the timeline, light and dark. */
async function assertTimelineAccessible(page) {
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    assert.deepEqual(await axeViolations(page, '[data-testid=timeline]'), [], colorScheme);
  }
}

test('300 commands: only the steps around the view are drawn, and they follow the cursor and the scroll', async () => {
  const { page, errors, context } = await open(`#at=150&s1=${LONG}`);
  await page.locator('[data-testid=timeline] [data-step-head="150"]').waitFor();
  let d = await drawn(page, 150);
  assert.ok(d.inView, 'the current step is in view');
  assert.ok(d.heads.length < 120, `${d.heads.length} of 300 steps drawn`);
  assert.ok(!d.heads.includes(1) && !d.heads.includes(300), 'the ends are not drawn');
  // The grid is as wide as all 300 steps.
  const [sw, cw] = await page.getByTestId('timeline').evaluate((el) => [el.scrollWidth, el.clientWidth]);
  assert.ok(sw > 10 * cw, `the grid is ${sw} px in a ${cw} px box`);
  // The last step: drawn and in view.
  await page.getByTestId('position').click();
  await page.keyboard.press('End');
  await page.getByTestId('position').filter({ hasText: 'step 300 / 300' }).waitFor();
  await page.locator('[data-testid=timeline] [data-step-head="300"]').waitFor();
  d = await drawn(page, 300);
  assert.ok(d.inView, 'step 300 is in view');
  assert.ok(!d.heads.includes(150), 'the middle is no longer drawn');
  // Scrolling back to the start draws it.
  await page.getByTestId('timeline').evaluate((el) => (el.scrollLeft = 0));
  await page.locator('[data-testid=timeline] [data-step-head="1"]').waitFor();
  // Steps after the cursor are dimmed, the current one marked.
  assert.equal(await page.locator('[data-testid=timeline] .current > .step-head').count(), 0);
  assert.equal(await page.locator('[data-testid=timeline] .past > [data-step-head="1"]').count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('markers carry the badges of their contract: words when detailed, in the accessible name always', async () => {
  const { page, errors, context } = await open(`#at=4&s1=${STALLED}`);
  const pre = page.locator('[data-testid=timeline] button.marker[data-callback=pre_patch][data-object=test_klp_callbacks_mod]');
  await pre.waitFor();
  // pre_patch of a module coming in during the transition: it may fail,
  // its init has not run, and tasks run both codes.
  const name = await pre.locator('.visually-hidden').textContent();
  for (const word of ['may fail', 'before init', 'old and new code']) assert.ok(name.includes(word), `"${name}" says ${word}`);
  // post_unpatch once the disable is done: it cannot fail, and all run the old code.
  const post = page.locator("[data-testid=timeline] button.marker[data-callback=post_unpatch][data-object=vmlinux]");
  assert.equal(await post.locator('[data-testid=badges]').count(), 0);
  // The legend says what the glyphs mean.
  assert.match(await page.locator('.explorer .legend').innerText(), /! may fail[^]*° before init[^]*½ old and new code/);
  await page.locator('.explorer [data-testid=timeline-mode]').click();
  assert.deepEqual(await pre.locator('[data-testid=badges] .long').allInnerTexts(), ['may fail', 'before init', 'old and new code']);
  await assertTimelineAccessible(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a step button is named by its step and command: compact draws only the number, detailed the command too', async () => {
  const { page, errors, context } = await open(`#at=3&s1=${STALLED}`);
  const head = page.locator('[data-testid=timeline] [data-step-head="2"] button');
  await head.waitFor();
  // Compact: the number is all there is to see; the name and the title
  // carry the command.
  assert.equal(await head.innerText(), '2');
  assert.equal(await head.locator('.step-cmd').count(), 0);
  assert.equal(await head.getAttribute('aria-label'), 'Go to step 2: insmod test_klp_callbacks_demo');
  assert.equal(await head.getAttribute('title'), '% insmod test_modules/test_klp_callbacks_demo.ko');
  assert.equal(await page.getByRole('button', { name: 'Go to step 2: insmod test_klp_callbacks_demo', exact: true }).count(), 1);
  await head.click();
  await page.getByTestId('position').filter({ hasText: 'step 2 / 7' }).waitFor();
  // Detailed: the command is drawn, and the name is what the button shows.
  await page.locator('.explorer [data-testid=timeline-mode]').click();
  assert.equal(await head.getAttribute('aria-label'), null);
  assert.equal(await head.locator('.step-cmd').innerText(), 'insmod test_klp_callbacks_demo');
  assert.equal(await page.getByRole('button', { name: /^Go to step 2\s*insmod test_klp_callbacks_demo$/ }).count(), 1);
  await assertTimelineAccessible(page);
  // Compact again: a command that failed says so in its button's name.
  await page.locator('.explorer [data-testid=timeline-mode]').click();
  await page.goto(server.url + '#s1=r.mod,i.mod');
  await page.getByRole('button', { name: 'Go to step 1: rmmod test_klp_callbacks_mod (failed)', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Go to step 2: insmod test_klp_callbacks_mod', exact: true }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test("the step bench's actions run at 300 commands, and each moves the explorer as it says", async () => {
  const { page, errors, context } = await open(fragment(300));
  await ready(page, 300);
  const position = page.getByTestId('position');
  // Twice each: a step forward, a scrub to 37 * i, a drag three steps on
  // from the middle, a marker in view selected.
  const { median } = await measure(page, ACTIONS.step, 300, 2);
  assert.ok(median > 0);
  assert.equal(await position.innerText(), 'step 152 / 300');
  await measure(page, ACTIONS.scrub, 300, 2);
  assert.equal(await position.innerText(), 'step 37 / 300');
  await page.locator('[data-testid=timeline] [data-step-head="37"]').waitFor();
  await measure(page, ACTIONS.drag, 300, 2);
  assert.equal(await position.innerText(), 'step 156 / 300');
  await page.locator('[data-testid=timeline] [data-step-head="156"]').waitFor();
  await measure(page, ACTIONS.select, 300, 2);
  const chosen = page.locator('[data-testid=timeline] button.marker[aria-pressed=true]');
  assert.equal(await chosen.count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});
