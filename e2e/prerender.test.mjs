// The first paint: dist/index.html carries the page shell and the opening
// chapter (prerendered by the build, engine/src/book/prerender.rs), so its
// text shows before any script runs; the app then takes that page over in
// one task, with the same layout, one copy of the chapter, and the address
// still obeyed (a share link, another chapter, an embed).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, startSite, stopSite } from './site.mjs';

const TEXT = 'A livepatch replaces functions of a running Linux kernel';

let browser;
let server;

before(async () => ({ server, browser } = await startSite()));
after(() => stopSite({ server, browser }));

/** The page at `url` as it stands before the wasm runs (its download fails). */
async function prerendered(url, { width = 1366, js = true } = {}) {
  const context = await browser.newContext({ viewport: { width, height: 800 }, javaScriptEnabled: js });
  const page = await context.newPage();
  await page.route('**/*.wasm', (r) => r.abort());
  await page.goto(url);
  await page.locator('article.chapter').waitFor({ state: 'attached' });
  return { page, context };
}

/** Where the parts of the docs pane are, to the pixel. */
function layout(page) {
  return page.evaluate(() => {
    const out = {};
    for (const sel of ['header.top', '.search', 'nav.chapters', 'article.chapter h1', 'article.chapter p',
      'article.chapter figure.live', 'article.chapter h2', 'nav.prev-next', '#explorer-h']) {
      const r = document.querySelector(sel)?.getBoundingClientRect();
      out[sel] = r && [r.left, r.top, r.width, r.height].map(Math.round);
    }
    return out;
  });
}

test('the built page holds the opening chapter as HTML, before any script', async () => {
  const res = await fetch(server.url);
  const html = await res.text();
  const body = html.slice(html.indexOf('<body>'));
  assert.ok(body.startsWith('<body><div id="prerender">'), 'the prerendered page opens the body');
  assert.equal(body.split(TEXT).length - 1, 2, 'the text, and the same in the app\'s copy of the chapter');
  assert.ok(body.indexOf(TEXT) < body.indexOf('id="prerender-segments"'), 'the HTML comes before the data');
  assert.match(body, /<h1 id="doc-introduction">Introduction/);
  assert.match(body, /<a href="#doc=why">2 Why callbacks exist<\/a>/);
  // No script of the page runs before that text but the tiny chooser.
  const scripts = body.slice(0, body.indexOf(TEXT)).match(/<script\b[^>]*>/g) ?? [];
  assert.deepEqual(scripts, ['<script>']);
});

test('without JavaScript the page shows the chapter and says where the rest is', async () => {
  const { page, context } = await prerendered(server.url, { js: false, width: 390 });
  assert.ok(await page.locator('article.chapter p', { hasText: TEXT }).isVisible());
  assert.equal(await page.locator('article.chapter h1').innerText(), 'Introduction#');
  const link = page.getByRole('link', { name: /documentation as plain pages/ });
  assert.ok(await link.isVisible());
  assert.equal(await link.getAttribute('href'), 'book/index.html');
  // (Text in <noscript> is not matched by text locators.)
  const explorer = await page.evaluate(() => [...document.querySelectorAll('#explorer p')]
    .filter((p) => p.getBoundingClientRect().height > 0).map((p) => p.textContent));
  assert.deepEqual(explorer, ['The explorer needs JavaScript and WebAssembly to replay scenarios.']);
  // What needs the app is not offered.
  assert.equal(await page.locator('header .tools').isVisible(), false);
  assert.equal(await page.locator('.search').isVisible(), false);
  // A scenario block still has its commands and, folded, its transcript.
  const block = page.locator('article.chapter figure.live').first();
  assert.match(await block.locator('pre.live-commands').innerText(), /^% insmod test_modules\/test_klp_callbacks_demo\.ko/);
  await block.locator('summary').click();
  assert.match(await block.locator('pre.live-log').innerText(), /pre_patch_callback: vmlinux/);
  await context.close();
});

