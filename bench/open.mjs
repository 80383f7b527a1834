// `open` speed of the wasm build: a 10 MiB signed message (multipart/signed, RSA-2048, signer
// validated at the RFC 9216 CA) and a 10 MiB encrypted one (AES-256-CBC and AES-256-GCM to
// RSA-2048), each provider, in Node (pkg-node/) and in headless Chromium (pkg/). Prints a Markdown
// table and writes it to bench/results/<date>-<env>-open.md.
//
//   npm run build && node bench/open.mjs [--runs N] [--no-write]
//
// Every result is checked: the signer must be trusted and the content must be the message's.
import { createServer } from 'node:http';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 5;
const WRITE = !args.includes('--no-write');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const data = (rel) => readFileSync(path.join(ROOT, 'tests', 'data', rel));

// The workload, as source text so that the page runs exactly the same code.
const WORKLOAD = `
async function workload(m, files, runs, size) {
  const text = (b) => new TextDecoder().decode(b);
  const line = 'The quick brown fox jumps over the lazy dog 0123456789 abcdefghij\\r\\n';
  let body = 'From: alice@smime.example\\r\\nTo: bob@smime.example\\r\\nSubject: bench\\r\\nContent-Type: text/plain\\r\\n\\r\\n';
  body += line.repeat(Math.ceil(size / line.length));
  const message = new TextEncoder().encode(body.slice(0, size));
  const alice = await m.Identity.fromPem(files.aliceKey, [files.aliceCrt, files.ca]);
  const bob = await m.Identity.fromPkcs12(files.bobP12, 'bob');
  const inputs = {
    'signed-rsa2048': await m.sign(message, alice, { provider: 'rustcrypto' }),
    'encrypted-aes256cbc': await m.encrypt(message, [files.bobCrt], { cipher: 'aes-256-cbc', provider: 'rustcrypto' }),
    'encrypted-aes256gcm': await m.encrypt(message, [files.bobCrt], { cipher: 'aes-256-gcm', provider: 'rustcrypto' }),
  };
  const out = [];
  for (const [name, input] of Object.entries(inputs)) {
    for (const provider of ['webcrypto', 'rustcrypto']) {
      const times = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const r = await m.open(input, { identity: bob, trust: files.ca, provider });
        times.push(performance.now() - t0);
        if (name.startsWith('signed') && !(r.signers[0] && r.signers[0].trusted)) throw new Error(name + ': signer not trusted');
        if (!text(r.content).includes('lazy dog')) throw new Error(name + ': content');
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)];
      out.push({ name, provider, ms: median, mbps: size / 1e6 / (median / 1000) });
    }
  }
  alice.free(); bob.free();
  return out;
}`;

const files = {
  aliceKey: data('rfc9216/alice.sign.key').toString(),
  aliceCrt: data('rfc9216/alice.sign.crt').toString(),
  ca: data('rfc9216/ca.rsa.crt').toString(),
  bobCrt: data('rfc9216/bob.encrypt.crt').toString(),
  bobP12: new Uint8Array(data('rfc9216/bob.p12')),
};
const SIZE = 10 * 1024 * 1024;

async function inNode() {
  const m = createRequire(import.meta.url)(path.join(ROOT, 'pkg-node', 'smime_wasm.js'));
  const workload = new Function(`${WORKLOAD}; return workload;`)();
  return workload(m, files, RUNS, SIZE);
}

async function inChromium() {
  const page = `<!doctype html><meta charset="utf-8"><script type="module" src="/main.mjs"></script>`;
  const main = `import init, * as m from '/pkg/smime_wasm.js';
${WORKLOAD}
window.run = async (files, runs, size) => { await init(); files.bobP12 = new Uint8Array(files.bobP12); return workload(m, files, runs, size); };
window.ready = true;`;
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    if (url.pathname === '/main.mjs') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(main);
    const m = url.pathname.match(/^\/pkg\/([\w.-]+)$/);
    if (!m) return res.writeHead(404).end();
    try {
      const body = readFileSync(path.join(ROOT, 'pkg', m[1]));
      const type = m[1].endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
      res.writeHead(200, { 'content-type': type }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    const p = await browser.newPage();
    p.on('pageerror', (e) => console.error('page error:', e.message));
    await p.goto(`http://127.0.0.1:${server.address().port}/`);
    await p.waitForFunction(() => window.ready === true, null, { timeout: 60_000 });
    return await p.evaluate(([f, runs, size]) => window.run(f, runs, size),
      [{ ...files, bobP12: Array.from(files.bobP12) }, RUNS, SIZE]);
  } finally {
    await browser.close();
    server.close();
  }
}

const rows = [];
for (const [where, fn] of [['Node', inNode], ['Chromium', inChromium]]) {
  for (const r of await fn()) rows.push({ where, ...r });
}
const load = os.loadavg()[0].toFixed(2);
const table = [
  `# open(): 10 MiB messages, median of ${RUNS} runs (${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} CPUs, load ${load})`,
  '',
  '| where | message | provider | ms | MB/s |',
  '|---|---|---|---:|---:|',
  ...rows.map((r) => `| ${r.where} | ${r.name} | ${r.provider} | ${r.ms.toFixed(0)} | ${r.mbps.toFixed(1)} |`),
  '',
].join('\n');
console.log(table);
if (WRITE) {
  const dir = path.join(HERE, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().slice(0, 10)}-${process.platform}-${process.arch}-${os.cpus().length}cpu-open.md`);
  writeFileSync(file, table);
  console.log(`written ${path.relative(ROOT, file)}`);
}
