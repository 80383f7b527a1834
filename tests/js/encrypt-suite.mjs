// The JS encryption API tests (encrypt, signAndEncrypt, encryptFile, decryptFile, planEncryption),
// defined once and run against both builds (encrypt-node.test.mjs, encrypt-web.test.mjs) with both
// providers. What we write is decrypted OUTSIDE this library: by `openssl cms` always, and by every
// peer of tests/peers/peers.sh that reads the combination (measured: tests/encrypt_interop.rs,
// decrypting_peers). What OpenSSL writes is decrypted here.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import {
  CI_MODE,
  PEERS_SH,
  ROOT,
  expectSmimeError,
  hasOnlyCrlf,
  openssl,
  parseContentType,
  parseMessage,
  tempDir,
  verifySigned,
} from './helpers.mjs';

const run = promisify(execFile);
const PROVIDERS = ['webcrypto', 'rustcrypto'];
const DATA = path.join(ROOT, 'tests', 'data');
const file = (rel) => path.join(DATA, rel);

const KEYS = {
  bob: { key: file('rfc9216/bob.encrypt.key'), cert: file('rfc9216/bob.encrypt.crt') },
  aliceEnc: { key: file('rfc9216/alice.encrypt.key'), cert: file('rfc9216/alice.encrypt.crt') },
  erin: { key: file('generated/erin.ec.key'), cert: file('generated/erin.ec.crt') },
  frank: { key: file('generated/frank.p384.key'), cert: file('generated/frank.p384.crt') },
  dana: { key: file('rfc9216/dana.encrypt.key'), cert: file('rfc9216/dana.encrypt.crt') },
};

const SUBJECT = 'Quarterly figures, confidential';
const MESSAGE = [
  'From: Alice Lovelace <alice@smime.example>',
  'To: Bob Babbage <bob@smime.example>',
  `Subject: ${SUBJECT}`,
  'Date: Fri, 04 Dec 2026 10:00:00 +0000',
  'Message-ID: <js-encrypt@smime.example>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  'Revenue up 3 %; détails follow.',
  '',
].join('\r\n');

/** Checks the outer pkcs7-mime message and returns its parsed form. */
function assertOuter(bytes, smimeType, { subject = '[...]' } = {}) {
  assert.ok(bytes instanceof Uint8Array, 'resolves to a Uint8Array');
  const text = Buffer.from(bytes).toString('latin1');
  assert.ok(hasOnlyCrlf(text), 'every line ends with CRLF');
  const msg = parseMessage(text);
  const { type, params } = parseContentType(msg.headers.get('content-type')[0]);
  assert.equal(type, 'application/pkcs7-mime');
  assert.equal(params['smime-type'], smimeType);
  assert.equal(params.name, 'smime.p7m');
  assert.match(msg.headers.get('content-disposition')[0], /^attachment;\s*filename="?smime\.p7m"?/);
  assert.equal(msg.headers.get('content-transfer-encoding')[0].trim().toLowerCase(), 'base64');
  assert.equal(msg.headers.get('subject')[0].trim(), subject, 'outer Subject');
  if (subject !== SUBJECT) assert.ok(!text.includes(SUBJECT), 'the real Subject does not leak outside');
  return msg;
}

/** openssl cms -decrypt; resolves to the decrypted bytes. */
async function opensslDecrypt(dir, name, bytes, key, { inform = 'SMIME' } = {}) {
  const input = path.join(dir, `${name}.in`);
  const out = path.join(dir, `${name}.out`);
  writeFileSync(input, bytes);
  try {
    await openssl(['cms', '-decrypt', '-inform', inform, '-in', input, '-inkey', key.key, '-recip', key.cert, '-out', out]);
  } catch (err) {
    throw new Error(`openssl cms -decrypt (${name}) failed:\n${err.stderr || err.message}`);
  }
  return readFileSync(out);
}

/**
 * peers.sh decrypt with exactly `peers` required to PASS (the others are not run). Resolves to the
 * outputs of the passing peers. Without the kit (a local run), only a warning; under CI a failure.
 */
