// Modules a scenario declares get controls like the catalog's: a link
// whose scenario defines a livepatch shows its group after the catalog's,
// its buttons append the commands, and the timeline shows its callbacks.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startSite, stopSite } from './site.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
let browser;
let server;

before(async () => ({ server, browser } = await startSite()));
after(() => stopSite({ server, browser }));

// `klpscope link` of:
//   define livepatch my_fix
//     param pre_patch_ret int
//     object vmlinux
//       pre_patch returns param pre_patch_ret
//       post_patch
//       pre_unpatch
//       post_unpatch
//   end
const LINK = '#s1=z.bYtBDoAgDATvvKI_Iwgl1kAhUIj-XkS5edudzDj0xAiBOmYjdod4aU-nyqaYCLmgnlgXFCAWlbYDrUCPgbgNbQkwhFa4wk-ocqry3hk0_vaD10F26gY';

const callbacks = (page, step) =>
  page
    .locator(`[data-testid=timeline] .marker[data-step="${step}"]`)
    .evaluateAll((els) => els.map((e) => `${e.dataset.callback} ${e.title}`));

test('a declared livepatch gets a group of controls that load, drive and unload it', async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url + LINK);
  const controls = page.getByTestId('controls');
  const pick = controls.locator('[data-pick=my_fix]');
  await pick.waitFor();
  // After every catalog module.
  const picks = await controls.locator('[data-pick]').evaluateAll((els) => els.map((e) => e.dataset.pick));
  assert.equal(picks.at(-1), 'my_fix');
  assert.ok(picks.indexOf('test_klp_callbacks_demo') >= 0 && picks.indexOf('test_klp_callbacks_demo') < picks.length - 1);
  assert.equal(await pick.getAttribute('class'), 'pick livepatch');

  await pick.click();
  const group = controls.locator('[data-module=my_fix]');
  assert.ok(await group.isVisible());
  assert.match(await group.locator('.summary').innerText(), /declared livepatch/);
  // Its parameter, like a catalog module's: a return value for insmod and a write.
  await group.locator('#p-my_fix-pre_patch_ret').selectOption('-19');
  await group.locator('[data-cmd="insmod my_fix.ko pre_patch_ret=-19"]').waitFor();
  await group.locator('[data-cmd="echo -19 > /sys/module/my_fix/parameters/pre_patch_ret"]').waitFor();
  await group.locator('#p-my_fix-pre_patch_ret').selectOption('0');

  await group.locator('[data-cmd="insmod my_fix.ko"]').click();
  await page.getByTestId('position').filter({ hasText: 'step 1 / 1' }).waitFor();
  assert.deepEqual(await callbacks(page, 1), ['pre_patch pre_patch (vmlinux) of my_fix: may fail', 'post_patch post_patch (vmlinux) of my_fix']);

  await group.locator('[data-cmd="echo 0 > /sys/kernel/livepatch/my_fix/enabled"]').click();
  await page.getByTestId('position').filter({ hasText: 'step 2 / 2' }).waitFor();
  assert.deepEqual(await callbacks(page, 2), ['pre_unpatch pre_unpatch (vmlinux) of my_fix', 'post_unpatch post_unpatch (vmlinux) of my_fix']);

  // Enable, force and unload are there too, and append their commands.
  for (const cmd of ['echo 1 > /sys/kernel/livepatch/my_fix/enabled', 'echo 1 > /sys/kernel/livepatch/my_fix/force', 'rmmod my_fix']) {
    await group.locator(`[data-cmd="${cmd}"]`).click();
  }
  await page.getByTestId('position').filter({ hasText: 'step 5 / 5' }).waitFor();
  const steps = await page.locator('[data-testid=timeline] [data-step-head] button').evaluateAll((els) => els.map((e) => e.title));
  assert.deepEqual(steps.slice(2), [
    '% echo 1 > /sys/kernel/livepatch/my_fix/enabled',
    '% echo 1 > /sys/kernel/livepatch/my_fix/force',
    '% rmmod my_fix',
  ]);

  // The groups follow the define blocks: declare a target module too.
  const editor = page.getByTestId('editor');
  await editor.locator('summary').click();
  const text = page.getByTestId('editor-text');
  await text.fill('define module my_target\n  func my_func\nend\n' + (await text.inputValue()));
  await text.press('Control+Enter');
  await controls.locator('[data-pick=my_target]').waitFor();
  assert.equal(await controls.locator('[data-pick=my_target]').getAttribute('class'), 'pick target');
  assert.equal(await controls.locator('[data-module=my_fix]').count(), 1);
  // Drawn anew, not added to: one group per module picker.
  assert.equal(await controls.locator('[data-module]').count(), picks.length + 1);

  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), []);
  assert.deepEqual(errors, []);
  await context.close();
});
