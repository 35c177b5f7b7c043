// Step to paint at 100 commands, in Debian's headless Chromium: a scenario
// of 100 commands opened at step 50, then the forward button clicked 40
// times; each time is from the click to the end of the frame that shows
// its result: a task queued from the next animation frame runs after that
// frame's style, layout and paint (what a reader waits for). Prints the
// median and the slowest. Run: `make bench` (after `trunk build --release`).

import { startSite, stopSite } from './site.mjs';

const CYCLE = [
  'i.mod', 'i.busy+block_transition=Y', 'i.demo', 'demo/enabled=0', 'r.demo',
  'r.busy', 'i.demo2+replace=1', 'demo2/enabled=0', 'r.demo2', 'r.mod',
];
const fragment = `#at=50&s1=${Array.from({ length: 10 }, () => CYCLE).flat().join(',')}`;

const { server, browser } = await startSite();
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await page.goto(server.url + fragment);
  await page.getByTestId('position').filter({ hasText: 'step 50 / 100' }).waitFor();
  const times = [];
  for (let i = 0; i < 40; i++) {
    times.push(await page.evaluate(() => new Promise((done) => {
      const t0 = performance.now();
      document.querySelector('[data-testid=forward]').click();
      requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0));
    })));
  }
  const position = await page.getByTestId('position').innerText();
  times.sort((a, b) => a - b);
  const median = times[times.length >> 1];
  console.log(`step to paint at 100 commands (${position}), ${times.length} steps:`);
  console.log(`median ${median.toFixed(1)} ms, slowest ${times.at(-1).toFixed(1)} ms`);
} finally {
  await stopSite({ server, browser });
}
