// The JS API tests, defined once and run against both builds: pkg-node/ (node-build.test.mjs) and the
// web build pkg/ instantiated with initSync (web-build.test.mjs). Every signature the tests make is checked
// by independent verifiers (openssl cms, and all peers of tests/peers/peers.sh when the kit is present),
// anchored at the RFC 9216 RSA CA.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  ALICE_CERT,
  ALICE_EMAIL,
  ALICE_KEY,
  CA_CERT,
  expectSmimeError,
  hasOnlyCrlf,
  openssl,
  parseContentType,
  parseMessage,
  rustErrorCodes,
  tempDir,
  verifySigned,
} from './helpers.mjs';

const PROVIDERS = ['webcrypto', 'rustcrypto'];
const SIGNING_TIME = new Date('2030-01-02T03:04:05Z');

function rawMessage(subject, text) {
  return [
    'From: Alice Lovelace <alice@smime.example>',
    'To: Bob Babbage <bob@smime.example>',
    `Subject: ${subject}`,
    'Date: Wed, 02 Jan 2030 03:04:05 +0000',
    'Message-ID: <js-test@smime.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    text,
    '',
  ].join('\r\n');
}

/** Checks the multipart/signed shape of a detached signature and returns the parsed message. */
function assertMultipartSigned(bytes, micalg) {
  assert.ok(bytes instanceof Uint8Array, 'sign() resolves to a Uint8Array');
  const text = Buffer.from(bytes).toString('latin1');
  assert.ok(hasOnlyCrlf(text), 'every line ends with CRLF');
  const msg = parseMessage(text);
  const ct = msg.headers.get('content-type');
  assert.ok(ct && ct.length === 1, 'exactly one Content-Type header');
  const { type, params } = parseContentType(ct[0]);
  assert.equal(type, 'multipart/signed');
  assert.equal(params.protocol, 'application/pkcs7-signature');
  assert.equal(params.micalg, micalg);
  assert.ok(params.boundary, 'a boundary parameter');
  assert.ok(msg.body.includes(`\r\n--${params.boundary}--`) || msg.body.startsWith(`--${params.boundary}`),
    'the body uses the boundary');
  const parts = msg.body.split(`--${params.boundary}`);
  // preamble, part 1, part 2, epilogue after the closing delimiter
  assert.ok(parts.length >= 4, `two body parts (found ${parts.length - 2})`);
  assert.match(parts[2], /^\r\nContent-Type:\s*application\/pkcs7-signature/im, 'second part is the signature');
  assert.ok(msg.headers.get('from')?.[0].includes(ALICE_EMAIL), 'From stays an outer header');
  return msg;
}

/** The CMS structure of a signed .eml as DER, extracted by openssl. */
async function cmsDer(emlBytes) {
  const { dir, cleanup } = tempDir('smime-cms-');
  try {
    writeFileSync(path.join(dir, 'm.eml'), emlBytes);
    await openssl(['cms', '-cmsout', '-in', path.join(dir, 'm.eml'), '-outform', 'DER', '-out', path.join(dir, 'm.der')]);
    return readFileSync(path.join(dir, 'm.der'));
  } finally {
    cleanup();
  }
}

async function cmsPrint(emlBytes) {
  const { dir, cleanup } = tempDir('smime-cms-');
  try {
    writeFileSync(path.join(dir, 'm.eml'), emlBytes);
    const { stdout } = await openssl(['cms', '-cmsout', '-print', '-in', path.join(dir, 'm.eml')]);
    return stdout;
  } finally {
    cleanup();
  }
}

/**
 * @param {string} label  name of the build under test
 * @param {() => Promise<any>} load  resolves to the module (exports Identity, Certificate, sign, compose, errorCodes)
 */
