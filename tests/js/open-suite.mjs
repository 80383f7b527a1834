// The JS receiving API (open, extractCertificates, problemCodes), defined once and run against both
// builds. Inputs come from independent writers: OpenSSL (run by the test), NSS / Thunderbird (the kit's
// vectors), and this library's own sign / encrypt / signAndEncrypt, whose output the encryption and
// signing suites already check at the peers.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ROOT, expectSmimeError, openssl, tempDir } from './helpers.mjs';

const DATA = path.join(ROOT, 'tests', 'data');
const file = (rel) => path.join(DATA, rel);
const pem = (rel) => readFileSync(file(rel), 'utf8');

const SUBJECT = 'Quarterly figures, confidential';
const MESSAGE = [
  'From: Alice Lovelace <alice@smime.example>',
  'To: Bob Babbage <bob@smime.example>',
  `Subject: ${SUBJECT}`,
  'Date: Fri, 04 Dec 2026 10:00:00 +0000',
  'Message-ID: <js-open@smime.example>',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Revenue up 3 %; details follow.',
  '',
].join('\r\n');

const header = (result, name) => result.headers.fields.find((f) => f.name.toLowerCase() === name.toLowerCase())?.value;
const text = (bytes) => Buffer.from(bytes).toString('utf8');

/**
 * @param {string} label  name of the build under test
 * @param {() => Promise<any>} load  resolves to the module
 */
