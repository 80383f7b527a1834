// The npm package: `npm pack`, then install the tarball into fresh projects in a temporary directory, each
// of which signs a message that OpenSSL verifies:
//   - a plain Node script (require('smime-wasm') -> pkg-node/),
//   - a webpack 5 project and a Vite project using smime-wasm/client (the Worker + pkg/ wasm), built, served
//     with the playground's strict CSP and run in the system Chromium.
// webpack, webpack-cli and vite come from the registry (or npm's cache); the tarball from disk.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { chromium } from 'playwright-core';

import { serve } from '../../scripts/serve.mjs';
import { ROOT, openssl, tempDir } from './helpers.mjs';

const run = promisify(execFile);
const NPM = { cwd: ROOT, maxBuffer: 64 << 20, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } };
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'];

const PAGE_SCRIPT = `import { SmimeClient } from 'smime-wasm/client';
const out = document.getElementById('out');
try {
  const smime = await SmimeClient.start();
  const ca = await smime.generateTestCa({ name: 'Packaging CA' });
  const me = await smime.generateTestIdentity({ email: 'pack@example.org', issuer: ca.id });
  const message = await smime.compose({ from: 'pack@example.org', to: 'x@example.org', subject: 'packaged', text: 'Signed by the packaged client.' });
  const signed = await smime.sign({ identity: me.id, message });
  out.dataset.ca = ca.certificate.pem;
  out.textContent = new TextDecoder().decode(signed);
  out.dataset.done = 'ok';
} catch (err) {
  out.textContent = String(err.code) + ': ' + err.message;
  out.dataset.done = 'error';
}
`;
const PAGE_HTML = (script) => `<!doctype html><meta charset="utf-8"><title>packaged</title><pre id="out"></pre><script type="module" src="${script}"></script>\n`;

async function npm(args, cwd) {
  return run('npm', args, { ...NPM, cwd });
}

async function verify(dir, eml, ca, text) {
  const file = path.join(dir, `signed-${Date.now()}.eml`);
  const caFile = path.join(dir, `ca-${Date.now()}.pem`);
  writeFileSync(file, eml);
  writeFileSync(caFile, ca);
  const { stdout } = await openssl(['cms', '-verify', '-in', file, '-CAfile', caFile]);
  assert.ok(stdout.includes(text), `the verified content holds ${JSON.stringify(text)}`);
}

describe('npm pack: the tarball in fresh Node, webpack and Vite projects', { timeout: 300_000 }, () => {
  let work;
  let tarball;
  let browser;

  before(async () => {
    work = tempDir('smime-pack-');
    const { stdout } = await npm(['pack', '--json', '--pack-destination', work.dir], ROOT);
    const [info] = JSON.parse(stdout);
    tarball = path.join(work.dir, info.filename);
    const files = info.files.map((f) => f.path);
    for (const f of ['pkg/smime_wasm.js', 'pkg/smime_wasm_bg.wasm', 'pkg/smime_wasm.d.ts', 'pkg-node/smime_wasm.js',
      'pkg-node/smime_wasm_bg.wasm', 'www/client/smime-client.js', 'www/client/worker.js', 'www/client/smime-client.d.ts', 'www/client/keyring.js']) {
      assert.ok(files.includes(f), `the tarball holds ${f}`);
    }
    assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('tests/')), 'no sources or tests in the tarball');
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    work?.cleanup();
  });

  function project(name, pkg) {
    const dir = path.join(work.dir, name);
    mkdirSync(path.join(dir, 'src'), { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `pack-${name}`, private: true, version: '1.0.0', ...pkg }, null, 2));
    return dir;
  }

  /** Serves dist with the playground's CSP, opens it in Chromium, returns {eml, ca}. */
  async function runPage(dist) {
    const { server, url } = await serve({ root: dist });
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    try {
      await page.goto(url);
      await page.waitForFunction(() => document.getElementById('out')?.dataset.done, null, { timeout: 60_000 });
      const out = page.locator('#out');
      assert.equal(await out.getAttribute('data-done'), 'ok', `${await out.textContent()} ${problems.join('; ')}`);
      return { eml: await out.textContent(), ca: await out.getAttribute('data-ca') };
    } finally {
      await page.close();
      server.close();
    }
  }

  test('plain Node script: require("smime-wasm") signs', async () => {
    const dir = project('node', {});
    await npm(['install', '--no-save', '--offline', tarball], dir);
    writeFileSync(path.join(dir, 'sign.cjs'), `const { Identity, compose, sign } = require('smime-wasm');
(async () => {
  const ca = await Identity.generateTestCa({ name: 'Node CA' });
  const me = await Identity.generateTest({ email: 'node@example.org', issuer: ca });
  const message = await compose({ from: 'node@example.org', to: 'x@example.org', subject: 'n', text: 'Signed in plain Node.' });
  process.stdout.write(JSON.stringify({ ca: ca.certificate.toPem(), eml: Buffer.from(await sign(message, me)).toString('latin1') }));
})().catch((e) => { console.error(e.code, e.message); process.exit(1); });
`);
    const { stdout } = await run(process.execPath, ['sign.cjs'], { cwd: dir, maxBuffer: 16 << 20 });
    const { ca, eml } = JSON.parse(stdout);
    assert.match(eml, /multipart\/signed/);
    await verify(work.dir, eml, ca, 'Signed in plain Node.');
  });

  test('webpack 5 project: smime-wasm/client signs in Chromium', async () => {
    const dir = project('webpack', {});
    await npm(['install', '--no-save', '--prefer-offline', 'webpack@5.113.0', 'webpack-cli@6.0.1', tarball], dir);
    writeFileSync(path.join(dir, 'src', 'index.js'), PAGE_SCRIPT);
    writeFileSync(path.join(dir, 'webpack.config.js'), `module.exports = { mode: 'production', entry: './src/index.js',
  output: { path: __dirname + '/dist', filename: 'main.js', clean: true }, experiments: { topLevelAwait: true } };\n`);
    await run(path.join(dir, 'node_modules', '.bin', 'webpack'), [], { cwd: dir, maxBuffer: 16 << 20 });
    writeFileSync(path.join(dir, 'dist', 'index.html'), PAGE_HTML('main.js'));
    assert.ok(readdirSync(path.join(dir, 'dist')).some((f) => f.endsWith('.wasm')), 'webpack emitted the wasm module');
    const { eml, ca } = await runPage(path.join(dir, 'dist'));
    await verify(work.dir, eml, ca, 'Signed by the packaged client.');
  });

  test('Vite project: smime-wasm/client signs in Chromium', async () => {
    const dir = project('vite', { type: 'module' });
    await npm(['install', '--no-save', '--prefer-offline', 'vite@8.4.1', tarball], dir);
    writeFileSync(path.join(dir, 'src', 'main.js'), PAGE_SCRIPT);
    writeFileSync(path.join(dir, 'index.html'), PAGE_HTML('/src/main.js'));
    writeFileSync(path.join(dir, 'vite.config.js'), `export default { build: { target: 'es2022' } };\n`);
    await run(path.join(dir, 'node_modules', '.bin', 'vite'), ['build'], { cwd: dir, maxBuffer: 16 << 20 });
    const { eml, ca } = await runPage(path.join(dir, 'dist'));
    await verify(work.dir, eml, ca, 'Signed by the packaged client.');
  });
});
