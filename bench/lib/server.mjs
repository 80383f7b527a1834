// The loopback server of the browser half: serves the bench page, the shared workload code, the
// wasm package and the peers' files, and takes the first outputs back (POST /keep/NAME) so that
// run.mjs can check them with OpenSSL. 127.0.0.1 only, GET/POST only, a fixed set of roots, a
// request budget and a lifetime after which it closes itself.

import { createServer } from 'node:http';
import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { join, normalize, sep, extname } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
};

const KEEP_MAX_BYTES = 48 * 1024 * 1024;
const KEEP_NAME = /^[a-z0-9][a-z0-9._-]{0,120}$/;

/**
 * roots: { '/prefix/': '/abs/dir', ... } (prefix ends with '/'); index: file served at '/'.
 * keepDir: where POST /keep/NAME writes. lifetimeMs / maxRequests bound the server.
 * Resolves to { url, close(), served } where served maps each path served to its byte count.
 */
export function startServer({ roots, index, keepDir, lifetimeMs, maxRequests = 5000, log = () => {} }) {
  const served = new Map();
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    if (requests > maxRequests) {
      res.writeHead(503).end('request budget spent');
      return;
    }
    const url = new URL(req.url, 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname);
    if (req.method === 'POST' && path.startsWith('/keep/')) return keep(req, res, path.slice(6));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    const file = path === '/' ? index : resolveFile(roots, path);
    if (!file) {
      res.writeHead(404).end('not found');
      return;
    }
    let st;
    try {
      st = statSync(file);
    } catch {
      st = null;
    }
    if (!st || !st.isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    served.set(path, st.size);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] || 'application/octet-stream',
      'content-length': st.size,
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });

  function keep(req, res, name) {
    if (!KEEP_NAME.test(name)) {
      res.writeHead(400).end('bad name');
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > KEEP_MAX_BYTES) {
        res.writeHead(413).end('too large');
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (size > KEEP_MAX_BYTES) return;
      writeFileSync(join(keepDir, name), Buffer.concat(chunks));
      res.writeHead(204).end();
    });
  }

  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      const timer = setTimeout(() => {
        log(`server: lifetime of ${Math.round(lifetimeMs / 1000)} s reached, closing`);
        close();
      }, lifetimeMs);
      timer.unref();
      let closed = false;
      function close() {
        if (closed) return Promise.resolve();
        closed = true;
        clearTimeout(timer);
        return new Promise((r) => {
          server.close(() => r());
          server.closeAllConnections();
        });
      }
      resolve({ url: `http://127.0.0.1:${port}/`, close, served });
    });
  });
}

function resolveFile(roots, path) {
  for (const [prefix, dir] of Object.entries(roots)) {
    if (!path.startsWith(prefix)) continue;
    const rel = normalize(path.slice(prefix.length));
    if (rel.startsWith('..') || rel.includes(`${sep}..${sep}`) || rel.startsWith(sep)) return null;
    const file = join(dir, rel);
    if (!file.startsWith(dir + sep) && file !== dir) return null;
    return file;
  }
  return null;
}