export function defineOpenSuite(label, load) {
  describe(`${label}: open`, () => {
    let m;
    let work;
    before(async () => {
      m = await load();
      work = tempDir('smime-open-');
    });
    after(() => work?.cleanup());

    const alice = () => m.Identity.fromPem(pem('rfc9216/alice.sign.key'),
      [pem('rfc9216/alice.sign.crt'), pem('rfc9216/alice.encrypt.crt'), pem('rfc9216/ca.rsa.crt')]);
    const bob = () => m.Identity.fromPkcs12(readFileSync(file('rfc9216/bob.p12')), 'bob');

    test('exports open, extractCertificates, problemCodes', () => {
      for (const name of ['open', 'extractCertificates', 'problemCodes']) assert.equal(typeof m[name], 'function', name);
      const codes = m.problemCodes().map((p) => p.code);
      for (const c of ['SIGNATURE_INVALID', 'MESSAGE_DIGEST_MISMATCH', 'NO_PATH_TO_TRUST_ANCHOR', 'CERTIFICATE_EXPIRED', 'REVOCATION_NOT_CHECKED', 'EMAIL_MISMATCH']) {
        assert.ok(codes.includes(c), c);
      }
      assert.ok(m.problemCodes().every((p) => p.meaning.length > 10));
    });

    for (const provider of ['webcrypto', 'rustcrypto']) {
      test(`provider ${provider}: what signAndEncrypt writes opens: layers, signer trusted, protected Subject restored`, async () => {
        const me = await alice();
        const out = await m.signAndEncrypt(MESSAGE, me, [pem('rfc9216/bob.encrypt.crt')], { signingTime: new Date('2026-12-04T10:00:00Z') });
        const r = await m.open(out, { identity: await bob(), trust: [pem('rfc9216/ca.rsa.crt')], provider });
        assert.deepEqual(r.layers.map((l) => l.type), ['encrypted', 'signed']);
        const [enc, signed] = r.layers;
        assert.equal(enc.decrypted, true);
        assert.equal(enc.cipher, 'aes-256-cbc');
        assert.equal(enc.keyManagement, 'rsa-pkcs1v15');
        assert.equal(enc.authenticated, false);
        assert.equal(enc.recipients.length, 2, 'Bob and Alice herself');
        assert.equal(r.signers.length, 1);
        assert.equal(r.signers[0], signed.signers[0], 'the same object in layers and signers');
        const s = r.signers[0];
        assert.equal(s.signatureValid, true);
        assert.equal(s.trusted, true);
        assert.equal(s.emailMatchesFrom, true);
        assert.equal(s.email, 'alice@smime.example');
        assert.deepEqual(s.problems, ['REVOCATION_NOT_CHECKED']);
        assert.equal(s.signingTime.toISOString(), '2026-12-04T10:00:00.000Z');
        assert.equal(s.signatureAlgorithm, 'rsa-pkcs1v15-sha256');
        assert.match(s.trustAnchor.subject, /Sample LAMPS RSA Certification Authority/);
        assert.deepEqual(s.encryptionCertificate.emails, ['alice@smime.example']);
        assert.notEqual(s.encryptionCertificate.fingerprintSha256, s.certificate.fingerprintSha256, 'her separate encryption certificate');
        assert.equal(header(r, 'Subject'), SUBJECT);
        assert.ok(r.headers.obscuredOutside.includes('subject'));
        assert.equal(r.headers.mode, 'cipher');
        assert.match(text(r.content), /Revenue up 3 %; details follow\./);
        assert.ok(r.certificates.length >= 2);
      });
    }

    test('without the key: the encrypted layer is reported with its recipients, no error', async () => {
      const out = await m.encrypt(MESSAGE, [pem('rfc9216/bob.encrypt.crt')]);
      const r = await m.open(out);
      assert.equal(r.layers.length, 1);
      assert.equal(r.layers[0].type, 'encrypted');
      assert.equal(r.layers[0].decrypted, false);
      assert.equal(r.layers[0].keyManagement, null);
      assert.match(r.layers[0].recipients[0].issuer, /Sample LAMPS RSA Certification Authority/);
      assert.equal(header(r, 'Subject'), '[...]');
      assert.deepEqual(r.signers, []);
    });

    test('OpenSSL-signed and -encrypted message opens; a tampered copy is reported invalid', async () => {
      const plain = path.join(work.dir, 'plain.txt');
      const signed = path.join(work.dir, 'signed.eml');
      const enc = path.join(work.dir, 'enc.eml');
      writeFileSync(plain, 'From: alice@smime.example\r\nContent-Type: text/plain\r\n\r\nHello from OpenSSL.\r\n');
      await openssl(['cms', '-sign', '-in', plain, '-signer', file('rfc9216/alice.sign.crt'), '-inkey', file('rfc9216/alice.sign.key'), '-out', signed]);
      await openssl(['cms', '-encrypt', '-aes-256-gcm', '-in', signed, '-out', enc, file('rfc9216/bob.encrypt.crt')]);
      const r = await m.open(readFileSync(enc), { identity: await bob(), trust: pem('rfc9216/ca.rsa.crt') });
      assert.deepEqual(r.layers.map((l) => l.type), ['encrypted', 'signed']);
      assert.equal(r.layers[0].authenticated, true);
      assert.equal(r.signers[0].trusted, true);
      assert.match(text(r.content), /Hello from OpenSSL\./);
      const bytes = readFileSync(signed);
      const at = bytes.indexOf('Hello');
      bytes[at] = 'J'.charCodeAt(0);
      const t = await m.open(bytes, { trust: pem('rfc9216/ca.rsa.crt') });
      assert.equal(t.signers[0].signatureValid, false);
      assert.equal(t.signers[0].trusted, false);
      assert.ok(t.signers[0].problems.includes('MESSAGE_DIGEST_MISMATCH'), t.signers[0].problems.join());
    });

    test('OpenSSL-signed ECDSA P-521 (SHA-512) message verifies with a trusted P-521 chain; a changed body does not', async () => {
      const plain = path.join(work.dir, 'p521-plain.txt');
      const signed = path.join(work.dir, 'p521-signed.eml');
      writeFileSync(plain, 'Content-Type: text/plain\r\n\r\nHello from P-521.\r\n');
      await openssl(['cms', '-sign', '-md', 'sha512', '-in', plain, '-signer', file('generated/ivan.p521.crt'), '-inkey', file('generated/ivan.p521.key'), '-out', signed]);
      const trust = pem('generated/ca.p521.crt');
      const r = await m.open(readFileSync(signed), { trust });
      assert.equal(r.signers[0].signatureAlgorithm, 'ecdsa-p521-sha512');
      assert.equal(r.signers[0].signatureValid, true);
      assert.equal(r.signers[0].trusted, true, r.signers[0].problems.join());
      const bytes = readFileSync(signed);
      bytes[bytes.indexOf('Hello')] = 'J'.charCodeAt(0);
      const t = await m.open(bytes, { trust });
      assert.equal(t.signers[0].signatureValid, false);
    });

    test("Thunderbird/NSS mail: signed opaque verifies, enveloped decrypts with Bob's .p12", async () => {
      const trust = pem('thunderbird-nss/TestCA.pem');
      const signed = await m.open(readFileSync(file('thunderbird-nss/alice.sig.SHA256.opaque.eml')), { trust, at: new Date('2026-12-01') });
      assert.equal(signed.signers[0].trusted, true, signed.signers[0].problems.join());
      assert.equal(signed.layers[0].detached, false);
      const bobNss = await m.Identity.fromPkcs12(readFileSync(file('thunderbird-nss/Bob.p12')), 'nss');
      const env = await m.open(readFileSync(file('thunderbird-nss/alice.dsig.SHA256.multipart.env.eml')), { identity: bobNss, trust, at: new Date('2026-12-01') });
      assert.deepEqual(env.layers.map((l) => l.type), ['encrypted', 'signed']);
      assert.equal(env.signers[0].signatureValid, true);
    });

    test('PKITS: a valid path is trusted, an invalid one names its problem', async () => {
      const trust = readFileSync(file('pkits/TrustAnchorRootCertificate.crt'));
      const ok = await m.open(readFileSync(file('pkits/SignedValidSignaturesTest1.eml')), { trust, at: new Date('2020-01-01') });
      assert.equal(ok.signers[0].trusted, true);
      const bad = await m.open(readFileSync(file('pkits/SignedInvalidEEnotAfterDateTest6.eml')), { trust, at: new Date('2020-01-01') });
      assert.equal(bad.signers[0].signatureValid, true);
      assert.equal(bad.signers[0].trusted, false);
      assert.ok(bad.signers[0].problems.includes('CERTIFICATE_EXPIRED'));
    });

    test('extractCertificates gives what encrypting to the sender needs, and encrypt uses it', async () => {
      const signed = await m.sign(MESSAGE, await alice());
      const [h] = await m.extractCertificates(signed);
      assert.equal(h.email, 'alice@smime.example');
      assert.equal(h.signatureValid, true);
      assert.ok(h.capabilities.includes('aes256-GCM'), h.capabilities.join());
      const plan = await m.planEncryption([h.encryptionCertificate], { capabilities: [h.capabilities] });
      assert.equal(plan.cipher, 'aes-256-gcm');
      const reply = await m.encrypt('Subject: re\r\n\r\nthanks\r\n', [h.encryptionCertificate], { capabilities: [h.capabilities] });
      const dir = work.dir;
      writeFileSync(path.join(dir, 'reply.eml'), reply);
      await openssl(['cms', '-decrypt', '-in', path.join(dir, 'reply.eml'), '-inkey', file('rfc9216/alice.encrypt.key'), '-recip', file('rfc9216/alice.encrypt.crt'), '-out', path.join(dir, 'reply.txt')]);
      assert.match(readFileSync(path.join(dir, 'reply.txt'), 'utf8'), /thanks/);
    });

    test('errors: INVALID_OPTION, MALFORMED_MIME, DECRYPTION_FAILED (no plaintext)', async () => {
      await expectSmimeError(() => m.open(MESSAGE, { trusted: [] }), 'INVALID_OPTION', assert);
      await expectSmimeError(() => m.open('no header block and no colon'), 'MALFORMED_MIME', assert);
      const der = await m.encryptFile(new TextEncoder().encode('secret'), [pem('rfc9216/bob.encrypt.crt')], { cipher: 'aes-256-gcm' });
      der[der.length - 2] ^= 1;
      await expectSmimeError(async () => m.open(der, { identity: await bob() }), 'DECRYPTION_FAILED', assert);
    });
  });
}
