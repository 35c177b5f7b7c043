// A static file server for dist/, on 127.0.0.1 and a free port.
// `prefix` serves the site under a sub-path (e.g. "/docs/klpscope/"), as a
// static host would. With `gzip: true` text and wasm go gzip-compressed
// (level 9, compressed once per file) to a client that accepts it, as a
// static host serves them: what `make bench` loads over an emulated network.
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

// What a static host compresses.
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.wasm', '.svg', '.json', '.txt']);

export function startServer({ root = DIST, prefix = '/', port = 0, gzip = false } = {}) {
  const compressed = new Map();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let p = decodeURIComponent(url.pathname);
    if (!p.startsWith(prefix)) {
      res.writeHead(404).end('not found');
      return;
    }
    p = p.slice(prefix.length);
    if (p === '' || p.endsWith('/')) p += 'index.html';
    const file = path.resolve(root, p);
    if (!file.startsWith(root + path.sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      let body = await readFile(file);
      const headers = {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      };
      if (gzip && COMPRESSIBLE.has(path.extname(file)) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
        if (!compressed.has(file)) compressed.set(file, gzipSync(body, { level: 9 }));
        body = compressed.get(file);
        headers['content-encoding'] = 'gzip';
        headers['vary'] = 'accept-encoding';
      }
      headers['content-length'] = body.length;
      res.writeHead(200, headers);
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}${prefix}`,
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}

// `node server.mjs [prefix]`: serve dist/ until interrupted (GZIP=1: compressed).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = await startServer({ prefix: process.argv[2] ?? '/', port: Number(process.env.PORT ?? 0), gzip: process.env.GZIP === '1' });
  console.log(`serving ${DIST} at ${s.url}`);
}
