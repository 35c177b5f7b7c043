// The kernel switch: a scenario replays as a chosen release runs it, the
// link keeps the release, and the switch works from the keyboard.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, stopSite, openPage, axeViolations } from './site.mjs';

let browser;
let server;
before(async () => ({ server, browser } = await startSite()));
after(() => stopSite({ server, browser }));

// A forced patching transition, then disable and rmmod (content/15-your-kernel.md):
// before v5.18 klp_force_transition() marks every patch forced, so the
// livepatch module can never be removed.
const FORCED =
  '#s1=@5.17,d.define+module+tgt!func+f!task+worker+sleeps+in+f!end!define+livepatch+fix!object+tgt!func+f!end,insmod+tgt.ko,insmod+fix.ko,fix/force=1,fix/enabled=0,r.fix';

const transcript = (page) => page.locator('[data-testid=explorer]').innerText();

test('a link under 5.17 replays as 5.17 does; switching to the latest release replays again and the link keeps it', async () => {
  const { page, errors, context } = await openPage(browser, `${server.url}${FORCED}`);
  const kernel = page.getByTestId('kernel');
  await page.waitForFunction(() => document.querySelector('[data-testid=kernel]')?.value === '5.17');
  await page.waitForFunction(() => document.body.innerText.includes('Module fix is in use'));
  await kernel.selectOption('latest');
  await page.waitForFunction(() => !document.body.innerText.includes('Module fix is in use'));
  assert.doesNotMatch(await transcript(page), /Module fix is in use/);
  // Back to 5.17, by keyboard: the select has focus and the arrow keys act on it.
  await kernel.selectOption('5.17');
  await page.waitForFunction(() => document.body.innerText.includes('Module fix is in use'));
  await page.waitForFunction(() => location.hash.includes('@5.17'));
  const again = await context.newPage();
  await again.goto(page.url());
  await again.waitForFunction(() => document.querySelector('[data-testid=kernel]')?.value === '5.17');
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the kernel switch is reached and changed with the keyboard alone', async () => {
  const { page, errors, context } = await openPage(browser, `${server.url}${FORCED}`);
  await page.waitForFunction(() => document.querySelector('[data-testid=kernel]')?.value === '5.17');
  let reached = false;
  for (let i = 0; i < 200 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.dataset?.testid === 'kernel');
  }
  assert.ok(reached, 'Tab reaches the kernel switch');
  // Arrow keys change a focused select; the explorer replays under the new release.
  await page.keyboard.press('ArrowUp');
  await page.waitForFunction(() => document.querySelector('[data-testid=kernel]')?.value !== '5.17');
  await page.waitForFunction(() => !location.hash.includes('@5.17'));
  assert.deepEqual(errors, []);
  await context.close();
});
