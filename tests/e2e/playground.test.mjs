// End-to-end test of the playground: the built dist/ served by scripts/serve.mjs, driven in the system's
// headless Chromium by playwright-core (no browser download). Signs with each provider, downloads the
// .eml and has openssl (and the peers, when the interop kit is present) verify it against the RFC 9216 CA.
// Also checks: no console errors, and no request leaves the page's origin, has a body, or carries key
// material (the page fetches only its own assets).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { ALICE_CERT, ALICE_KEY, ALICE_EMAIL, CA_CERT, ROOT, openssl, tempDir, verifySigned } from '../js/helpers.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// As root in a sandbox with no network: no sandbox, no GPU, and nothing that phones home.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const DIST = path.join(ROOT, 'dist');
const TIMEOUT = 60_000;

/** Starts scripts/serve.mjs on a free port; resolves to { url, child }. */
function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'serve.mjs'), '--root', DIST, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve.mjs did not start:\n${out}${err}`)), 10_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/at (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child });
      }
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve.mjs exited with ${code}:\n${out}${err}`));
    });
  });
}

/** Every file under dir, as URL paths ('/app.1234.js'). */
function servedPaths(dir, prefix = '/') {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...servedPaths(full, `${prefix}${name}/`));
    else out.push(`${prefix}${name}`);
  }
  return out;
}

/** Long slices of a PEM's base64 body: if a request carried the key, it would contain one of these. */
function secretNeedles(pem) {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const needles = [];
  for (let i = 0; i + 24 <= b64.length; i += 24) needles.push(b64.slice(i, i + 24));
  return needles;
}

