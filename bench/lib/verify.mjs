// Proof that every library did real, valid work: the first output of every case is checked
// outside the library that made it.
//
// - PKI.js / node-forge (detached CMS DER over the message):
//     openssl cms -verify -binary -noverify -inform DER -in SIG -content MESSAGE
//   and the structure must carry signed attributes with a messageDigest.
// - smime-wasm RSA / P-256 (multipart/signed .eml):
//     openssl cms -verify -noverify -in EML -out CONTENT   (the S/MIME reader of OpenSSL)
//   and CONTENT's body must be the message's body.
// - smime-wasm Ed25519: OpenSSL 3.0 cannot verify RFC 8419 signatures in CMS ("eddsa ... invalid
//   digest"), so the .eml is split here, the SignedData parsed with PKI.js, the messageDigest
//   compared with Node's SHA-512 of the signed part and the Ed25519 signature over the DER SET OF
//   signed attributes checked with Node's crypto (OpenSSL's Ed25519) against the certificate.
// Each check also runs on a tampered copy, which must FAIL (so a check that passes everything
// is caught).

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { join } from 'node:path';

function openssl(args) {
  try {
    const out = execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
    return { ok: true, out: out.toString('latin1') };
  } catch (e) {
    return { ok: false, err: `${e.stderr || e.message}`.trim().split('\n').slice(0, 2).join(' | ') };
  }
}

function tamper(bytes, at) {
  const copy = Buffer.from(bytes);
  copy[at] ^= 0x01;
  return copy;
}

/** Index of the first byte of a body line in the middle of `bytes` (for tampering). */
function middleBodyByte(bytes) {
  const buf = Buffer.from(bytes);
  const at = buf.indexOf(' The quick brown fox', buf.length >> 1);
  const first = at >= 0 ? at : buf.indexOf(' The quick brown fox');
  if (first < 0) throw new Error('no body line to tamper with');
  return first + 5; // inside "The quick", a letter
}

function body(bytes) {
  const buf = Buffer.from(bytes);
  const i = buf.indexOf('\r\n\r\n');
  return i < 0 ? null : buf.subarray(i + 4);
}

/** Splits a multipart/signed message: { entity, der }. */
export function splitMultipartSigned(eml) {
  const buf = Buffer.from(eml);
  const head = buf.subarray(0, buf.indexOf('\r\n\r\n')).toString('latin1').replace(/\r\n[ \t]/g, ' ');
  const m = /boundary="?([^";\r\n]+)"?/i.exec(head);
  if (!m || !/multipart\/signed/i.test(head)) throw new Error('not a multipart/signed message');
  const delim = Buffer.from(`\r\n--${m[1]}`);
  const start = buf.indexOf(`--${m[1]}\r\n`) + m[1].length + 4;
  const end = buf.indexOf(delim, start);
  const entity = buf.subarray(start, end);
  const sigPart = buf.subarray(end + delim.length + 2, buf.indexOf(Buffer.from(`\r\n--${m[1]}--`), end + 1));
  const sigBody = sigPart.subarray(sigPart.indexOf('\r\n\r\n') + 4).toString('latin1');
  return { entity, der: Buffer.from(sigBody.replace(/\s+/g, ''), 'base64') };
}

