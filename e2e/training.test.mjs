// The training view: an exercise opened by its link, answered with the
// keyboard alone, graded by the engine (right, then a mistake with its call
// chain and docs link), the score kept across a reload and cleared by
// "reset progress"; an unknown exercise link gets a notice; axe-clean.
// Run: `cd e2e && node --test training.test.mjs` after `trunk build --release`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, openPage, startSite, stopSite } from './site.mjs';

/** The first exercise of content/12-exercises.md. */
const FIRST = 'enable-no-target';

let browser;
let server;

before(async () => ({ server, browser } = await startSite()));
after(() => stopSite({ server, browser }));

/** A fresh context and page on `hash`, recording page and console errors. */
const open = (hash, { width = 1366, height = 900 } = {}) => openPage(browser, server.url + hash, { width, height });

/** What has the focus: tag, data-act, select name and value. */
const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return {
      tag: el?.tagName,
      act: el?.dataset?.act ?? null,
      name: el?.getAttribute('name'),
      value: el?.value,
      quiz: el?.closest('section.quiz')?.querySelector('h3')?.id ?? null,
    };
  });

/** Presses Tab until focus is on an element matching `want`, at most `max` times. */
async function tabTo(page, want, max = 12) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (Object.entries(want).every(([k, v]) => f[k] === v)) return f;
  }
  assert.fail(`Tab never reached ${JSON.stringify(want)}; now on ${JSON.stringify(await focused(page))}`);
}

test('an exercise link opens the exercise; the keyboard alone answers it; the verdict explains; the score survives a reload', async () => {
  const { page, errors, context } = await open(`#quiz=${FIRST}`);
  const quiz = page.locator(`section.quiz:has(#quiz-${FIRST})`);
  await quiz.waitFor();
  // The link opened the exercises chapter with this exercise's title focused.
  await page.waitForFunction((id) => document.activeElement?.id === `quiz-${id}`, FIRST);
  assert.match(await page.locator('nav.chapters [aria-current=page]').innerText(), /Exercises/);

  // Row 1: pre_patch vmlinux, no state (the first choice of each select).
  await tabTo(page, { act: 'add', quiz: `quiz-${FIRST}` });
  await page.keyboard.press('Enter');
  assert.deepEqual(await focused(page), { tag: 'SELECT', act: null, name: 'callback', value: 'pre_patch', quiz: `quiz-${FIRST}` });
  // Row 2: post_patch vmlinux, picked with an arrow key.
  await tabTo(page, { act: 'add' });
  await page.keyboard.press('Space');
  assert.equal((await focused(page)).name, 'callback');
  await page.keyboard.press('ArrowDown');
  assert.equal((await focused(page)).value, 'post_patch');
  assert.equal(await quiz.locator('ol.answer > li').count(), 2);
  // The console stays ok; check.
  await tabTo(page, { name: 'console' });
  assert.equal((await focused(page)).value, 'ok');
  await tabTo(page, { act: 'check' });
  await page.keyboard.press('Enter');
  const verdict = quiz.getByTestId('verdict');
  await verdict.locator('p').first().waitFor();
  assert.match(await verdict.locator('p').first().innerText(), /^passed: 3 of 3 right/);
  assert.equal(await verdict.locator('li.right').count(), 3);
  assert.equal(await quiz.getByTestId('quiz-status').innerText(), 'solved (3/3)');
  // The step is in the explorer, at its end: the one command of this exercise.
  assert.equal((await page.getByTestId('position').innerText()).trim(), 'step 1 / 1');

  // A mistake: row 2 names the module instead of vmlinux.
  await page.keyboard.press('Shift+Tab'); // console
  await page.keyboard.press('Shift+Tab'); // add
  await page.keyboard.press('Shift+Tab'); // row 2: remove
  await page.keyboard.press('Shift+Tab'); // row 2: state
  await page.keyboard.press('Shift+Tab'); // row 2: object
  assert.deepEqual(
    [(await focused(page)).name, (await focused(page)).value],
    ['object', 'vmlinux'],
  );
  await page.keyboard.press('ArrowDown');
  assert.equal((await focused(page)).value, 'test_klp_callbacks_mod');
  await tabTo(page, { act: 'check' });
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    (id) => document.querySelector(`section.quiz:has(#quiz-${id}) [data-testid=verdict] p`)?.innerText.startsWith('not yet'),
    FIRST,
  );
  const mistakes = await verdict.locator('li.wrong').allInnerTexts();
  const missing = mistakes.find((m) => m.startsWith('missing:'));
  assert.ok(missing, `a missing callback among ${mistakes}`);
  // Explained by the kernel call chain of the engine's event ...
  assert.match(missing, /post_patch of vmlinux .*called by .*→/);
  assert.ok(mistakes.some((m) => m.startsWith('extra: post_patch of test_klp_callbacks_mod does not run')), mistakes.join('\n'));
  // ... and the section that explains it.
  assert.equal(await verdict.locator('a').getAttribute('href'), '#doc=callbacks/enabling-a-patch');
  // A worse answer later does not undo a solved exercise.
  assert.equal(await quiz.getByTestId('quiz-status').innerText(), 'solved (3/3)');

  // The score is kept in the browser: a reload shows it.
  await page.reload();
  await quiz.waitFor();
  await page.waitForFunction(
    (id) => document.querySelector(`section.quiz:has(#quiz-${id}) [data-testid=quiz-status]`)?.innerText === 'solved (3/3)',
    FIRST,
  );
  assert.equal(await page.evaluate(() => localStorage.getItem('klpscope-quiz')), `${FIRST}=3/3`);

  // "reset progress" clears it, after a confirmation.
  page.once('dialog', (d) => d.accept());
  await page.locator('[data-act=reset]').click();
  await page.waitForFunction(
    (id) => document.querySelector(`section.quiz:has(#quiz-${id}) [data-testid=quiz-status]`)?.innerText === '',
    FIRST,
  );
  assert.equal(await page.evaluate(() => localStorage.getItem('klpscope-quiz')), null);
  assert.deepEqual(errors, []);
  await context.close();
});

