// Minifies the wasm-bindgen JS glue of a trunk build, in place, with terser,
// and updates its subresource-integrity hash in index.html.
//
// Trunk runs this as a post_build hook (Trunk.toml), on the staging dir,
// after it has written (and, for release, minified) index.html and before
// it moves the build into dist/. Trunk does try to minify the glue itself,
// but its minifier cannot parse it ("Failed to minify JS" in the build
// log) and ships it as is: about 50 KB, 8.7 KB gzip, against about 23 KB,
// 6.6 KB gzip after terser.
//
// index.html names the glue twice: the inline module script imports it, and
// a <link rel=modulepreload> carries its `integrity="sha384-..."`, which
// the browser checks; a stale hash and the site does not start. So the
// hash of the file as trunk wrote it is looked up in index.html (quoted or
// not, trunk's minified HTML drops the quotes) and replaced by the hash of
// the minified file. Anything unexpected (no glue file, no hash) fails the
// build instead of shipping an unminified or broken site.
//
//   node scripts/minify-glue.mjs [DIR]   DIR defaults to $TRUNK_STAGING_DIR
//
// Debug builds ($TRUNK_PROFILE=debug) keep the glue readable.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// terser is an npm dev dependency of e2e/ (scripts/setup.sh installs it).
const require = createRequire(new URL('../e2e/package.json', import.meta.url));

function fail(message) {
  console.error(`minify-glue: ${message}`);
  process.exit(1);
}

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) fail('no directory: pass one, or run as a trunk hook ($TRUNK_STAGING_DIR)');
if (process.env.TRUNK_PROFILE && process.env.TRUNK_PROFILE !== 'release') {
  console.log(`minify-glue: ${process.env.TRUNK_PROFILE} build, the JS glue stays as it is`);
  process.exit(0);
}

let minify;
try {
  ({ minify } = require('terser'));
} catch (e) {
  fail(`cannot load terser (run scripts/setup.sh): ${e.message}`);
}

const htmlPath = path.join(dir, 'index.html');
if (!existsSync(htmlPath)) fail(`no ${htmlPath}`);
let html = readFileSync(htmlPath, 'utf8');

// wasm-bindgen writes NAME.js beside NAME_bg.wasm; other JS is not its.
const names = readdirSync(dir);
const glue = names.filter((n) => n.endsWith('.js') && names.includes(n.replace(/\.js$/, '_bg.wasm')));
if (glue.length === 0) fail(`no wasm-bindgen JS (NAME.js beside NAME_bg.wasm) in ${dir}`);

// Integrity values trunk may write (sha384 unless a link asks otherwise).
const ALGORITHMS = ['sha256', 'sha384', 'sha512'];
const sri = (alg, bytes) => `${alg}-${createHash(alg).update(bytes).digest('base64')}`;
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Nothing is written until every file has its new hash in place.
const writes = [];
for (const name of glue) {
  const file = path.join(dir, name);
  const source = readFileSync(file);
  // The page's own glue is in index.html with its integrity hash; a
  // module the app loads on demand (the log check) is not.
  const inPage = html.includes(name);

  // An ES module: terser keeps the exported names (the inline script and
  // wasm-bindgen's imports object use them) and mangles the rest.
  const result = await minify(source.toString('utf8'), { module: true, compress: true, mangle: true });
  if (!result.code) fail(`terser returned nothing for ${name}`);
  const minified = Buffer.from(result.code, 'utf8');

  // `integrity=sha384-OLD`, `integrity="sha384-OLD"` or `integrity='...'`.
  let replaced = 0;
  for (const alg of ALGORITHMS) {
    const attr = new RegExp(`(integrity=["']?)${escape(sri(alg, source))}(?=["'\\s>])`, 'g');
    html = html.replace(attr, (_, prefix) => {
      replaced += 1;
      return prefix + sri(alg, minified);
    });
  }
  if (inPage && replaced === 0) {
    fail(`no integrity attribute with the hash of ${name} in index.html: the minified file would not match it`);
  }

  writes.push([file, minified]);
  console.log(`minify-glue: ${name} ${source.length} -> ${minified.length} bytes, ${replaced} integrity hash(es) updated`);
}
if (!glue.some((name) => html.includes(name))) fail('index.html loads none of the wasm-bindgen JS');
for (const [file, bytes] of writes) writeFileSync(file, bytes);
writeFileSync(htmlPath, html);
