// Four things a reader ran into, each kept from coming back: the skip link
// keeps the scenario, Escape closes the "for mail" menu, the kernel log
// after the cursor is readable (axe color-contrast, light and dark), and a
// search result on a phone opens below the sticky top bar.
// Run: `cd e2e && node --test defects.test.mjs` after `trunk build --release`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, stopSite, openPage, axeViolations } from './site.mjs';

let browser;
let server;

before(async () => ({ server, browser } = await startSite()));
after(() => stopSite({ server, browser }));

const SCENARIO = 's1=i.mod,i.demo,demo/enabled=0';

async function position(page) {
  return (await page.getByTestId('position').textContent()).trim();
}

test('the skip link moves to the explorer and keeps the scenario and its step', async () => {
  const { page, errors, context } = await openPage(browser, `${server.url}#${SCENARIO}&at=2`);
  await page.getByTestId('timeline').locator('.marker').first().waitFor();
  assert.equal(await position(page), 'step 2 / 3');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'explorer-h');
  // Longer than the address takes to follow a change (lib.rs, URL_REST).
  await page.waitForTimeout(400);
  const hash = await page.evaluate(() => location.hash);
  assert.ok(hash.includes(SCENARIO) && hash.includes('at=2'), hash);
  assert.equal(await position(page), 'step 2 / 3');
  // A plain in-page fragment, as without script, changes nothing either.
  await page.evaluate(() => {
    location.hash = '#explorer-h';
  });
  await page.waitForTimeout(200);
  assert.equal(await position(page), 'step 2 / 3');
  assert.deepEqual(errors, []);
  await context.close();
});

test('Escape closes the "for mail" menu and gives the focus back to its button', async () => {
  const { page, errors, context } = await openPage(browser, `${server.url}#${SCENARIO}`);
  const menu = page.getByTestId('mail-menu');
  await menu.locator('summary').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('copy-swimlane').waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'copy-swimlane');
  await page.keyboard.press('Escape');
  await page.getByTestId('copy-swimlane').waitFor({ state: 'hidden' });
  assert.equal(await menu.evaluate((d) => d.open), false);
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'SUMMARY');
  // Opened with the mouse, too.
  await menu.locator('summary').click();
  await page.getByTestId('copy-swimlane').waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await menu.evaluate((d) => d.open), false);
  assert.deepEqual(errors, []);
  await context.close();
});

for (const colorScheme of ['light', 'dark']) {
  test(`the kernel log and timeline after the cursor pass axe color-contrast (${colorScheme})`, async () => {
    // Lines of every kind after the cursor: commands, callbacks, a
    // refused load and a console error.
    const url = `${server.url}#s1=i.mod,i.demo+pre_patch_ret=-19,i.demo,demo/enabled=0,r.nosuch&at=1`;
    const { page, errors, context } = await openPage(browser, url, { colorScheme });
    await page.getByTestId('timeline').locator('.marker').first().waitFor();
    assert.equal(await position(page), 'step 1 / 5');
    assert.ok((await page.locator('.transcript .line.future').count()) > 0, 'lines after the cursor are shown');
    const contrast = (await axeViolations(page)).filter((v) => v.startsWith('color-contrast'));
    assert.deepEqual(contrast, []);
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('at 390 px a search result opens with its heading below the sticky top bar', async () => {
  const { page, errors, context } = await openPage(browser, server.url, { width: 390, height: 844 });
  await page.locator('#search-box').fill('post_unpatch_enabled');
  const hit = page.locator('[data-testid=search] .search-results a').first();
  await hit.waitFor();
  await hit.press('Enter');
  await page.waitForFunction(() => /doc=[\w-]+\/[\w-]+/.test(location.hash));
  const heading = /doc=[\w-]+\/([\w-]+)/.exec(await page.evaluate(() => location.hash))[1];
  await page.waitForFunction((id) => document.activeElement?.id === id, `doc-${heading}`);
  await page.waitForTimeout(400);
  const { bar, top } = await page.evaluate((id) => ({
    bar: document.querySelector('header.top').getBoundingClientRect().bottom,
    top: document.getElementById(id).getBoundingClientRect().top,
  }), `doc-${heading}`);
  assert.ok(bar > 60, `the bar is sticky and tall here (${bar} px)`);
  assert.ok(top >= bar, `the heading (top ${top} px) is below the bar (bottom ${bar} px)`);
  assert.ok(top < bar + 120, `and near it (top ${top} px)`);
  assert.deepEqual(errors, []);
  await context.close();
});
