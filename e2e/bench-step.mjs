// Step, scrub and select to paint at 30, 100 and 300 commands, in Debian's
// headless Chromium at 1366 px: a scenario of N commands opened at its
// middle step, then
// - step: the forward button clicked 40 times (back at the end);
// - scrub: the range moved 40 times, to steps spread over the scenario;
// - drag: the range moved 40 times, three steps on each time, as a dragged
//   thumb moves it;
// - select: 40 clicks on callback markers in view, each a different one.
// Each time is from the action to the end of the frame that shows its
// result: a task queued from the next animation frame runs after that
// frame's style, layout and paint (what a reader waits for). Prints the
// median and the slowest of each. Run: `make bench` (after `trunk build
// --release`).

import { startSite, stopSite } from './site.mjs';
import { ACTIONS, fragment, measure, ready } from './step-actions.mjs';

const SIZES = [30, 100, 300];

const { server, browser } = await startSite();
try {
  for (const n of SIZES) {
    console.log(`to the next paint at ${n} commands, 40 actions each:`);
    for (const [name, act] of Object.entries(ACTIONS)) {
      const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
      await page.goto(server.url + fragment(n));
      await ready(page, n);
      const { median, slowest } = await measure(page, act, n);
      const position = await page.getByTestId('position').innerText();
      console.log(`${name.padEnd(7)} median ${median.toFixed(1)} ms, slowest ${slowest.toFixed(1)} ms (then at ${position})`);
      await page.close();
    }
  }
} finally {
  await stopSite({ server, browser });
}
