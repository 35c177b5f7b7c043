// Exploration speed, native against wasm in headless Chromium, in one run:
// the same question ("can post_unpatch run without pre_patch?", answered
// never) explored to depth 10 by the release CLI and by the site's ask
// chapter, best of five each. The wasm figure is the time spent in the
// engine (the answer's data-busy-ms), without the frames painted between
// slices; the wall time with them is printed too. Run: `make bench`
// (builds both first).

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSite, stopSite } from './site.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = process.env.KLPSCOPE ?? path.join(ROOT, 'target/release/klpscope');
const QUESTION = 'post-unpatch-without-pre-patch';
const DEPTH = 10;
const RUNS = 5;

function native() {
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(CLI, ['explore', '--ask', QUESTION, '--depth', String(DEPTH)], { encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0 || !r.stdout.includes('never: checked')) throw new Error(`${CLI} failed: ${r.stderr}`);
    best = Math.min(best, ms);
  }
  return best;
}

async function wasm() {
  const { server, browser } = await startSite();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`${server.url}#doc=ask/questions`);
    await page.locator('[data-testid=ask] select[name=depth]').selectOption(String(DEPTH));
    let best = Infinity;
    let wall = Infinity;
    for (let i = 0; i < RUNS; i++) {
      // The click clears the last answer before it starts exploring.
      await page.locator(`button[data-ask="${QUESTION}"]`).click();
      const answer = page.locator('[data-testid=ask-answer] [data-answer=never]');
      await answer.waitFor({ timeout: 120_000 });
      best = Math.min(best, Number(await answer.getAttribute('data-busy-ms')));
      wall = Math.min(wall, Number(await answer.getAttribute('data-ms')));
    }
    return { best, wall };
  } finally {
    await stopSite({ server, browser });
  }
}

const n = native();
const w = await wasm();
console.log(`explore --ask ${QUESTION} --depth ${DEPTH}, best of ${RUNS}`);
console.log(`native (release CLI, whole process)      ${n.toFixed(0).padStart(6)} ms`);
console.log(`wasm in Chromium (time in the engine)    ${w.best.toFixed(0).padStart(6)} ms`);
console.log(`wasm in Chromium (wall, frames painted)  ${w.wall.toFixed(0).padStart(6)} ms`);
console.log(`ratio wasm / native                      ${(w.best / n).toFixed(2).padStart(6)}`);