/** RFC 8419 check of one of our Ed25519 messages; throws on any mismatch. */
function checkEd25519(pkijs, eml) {
  const { entity, der } = splitMultipartSigned(eml);
  const ci = pkijs.ContentInfo.fromBER(der);
  if (ci.contentType !== '1.2.840.113549.1.7.2') throw new Error('not SignedData');
  const sd = new pkijs.SignedData({ schema: ci.content });
  const si = sd.signerInfos[0];
  if (si.signatureAlgorithm.algorithmId !== '1.3.101.112') throw new Error(`signature algorithm ${si.signatureAlgorithm.algorithmId}, not Ed25519`);
  if (!si.signedAttrs) throw new Error('no signed attributes');
  const md = si.signedAttrs.attributes.find((a) => a.type === '1.2.840.113549.1.9.4');
  if (!md) throw new Error('no messageDigest attribute');
  const want = Buffer.from(md.values[0].valueBlock.valueHexView);
  const got = createHash('sha512').update(entity).digest();
  if (!want.equals(got)) throw new Error('messageDigest is not SHA-512 of the signed part');
  const attrs = Buffer.from(si.signedAttrs.encodedValue);
  attrs[0] = 0x31; // [0] IMPLICIT → SET OF, as signed
  const certDer = Buffer.from(sd.certificates[0].toSchema().toBER(false));
  const publicKey = new X509Certificate(certDer).publicKey;
  const signature = Buffer.from(si.signature.valueBlock.valueHexView);
  if (!cryptoVerify(null, attrs, publicKey, signature)) throw new Error('Ed25519 signature does not verify');
  return entity;
}

/**
 * Checks the first output of one case. `dir` holds `<prefix>-<case id>.out` and
 * `<prefix>-message-<size>.bin`. Returns a short description of what was checked; throws when the
 * output is not valid or the tampered copy is accepted.
 */
export function verifyCase(pkijs, dir, prefix, c) {
  const outPath = join(dir, `${prefix}-${c.id}.out`);
  const msgPath = join(dir, `${prefix}-message-${c.size.toLowerCase()}.bin`);
  const out = readFileSync(outPath);
  const msg = readFileSync(msgPath);

  if (c.lib !== 'smime-wasm') {
    const good = openssl(['cms', '-verify', '-binary', '-noverify', '-inform', 'DER', '-in', outPath, '-content', msgPath, '-out', '/dev/null']);
    if (!good.ok) throw new Error(`openssl cms -verify rejected ${c.lib}'s signature: ${good.err}`);
    const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', outPath]);
    if (!printed.ok || !/object: messageDigest/.test(printed.out)) throw new Error(`${c.lib}'s SignedData has no signed messageDigest attribute`);
    const badPath = `${msgPath}.tampered`;
    writeFileSync(badPath, tamper(msg, middleBodyByte(msg)));
    const bad = openssl(['cms', '-verify', '-binary', '-noverify', '-inform', 'DER', '-in', outPath, '-content', badPath, '-out', '/dev/null']);
    if (bad.ok) throw new Error(`openssl accepted ${c.lib}'s signature over a tampered message`);
    return 'openssl cms -verify (detached DER), tampered copy rejected';
  }

  const wantBody = body(msg);
  if (c.key === 'Ed25519') {
    const entity = checkEd25519(pkijs, out);
    if (!body(entity).equals(wantBody)) throw new Error('the signed part is not the message body');
    let rejected = false;
    try {
      checkEd25519(pkijs, tamper(out, middleBodyByte(out)));
    } catch {
      rejected = true;
    }
    if (!rejected) throw new Error('the Ed25519 check accepted a tampered message');
    return 'RFC 8419 check (PKI.js parse + node:crypto Ed25519), tampered copy rejected';
  }

  const contentPath = `${outPath}.content`;
  const good = openssl(['cms', '-verify', '-noverify', '-in', outPath, '-out', contentPath]);
  if (!good.ok) throw new Error(`openssl cms -verify rejected smime-wasm's message: ${good.err}`);
  const content = body(readFileSync(contentPath));
  if (!content || !content.equals(wantBody)) throw new Error("the signed content is not the message's body");
  const badPath = `${outPath}.tampered`;
  writeFileSync(badPath, tamper(out, middleBodyByte(out)));
  const bad = openssl(['cms', '-verify', '-noverify', '-in', badPath, '-out', '/dev/null']);
  if (bad.ok) throw new Error('openssl accepted a tampered smime-wasm message');
  return 'openssl cms -verify (S/MIME), content = message body, tampered copy rejected';
}
