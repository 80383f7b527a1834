// Shared helpers of the JS tests (tests/js/*.test.mjs) and the end-to-end test (tests/e2e/).
// Not a test file itself (node --test picks only *.test.mjs here).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CRATE = 'smime_wasm';

/** The RFC 9216 files: the interop branch's tests/data copy when present, else the playground's demo copy. */
function rfc9216(name) {
  const data = path.join(ROOT, 'tests', 'data', 'rfc9216', name);
  return existsSync(data) ? data : path.join(ROOT, 'www', 'demo', name);
}
export const ALICE_KEY = rfc9216('alice.sign.key');
export const ALICE_CERT = rfc9216('alice.sign.crt');
export const CA_CERT = rfc9216('ca.rsa.crt');
export const ALICE_EMAIL = 'alice@smime.example';

export const PEERS_SH = path.join(ROOT, 'tests', 'peers', 'peers.sh');

/** CI semantics, as in tests/common/peers.rs: CI set to anything but '', '0' or 'false' makes a skipped peer a failure. */
export const CI_MODE = !['', '0', 'false', 'FALSE'].includes((process.env.CI ?? '').trim());

/** The nodejs build (CommonJS, instantiated on require). */
export function loadNodeBuild() {
  const file = path.join(ROOT, 'pkg-node', `${CRATE}.js`);
  if (!existsSync(file)) throw new Error(`${file} missing: run npm run build first`);
  return createRequire(import.meta.url)(file);
}

/** The web build, instantiated in Node with initSync (as a worker or a test page without fetch would). */
export async function loadWebBuild() {
  const file = path.join(ROOT, 'pkg', `${CRATE}.js`);
  if (!existsSync(file)) throw new Error(`${file} missing: run npm run build first`);
  const m = await import(file);
  m.initSync({ module: readFileSync(path.join(ROOT, 'pkg', `${CRATE}_bg.wasm`)) });
  return m;
}

