// Compiled with `tsc --noEmit --strict` by tests/js/types.test.mjs: the typed client and keyring
// (www/client/*.d.ts); each @ts-expect-error marks a mistake that must not type-check.
import { SmimeClient, SmimeError } from '../../www/client/smime-client.js';
import type { CertificateInfo, IdentityInfo } from '../../www/client/smime-client.js';
import { Keyring } from '../../www/client/keyring.js';

export async function clientUsage(p12: Uint8Array, file: Blob): Promise<Uint8Array> {
  const smime = await SmimeClient.start();
  const me: IdentityInfo = await smime.importPkcs12({ data: p12, password: 'pw' });
  const ca = await smime.generateTestCa({ name: 'CA' });
  const bob = await smime.generateTestIdentity({ email: 'bob@example.org', issuer: ca.id });
  const bobCert: CertificateInfo = bob.encryptionCertificate ?? bob.certificate;
  const ac = new AbortController();
  const message = await smime.compose({ from: 'me@example.org', to: 'bob@example.org', subject: 's', text: 't' });
  const signed: Uint8Array = await smime.sign({ identity: me.id, message, digest: 'sha384', signal: ac.signal });
  const sealed = await smime.signAndEncrypt({ identity: me.id, message: signed, recipients: [bobCert], cipher: 'aes-256-gcm' });
  const opened = await smime.open({ message: sealed, identity: bob.id, trust: ca.certificate, onProgress: (p) => p.phase });
  const first = opened.layers[0];
  if (first?.type === 'signed') first.signers.map((s) => s.trusted);
  const cms = await smime.encryptFile({ data: file, recipients: bobCert.pem, resultAs: 'blob' });
  void cms;
  const keyring = await Keyring.open(smime);
  await keyring.saveIdentity({ identity: me.id, passphrase: 'secret' });
  const [contact] = await keyring.lookup('bob@example.org');
  void contact?.capabilities;
  try {
    // @ts-expect-error identities are ids, not objects
    await smime.sign({ identity: me, message });
  } catch (err) {
    if (err instanceof SmimeError) void err.code;
  }
  // @ts-expect-error exportPkcs12 needs a password
  await smime.exportPkcs12({ identity: me.id });
  // @ts-expect-error resultAs is 'bytes' or 'blob'
  await smime.compose({ from: 'a', to: 'b', subject: 'c', resultAs: 'text' });
  return opened.content;
}
