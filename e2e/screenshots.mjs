// The README's screenshots, from the release build in dist/: the explorer
// at 390, 1366 and 1920 px (light, and dark at 1366) and a printed chapter.
// Run by `make screenshot` (scripts/screenshot.sh); writes into docs/.
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const OUT = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..', 'docs'));
// The kernel selftest "busy target module": a stalled transition, reversed,
// with the reversal's post_unpatch callback selected.
const SCENARIO =
  's=insmod+test_modules/test_klp_callbacks_busy.ko+block_transition=Y!insmod+test_modules/test_klp_callbacks_demo.ko!insmod+test_modules/test_klp_callbacks_mod.ko!rmmod+test_klp_callbacks_mod!echo+0+%3E+/sys/kernel/livepatch/test_klp_callbacks_demo/enabled';
const EXPLORER = `#doc=transitions/reversing-a-transition&ev=5.6&${SCENARIO}`;

const SHOTS = [
  { file: 'screenshot-1366.png', width: 1366, height: 900, hash: EXPLORER },
  { file: 'screenshot-1920.png', width: 1920, height: 1080, hash: EXPLORER },
  { file: 'screenshot-dark.png', width: 1366, height: 900, hash: EXPLORER, dark: true },
  { file: 'screenshot-390.png', width: 390, height: 844, hash: EXPLORER, jump: true },
  { file: 'screenshot-print.png', width: 794, height: 1123, hash: '#doc=modules', print: true },
];

mkdirSync(OUT, { recursive: true });
const server = await startServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars'],
});
try {
  for (const s of SHOTS) {
    const context = await browser.newContext({
      viewport: { width: s.width, height: s.height },
      colorScheme: s.dark ? 'dark' : 'light',
    });
    const page = await context.newPage();
    await page.goto(server.url + s.hash);
    const ready = s.print ? '[data-testid=chapter] figure.live' : '[data-testid=explorer] [data-testid=timeline] .marker';
    await page.locator(ready).first().waitFor({ timeout: 15_000 });
    if (s.jump) await page.locator('nav.jump a', { hasText: 'Explorer' }).click();
    if (s.print) await page.emulateMedia({ media: 'print' });
    await page.waitForTimeout(300);
    const file = path.join(OUT, s.file);
    await page.screenshot({ path: file, fullPage: Boolean(s.print) });
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