/** A temporary directory removed by the returned cleanup function. */
export function tempDir(prefix = 'smime-js-') {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function openssl(args, options = {}) {
  return run('openssl', args, { maxBuffer: 16 << 20, ...options });
}

/** Unfolds the header block of an RFC 5322 message: { headers: Map(lowercase name -> [values]), body }. */
export function parseMessage(text) {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error('message has no CRLF CRLF header end');
  const head = text.slice(0, end).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`not a header line: ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (!headers.has(name)) headers.set(name, []);
    headers.get(name).push(value);
  }
  return { headers, body: text.slice(end + 4) };
}

/** The parameters of a structured header value: `type/sub; a=b; c="d"` -> { type, params }. */
export function parseContentType(value) {
  const [type, ...rest] = value.split(';');
  const params = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return { type: type.trim().toLowerCase(), params };
}

/** Every LF is part of a CRLF (what RFC 5322 and S/MIME canonical form require). */
export function hasOnlyCrlf(text) {
  return !/(^|[^\r])\n/.test(text) && !/\r(?!\n)/.test(text);
}

/**
 * Verifies a signed .eml anchored at the RFC 9216 RSA CA, with `openssl cms -verify` and `openssl smime -verify`
 * always, and with every peer of tests/peers/peers.sh when the interop kit is in the tree. Throws with the tools' output when
 * any of them does not accept the message. Returns { content, peers } where content is what openssl
 * recovered (the signed MIME entity) and peers the peers.sh report ('' without the kit).
 * `without` names verifiers that cannot check this kind of message, with the reason in the caller: so far
 * only 'openssl-smime' (OpenSSL's PKCS#7 API, `openssl smime`), which has no RSASSA-PSS.
 */
export async function verifySigned(emlBytes, { ca = CA_CERT, without = [] } = {}) {
  for (const w of without) if (w !== 'openssl-smime') throw new Error(`verifySigned: cannot leave out ${w}`);
  const { dir, cleanup } = tempDir('smime-verify-');
  try {
    const eml = path.join(dir, 'signed.eml');
    const out = path.join(dir, 'content.txt');
    writeFileSync(eml, emlBytes);
    try {
      await openssl(['cms', '-verify', '-in', eml, '-CAfile', ca, '-purpose', 'smimesign', '-out', out]);
    } catch (err) {
      throw new Error(`openssl cms -verify rejected the message:\n${err.stderr || err.message}`);
    }
    if (!without.includes('openssl-smime')) {
      try {
        await openssl(['smime', '-verify', '-in', eml, '-CAfile', ca, '-purpose', 'smimesign', '-out', path.join(dir, 'smime.txt')]);
      } catch (err) {
        throw new Error(`openssl smime -verify rejected the message:\n${err.stderr || err.message}`);
      }
    }
    const content = readFileSync(out);
    let peers = '';
    if (existsSync(PEERS_SH)) {
      try {
        const env = { ...process.env };
        if (without.length) env.PEERS = allPeers().filter((p) => !without.includes(p)).join(' ');
        ({ stdout: peers } = await run('bash', [PEERS_SH, 'verify', eml, ca], { maxBuffer: 16 << 20, env }));
      } catch (err) {
        throw new Error(`peers.sh verify failed:\n${err.stdout || ''}${err.stderr || err.message}`);
      }
      const lines = peers.trim().split('\n');
      const failed = lines.filter((l) => /^\S+\s+FAIL\b/.test(l));
      const skipped = lines.filter((l) => /^\S+\s+SKIP\b/.test(l));
      if (failed.length) throw new Error(`peers rejected the message:\n${peers}`);
      if (CI_MODE && skipped.length) {
        throw new Error(`peers skipped under CI (a missing peer is a failure there):\n${peers}`);
      }
      if (skipped.length) console.warn(`WARNING: peers skipped (run scripts/install-peers.sh):\n${skipped.join('\n')}`);
      if (!lines.some((l) => /^\S+\s+PASS\b/.test(l))) throw new Error(`no peer passed:\n${peers}`);
    } else if (CI_MODE && existsSync(path.join(ROOT, 'scripts', 'install-peers.sh'))) {
      throw new Error(`${PEERS_SH} missing although scripts/install-peers.sh exists`);
    }
    return { content, peers };
  } finally {
    cleanup();
  }
}

/** The peer names of peers.sh (its ALL_PEERS line). */
function allPeers() {
  const m = readFileSync(PEERS_SH, 'utf8').match(/^ALL_PEERS="([^"]+)"/m);
  if (!m) throw new Error(`no ALL_PEERS line in ${PEERS_SH}`);
  return m[1].split(/\s+/);
}

/** Runs fn expecting it to throw or reject with a SmimeError of the given code; returns the error. */
export async function expectSmimeError(fn, code, assert) {
  let error;
  try {
    await fn();
  } catch (err) {
    error = err;
  }
  assert.ok(error, `expected a SmimeError ${code}, but the call succeeded`);
  assert.ok(error instanceof Error, `expected an Error instance, got ${Object.prototype.toString.call(error)}: ${error}`);
  assert.equal(error.name, 'SmimeError', `error.name (message: ${error.message})`);
  assert.equal(error.code, code, `error.code (message: ${error.message})`);
  assert.equal(typeof error.message, 'string');
  assert.ok(error.message.length > 0, 'error.message is empty');
  return error;
}

/** The codes of `Error::ALL_CODES` in src/error.rs, read from the source. */
export function rustErrorCodes() {
  const src = readFileSync(path.join(ROOT, 'src', 'error.rs'), 'utf8');
  const m = src.match(/ALL_CODES\s*:[^=]*=\s*&\[([\s\S]*?)\];/);
  if (!m) throw new Error('ALL_CODES not found in src/error.rs');
  return [...m[1].matchAll(/"([A-Z0-9_]+)"/g)].map((x) => x[1]);
}
