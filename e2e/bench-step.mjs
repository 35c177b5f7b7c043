// Step, scrub and select to paint at 30, 100 and 300 commands, in Debian's
// headless Chromium at 1366 px: a scenario of N commands opened at its
// middle step, then
// - step: the forward button clicked 40 times (back at the end);
// - scrub: the range moved 40 times, to steps spread over the scenario;
// - select: 40 clicks on callback markers in view, each a different one.
// Each time is from the action to the end of the frame that shows its
// result: a task queued from the next animation frame runs after that
// frame's style, layout and paint (what a reader waits for). Prints the
// median and the slowest of each. Run: `make bench` (after `trunk build
// --release`).

import { startSite, stopSite } from './site.mjs';

const CYCLE = [
  'i.mod', 'i.busy+block_transition=Y', 'i.demo', 'demo/enabled=0', 'r.demo',
  'r.busy', 'i.demo2+replace=1', 'demo2/enabled=0', 'r.demo2', 'r.mod',
];
const SIZES = [30, 100, 300];

/** A scenario of `n` commands (a multiple of 10), opened at its middle. */
const fragment = (n) => `#at=${n / 2}&s1=${Array.from({ length: n / 10 }, () => CYCLE).flat().join(',')}`;

/** Runs `act(i)` in the page 40 times; the times to the end of each frame. */
async function measure(page, act, n) {
  const times = [];
  for (let i = 0; i < 40; i++) {
    times.push(
      await page.evaluate(
        ([source, i, n]) =>
          new Promise((done) => {
            const t0 = performance.now();
            new Function('i', 'n', source)(i, n);
            requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0));
          }),
        [act, i, n],
      ),
    );
    // Let the address catch up between actions, as a reader's pause would.
    await page.waitForTimeout(150);
  }
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1], slowest: times.at(-1) };
}

const ACTIONS = {
  // Forward, and back once at the end (40 steps outrun 30 commands).
  step: `const f = document.querySelector('[data-testid=forward]');
    (f.disabled ? document.querySelector('[data-testid=back]') : f).click();`,
  scrub: `const r = document.querySelector('[data-testid=scrub]');
    r.value = String((i * 37) % (n + 1));
    r.dispatchEvent(new Event('input', { bubbles: true }));`,
  select: `const all = [...document.querySelectorAll('[data-testid=timeline] button.marker')];
    const box = document.querySelector('[data-testid=timeline]').getBoundingClientRect();
    const seen = all.filter((b) => { const r = b.getBoundingClientRect(); const x = (r.left + r.right) / 2; return x >= box.left && x <= box.right; });
    if (seen.length === 0) throw new Error('no callback marker in the timeline\'s view to select');
    seen[i % seen.length].click();`,
};

const { server, browser } = await startSite();
try {
  for (const n of SIZES) {
    console.log(`to the next paint at ${n} commands, 40 actions each:`);
    for (const [name, act] of Object.entries(ACTIONS)) {
      const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
      await page.goto(server.url + fragment(n));
      await page.getByTestId('position').filter({ hasText: `step ${n / 2} / ${n}` }).waitFor({ timeout: 60_000 });
      const { median, slowest } = await measure(page, act, n);
      const position = await page.getByTestId('position').innerText();
      console.log(`${name.padEnd(7)} median ${median.toFixed(1)} ms, slowest ${slowest.toFixed(1)} ms (then at ${position})`);
      await page.close();
    }
  }
} finally {
  await stopSite({ server, browser });
}