async function peersDecrypt(dir, name, bytes, key, peers) {
  if (!existsSync(PEERS_SH)) {
    if (CI_MODE) throw new Error(`${PEERS_SH} missing`);
    console.warn(`WARNING: ${PEERS_SH} missing, peers not run for ${name}`);
    return [];
  }
  const msg = path.join(dir, `${name}.eml`);
  const outdir = path.join(dir, `${name}.peers`);
  mkdirSync(outdir, { recursive: true });
  writeFileSync(msg, bytes);
  let stdout = '';
  try {
    ({ stdout } = await run('bash', [PEERS_SH, 'decrypt', msg, key.key, key.cert, '--outdir', outdir], {
      maxBuffer: 16 << 20,
      env: { ...process.env, PEERS: peers.join(' ') },
    }));
  } catch (err) {
    stdout = `${err.stdout || ''}${err.stderr || err.message}`;
  }
  for (const peer of peers) {
    const line = stdout.split('\n').find((l) => l.startsWith(`${peer} `) || l.startsWith(`${peer}\t`));
    assert.ok(line, `${name}: no verdict from ${peer}:\n${stdout}`);
    if (/\bSKIP\b/.test(line) && !CI_MODE) {
      console.warn(`WARNING: ${name}: ${line}`);
      continue;
    }
    assert.match(line, /\bPASS\b/, `${name}: ${peer} must decrypt:\n${stdout}`);
  }
  return readdirSync(outdir).map((f) => readFileSync(path.join(outdir, f)));
}

