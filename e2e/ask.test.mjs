// "Can this ever happen?": the questions of the `ask` chapter explored by
// the engine in the page, a slice at a time, in Debian's headless Chromium:
// a never with the states checked (the page painting all along), a yes
// whose shortest scenario opens in the explorer at its step, a built
// question, cancel, the keyboard, and axe.
// Run: `cd e2e && node --test ask.test.mjs` after `trunk build --release`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, openPage, startSite, stopSite } from './site.mjs';

let browser;
let server;

before(async () => ({ server, browser } = await startSite()));
after(() => stopSite({ server, browser }));

/** The ask chapter, once its questions show. */
const open = (options = {}) =>
  openPage(browser, `${server.url}#doc=ask/questions`, { width: 1366, height: 900, ready: '[data-testid=ask]', ...options });

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

/** Asks question `id` (its button) at `depth`; resolves to the answer box. */
async function ask(page, id, depth) {
  await page.locator('[data-testid=ask] select[name=depth]').selectOption(String(depth));
  await page.locator(`button[data-ask="${id}"]`).click();
  const answer = page.getByTestId('ask-answer');
  await answer.locator('[data-answer]').waitFor({ timeout: 60_000 });
  return answer;
}

test('post_unpatch without pre_patch: never, with the states checked, under its question, and the page keeps painting', async () => {
  const { page, errors, context } = await open();
  await watchFrames(page);
  const answer = await ask(page, 'post-unpatch-without-pre-patch', 10);
  const gap = await page.evaluate(() => {
    window.__stop = true;
    return window.__gap;
  });
  assert.match(await answer.innerText(), /Never within 10 commands: checked 3069 states \(\d+ steps\)/);
  assert.equal(await answer.locator('[data-answer]').getAttribute('data-answer'), 'never');
  // The answer shows where the eye is: under the question asked.
  assert.equal(await page.locator('#ask-post-unpatch-without-pre-patch [data-testid=ask-answer]').count(), 1);
  // Explored in slices: no frame waited for the whole exploration.
  const ms = Number(await answer.locator('[data-answer]').getAttribute('data-ms'));
  assert.ok(ms > 0, 'the answer says how long it took');
  assert.ok(gap < Math.max(250, ms / 2), `longest frame gap ${gap} ms over an exploration of ${ms} ms`);
  assert.equal(await page.getByTestId('ask-progress').isHidden(), true);
  assert.deepEqual(errors, []);
  await context.close();
});

