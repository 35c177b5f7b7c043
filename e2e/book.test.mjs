// The documentation as a book, in Debian's headless Chromium: search over
// every chapter (keyboard only), previous/next and the chapter list, and the
// static pages in dist/book/ that a reader without JavaScript gets.
// Run: `cd e2e && node --test` after `trunk build --release`.

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

/** A fresh page on `url`, recording errors; `js: false` turns JavaScript off. */
async function open(url, { js = true } = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, javaScriptEnabled: js });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(url);
  if (js) await page.locator('[data-testid=explorer]').waitFor({ timeout: 15_000 });
  return { page, errors, context };
}

/** Whether the element with `id` is inside the viewport (its top edge shown). */
async function inView(page, id) {
  return page.evaluate((id) => {
    const el = document.getElementById(id);
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.top < window.innerHeight;
  }, id);
}

/** The `#doc=CHAPTER/HEADING` of the current URL, as [chapter, heading]. */
async function docRoute(page) {
  const m = /doc=([\w-]+)(?:\/([\w-]+))?/.exec(new URL(page.url()).hash);
  return m ? [m[1], m[2]] : [];
}

async function searchAndOpen(page, query, { arrow }) {
  // `/` from anywhere outside a text field moves focus to the search box.
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'search-box');
  await page.keyboard.type(query);
  const results = page.locator('[data-testid=search] .search-results');
  await results.locator('a').first().waitFor();
  const first = (await results.locator('a').first().innerText()).toLowerCase();
  assert.ok(first.includes(query.toLowerCase()), `first result mentions ${query}: ${first}`);
  if (arrow) {
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement?.closest('.search-results') !== null), true);
  }
  const where = (await results.locator('a .where').first().innerText()).trim();
  const before = await page.evaluate(() => location.hash);
  await page.keyboard.press('Enter');
  // The address follows once the page rests (lib.rs, URL_REST).
  await page.waitForFunction((before) => location.hash !== before && /doc=[\w-]+\/[\w-]+/.test(location.hash), before);
  const [chapter, heading] = await docRoute(page);
  const id = `doc-${heading}`;
  // The section's heading is shown, in view, and has the focus.
  await page.waitForFunction((id) => document.activeElement?.id === id, id);
  await page.waitForTimeout(300);
  assert.ok(await inView(page, id), `${id} is in view`);
  const text = (await page.locator(`#${id}`).innerText()).replace(/#$/, '').trim();
  assert.ok(where.endsWith(text) || where.startsWith(text), `result "${where}" opened "${text}"`);
  assert.ok((await results.isHidden()), 'the results close');
  return { chapter, heading };
}

test('search finds post_unpatch_enabled and MODULE_STATE_COMING and opens the section, keyboard only', async () => {
  const { page, errors, context } = await open(server.url);
  const a = await searchAndOpen(page, 'post_unpatch_enabled', { arrow: false });
  assert.ok(a.chapter && a.heading);
  const b = await searchAndOpen(page, 'MODULE_STATE_COMING', { arrow: true });
  assert.ok(b.chapter && b.heading);
  // Esc closes the results and leaves focus in the box.
  await page.keyboard.press('/');
  await page.keyboard.type(' loaded');
  await page.locator('.search-results a').first().waitFor();
  await page.keyboard.press('Escape');
  assert.ok(await page.locator('.search-results').isHidden());
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'search-box');
  // A query nothing matches says so.
  await page.keyboard.press('Control+a');
  await page.keyboard.type('zzqx no such words');
  assert.match(await page.locator('#search-status').innerText(), /No section/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('`/` typed in a text field stays there', async () => {
  const { page, context } = await open(server.url);
  const line = page.locator('#cmd-input');
  await line.click();
  await page.keyboard.type('echo 1 > /sys');
  assert.match(await line.inputValue(), /\/sys$/);
  assert.notEqual(await page.evaluate(() => document.activeElement?.id), 'search-box');
  await context.close();
});

test('chapter list and previous/next move through the chapters', async () => {
  const { page, errors, context } = await open(server.url);
  const chapters = page.locator('nav.chapters > ol > li > a');
  const n = await chapters.count();
  assert.ok(n >= 3);
  const slug = async (i) => (await chapters.nth(i).getAttribute('href')).replace('#doc=', '');
  await chapters.nth(1).click();
  await page.waitForFunction((s) => location.hash.includes(`doc=${s}`), await slug(1));
  await page.locator('nav.prev-next a.next').click();
  await page.waitForFunction((s) => location.hash.includes(`doc=${s}`), await slug(2));
  assert.equal(await chapters.nth(2).getAttribute('aria-current'), 'page');
  await page.locator('nav.prev-next a.prev').click();
  await page.waitForFunction((s) => location.hash.includes(`doc=${s}`), await slug(1));
  // The first chapter has no previous one, the last no next one.
  await chapters.nth(0).click();
  await page.waitForFunction((s) => location.hash.includes(`doc=${s}`), await slug(0));
  assert.equal(await page.locator('nav.prev-next a.prev').count(), 0);
  await chapters.nth(n - 1).click();
  await page.waitForFunction((s) => location.hash.includes(`doc=${s}`), await slug(n - 1));
  assert.equal(await page.locator('nav.prev-next a.next').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('without JavaScript, index.html leads to the book, whose pages show transcripts', async () => {
  const { page, errors, context } = await open(server.url, { js: false });
  const link = page.getByRole('link', { name: /documentation as plain pages/ });
  assert.ok(await link.isVisible(), 'the noscript link is visible');
  await link.click();
  await page.waitForURL(/\/book\/index\.html$/);
  const chapters = await page.locator('ol.toc > li > a').count();
  assert.ok(chapters >= 3);
  // Next from the contents is the first chapter; it shows a transcript.
  await page.locator('nav.prev-next a.next').click();
  await page.waitForURL(/\/book\/[\w-]+\.html$/);
  const first = page.url();
  const transcript = page.locator('figure.live pre.live-log').first();
  assert.ok(await transcript.isVisible());
  assert.match(await transcript.innerText(), /^% (insmod|modprobe|rmmod|echo|sysctl|sleep) /m);
  // Its explorer link carries the scenario.
  assert.match(await page.locator('figure.live a.open').first().getAttribute('href'), /^\.\.\/index\.html#doc=[\w-]+&s1=/);
  // Previous / next between chapters.
  await page.locator('nav.prev-next a.next').click();
  await page.waitForURL((u) => u.toString() !== first);
  await page.locator('nav.prev-next a.prev').click();
  await page.waitForURL(first);
  // The whole book on one page.
  await page.goto(new URL('print.html', page.url()).toString());
  assert.equal(await page.locator('section.print-chapter').count(), chapters);
  assert.deepEqual(errors, []);
  await context.close();
});

test('no serious or critical accessibility violations with search results open, nor in the book', async () => {
  const { page, context } = await open(server.url);
  await page.locator('#search-box').fill('transition');
  await page.locator('.search-results a').first().waitFor();
  const pages = [page];
  const book = await context.newPage();
  await book.goto(new URL('book/index.html', server.url).toString());
  await book.locator('nav.prev-next a.next').click();
  await book.waitForURL(/\/book\/[\w-]+\.html$/);
  pages.push(book);
  for (const p of pages) {
    await p.addScriptTag({ path: AXE });
    const result = await p.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${p.url()}: ${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    assert.deepEqual(bad, []);
  }
  await context.close();
});