describe('playground in headless Chromium', { timeout: 5 * TIMEOUT }, () => {
  let server;
  let context;
  let page;
  let profile;
  let work;
  const consoleProblems = [];
  const requests = [];

  before(async () => {
    assert.ok(existsSync(path.join(DIST, 'index.html')), 'dist/index.html missing: run npm run build first');
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: run scripts/install.sh --test`);
    work = tempDir('smime-e2e-');
    server = await startServer();
    profile = mkdtempSync(path.join(tmpdir(), 'smime-e2e-profile-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      acceptDownloads: true,
    });
    context.on('request', (r) =>
      requests.push({ url: r.url(), method: r.method(), postData: r.postData(), headers: r.headers() }));
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(TIMEOUT);
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') consoleProblems.push(`${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => consoleProblems.push(`pageerror: ${err.message}`));
    page.on('requestfailed', (r) => consoleProblems.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));

    const response = await page.goto(server.url);
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-security-policy'] ?? '', /script-src 'self' 'wasm-unsafe-eval'/);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: TIMEOUT });
  });

  after(async () => {
    await context?.close();
    server?.child.kill('SIGTERM');
    if (profile) rmSync(profile, { recursive: true, force: true });
    work?.cleanup();
  });

  /** Clicks #sign, waits for a result (or an error), downloads signed.eml and returns its bytes. */
  async function signAndDownload() {
    await page.click('#sign');
    await page.waitForFunction(() => {
      const dl = document.getElementById('download');
      const err = document.getElementById('error');
      return (dl && !dl.hidden) || (err && !err.hidden);
    });
    const error = await page.locator('#error');
    if (await error.isVisible()) assert.fail(`the page showed an error: ${await error.textContent()}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    assert.equal(download.suggestedFilename(), 'signed.eml');
    const file = path.join(work.dir, `download-${Date.now()}.eml`);
    await download.saveAs(file);
    const bytes = readFileSync(file);
    const shown = await page.locator('#output').textContent();
    assert.equal(shown, bytes.toString('utf8'), '#output shows exactly the downloaded message');
    return bytes;
  }

  async function expectPageError(code) {
    await page.click('#sign');
    await page.waitForFunction(() => !document.getElementById('error').hidden);
    const text = await page.locator('#error').textContent();
    assert.ok(text.startsWith(`${code}:`), `#error shows ${code}: got ${JSON.stringify(text)}`);
    assert.equal(await page.locator('#error').getAttribute('data-code'), code);
    assert.ok(await page.locator('#download').isHidden(), 'no download offered after an error');
  }

  test('the demo identity loads and its facts are shown', async () => {
    await page.click('#load-demo');
    await page.waitForFunction(() =>
      !document.getElementById('identity-facts').hidden || !document.getElementById('error').hidden);
    if (await page.locator('#error').isVisible()) {
      assert.fail(`the page showed an error: ${await page.locator('#error').textContent()}`);
    }
    const facts = await page.locator('#identity-facts').textContent();
    assert.match(facts, /Alice Lovelace/);
    assert.ok(facts.includes(ALICE_EMAIL), 'the email address is shown');
    assert.match(facts, /2052-09-27/, 'validity is shown');
    assert.match(facts, /rsa/i, 'the key algorithm is shown');
    const { stdout } = await openssl(['x509', '-in', ALICE_CERT, '-noout', '-fingerprint', '-sha256']);
    const fp = stdout.trim().split('=')[1].replaceAll(':', '').toLowerCase();
    assert.ok(facts.replaceAll(':', '').toLowerCase().includes(fp), 'the SHA-256 fingerprint is shown');
    assert.ok(await page.locator('#error').isHidden(), 'no error');
  });

  for (const provider of ['webcrypto', 'rustcrypto']) {
    test(`compose + sign with provider ${provider}; the download verifies`, async () => {
      const text = `Hello Bob, this was signed in Chromium with ${provider}.`;
      await page.check('#mode-compose');
      await page.fill('#from', `Alice Lovelace <${ALICE_EMAIL}>`);
      await page.fill('#to', 'Bob Babbage <bob@smime.example>');
      await page.fill('#subject', `e2e ${provider}`);
      await page.fill('#body', text);
      await page.selectOption('#format', 'detached');
      await page.selectOption('#provider', provider);
      const eml = await signAndDownload();
      const head = eml.toString('latin1').split('\r\n\r\n')[0];
      assert.match(head, /^Content-Type: multipart\/signed;/im);
      assert.match(head, new RegExp(`^Subject: e2e ${provider}$`, 'im'));
      assert.match(head, /^From: .*alice@smime\.example/im);
      assert.match(head, /^To: .*bob@smime\.example/im);
      const { content } = await verifySigned(eml, { ca: CA_CERT });
      assert.ok(content.toString('latin1').includes(text), 'the verified content holds the typed text');
    });
  }

  test('errors are shown with their code', async () => {
    await page.fill('#key-text', '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n');
    await expectPageError('MALFORMED_KEY');
  });

  test('key and certificate files (encrypted DER PKCS#8 + passphrase), opaque, rustcrypto', async () => {
    const keyDer = path.join(work.dir, 'alice.key.der');
    const certDer = path.join(work.dir, 'alice.crt.der');
    await openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', ALICE_KEY, '-outform', 'DER', '-out', keyDer,
      '-passout', 'pass:e2e secret']);
    await openssl(['x509', '-in', ALICE_CERT, '-outform', 'DER', '-out', certDer]);
    await page.fill('#key-text', '');
    await page.fill('#cert-text', '');
    await page.setInputFiles('#key-file', keyDer);
    await page.setInputFiles('#cert-file', [certDer, CA_CERT]);
    await page.fill('#passphrase', 'wrong secret');
    await expectPageError('WRONG_PASSPHRASE');

    await page.fill('#passphrase', 'e2e secret');
    await page.check('#mode-raw');
    const text = 'Raw message from files.';
    await page.fill('#raw', `From: ${ALICE_EMAIL}\r\nTo: bob@smime.example\r\nSubject: raw\r\n\r\n${text}\r\n`);
    await page.selectOption('#format', 'opaque');
    await page.selectOption('#provider', 'rustcrypto');
    const eml = await signAndDownload();
    assert.match(eml.toString('latin1'), /^Content-Type: application\/pkcs7-mime;[^\r]*smime-type=signed-data/im);
    const { content } = await verifySigned(eml, { ca: CA_CERT });
    assert.ok(content.toString('latin1').includes(text));
  });

  test('no console errors, and no request carried key material or left the origin', async () => {
    assert.deepEqual(consoleProblems, [], 'console errors/warnings, page errors or failed requests');
    const origin = new URL(server.url).origin;
    const assets = new Set(servedPaths(DIST));
    const needles = [
      ...secretNeedles(readFileSync(ALICE_KEY, 'utf8')),
      'e2e secret',
      'e2e%20secret',
    ];
    assert.ok(requests.length >= 4, `the page loaded its assets (${requests.length} requests)`);
    for (const r of requests) {
      if (r.url.startsWith('blob:')) continue; // the download link of the signed message (no network)
      const u = new URL(r.url);
      assert.equal(u.origin, origin, `request to another origin: ${r.url}`);
      assert.equal(r.method, 'GET', `non-GET request: ${r.method} ${r.url}`);
      assert.equal(r.postData ?? null, null, `request with a body: ${r.url}`);
      assert.ok(assets.has(u.pathname === '/' ? '/index.html' : u.pathname), `request for a non-asset: ${r.url}`);
      const carried = JSON.stringify(r);
      for (const n of needles) assert.ok(!carried.includes(n), `request carries key material: ${r.url}`);
    }
  });
});
