// Proof that every library did real, valid work: the first output of every encryption case is
// decrypted OUTSIDE the library that made it, by OpenSSL, with RFC 9216 Bob's key:
//
// - DER CMS (smime-wasm encryptFile, PKI.js, node-forge):
//     openssl cms -decrypt -binary -inform DER -in OUT -inkey bob.encrypt.key -recip bob.encrypt.crt
//   and the plaintext must be the input, byte for byte;
// - RFC 5322 message (smime-wasm encrypt):
//     openssl cms -decrypt -in OUT.eml -inkey bob.encrypt.key -recip bob.encrypt.crt
//   (OpenSSL's S/MIME reader) and the body of the decrypted entity must be the message's body.
// The content-encryption algorithm in the CMS must be the one asked for (AES-256-CBC / -GCM;
// GCM in an AuthEnvelopedData for smime-wasm). For 1 KiB outputs, decrypting with Alice's key
// and certificate (not a recipient) must fail, so a check that passes everything is caught.

import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function openssl(args) {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
    return { ok: true };
  } catch (e) {
    return { ok: false, err: `${e.stderr || e.message}`.trim().split('\n').slice(0, 2).join(' | ') };
  }
}

/** DER encoding of an OBJECT IDENTIFIER (tag and length included). */
export function oidDer(oid) {
  const arcs = oid.split('.').map(Number);
  const body = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const bytes = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) bytes.unshift((v & 0x7f) | 0x80);
    body.push(...bytes);
  }
  return Buffer.from([0x06, body.length, ...body]);
}

const AUTH_ENVELOPED = '1.2.840.113549.1.9.16.1.23';
const ENVELOPED = '1.2.840.113549.1.7.3';

function body(bytes) {
  const buf = Buffer.from(bytes);
  const i = buf.indexOf('\r\n\r\n');
  return i < 0 ? null : buf.subarray(i + 4);
}

/** The first bytes of the CMS inside an output (DER as is; an .eml's base64 body decoded). */
function cmsHead(out, isMessage) {
  if (!isMessage) return out.subarray(0, 8192);
  const b = body(out);
  if (!b) throw new Error('the message has no body');
  return Buffer.from(b.subarray(0, 8192).toString('latin1').replace(/[^A-Za-z0-9+/]/g, '').slice(0, 8000), 'base64');
}

/**
 * Checks one first output. `file`: the output; `msgFile`: the input the library was given;
 * `testdata`: the repository's tests/data. Throws when the output does not decrypt to the input.
 * Returns a short description of what was checked.
 */
export function verifyEncryption({ c, file, msgFile, testdata, cipherOid, small }) {
  const isMessage = c.lib === 'smime-wasm' && c.api === 'encrypt';
  const out = readFileSync(file);
  const head = cmsHead(out, isMessage);
  if (!head.includes(oidDer(cipherOid))) throw new Error(`no ${c.cipher} (${cipherOid}) content-encryption algorithm in the CMS`);
  const type = head.includes(oidDer(AUTH_ENVELOPED)) ? 'AuthEnvelopedData' : head.includes(oidDer(ENVELOPED)) ? 'EnvelopedData' : null;
  if (!type) throw new Error('neither EnvelopedData nor AuthEnvelopedData');
  if (c.lib === 'smime-wasm' && c.cipher.endsWith('GCM') && type !== 'AuthEnvelopedData') throw new Error('GCM not in an AuthEnvelopedData');
  const key = join(testdata, 'rfc9216/bob.encrypt.key');
  const cert = join(testdata, 'rfc9216/bob.encrypt.crt');
  const dec = `${file}.dec`;
  const form = isMessage ? [] : ['-binary', '-inform', 'DER'];
  try {
    const r = openssl(['cms', '-decrypt', ...form, '-in', file, '-inkey', key, '-recip', cert, '-out', dec]);
    if (!r.ok) throw new Error(`openssl cms -decrypt failed on ${c.lib}'s output: ${r.err}`);
    const plain = readFileSync(dec);
    const input = readFileSync(msgFile);
    if (isMessage) {
      const b = body(plain);
      if (!b || !b.equals(body(input))) throw new Error("the decrypted entity's body is not the message's body");
    } else if (!plain.equals(input)) {
      throw new Error(`the decrypted content (${plain.length} bytes) is not the input (${input.length} bytes)`);
    }
    let wrong = '';
    if (small) {
      const alice = openssl(['cms', '-decrypt', ...form, '-in', file, '-inkey', join(testdata, 'rfc9216/alice.encrypt.key'), '-recip', join(testdata, 'rfc9216/alice.encrypt.crt'), '-out', '/dev/null']);
      if (alice.ok) throw new Error('openssl decrypted it with a key that is not a recipient');
      wrong = ', not with Alice\'s';
    }
    return `${type}, openssl cms -decrypt${isMessage ? ' (S/MIME)' : ' -inform DER'} with Bob's key = input${wrong}`;
  } finally {
    rmSync(dec, { force: true });
  }
}
