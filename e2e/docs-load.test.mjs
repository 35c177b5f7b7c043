// The docs pane loads a chapter when it is opened (book/segments/), and
// says so when it cannot, pointing at the static book.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, stopSite } from './site.mjs';

let browser;
let server;

before(async () => ({ server, browser } = await startSite()));
after(() => stopSite({ server, browser }));

test('a chapter is fetched when it is opened, once', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const fetched = [];
  page.on('request', (r) => { if (r.url().includes('/book/segments/')) fetched.push(r.url().split('/').pop()); });
  await page.goto(`${server.url}#doc=modules`);
  await page.locator('[data-testid=chapter] h1').filter({ hasText: 'Modules that come and go' }).waitFor();
  assert.deepEqual(fetched, ['modules.txt']);
  await page.locator('nav.chapters a', { hasText: 'Forcing a transition' }).click();
  await page.locator('[data-testid=chapter] h1').filter({ hasText: 'Forcing a transition' }).waitFor();
  await page.locator('nav.chapters a', { hasText: 'Modules that come and go' }).click();
  await page.locator('[data-testid=chapter] h1').filter({ hasText: 'Modules that come and go' }).waitFor();
  assert.deepEqual(fetched, ['modules.txt', 'forcing.txt']);
  await context.close();
});

test('a chapter that cannot be loaded says so and links the book', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.route('**/book/segments/forcing.txt', (r) => r.fulfill({ status: 404, body: 'not here' }));
  await page.goto(`${server.url}#doc=forcing`);
  const notice = page.locator('[data-testid=chapter-error]');
  await notice.waitFor();
  assert.match(await notice.innerText(), /could not be loaded: could not fetch book\/segments\/forcing\.txt \(HTTP 404\)/);
  assert.equal(await notice.locator('a').getAttribute('href'), 'book/forcing.html');
  await context.close();
});
