#!/usr/bin/env node
// Serves the built playground (dist/) on the loopback interface only, with the right type for .wasm and
// a strict Content-Security-Policy (no inline script or style; 'wasm-unsafe-eval' lets the page compile
// its WebAssembly module and nothing else).
//
//   node scripts/serve.mjs [--root DIR] [--port N]      (PORT env also sets the port; 0 = any free port)
//
// Prints one line "serving DIR at http://127.0.0.1:PORT/" once listening (tests read the port from it).
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HOST = '127.0.0.1';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.crt': 'application/x-pem-file',
  '.pem': 'application/x-pem-file',
  '.key': 'application/x-pem-file',
};

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-cache',
};

function send(res, status, text) {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

/** Maps a request path to a file under root, or null when it would leave root. */
function resolvePath(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

/**
 * Creates (but does not start) the static file server for `root`.
 * @param {{ root: string, log?: (line: string) => void }} options
 */
export function createStaticServer({ root, log = () => {} }) {
  const absRoot = path.resolve(root);
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    log(`${req.method} ${url.pathname}`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'method not allowed');
    }
    let file = resolvePath(absRoot, url.pathname);
    if (!file) return send(res, 404, 'not found');
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = path.join(file, 'index.html');
        info = await stat(file);
      }
      if (!info.isFile()) return send(res, 404, 'not found');
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': info.size,
      });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file)
        .on('error', () => res.destroy())
        .pipe(res);
    } catch {
      send(res, 404, 'not found');
    }
  });
}

/** Starts serving `root` on 127.0.0.1:`port` (0 = a free port); resolves to { server, url }. */
export async function serve({ root, port = 0, log } = {}) {
  const server = createStaticServer({ root, log });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, resolve);
  });
  const { port: actual } = server.address();
  return { server, url: `http://${HOST}:${actual}/` };
}

function parseArgs(argv) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const opts = { root: path.join(here, '..', 'dist'), port: Number(process.env.PORT ?? 8080) };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--root') opts.root = argv[++i];
    else if (arg === '--port') opts.port = Number(argv[++i]);
    else if (arg === '--log') opts.log = (line) => console.log(line);
    else {
      console.error(`serve.mjs: unknown argument ${arg}\nusage: node scripts/serve.mjs [--root DIR] [--port N] [--log]`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    console.error(`serve.mjs: invalid port ${opts.port}`);
    process.exit(2);
  }
  return opts;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const opts = parseArgs(process.argv.slice(2));
  try {
    const st = await stat(path.join(opts.root, 'index.html'));
    if (!st.isFile()) throw new Error('not a file');
  } catch {
    console.error(`serve.mjs: ${path.join(opts.root, 'index.html')} not found; run npm run build first`);
    process.exit(1);
  }
  const { server, url } = await serve(opts).catch((err) => {
    console.error(`serve.mjs: cannot listen on ${HOST}:${opts.port}: ${err.message}`);
    process.exit(1);
  });
  console.log(`serving ${path.relative(process.cwd(), path.resolve(opts.root)) || '.'} at ${url}`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