for (const width of [390, 1366]) {
  test(`the app takes the page over with the same layout and one copy of the chapter, at ${width} px`, async () => {
    const before = await prerendered(server.url, { width });
    const expected = await layout(before.page);
    await before.context.close();

    const fetched = [];
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    page.on('request', (r) => { if (r.url().includes('/book/segments/')) fetched.push(r.url()); });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Every frame from the start: is the chapter's text in the page?
    await page.addInitScript((text) => {
      window.__frames = [];
      const frame = () => {
        const p = [...document.querySelectorAll('article.chapter p')].filter((e) => e.textContent.startsWith(text));
        window.__frames.push(p.filter((e) => e.getBoundingClientRect().height > 0).length);
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    }, TEXT);
    await page.goto(server.url);
    await page.locator('[data-testid=explorer] [data-testid=forward]').waitFor();
    await page.waitForTimeout(300);
    assert.deepEqual(await layout(page), expected);
    assert.equal(await page.locator('#prerender, #prerender-segments').count(), 0);
    assert.equal(await page.locator('article.chapter').count(), 1);
    assert.equal(await page.locator('h1#doc-introduction').count(), 1);
    assert.deepEqual(fetched, [], 'the opening chapter is read from the page, not fetched');
    // From the first frame with the text, every frame has it, once.
    const frames = await page.evaluate(() => window.__frames);
    const first = frames.indexOf(1);
    assert.ok(first >= 0);
    assert.deepEqual([...new Set(frames.slice(first))], [1], 'no frame without the text, nor with two copies');
    // The app works: its live block draws a timeline, the explorer steps.
    assert.ok((await page.locator('[data-testid=mini-timeline] .marker').count()) > 0);
    await page.locator('[data-pick="test_klp_callbacks_mod"]').click();
    await page.locator('[data-module="test_klp_callbacks_mod"] button.cmd[data-cmd="insmod test_modules/test_klp_callbacks_mod.ko"]').click();
    assert.equal((await page.getByTestId('position').textContent()).trim(), 'step 1 / 1');
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('the docs pane stays where the reader scrolled the prerendered page', async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  const page = await context.newPage();
  // Hold the wasm back until the pane has been scrolled.
  let release;
  const held = new Promise((r) => (release = r));
  await page.route('**/*.wasm', async (r) => { await held; await r.continue(); });
  await page.goto(server.url);
  await page.locator('#prerender article.chapter h2').first().waitFor();
  await page.evaluate(() => { document.querySelector('#prerender .pane.docs').scrollTop = 600; });
  release();
  await page.locator('[data-testid=explorer] [data-testid=forward]').waitFor();
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => document.getElementById('docs').scrollTop), 600);
  await context.close();
});

for (const width of [390, 1366]) {
  test(`a link to a section of the opening chapter shows it before and after the app, at ${width} px`, async () => {
    const url = `${server.url}#doc=introduction/where-to-start`;
    const top = (page) => page.evaluate(() => Math.round(document.getElementById('doc-where-to-start').getBoundingClientRect().top));
    const before = await prerendered(url, { width });
    const expected = await top(before.page);
    // In view (the chapter ends soon after it, so it may not reach the top).
    assert.ok(expected >= 0 && expected < 400, `the section's heading at ${expected} px`);
    await before.context.close();
    const { page, context } = await openPage(browser, url, { width, height: 800 });
    await page.waitForTimeout(300);
    const after = await top(page);
    assert.ok(Math.abs(after - expected) <= 1, `the heading at ${expected} px, then at ${after} px`);
    await context.close();
  });
}

test('a share link opens its timeline beside the opening chapter', async () => {
  const { page, errors, context } = await openPage(browser, `${server.url}#s1=i.mod,i.demo`, { http: true });
  await page.locator('[data-testid=timeline] .marker').first().waitFor();
  assert.equal((await page.getByTestId('position').textContent()).trim(), 'step 2 / 2');
  assert.equal(await page.locator('article.chapter h1').innerText(), 'Introduction#');
  assert.equal(await page.locator('article.chapter').count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a link to another chapter never shows the opening one', async () => {
  const url = `${server.url}#doc=modules`;
  // Before the app: the opening chapter is hidden, the one asked for named.
  const before = await prerendered(url);
  assert.equal(await before.page.locator('article.chapter p', { hasText: TEXT }).isVisible(), false);
  assert.equal(await before.page.locator('article.chapter h1').isVisible(), false);
  const loading = await before.page.evaluate(() => getComputedStyle(document.querySelector('article.chapter'), '::before').content);
  assert.equal(loading, '"Loading “Modules that come and go”…"');
  assert.equal(await before.page.locator('nav.chapters a[aria-current=page]').innerText(), '4 Modules that come and go');
  // A click in the chapter list before the app runs is followed too.
  // (The page hears of it from a hashchange event, after the click.)
  await before.page.locator('nav.chapters a', { hasText: 'Forcing a transition' }).click();
  await before.page.waitForFunction(() =>
    getComputedStyle(document.querySelector('article.chapter'), '::before').content === '"Loading “Forcing a transition”…"');
  await before.page.locator('nav.chapters a', { hasText: '1 Introduction' }).click();
  await before.page.locator('article.chapter p', { hasText: TEXT }).waitFor();
  assert.equal(await before.page.locator('nav.chapters a[aria-current=page]').innerText(), '1 Introduction');
  await before.context.close();
  // The app: that chapter, once; the opening chapter's text nowhere.
  const { page, errors, context } = await openPage(browser, url, { http: true });
  await page.locator('article.chapter h1', { hasText: 'Modules that come and go' }).waitFor();
  assert.equal(await page.locator('article.chapter').count(), 1);
  assert.equal(await page.getByText(TEXT).count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
  // An exercise's link: not the opening chapter either.
  const quiz = await prerendered(`${server.url}#quiz=no-such-exercise`);
  assert.equal(await quiz.page.locator('article.chapter p', { hasText: TEXT }).isVisible(), false);
  await quiz.context.close();
});

test('an embed link shows none of the prerendered page', async () => {
  const before = await prerendered(`${server.url}#s1=i.mod&embed`);
  assert.equal(await before.page.locator('#prerender').isVisible(), false);
  await before.context.close();
});
