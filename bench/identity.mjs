// Identity import and generation times of the wasm build, in Node and headless Chromium:
//  - .p12 import: 3DES (pbeWithSHAAnd3-KeyTripleDES-CBC, SHA-1 MAC, 2048 iterations, as OpenSSL
//    -legacy and Windows write) and PBES2 (AES-256-CBC, PBKDF2-HMAC-SHA256, 600,000 iterations);
//  - test identity generation per key type (CA + user would double it: this times one user).
// Usage: npm run build && node bench/identity.mjs   (files are made with openssl in a temp dir)
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const tmp = mkdtempSync(path.join(tmpdir(), 'smime-id-bench-'));
const data = (p) => path.join(ROOT, 'tests', 'data', p);
const openssl = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const common = ['pkcs12', '-export', '-inkey', data('rfc9216/alice.sign.key'), '-in', data('rfc9216/alice.sign.crt'),
  '-certfile', data('rfc9216/ca.rsa.crt'), '-passout', 'pass:bench'];
openssl(...common, '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1', '-iter', '2048',
  '-out', path.join(tmp, '3des-2048.p12'));
openssl(...common, '-keypbe', 'AES-256-CBC', '-certpbe', 'AES-256-CBC', '-macalg', 'sha256', '-iter', '600000',
  '-out', path.join(tmp, 'pbes2-600000.p12'));
const files = {
  '3des-2048': [...readFileSync(path.join(tmp, '3des-2048.p12'))],
  'pbes2-600000': [...readFileSync(path.join(tmp, 'pbes2-600000.p12'))],
};

// Runs in Node and, serialized, in the page: `m` is the wasm module's exports.
async function measure(m, files) {
  const out = {};
  const time = async (fn, n) => {
    const samples = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const r = await fn();
      samples.push(performance.now() - t);
      r.free();
    }
    samples.sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)];
  };
  for (const [name, bytes] of Object.entries(files)) {
    out[`import ${name}.p12`] = await time(() => m.Identity.fromPkcs12(new Uint8Array(bytes), 'bench'), 3);
  }
  for (const keyType of ['RSA-2048', 'RSA-3072', 'P-256', 'P-384', 'Ed25519']) {
    const n = keyType.startsWith('RSA') ? 3 : 5;
    out[`generate ${keyType}`] = await time(() => m.Identity.generateTest({ email: 'bench@example.org', keyType }), n);
  }
  return out;
}

const results = {};
const node = require(path.join(ROOT, 'pkg-node', 'smime_wasm.js'));
results.Node = await measure(node, files);

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>bench</title>');
    return;
  }
  const file = path.join(ROOT, 'pkg', path.basename(url.pathname));
  try {
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const { chromium } = require(path.join(ROOT, 'node_modules', 'playwright-core'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  results.Chromium = await page.evaluate(async ({ src, files }) => {
    const m = await import('/smime_wasm.js');
    await m.default();
    // eslint-disable-next-line no-new-func
    const measure = new Function(`return (${src})`)();
    return measure(m, files);
  }, { src: measure.toString(), files });
} finally {
  await browser.close();
  server.close();
  rmSync(tmp, { recursive: true, force: true });
}

console.log('| operation | Node (ms, median) | Chromium (ms, median) |\n|---|---:|---:|');
for (const k of Object.keys(results.Node)) {
  console.log(`| ${k} | ${results.Node[k].toFixed(0)} | ${results.Chromium[k].toFixed(0)} |`);
}
