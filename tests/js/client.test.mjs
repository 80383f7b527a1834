// The JS client (www/client/) in Node: SmimeClient talks over a MessageChannel to the worker loop
// (worker-loop.js + dispatch.js) running on the web build (pkg/, initSync), exactly the code the browser
// Worker runs minus `init()`. Outputs are checked by openssl.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';

import { createDispatcher } from '../../www/client/dispatch.js';
import { METHODS, SmimeClient, SmimeError } from '../../www/client/smime-client.js';
import { listen } from '../../www/client/worker-loop.js';
import { ALICE_EMAIL, CA_CERT, ROOT, loadWebBuild, openssl, tempDir } from './helpers.mjs';

const RFC9216 = path.join(ROOT, 'tests', 'data', 'rfc9216');

describe('SmimeClient over a MessageChannel (worker loop + dispatch on pkg/)', () => {
  let smime;
  let channel;
  let work;
  let dispatcher;

  before(async () => {
    const wasm = await loadWebBuild();
    channel = new MessageChannel();
    dispatcher = createDispatcher(wasm);
    listen(channel.port2, Promise.resolve(dispatcher));
    smime = await SmimeClient.start({ worker: channel.port1 });
    work = tempDir('smime-client-');
  });

  after(() => {
    smime?.terminate();
    channel?.port2.close();
    work?.cleanup();
  });

  test('imports the legacy 3DES .p12 as a handle; no key bytes in the description', async () => {
    const p12 = readFileSync(path.join(RFC9216, 'alice.p12'));
    const me = await smime.importPkcs12({ data: new Uint8Array(p12), password: 'alice' });
    assert.match(me.id, /^id-\d+$/);
    assert.ok(me.certificate.emails.includes(ALICE_EMAIL));
    assert.match(me.certificate.pem, /^-----BEGIN CERTIFICATE-----/);
    const text = JSON.stringify(me);
    assert.ok(!/PRIVATE KEY/.test(text), 'no private key in the identity description');
    const key = readFileSync(path.join(RFC9216, 'alice.sign.key'), 'utf8').replace(/-----[^-]+-----|\s/g, '');
    assert.ok(!text.includes(key.slice(40, 80)), 'no key base64 in the description');
  });

  test('the .p12 buffer is transferred (detached in the caller), not copied', async () => {
    const p12 = new Uint8Array(readFileSync(path.join(RFC9216, 'bob.p12')));
    assert.ok(p12.byteLength > 0);
    const bob = await smime.importPkcs12({ data: p12, password: 'bob' });
    assert.equal(p12.byteLength, 0, 'the caller\'s buffer is detached after the call');
    assert.ok(bob.certificate.emails.includes('bob@smime.example'));
    const kept = new Uint8Array(readFileSync(path.join(RFC9216, 'bob.p12')));
    await smime.forget({ identity: (await smime.importPkcs12({ data: kept, password: 'bob', transfer: false })).id });
    assert.ok(kept.byteLength > 0, 'transfer: false copies');
  });

  test('compose + sign through the worker; openssl verifies', async () => {
    const [me] = await smime.identities();
    const message = await smime.compose({ from: ALICE_EMAIL, to: 'bob@smime.example', subject: 'client', text: 'Hello from the worker' });
    assert.ok(message instanceof Uint8Array);
    const phases = [];
    const signed = await smime.sign({ identity: me.id, message, onProgress: (p) => phases.push(p.phase) });
    assert.deepEqual(phases, ['started', 'done']);
    assert.equal(message.byteLength, 0, 'the message was transferred');
    const file = path.join(work.dir, 'signed.eml');
    writeFileSync(file, signed);
    const { stdout } = await openssl(['cms', '-verify', '-in', file, '-CAfile', CA_CERT]);
    assert.match(stdout, /Hello from the worker/);
  });

  test('encrypt to Bob, open with Bob: decrypted; openssl decrypts too', async () => {
    const bob = await smime.importPkcs12({ data: readFileSync(path.join(RFC9216, 'bob.p12')), password: 'bob' });
    const plan = await smime.planEncryption({ recipients: [bob.encryptionCertificate ?? bob.certificate], includeSelf: false });
    assert.match(plan.cipher, /aes/);
    assert.equal(plan.recipients.length, 1);
    const message = await smime.compose({ from: ALICE_EMAIL, to: 'bob@smime.example', subject: 'secret', text: 'For Bob only' });
    const sealed = await smime.encrypt({ message, recipients: [bob.encryptionCertificate ?? bob.certificate], includeSelf: false });
    const file = path.join(work.dir, 'sealed.eml');
    writeFileSync(file, sealed);
    const { stdout } = await openssl(['cms', '-decrypt', '-in', file, '-inkey', path.join(RFC9216, 'bob.encrypt.key'),
      '-recip', path.join(RFC9216, 'bob.encrypt.crt')]);
    assert.match(stdout, /For Bob only/);
    const opened = await smime.open({ message: sealed, identity: bob.id });
    assert.equal(opened.layers[0].type, 'encrypted');
    assert.equal(opened.layers[0].decrypted, true);
    assert.match(new TextDecoder().decode(opened.content), /For Bob only/);
  });

  test('open of a signed message names the signer and validates against trust', async () => {
    const [me] = await smime.identities();
    const message = await smime.compose({ from: ALICE_EMAIL, to: 'bob@smime.example', subject: 's', text: 'signed' });
    const signed = await smime.sign({ identity: me.id, message });
    const copy = signed.slice();
    const opened = await smime.open({ message: signed, trust: readFileSync(CA_CERT, 'utf8') });
    assert.equal(opened.signers.length, 1);
    assert.equal(opened.signers[0].signatureValid, true);
    assert.equal(opened.signers[0].trusted, true);
    assert.equal(opened.signers[0].certificate.emails[0], ALICE_EMAIL);
    const harvested = await smime.extractCertificates({ message: copy });
    assert.equal(harvested[0].email, ALICE_EMAIL);
    assert.match(harvested[0].certificate.pem, /BEGIN CERTIFICATE/);
  });

  test('encryptFile / decryptFile round trip of 1 MiB', async () => {
    const bob = (await smime.identities()).find((i) => i.certificate.emails.includes('bob@smime.example'));
    const data = new Uint8Array(1 << 20).map((_, i) => i * 7);
    const expected = data.slice();
    const cms = await smime.encryptFile({ data, recipients: bob.encryptionCertificate ?? bob.certificate, includeSelf: false });
    const out = await smime.decryptFile({ data: cms, identity: bob.id });
    assert.deepEqual(out.content, expected);
  });

  test('Blob input is read by the worker; resultAs: "blob" returns a Blob', async () => {
    const bob = (await smime.identities()).find((i) => i.certificate.emails.includes('bob@smime.example'));
    const phases = [];
    const cms = await smime.encryptFile({ data: new Blob(['file in a blob']), recipients: bob.encryptionCertificate ?? bob.certificate, includeSelf: false,
      resultAs: 'blob', onProgress: (p) => phases.push(p.phase) });
    assert.ok(cms instanceof Blob);
    assert.deepEqual(phases, ['reading', 'started', 'done']);
    const out = await smime.decryptFile({ data: cms, identity: bob.id });
    assert.equal(new TextDecoder().decode(out.content), 'file in a blob');
    await assert.rejects(smime.compose({ resultAs: 'text' }), { code: 'INVALID_OPTION', message: /resultAs/ });
  });

  test('generated test CA and identity; exportPkcs12 is the only key export and is encrypted', async () => {
    const ca = await smime.generateTestCa({ name: 'Client Test CA' });
    const carol = await smime.generateTestIdentity({ email: 'carol@example.org', issuer: ca.id });
    assert.deepEqual(carol.certificate.emails, ['carol@example.org']);
    assert.equal(carol.chain.at(-1)?.subject, ca.certificate.subject, 'the chain ends with the CA');
    const p12 = await smime.exportPkcs12({ identity: carol.id, password: 'pw' });
    const again = await smime.importPkcs12({ data: p12, password: 'pw' });
    assert.equal(again.certificate.fingerprintSha256, carol.certificate.fingerprintSha256);
    await assert.rejects(smime.exportPkcs12({ identity: carol.id }), { code: 'INVALID_OPTION' });
  });

  test('unknown options are rejected by name on the page side, before the worker', async () => {
    await assert.rejects(smime.sign({ identity: 'id-1', mesage: 'x' }), (err) => {
      assert.ok(err instanceof SmimeError);
      assert.equal(err.code, 'INVALID_OPTION');
      assert.match(err.message, /"mesage"/);
      return true;
    });
    // and by the dispatcher (the worker side) as well
    await assert.rejects(dispatcher.handle('open', { message: 'x', trusted: [] }), { code: 'INVALID_OPTION', message: /"trusted"/ });
    await assert.rejects(smime.call('nope', {}), { code: 'INVALID_OPTION' });
  });

  test('errors carry the core code and a cause; unknown identity', async () => {
    await assert.rejects(smime.importPkcs12({ data: readFileSync(path.join(RFC9216, 'alice.p12')), password: 'wrong' }),
      (err) => err instanceof SmimeError && err.code === 'WRONG_PASSWORD' && err.cause !== undefined);
    await assert.rejects(smime.sign({ identity: 'id-999', message: 'x' }), { code: 'UNKNOWN_IDENTITY' });
  });

  test('AbortSignal: an aborted call rejects with ABORTED, before or during the call', async () => {
    const [me] = await smime.identities();
    await assert.rejects(smime.sign({ identity: me.id, message: 'x', signal: AbortSignal.abort() }), { code: 'ABORTED' });
    const ac = new AbortController();
    const pending = smime.encryptFile({ data: new Uint8Array(4 << 20), recipients: me.certificate, signal: ac.signal });
    ac.abort(new Error('user pressed stop'));
    await assert.rejects(pending, (err) => err.code === 'ABORTED' && err.cause?.message === 'user pressed stop');
    // the client still works afterwards
    assert.ok((await smime.identities()).length >= 2);
  });

  test('forget frees the identity', async () => {
    const ca = await smime.generateTestCa({});
    assert.equal(await smime.forget({ identity: ca.id }), true);
    await assert.rejects(smime.exportPkcs12({ identity: ca.id, password: 'x' }), { code: 'UNKNOWN_IDENTITY' });
  });

  test('every protocol method is a client method', () => {
    for (const m of Object.keys(METHODS)) assert.equal(typeof smime[m], 'function', m);
  });
});

test('a worker whose wasm fails to load rejects start() with WORKER_FAILED', async () => {
  const channel = new MessageChannel();
  listen(channel.port2, Promise.reject(new Error('no wasm here')));
  await assert.rejects(SmimeClient.start({ worker: channel.port1 }), { code: 'WORKER_FAILED', message: /no wasm here/ });
  channel.port1.close();
});
