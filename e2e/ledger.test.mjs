// The ledger panel: what the callbacks declared they set up, what undid it,
// and what is left at the cursor, with the atomic-replace leak flagged.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, openPage, startSite, stopSite } from './site.mjs';

let browser;
let server;

before(async () => ({ server, browser } = await startSite()));
after(() => stopSite({ server, browser }));

// `klpscope link` of:
//   define module tgt / func tgt_work / end
//   define livepatch fix_a
//     object tgt
//       func tgt_work -> tgt_work_a
//       pre_patch allocates "buffer"
//       post_patch sets "feature flag"
//       pre_unpatch restores "feature flag"
//       post_unpatch frees "buffer"
//   end
//   define livepatch fix_c / replace / object vmlinux / pre_patch / post_patch / end
//   % insmod tgt.ko
//   % insmod fix_a.ko
//   % insmod fix_c.ko
//   % rmmod fix_a
const LEAK =
  '#s1=z.dY9LDoMwEEP3OUXEvlfoVVBIPDRtSKLJhHL88iktEmJnyc-W7UA-Qg_J1QAtvSiq0S6ifSd-KUSn3MYEPyIbsQ9NfmqNSt0TVs4Zfbv_9IxlRrvFTAjJGkHRTVeJwI3KqcjXLZDZIBipDE3B9M2arXHzGUUS48wsFTtEjGP95XqrGDkYi_3FOAQf6_Rfe5i21nwA,insmod+tgt.ko,insmod+fix_a.ko,insmod+fix_c.ko,r.fix_a';

const open = (hash, { width = 1366, colorScheme = 'light' } = {}) =>
  openPage(browser, server.url + hash, { width, height: 900, colorScheme });

test('the ledger flags what atomic replace leaks, and stands where the cursor stands', async () => {
  const { page, errors, context } = await open(LEAK);
  const ledger = page.getByTestId('ledger');
  await page.getByTestId('position').filter({ hasText: 'step 4 / 4' }).waitFor();
  assert.equal(await ledger.getByTestId('ledger-counts').innerText(), '(2 set up, 0 undone, 0 remain, 2 leaked)');
  await ledger.locator('summary').click();
  const entries = ledger.getByTestId('ledger-entry');
  assert.equal(await entries.count(), 2);
  const buffer = entries.filter({ hasText: '"buffer"' });
  assert.match(await buffer.getAttribute('class'), /leaked/);
  assert.match(await buffer.innerText(), /step 2 fix_a pre_patch on tgt: allocates buffer/);
  assert.match(await buffer.locator('.ledger-why').innerText(), /klp_unpatch_replaced_patches\(\)/);
  // Back to step 2: fix_a holds both, nothing leaked yet.
  await page.getByTestId('back').click();
  await page.getByTestId('back').click();
  await page.getByTestId('position').filter({ hasText: 'step 2 / 4' }).waitFor();
  assert.equal(await ledger.getByTestId('ledger-counts').innerText(), '(2 set up, 0 undone, 2 remain, 0 leaked)');
  assert.match(await entries.first().locator('.ledger-why').innerText(), /'fix_a' is still enabled/);
  // Keyboard: the summary opens and closes with Enter.
  await ledger.locator('summary').focus();
  await page.keyboard.press('Enter');
  assert.equal(await ledger.evaluate((d) => d.open), false);
  await page.keyboard.press('Enter');
  assert.equal(await ledger.evaluate((d) => d.open), true);
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    assert.deepEqual(await axeViolations(page, '[data-testid=ledger]'), [], colorScheme);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('without declared effects the ledger says how to declare them', async () => {
  const { page, errors, context } = await open('#s1=i.mod,i.demo');
  const ledger = page.getByTestId('ledger');
  await ledger.locator('summary').click();
  assert.match(await ledger.innerText(), /No callback here declares what it does/);
  assert.equal(await ledger.getByTestId('ledger-counts').innerText(), '(0 set up, 0 undone, 0 remain, 0 leaked)');
  assert.deepEqual(errors, []);
  await context.close();
});