/** The decrypted entity carries the real header fields and hp="cipher". */
function assertProtectedInner(bytes) {
  const text = Buffer.from(bytes).toString('utf8').replaceAll('\r\n', '\n');
  const head = text.slice(0, text.indexOf('\n\n'));
  assert.match(head, /^Content-Type: text\/plain; charset=utf-8; hp="cipher"$/m, 'hp="cipher" on the protected part');
  assert.match(head, new RegExp(`^Subject: ${SUBJECT}$`, 'm'), 'the real Subject inside');
  assert.match(head, /^Message-ID: <js-encrypt@smime\.example>$/m);
  assert.match(head, /^HP-Outer: Subject: \[\.\.\.\]$/m, 'HP-Outer records the outer Subject');
  const body = text.slice(text.indexOf('\n\n') + 2);
  assert.match(Buffer.from(body.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
    /Revenue up 3 %; détails follow\./);
}

/**
 * @param {string} label  name of the build under test
 * @param {() => Promise<any>} load  resolves to the module
 */
export function defineEncryptSuite(label, load) {
  describe(`${label}: encryption`, () => {
    let m;
    let work;
    let pem;
    before(async () => {
      m = await load();
      work = tempDir('smime-encrypt-');
      pem = (k) => readFileSync(k, 'utf8');
    });
    after(() => work?.cleanup());

    const aliceWithEncryptionCert = () =>
      m.Identity.fromPem(pem(file('rfc9216/alice.sign.key')), [
        pem(file('rfc9216/alice.sign.crt')),
        pem(file('rfc9216/alice.encrypt.crt')),
        pem(file('rfc9216/ca.rsa.crt')),
      ]);
    const bobIdentity = () => m.Identity.fromPkcs12(readFileSync(file('rfc9216/bob.p12')), 'bob');

    test('exports the encryption API', () => {
      for (const name of ['encrypt', 'signAndEncrypt', 'encryptFile', 'decryptFile', 'planEncryption']) {
        assert.equal(typeof m[name], 'function', `export ${name}`);
      }
    });

    for (const provider of PROVIDERS) {
      test(`provider ${provider}: default encrypt to Bob is AES-256-CBC with RSA v1.5, decrypted by every peer, header protected`, async () => {
        const bob = await m.Certificate.fromBytes(pem(KEYS.bob.cert));
        const out = await m.encrypt(MESSAGE, [bob], { provider });
        assertOuter(out, 'enveloped-data');
        const inner = await opensslDecrypt(work.dir, `default-${provider}`, out, KEYS.bob);
        assertProtectedInner(inner);
        const outputs = await peersDecrypt(work.dir, `default-${provider}`, out, KEYS.bob,
          ['openssl-cms', 'openssl-smime', 'gpgsm', 'nss-cmsutil', 'python', 'bouncycastle']);
        for (const o of outputs) assertProtectedInner(o);
        // The algorithms written, as OpenSSL reads them.
        const der = path.join(work.dir, `default-${provider}.der`);
        await openssl(['cms', '-cmsout', '-in', path.join(work.dir, `default-${provider}.in`), '-outform', 'DER', '-out', der]);
        const { stdout } = await openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', der]);
        assert.match(stdout, /aes-256-cbc/);
        assert.match(stdout, /algorithm: rsaEncryption/);
      });

      test(`provider ${provider}: AES-256-GCM with RSA-OAEP is authEnveloped-data, decrypted by openssl cms and Bouncy Castle`, async () => {
        const out = await m.encrypt(MESSAGE, pem(KEYS.bob.cert), { provider, cipher: 'aes-256-gcm', keyTransport: 'oaep' });
        assertOuter(out, 'authEnveloped-data');
        assertProtectedInner(await opensslDecrypt(work.dir, `gcm-oaep-${provider}`, out, KEYS.bob));
        await peersDecrypt(work.dir, `gcm-oaep-${provider}`, out, KEYS.bob, ['openssl-cms', 'bouncycastle']);
        const der = path.join(work.dir, `gcm-oaep-${provider}.der`);
        await openssl(['cms', '-cmsout', '-in', path.join(work.dir, `gcm-oaep-${provider}.in`), '-outform', 'DER', '-out', der]);
        const { stdout } = await openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', der]);
        assert.match(stdout, /rsaesOaep/);
        assert.match(stdout, /aes-256-gcm \(2\.16\.840\.1\.101\.3\.4\.1\.46\)/);
      });

      for (const [name, key, cipher, smimeType] of [
        ['P-256 ECDH', 'erin', 'aes-128-gcm', 'authEnveloped-data'],
        ['P-384 ECDH', 'frank', 'aes-256-cbc', 'enveloped-data'],
      ]) {
        test(`provider ${provider}: ${name} with ${cipher}, decrypted by openssl cms and Bouncy Castle`, async () => {
          const out = await m.encrypt(MESSAGE, [pem(KEYS[key].cert)], { provider, cipher });
          assertOuter(out, smimeType);
          assertProtectedInner(await opensslDecrypt(work.dir, `${key}-${provider}`, out, KEYS[key]));
          await peersDecrypt(work.dir, `${key}-${provider}`, out, KEYS[key], ['openssl-cms', 'bouncycastle']);
        });
      }

      test(`provider ${provider}: X25519 (RFC 8418) to RFC 9216 Dana, decrypted by Bouncy Castle`, async () => {
        const out = await m.encrypt(MESSAGE, [pem(KEYS.dana.cert)], { provider, cipher: 'aes-256-gcm' });
        assertOuter(out, 'authEnveloped-data');
        const outputs = await peersDecrypt(work.dir, `dana-${provider}`, out, KEYS.dana, ['bouncycastle']);
        for (const o of outputs) assertProtectedInner(o);
      });

      test(`provider ${provider}: signAndEncrypt - Bob decrypts, the inner signature verifies at every peer, Alice's own key decrypts the Sent copy`, async () => {
        const alice = await aliceWithEncryptionCert();
        const out = await m.signAndEncrypt(MESSAGE, alice, [pem(KEYS.bob.cert)], {
          provider,
          signingTime: new Date('2026-12-04T10:00:00Z'),
        });
        assertOuter(out, 'enveloped-data');
        const inner = await opensslDecrypt(work.dir, `se-${provider}`, out, KEYS.bob);
        const { type } = parseContentType(parseMessage(Buffer.from(inner).toString('latin1')).headers.get('content-type')[0]);
        assert.equal(type, 'multipart/signed');
        const { content } = await verifySigned(inner);
        assertProtectedInner(content);
        const self = await opensslDecrypt(work.dir, `se-self-${provider}`, out, KEYS.aliceEnc);
        assert.deepEqual(Buffer.from(self), Buffer.from(inner), 'the same content for Alice');
      });

      test(`provider ${provider}: encryptFile output decrypts with openssl cms -inform DER; decryptFile reads it back`, async () => {
        const bytes = new Uint8Array(300_000).map((_, i) => (i * 7 + 3) & 0xff);
        for (const cipher of ['aes-256-cbc', 'aes-256-gcm']) {
          const der = await m.encryptFile(bytes, [pem(KEYS.bob.cert)], { provider, cipher });
          assert.equal(der[0], 0x30, 'DER SEQUENCE');
          const plain = await opensslDecrypt(work.dir, `file-${cipher}-${provider}`, der, KEYS.bob, { inform: 'DER' });
          assert.ok(Buffer.from(plain).equals(Buffer.from(bytes)), `${cipher}: openssl recovers the file`);
          const bob = await bobIdentity();
          const back = await m.decryptFile(der, bob, { provider });
          assert.ok(Buffer.from(back.content).equals(Buffer.from(bytes)), `${cipher}: decryptFile recovers the file`);
          assert.equal(back.cipher, cipher);
          assert.equal(back.authenticated, cipher.endsWith('gcm'));
          assert.equal(back.keyManagement, 'rsa-pkcs1v15');
        }
      });

      test(`provider ${provider}: decryptFile reads what openssl cms -encrypt wrote (CBC, GCM, OAEP, -stream BER)`, async () => {
        const plainPath = path.join(work.dir, `plain-${provider}.bin`);
        const plain = Buffer.alloc(70_000, 0).map((_, i) => (i % 251));
        writeFileSync(plainPath, plain);
        const bob = await bobIdentity();
        for (const [i, extra] of [['-aes256'], ['-aes-256-gcm'], ['-aes128', 'oaep'], ['-aes256', '-stream']].entries()) {
          const out = path.join(work.dir, `ossl-${i}-${provider}.der`);
          const args = ['cms', '-encrypt', '-binary', '-outform', 'DER', '-in', plainPath, '-out', out, extra[0]];
          if (extra[1] === '-stream') args.push('-stream');
          args.push('-recip', KEYS.bob.cert);
          if (extra[1] === 'oaep') args.push('-keyopt', 'rsa_padding_mode:oaep');
          await openssl(args);
          const back = await m.decryptFile(readFileSync(out), bob, { provider });
          assert.ok(Buffer.from(back.content).equals(plain), `case ${extra.join(' ')}`);
          assert.equal(back.authenticated, extra[0] === '-aes-256-gcm');
          if (extra[1] === 'oaep') assert.match(back.keyManagement, /oaep/);
        }
      });
    }

    test('what one provider encrypts the other decrypts (CBC and GCM, RSA)', async () => {
      const bob = await bobIdentity();
      const bytes = new TextEncoder().encode('cross-provider file '.repeat(5000));
      for (const [a, b] of [['webcrypto', 'rustcrypto'], ['rustcrypto', 'webcrypto']]) {
        for (const cipher of ['aes-128-cbc', 'aes-256-gcm']) {
          const der = await m.encryptFile(bytes, [pem(KEYS.bob.cert)], { provider: a, cipher, keyTransport: 'oaep' });
          const back = await m.decryptFile(der, bob, { provider: b });
          assert.ok(Buffer.from(back.content).equals(Buffer.from(bytes)), `${a} -> ${b} ${cipher}`);
        }
      }
    });

    test('two recipients plus self: Bob, Erin and Alice each decrypt the same message', async () => {
      const alice = await aliceWithEncryptionCert();
      const out = await m.encrypt(MESSAGE, [pem(KEYS.bob.cert), pem(KEYS.erin.cert)], { identity: alice });
      const plans = await m.planEncryption([pem(KEYS.bob.cert), pem(KEYS.erin.cert)], { identity: alice });
      assert.equal(plans.recipients.length, 3);
      assert.deepEqual(plans.recipients.map((r) => r.isSelf), [false, false, true]);
      const contents = [];
      for (const k of ['bob', 'erin', 'aliceEnc']) contents.push(await opensslDecrypt(work.dir, `three-${k}`, out, KEYS[k]));
      assert.ok(Buffer.from(contents[0]).equals(Buffer.from(contents[1])));
      assert.ok(Buffer.from(contents[0]).equals(Buffer.from(contents[2])));
      assertProtectedInner(contents[0]);
    });

    test("planEncryption follows the advertised capabilities and explains the choice", async () => {
      const bob = pem(KEYS.bob.cert);
      const none = await m.planEncryption([bob]);
      assert.equal(none.cipher, 'aes-256-cbc');
      assert.match(none.cipherReason, /not every recipient/);
      assert.equal(none.recipients[0].keyManagement, 'rsa-pkcs1v15');
      assert.ok(none.recipients[0].certificate.emails.includes('bob@smime.example'));
      const gcm = await m.planEncryption([bob], { capabilities: [['aes256-GCM', 'rsaes-OAEP', 'aes256-CBC']] });
      assert.equal(gcm.cipher, 'aes-256-gcm');
      assert.equal(gcm.recipients[0].keyManagement, 'rsa-oaep-sha256');
      assert.match(gcm.recipients[0].reason, /advertised RSAES-OAEP/);
      const mixed = await m.planEncryption([bob, pem(KEYS.erin.cert)], { capabilities: [['aes256-GCM'], ['aes256-CBC']] });
      assert.equal(mixed.cipher, 'aes-256-cbc');
      const forced = await m.planEncryption([bob], { cipher: 'aes-128-gcm', keyTransport: 'oaep' });
      assert.equal(forced.cipher, 'aes-128-gcm');
      // And encrypt really does what the plan said.
      const out = await m.encrypt(MESSAGE, [bob], { capabilities: [['aes256-GCM', 'rsaes-OAEP']] });
      assertOuter(out, 'authEnveloped-data');
    });

    test('headerProtection: shy strips display names, off leaves the header as it is', async () => {
      const bob = pem(KEYS.bob.cert);
      const shy = assertOuter(await m.encrypt(MESSAGE, [bob], { headerProtection: 'shy' }), 'enveloped-data');
      assert.equal(shy.headers.get('from')[0].trim(), '<alice@smime.example>');
      const off = await m.encrypt(MESSAGE, [bob], { headerProtection: 'off' });
      assertOuter(off, 'enveloped-data', { subject: SUBJECT });
      const inner = Buffer.from(await opensslDecrypt(work.dir, 'hp-off', off, KEYS.bob)).toString('latin1');
      assert.ok(!/hp="cipher"/.test(inner), 'no hp parameter without protection');
    });

    test('errors: NO_RECIPIENTS, RECIPIENT_KEY_UNUSABLE, INVALID_OPTION, NOT_A_RECIPIENT, DECRYPTION_FAILED, MALFORMED_CMS', async () => {
      const bob = pem(KEYS.bob.cert);
      await expectSmimeError(() => m.encrypt(MESSAGE, []), 'NO_RECIPIENTS', assert);
      const err = await expectSmimeError(() => m.encrypt(MESSAGE, [pem(file('rfc9216/alice.sign.crt'))]), 'RECIPIENT_KEY_UNUSABLE', assert);
      assert.match(err.message, /alice@smime\.example/);
      await expectSmimeError(() => m.encrypt(MESSAGE, [bob], { chiper: 'aes-256-gcm' }), 'INVALID_OPTION', assert);
      await expectSmimeError(() => m.encrypt(MESSAGE, [bob], { cipher: 'des-ede3-cbc' }), 'INVALID_OPTION', assert);
      await expectSmimeError(() => m.encrypt(MESSAGE, [bob], { capabilities: 'aes256-GCM' }), 'INVALID_OPTION', assert);
      const der = await m.encryptFile(new TextEncoder().encode('for bob only'), [bob], { cipher: 'aes-256-gcm' });
      const alice = await aliceWithEncryptionCert();
      await expectSmimeError(() => m.decryptFile(der, alice), 'NOT_A_RECIPIENT', assert);
      const tampered = Uint8Array.from(der);
      tampered[tampered.length - 3] ^= 1; // inside the GCM tag
      const bobId = await bobIdentity();
      const err2 = await expectSmimeError(() => m.decryptFile(tampered, bobId), 'DECRYPTION_FAILED', assert);
      assert.ok(!('content' in err2), 'no plaintext with a failed tag');
      await expectSmimeError(() => m.decryptFile(new Uint8Array([1, 2, 3]), bobId), 'MALFORMED_CMS', assert);
      // The caller's input is not altered.
      const copy = Uint8Array.from(der);
      await m.decryptFile(der, bobId);
      assert.deepEqual(der, copy);
    });
  });
}
