// The actions e2e/bench-step.mjs times, shared with the browser test that
// checks each does what it says (timeline.test.mjs): a bench that cannot
// run is found by `make test`, not by the next `make bench`.

export const CYCLE = [
  'i.mod', 'i.busy+block_transition=Y', 'i.demo', 'demo/enabled=0', 'r.demo',
  'r.busy', 'i.demo2+replace=1', 'demo2/enabled=0', 'r.demo2', 'r.mod',
];

/** A scenario of `n` commands (a multiple of 10), opened at its middle. */
export const fragment = (n) => `#at=${n / 2}&s1=${Array.from({ length: n / 10 }, () => CYCLE).flat().join(',')}`;

/**
 * Waits until the explorer stands at step `n / 2` of `n` and the timeline
 * shows that step's column: the first frames draw the columns before the
 * box scrolls to them, and a marker out of view cannot be selected.
 */
export async function ready(page, n) {
  await page.getByTestId('position').filter({ hasText: `step ${n / 2} / ${n}` }).waitFor({ timeout: 60_000 });
  await page.waitForFunction((step) => {
    const box = document.querySelector('[data-testid=timeline]')?.getBoundingClientRect();
    const head = document.querySelector(`[data-testid=timeline] [data-step-head="${step}"]`)?.getBoundingClientRect();
    return box && head && head.left >= box.left && head.right <= box.right;
  }, n / 2, { timeout: 60_000 });
}

/** Runs `act(i)` in the page `count` times; the median and slowest time to the end of a frame. */
export async function measure(page, act, n, count = 40) {
  const times = [];
  for (let i = 0; i < count; i++) {
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

export const ACTIONS = {
  // Forward, and back once at the end (40 steps outrun 30 commands).
  step: `const f = document.querySelector('[data-testid=forward]');
    (f.disabled ? document.querySelector('[data-testid=back]') : f).click();`,
  scrub: `const r = document.querySelector('[data-testid=scrub]');
    r.value = String((i * 37) % (n + 1));
    r.dispatchEvent(new Event('input', { bubbles: true }));`,
  // A thumb dragged along the range: three steps further at each input,
  // from the middle (round to the start past the end).
  drag: `const r = document.querySelector('[data-testid=scrub]');
    r.value = String((n / 2 + 3 * (i + 1)) % (n + 1));
    r.dispatchEvent(new Event('input', { bubbles: true }));`,
  select: `const all = [...document.querySelectorAll('[data-testid=timeline] button.marker')];
    const box = document.querySelector('[data-testid=timeline]').getBoundingClientRect();
    const seen = all.filter((b) => { const r = b.getBoundingClientRect(); const x = (r.left + r.right) / 2; return x >= box.left && x <= box.right; });
    if (seen.length === 0) throw new Error("no callback marker in the timeline's view to select");
    seen[i % seen.length].click();`,
};