test('"remove" drops a row and keeps the focus in the list; "set up" loads the session so far', async () => {
  const { page, errors, context } = await open('#quiz=target-loaded-after-the-patch');
  const quiz = page.locator('section.quiz:has(#quiz-target-loaded-after-the-patch)');
  await quiz.waitFor();
  const add = quiz.locator('[data-act=add]');
  await add.click();
  await add.click();
  assert.equal(await quiz.locator('ol.answer > li').count(), 2);
  await quiz.locator('ol.answer > li').first().locator('[data-act=remove]').press('Enter');
  assert.equal(await quiz.locator('ol.answer > li').count(), 1);
  assert.equal((await focused(page)).name, 'callback');
  await quiz.locator('[data-act=remove]').press('Space');
  assert.equal(await quiz.locator('ol.answer > li').count(), 0);
  assert.equal((await focused(page)).act, 'add');
  await quiz.locator('[data-act=setup]').click();
  // The explorer holds the session before the step: one command, the patch.
  await page.waitForFunction(() => /s1?=/.test(location.hash));
  assert.equal((await page.getByTestId('position').innerText()).trim(), 'step 1 / 1');
  assert.match(await page.getByTestId('explorer').innerText(), /test_klp_callbacks_demo/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the search finds exercises, and an exercise link does not take the focus back when it loads every chapter', async () => {
  const { page, errors, context } = await open(`#quiz=${FIRST}`);
  await page.waitForFunction((id) => document.activeElement?.id === `quiz-${id}`, FIRST);
  await page.keyboard.press('/');
  // A word only an exercise has (its skill line): exercises are searched too.
  await page.keyboard.type('quietly');
  const hit = page.locator('[data-testid=search] .search-results a').first();
  await hit.waitFor();
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'search-box');
  assert.match(await hit.locator('.where').innerText(), /Exercises/);
  assert.match(await hit.getAttribute('href'), /^#doc=exercises\/several-patches/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('print: an exercise prints its text without the answer form', async () => {
  const { page, context } = await open(`#quiz=${FIRST}`);
  const quiz = page.locator(`section.quiz:has(#quiz-${FIRST})`);
  await quiz.locator('[data-act=add]').click();
  await page.emulateMedia({ media: 'print' });
  assert.ok(await quiz.locator('h3').isVisible());
  assert.ok(await quiz.locator('.quiz-session').isVisible());
  assert.ok(!(await quiz.locator('ol.answer').isVisible()));
  assert.ok(!(await quiz.locator('[data-act=check]').isVisible()));
  await context.close();
});

test('an unknown exercise link shows the exercises with a notice', async () => {
  const { page, context } = await open('#quiz=no-such-exercise');
  await page.locator('section.quiz').first().waitFor();
  assert.match(await page.locator('nav.chapters [aria-current=page]').innerText(), /Exercises/);
  assert.match(
    await page.getByTestId('explorer').innerText(),
    /exercise 'no-such-exercise' that does not exist; showing the exercises/,
  );
  await context.close();
});

test('axe: no violations with a verdict shown, at 390 and 1366 px, light and dark', async () => {
  for (const [width, theme] of [[390, 'dark'], [1366, 'light'], [1366, 'dark']]) {
    const { page, context } = await open(`#quiz=${FIRST}`, { width });
    await page.getByTestId('theme').selectOption(theme);
    const quiz = page.locator(`section.quiz:has(#quiz-${FIRST})`);
    await quiz.locator('[data-act=add]').click();
    await quiz.locator('[data-act=add]').click();
    await quiz.locator('[data-act=check]').click();
    await quiz.getByTestId('verdict').locator('li.wrong').first().waitFor();
    const bad = (await axeViolations(page)).map((v) => `${width} ${theme}: ${v}`);
    assert.deepEqual(bad, []);
    await context.close();
  }
});

test('exercises 2 to 5 pass with what the first chapter says, answered through their forms', async () => {
  // A reader of the first chapter knows: objects in the patch's order,
  // callbacks only for loaded objects, pre before the transition and post
  // after it, and the module state each sees (COMING, LIVE, GOING).
  const M = 'test_klp_callbacks_mod';
  const predictions = {
    'enable-target-loaded': [['pre_patch', 'vmlinux', ''], ['pre_patch', M, 'LIVE'], ['post_patch', 'vmlinux', ''], ['post_patch', M, 'LIVE']],
    'disable-target-loaded': [['pre_unpatch', 'vmlinux', ''], ['pre_unpatch', M, 'LIVE'], ['post_unpatch', 'vmlinux', ''], ['post_unpatch', M, 'LIVE']],
    'target-loaded-after-the-patch': [['pre_patch', M, 'COMING'], ['post_patch', M, 'COMING']],
    'module-removed-while-enabled': [['pre_unpatch', M, 'GOING'], ['post_unpatch', M, 'GOING']],
  };
  for (const [id, rows] of Object.entries(predictions)) {
    const { page, errors, context } = await open(`#quiz=${id}`);
    const quiz = page.locator(`section.quiz:has(#quiz-${id})`);
    await quiz.waitFor();
    for (const [callback, object, state] of rows) {
      await quiz.locator('[data-act=add]').click();
      const row = quiz.locator('ol.answer > li').last();
      await row.locator('select[name=callback]').selectOption(callback);
      await row.locator('select[name=object]').selectOption(object);
      const options = await row.locator('select[name=state] option').evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
      const [value] = options.find(([v, t]) => (state ? (v + t).includes(state) : /no state/.test(t)));
      await row.locator('select[name=state]').selectOption(value);
    }
    await quiz.locator('[data-act=check]').click();
    const verdict = quiz.getByTestId('verdict').locator('p').first();
    await verdict.waitFor();
    assert.match(await verdict.innerText(), /^passed: (\d+) of \1 right/, id);
    assert.deepEqual(errors, []);
    await context.close();
  }
});