test('post_patch twice: yes, and its shortest scenario opens in the explorer at its step with the callback selected', async () => {
  const { page, errors, context } = await open();
  const answer = await ask(page, 'post-patch-twice', 8);
  assert.match(await answer.innerText(), /Yes: post_patch of test_klp_callbacks_demo on test_klp_callbacks_mod seeing MODULE_STATE_COMING, a second time, at step 4 of this shortest scenario/);
  const witness = await page.getByTestId('ask-witness').innerText();
  assert.equal(witness.trim().split('\n').length, 4, witness);
  assert.ok(witness.trim().split('\n').every((l) => l.startsWith('% ')), witness);
  await page.getByTestId('ask-open').click();
  await page.getByTestId('position').filter({ hasText: 'step 4 / 4' }).waitFor();
  const selected = page.locator('[data-testid=timeline] .marker.selected');
  await selected.waitFor();
  assert.equal(await selected.getAttribute('data-callback'), 'post_patch');
  assert.equal(await selected.getAttribute('data-object'), 'test_klp_callbacks_mod');
  assert.equal(await selected.getAttribute('data-step'), '4');
  // The explorer holds the witness, command for command.
  const cmds = await page.locator('[data-testid=transcript] .cmd-line').allInnerTexts();
  assert.deepEqual(cmds, witness.trim().split('\n'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a built question with the keyboard, cancel, and no axe violations (light and dark)', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, errors, context } = await open({ colorScheme });
    const builder = page.locator('.ask-builder');
    await builder.locator('select[name=callback]').selectOption('pre_unpatch');
    await builder.locator('select[name=object]').selectOption('test_klp_callbacks_mod');
    await builder.locator('select[name=state]').selectOption('MODULE_STATE_GOING');
    await builder.locator('select[name=after]').selectOption('rmmod');
    await page.locator('[data-testid=ask] select[name=depth]').selectOption('4');
    // The keyboard asks as a click does: focus the button, press Enter.
    await builder.locator('button[data-ask=build]').focus();
    await page.keyboard.press('Enter');
    const answer = page.getByTestId('ask-answer');
    await answer.locator('[data-answer=yes]').waitFor({ timeout: 30_000 });
    assert.match(
      await answer.innerText(),
      /Can pre_unpatch run on test_klp_callbacks_mod seeing MODULE_STATE_GOING after rmmod\? Yes: pre_unpatch of test_klp_callbacks_demo on test_klp_callbacks_mod seeing MODULE_STATE_GOING/,
    );
    // Under the builder, not under a listed question.
    assert.equal(await page.locator('.ask-builder + [data-testid=ask-out]').count(), 1);
    assert.deepEqual(await axeViolations(page, '[data-testid=ask]'), []);

    // A long exploration can be cancelled: started and cancelled 100 ms
    // later inside the page, well before it ends, with the progress
    // showing meanwhile; no answer comes after.
    await page.locator('[data-testid=ask] select[name=depth]').selectOption('10');
    const progressShown = await page.evaluate(
      () =>
        new Promise((done) => {
          document.querySelector('button[data-ask=two-transitions]').click();
          setTimeout(() => {
            const shown = !document.querySelector('[data-testid=ask-progress]').hidden;
            const text = document.querySelector('[data-testid=ask-progress]').textContent;
            document.querySelector('button[data-ask=cancel]').click();
            done(shown && /exploring depth \d+ of 10/.test(text));
          }, 100);
        }),
    );
    assert.ok(progressShown, 'the progress shows while exploring');
    assert.equal(await page.getByTestId('ask-progress').isHidden(), true);
    // The keyboard is back on the question's own button.
    assert.equal(await page.evaluate(() => document.activeElement?.dataset?.ask), 'two-transitions');
    await page.waitForTimeout(3000);
    assert.equal(await answer.locator('[data-answer]').count(), 0, await answer.innerText());
    assert.match(await answer.innerText(), /Cancelled/);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('the static book lists the questions with the command that answers each', async () => {
  const { page, errors, context } = await openPage(browser, `${server.url}book/ask.html`, { ready: 'article.chapter' });
  const items = page.locator('ol.ask-list > li');
  assert.ok((await items.count()) >= 7);
  assert.match(await page.locator('#ask-post-patch-twice').innerText(), /klpscope explore --ask post-patch-twice/);
  assert.equal(await page.locator('button[data-ask]').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the questions come with the tools module: not on a first visit, once on the chapter, gone with it', async () => {
  const { page, errors, context } = await openPage(browser, server.url, { width: 1366, height: 900 });
  const module = [];
  page.on('request', (r) => { if (/klpscope-tools/.test(r.url())) module.push(r.url().replace(server.url, '')); });
  await page.waitForLoadState('networkidle');
  assert.deepEqual(module, [], 'a first visit does not load the tools');
  await page.evaluate(() => { location.hash = '#doc=ask/questions'; });
  await page.getByTestId('ask').waitFor();
  assert.deepEqual(module, ['klpscope-tools.js', 'klpscope-tools_bg.wasm']);
  assert.equal(await page.getByTestId('ask-loading').count(), 0, 'the loading line goes once it is drawn');
  // Another chapter removes the panel; coming back draws it again from the
  // module already loaded.
  await page.evaluate(() => { location.hash = '#doc=introduction'; });
  await page.getByTestId('ask').waitFor({ state: 'detached' });
  await page.evaluate(() => { location.hash = '#doc=ask/questions'; });
  await page.getByTestId('ask').waitFor();
  assert.equal(await page.getByTestId('ask').count(), 1);
  assert.equal(module.length, 2);
  assert.deepEqual(errors, []);
  await context.close();
});

test('when the tools module cannot be loaded, the chapter says so where its questions go', async () => {
  const { page, context } = await openPage(browser, server.url, { width: 1366, height: 900 });
  await page.route('**/klpscope-tools.js', (r) => r.abort());
  await page.evaluate(() => { location.hash = '#doc=ask/questions'; });
  const failed = page.getByTestId('ask-failed');
  await failed.waitFor();
  assert.match(await failed.innerText(), /could not be loaded[^]*reload the page/);
  assert.equal(await failed.getAttribute('role'), 'alert');
  await context.close();
});
