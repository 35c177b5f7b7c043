// What a first visit waits for over a slow network: Debian's headless
// Chromium with its network emulated through CDP
// (`Network.emulateNetworkConditions`: 150 ms latency, 1.6 Mbit/s down,
// 750 kbit/s up, the figures of Chromium's Slow 4G profile), the cache
// disabled and a fresh context for every load, dist/ served gzip-compressed
// (e2e/server.mjs with `gzip: true`). No CPU throttling. Measured, each as
// the median of 3 loads (all loads of a round in turn, so the figures share
// the machine's state), from the start of navigation:
// - the static book's first chapter (dist/book/introduction.html): its text;
// - the site (dist/index.html): the first chapter's text, and the explorer
//   ready (mounted, its step buttons drawn);
// - a share link (#s1=…): its scenario's callbacks on the explorer's timeline.
// "Shown" is the animation frame in which the element is in the page and
// laid out with a size: that frame paints it. Bytes are what the load
// brought over the wire (compressed), the explorer's included. Run: `make bench` (after `trunk build
// --release`); `node bench-load.mjs DIR` loads another build's dist/ instead.

import path from 'node:path';
import { startServer } from './server.mjs';
import { launchChromium } from './site.mjs';

const RUNS = 3;
const NETWORK = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1000 * 1000) / 8,
  uploadThroughput: (750 * 1000) / 8,
};
// The opening chapter's first words, in the book's page and in the site.
const TEXT = 'A livepatch replaces functions of a running Linux kernel';
const SHARE = '#s1=i.mod,i.demo,demo/enabled=0';

// Runs in the page from its start: every animation frame, notes the first
// frame in which each watched element is in the page with a size.
const WATCH = `
(() => {
  const seen = (window.__shown = {});
  const sized = (el) => el && el.getClientRects().length > 0 && el.getBoundingClientRect().height > 0;
  const checks = {
    text: () => [...document.querySelectorAll('article.chapter p')].some((p) => p.textContent.startsWith(${JSON.stringify(TEXT)}) && sized(p)),
    explorer: () => sized(document.querySelector('[data-testid=explorer] [data-testid=forward]')),
    timeline: () => sized(document.querySelector('[data-testid=timeline] .marker')),
  };
  const frame = (t) => {
    for (const [k, check] of Object.entries(checks)) if (!(k in seen) && check()) seen[k] = t;
    if (Object.keys(seen).length < Object.keys(checks).length) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();
`;

/** Loads `url` cold over the emulated network; the times of `wanted`. */
async function load(browser, url, wanted) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', NETWORK);
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => (bytes += e.encodedDataLength));
  await page.addInitScript(WATCH);
  await page.goto(url);
  await page.waitForFunction((keys) => keys.every((k) => k in window.__shown), wanted, { timeout: 30_000, polling: 50 });
  const shown = await page.evaluate(() => window.__shown);
  await context.close();
  return { ...Object.fromEntries(wanted.map((k) => [k, shown[k]])), bytes };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const root = process.argv[2] ? path.resolve(process.argv[2]) : undefined;
const server = await startServer({ gzip: true, ...(root && { root }) });
const browser = await launchChromium();
const results = { book: [], site: [], explorer: [], share: [], siteBytes: [], bookBytes: [] };
try {
  for (let i = 0; i < RUNS; i++) {
    const book = await load(browser, `${server.url}book/introduction.html`, ['text']);
    const site = await load(browser, server.url, ['text', 'explorer']);
    const share = await load(browser, `${server.url}${SHARE}`, ['timeline']);
    results.book.push(book.text);
    results.bookBytes.push(book.bytes);
    results.site.push(site.text);
    results.explorer.push(site.explorer);
    results.siteBytes.push(site.bytes);
    results.share.push(share.timeline);
    console.log(
      `run ${i + 1}: book text ${book.text.toFixed(0)} ms, site text ${site.text.toFixed(0)} ms, ` +
        `explorer ready ${site.explorer.toFixed(0)} ms, share link timeline ${share.timeline.toFixed(0)} ms`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}

const ms = (xs) => `${(median(xs) / 1000).toFixed(2)} s`;
const kb = (xs) => `${(median(xs) / 1024).toFixed(0)} KB`;
const ratio = median(results.site) / median(results.book);
console.log(`\nFirst visit over Slow 4G (150 ms, 1.6 Mbit/s down, 750 kbit/s up), cold cache, gzip; medians of ${RUNS}:`);
console.log(`| what | time | over the wire |`);
console.log(`|---|---|---|`);
console.log(`| static book page (book/introduction.html): chapter text | ${ms(results.book)} | ${kb(results.bookBytes)} |`);
console.log(`| site: first chapter text (target within 2x the book page: ${ratio.toFixed(2)}x) | ${ms(results.site)} | |`);
console.log(`| site: explorer ready (target 2.5 s) | ${ms(results.explorer)} | ${kb(results.siteBytes)} |`);
console.log(`| share link (${SHARE}): its timeline (target 2.5 s) | ${ms(results.share)} | |`);