export function defineSuite(label, load) {
  describe(label, () => {
    let m;
    let keyPem;
    let certPem;
    let caPem;
    let work;

    before(async () => {
      m = await load();
      keyPem = readFileSync(ALICE_KEY, 'utf8');
      certPem = readFileSync(ALICE_CERT, 'utf8');
      caPem = readFileSync(CA_CERT, 'utf8');
      work = tempDir('smime-suite-');
    });
    after(() => work?.cleanup());

    const alice = () => m.Identity.fromPem(keyPem, [certPem, caPem]);

    test('exports the documented API', () => {
      for (const name of ['Identity', 'Certificate', 'sign', 'compose', 'errorCodes']) {
        assert.equal(typeof m[name], 'function', `export ${name}`);
      }
    });

    test('errorCodes() lists exactly Error::ALL_CODES of src/error.rs', () => {
      assert.deepEqual(m.errorCodes(), rustErrorCodes());
    });

    test("Certificate reads Alice's certificate like openssl does", async () => {
      const cert = await m.Certificate.fromBytes(certPem);
      try {
        assert.match(cert.subject, /Alice Lovelace/);
        assert.match(cert.issuer, /Sample LAMPS RSA Certification Authority/);
        assert.deepEqual(cert.emails, [ALICE_EMAIL]);
        assert.ok(cert.notBefore instanceof Date && cert.notAfter instanceof Date, 'validity as Date objects');
        assert.equal(cert.notBefore.toISOString(), '2019-11-20T06:54:18.000Z');
        assert.equal(cert.notAfter.toISOString(), '2052-09-27T06:54:18.000Z');
        assert.match(cert.keyAlgorithm, /rsa/i);

        const { stdout: fp } = await openssl(['x509', '-in', ALICE_CERT, '-noout', '-fingerprint', '-sha256']);
        const want = fp.trim().split('=')[1].replaceAll(':', '').toLowerCase();
        assert.equal(cert.fingerprintSha256.replaceAll(':', '').toLowerCase(), want, 'SHA-256 fingerprint');

        const der = path.join(work.dir, 'alice.der');
        await openssl(['x509', '-in', ALICE_CERT, '-outform', 'DER', '-out', der]);
        const derBytes = readFileSync(der);
        assert.deepEqual(Buffer.from(cert.toDer()), derBytes, 'toDer() is the certificate DER');
        const fromDer = await m.Certificate.fromBytes(new Uint8Array(derBytes));
        assert.equal(fromDer.fingerprintSha256, cert.fingerprintSha256, 'DER input reads the same');
        fromDer.free();
        const again = await m.Certificate.fromBytes(cert.toPem());
        assert.equal(again.fingerprintSha256, cert.fingerprintSha256, 'toPem() round-trips');
        again.free();

        const all = await m.Certificate.allFromBytes(`${certPem}\n${caPem}`);
        assert.equal(all.length, 2, 'allFromBytes reads both PEM blocks');
        assert.match(all[1].subject, /Sample LAMPS RSA Certification Authority/);
        for (const c of all) c.free();
      } finally {
        cert.free();
      }
    });

    test('Identity.fromPem: certificate, chain and key facts', async () => {
      const id = await alice();
      try {
        assert.match(id.keyAlgorithm, /rsa/i);
        const cert = id.certificate;
        assert.deepEqual(cert.emails, [ALICE_EMAIL]);
        const chainSubjects = id.chain.map((c) => c.subject);
        assert.ok(chainSubjects.some((s) => /Certification Authority/.test(s)), `chain holds the CA: ${chainSubjects}`);
        cert.free();
      } finally {
        id.free();
      }
    });

    for (const provider of ['auto', ...PROVIDERS]) {
      test(`provider ${provider}: signs a message as Alice (PEM); multipart/signed, verified by the peers`, async () => {
        const id = await alice();
        try {
          const text = `Hello Bob, signed with provider ${provider} (${label}).`;
          const signed = await m.sign(rawMessage(`detached ${provider}`, text), id, { provider, signingTime: SIGNING_TIME });
          const msg = assertMultipartSigned(signed, 'sha-256');
          assert.equal(msg.headers.get('subject')?.[0], `detached ${provider}`);
          const { content } = await verifySigned(signed);
          assert.ok(content.toString('latin1').includes(text), 'the verified content is the message text');
          assert.match(await cmsPrint(signed), /signingTime[\s\S]*Jan\s+2 03:04:05 2030 GMT/, 'signingTime option used');
        } finally {
          id.free();
        }
      });
    }

    test('sign(message, identity) without options: detached, SHA-256, verified', async () => {
      const id = await alice();
      try {
        const signed = await m.sign(rawMessage('defaults', 'Default options.'), id);
        assertMultipartSigned(signed, 'sha-256');
        await verifySigned(signed);
      } finally {
        id.free();
      }
    });

    test('headerProtection: default true signs a copy of the header (hp="clear"); false does not', async () => {
      const id = await alice();
      try {
        const message = rawMessage('protected subject', 'Header protection.');
        for (const [options, on] of [[{}, true], [{ headerProtection: true }, true], [{ headerProtection: false }, false]]) {
          const signed = await m.sign(message, id, { signingTime: SIGNING_TIME, ...options });
          const msg = assertMultipartSigned(signed, 'sha-256');
          assert.equal(msg.headers.get('subject')?.[0], 'protected subject', 'the outer Subject is unchanged');
          const { content } = await verifySigned(signed);
          const inner = parseMessage(content.toString('latin1'));
          const { params } = parseContentType(inner.headers.get('content-type')[0]);
          if (on) {
            assert.equal(params.hp, 'clear', JSON.stringify(options));
            for (const h of ['from', 'to', 'subject', 'date', 'message-id']) {
              assert.deepEqual(inner.headers.get(h), msg.headers.get(h), `inner ${h} = outer ${h}`);
            }
            assert.equal(inner.headers.get('hp-outer'), undefined, 'no HP-Outer when signed only');
          } else {
            assert.equal(params.hp, undefined);
            assert.equal(inner.headers.get('subject'), undefined);
          }
        }
        await expectSmimeError(() => m.sign(message, id, { headerProtection: 'yes' }), 'INVALID_OPTION', assert);
      } finally {
        id.free();
      }
    });

    for (const provider of PROVIDERS) {
      test(`provider ${provider}: SHA-512 with RSA-PSS; micalg=sha-512, verified`, async () => {
        const id = await alice();
        try {
          const signed = await m.sign(rawMessage('pss', 'PSS test.'), id, { provider, digest: 'sha512', rsaPadding: 'pss' });
          assertMultipartSigned(signed, 'sha-512');
          // OpenSSL's PKCS#7 API (`openssl smime`) has no RSASSA-PSS: `openssl cms` and the other peers check it.
          await verifySigned(signed, { without: ['openssl-smime'] });
          assert.match(await cmsPrint(signed), /rsassaPss/i, 'the SignerInfo uses RSASSA-PSS');
        } finally {
          id.free();
        }
      });

      test(`provider ${provider}: opaque signature (application/pkcs7-mime), verified`, async () => {
        const id = await alice();
        try {
          const text = `Opaque, provider ${provider}.`;
          const signed = await m.sign(rawMessage('opaque', text), id, { provider, detached: false, digest: 'sha384' });
          const msg = parseMessage(Buffer.from(signed).toString('latin1'));
          const { type, params } = parseContentType(msg.headers.get('content-type')[0]);
          assert.equal(type, 'application/pkcs7-mime');
          assert.equal(params['smime-type'], 'signed-data');
          const { content } = await verifySigned(signed);
          assert.ok(content.toString('latin1').includes(text), 'the recovered content is the message text');
        } finally {
          id.free();
        }
      });

      test(`provider ${provider}: compose() output signs and verifies`, async () => {
        const text = 'Grüße aus dem Browser: 8-bit text must be sent 7-bit.\nSecond line.';
        const composed = await m.compose({
          from: 'Alice Lovelace <alice@smime.example>',
          to: ['Bob Babbage <bob@smime.example>', 'carlos@smime.example'],
          subject: 'Composed',
          date: SIGNING_TIME,
          text,
        });
        assert.ok(composed instanceof Uint8Array, 'compose() resolves to a Uint8Array');
        const cm = parseMessage(Buffer.from(composed).toString('latin1'));
        for (const h of ['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type']) {
          assert.ok(cm.headers.has(h), `composed message has ${h}`);
        }
        assert.match(cm.headers.get('to')[0], /bob@smime\.example.*carlos@smime\.example/);
        const id = await alice();
        try {
          const signed = await m.sign(composed, id, { provider });
          assertMultipartSigned(signed, 'sha-256');
          assert.ok(signed.every((b) => b < 0x80), 'the signed message is 7-bit');
          await verifySigned(signed);
        } finally {
          id.free();
        }
      });
    }

    test('webcrypto and rustcrypto make the same PKCS#1 v1.5 SignedData for the same input and time', async () => {
      const id = await alice();
      try {
        const message = rawMessage('same', 'Deterministic RSA PKCS#1 v1.5.');
        const outs = [];
        for (const provider of PROVIDERS) {
          outs.push(await cmsDer(await m.sign(message, id, { provider, signingTime: SIGNING_TIME })));
        }
        assert.ok(outs[0].length > 1000, 'a SignedData with a certificate');
        assert.deepEqual(outs[0], outs[1]);
      } finally {
        id.free();
      }
    });

    test('a tampered signed message is rejected by openssl (the verifier really checks)', async () => {
      const id = await alice();
      try {
        const signed = Buffer.from(await m.sign(rawMessage('tamper', 'Pay 100 EUR.'), id, {}));
        const tampered = Buffer.from(signed.toString('latin1').replace('Pay 100 EUR.', 'Pay 900 EUR.'), 'latin1');
        assert.notDeepEqual(tampered, signed);
        await assert.rejects(verifySigned(tampered), /rejected/);
      } finally {
        id.free();
      }
    });

    test('DER key and DER certificates are accepted', async () => {
      const keyDer = path.join(work.dir, 'key.der');
      const certDer = path.join(work.dir, 'cert.der');
      await openssl(['pkcs8', '-topk8', '-nocrypt', '-in', ALICE_KEY, '-outform', 'DER', '-out', keyDer]);
      await openssl(['x509', '-in', ALICE_CERT, '-outform', 'DER', '-out', certDer]);
      const id = await m.Identity.fromPem(new Uint8Array(readFileSync(keyDer)), new Uint8Array(readFileSync(certDer)));
      try {
        const signed = await m.sign(rawMessage('der', 'From DER inputs.'), id, { provider: 'rustcrypto' });
        await verifySigned(signed);
      } finally {
        id.free();
      }
    });

    test('encrypted PKCS#8 key: right passphrase signs, wrong one is WRONG_PASSPHRASE, none is PASSPHRASE_REQUIRED', async () => {
      const enc = path.join(work.dir, 'alice.enc.pem');
      await openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', ALICE_KEY, '-out', enc, '-passout', 'pass:correct horse']);
      const encPem = readFileSync(enc, 'utf8');
      assert.match(encPem, /BEGIN ENCRYPTED PRIVATE KEY/);

      const id = await m.Identity.fromPem(encPem, certPem, 'correct horse');
      try {
        await verifySigned(await m.sign(rawMessage('encrypted key', 'Key was encrypted.'), id, {}));
      } finally {
        id.free();
      }
      await expectSmimeError(() => m.Identity.fromPem(encPem, certPem, 'wrong horse'), 'WRONG_PASSPHRASE', assert);
      await expectSmimeError(() => m.Identity.fromPem(encPem, certPem), 'PASSPHRASE_REQUIRED', assert);
    });

    describe('errors are SmimeError with a stable code', () => {
      test('garbage key -> MALFORMED_KEY', async () => {
        await expectSmimeError(() => m.Identity.fromPem('this is not a key', certPem), 'MALFORMED_KEY', assert);
        await expectSmimeError(() => m.Identity.fromPem(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]), certPem),
          'MALFORMED_KEY', assert);
      });

      test('garbage certificate -> MALFORMED_CERTIFICATE', async () => {
        await expectSmimeError(() => m.Certificate.fromBytes('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
          'MALFORMED_CERTIFICATE', assert);
      });

      test('key of another certificate -> KEY_CERT_MISMATCH', async () => {
        const other = path.join(work.dir, 'other.key');
        await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', other]);
        await expectSmimeError(() => m.Identity.fromPem(readFileSync(other, 'utf8'), certPem), 'KEY_CERT_MISMATCH', assert);
      });

      // A header block must end in an empty line or at the end of the input (RFC 5322: the body is
      // optional, so a message of header fields alone is valid); a line that is neither a field nor a
      // continuation means the header block has no proper end.
      test('message without header end -> MALFORMED_MIME', async () => {
        const id = await alice();
        try {
          const err = await expectSmimeError(
            () => m.sign('From: alice@smime.example\r\nthis line is no header field\r\n\r\nbody\r\n', id, {}),
            'MALFORMED_MIME', assert);
          assert.match(err.message, /header/);
          await expectSmimeError(() => m.sign('not a message at all', id, {}), 'MALFORMED_MIME', assert);
        } finally {
          id.free();
        }
      });

      test('unknown option or option value -> INVALID_OPTION', async () => {
        const id = await alice();
        try {
          const err = await expectSmimeError(() => m.sign(rawMessage('x', 'x'), id, { detachd: true }), 'INVALID_OPTION', assert);
          assert.match(err.message, /detachd/, 'the message names the option');
          await expectSmimeError(() => m.sign(rawMessage('x', 'x'), id, { digest: 'md5' }), 'INVALID_OPTION', assert);
          await expectSmimeError(() => m.sign(rawMessage('x', 'x'), id, { provider: 'openssl' }), 'INVALID_OPTION', assert);
        } finally {
          id.free();
        }
      });
    });
  });
}
