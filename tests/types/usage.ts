// Compiled with `tsc --noEmit --strict` against the generated pkg/smime_wasm.d.ts by
// tests/js/types.test.mjs: the calls a TypeScript user writes must type-check, and the mistakes
// below must not (each is marked with @ts-expect-error, which fails if the line compiles).
import init, { Certificate, Identity, compose, decryptFile, encrypt, encryptFile, errorCodes, extractCertificates, open, planEncryption, problemCodes, sign, signAndEncrypt } from '../../pkg/smime_wasm.js';
import type { DecryptedFile, EncryptOptions, EncryptionPlan, HarvestedCertificate, OpenOptions, OpenResult, SignOptions } from '../../pkg/smime_wasm.js';

export async function usage(key: string, certs: Uint8Array[]): Promise<Uint8Array> {
  await init();
  const me: Identity = await Identity.fromPem(key, certs);
  const other: Identity = await Identity.fromPem(new Uint8Array(0), 'PEM text', 'passphrase');
  other.free();
  const fromP12: Identity = await Identity.fromPkcs12(new Uint8Array(0), 'password');
  const backup: Uint8Array = await fromP12.toPkcs12('new password', { legacy: true });
  const name: string | undefined = fromP12.friendlyName;
  const modern: Uint8Array = await fromP12.toPkcs12('new password');
  const ca: Identity = await Identity.generateTestCa({ name: 'Test CA', keyType: 'P-384' });
  const bob: Identity = await Identity.generateTest({ email: 'bob@example.org', keyType: 'RSA-2048', issuer: ca, validDays: 30 });
  const facts: [string[], string[], boolean, boolean, number | undefined] = [
    bob.certificate.keyUsage, bob.certificate.extendedKeyUsage, bob.certificate.isCa,
    bob.certificate.isSignedBy(ca.certificate), bob.certificate.keySize,
  ];
  void facts;
  void [backup, name, modern];
  const cert: Certificate = await Certificate.fromBytes(certs[0]);
  const all: Certificate[] = await Certificate.allFromBytes('PEM text');
  const emails: string[] = cert.emails;
  const notAfter: Date = cert.notAfter;
  const der: Uint8Array = cert.toDer();
  const pem: string = all[0].toPem();
  const codes: string[] = errorCodes();
  const message: Uint8Array = await compose({ from: 'a@example.com', to: ['b@example.com'], subject: 's', text: 't' });
  const defaults: Uint8Array = await sign(message, me);
  const options: SignOptions = { detached: false, digest: 'sha384', rsaPadding: 'pss', signingTime: new Date(), provider: 'webcrypto', headerProtection: false };
  const signed: Uint8Array = await sign('Subject: x\r\n\r\nx\r\n', me, options);
  void [emails, notAfter, der, pem, codes, defaults];
  return signed;
}

export async function encryption(me: Identity, bob: Certificate, bobPem: string, file: Uint8Array): Promise<Uint8Array> {
  const plan: EncryptionPlan = await planEncryption([bob, bobPem], { identity: me, capabilities: [['aes256-GCM', 'rsaes-OAEP'], null] });
  const why: string = plan.recipients[0].reason + plan.cipherReason;
  const options: EncryptOptions = { cipher: 'aes-256-gcm', keyTransport: 'oaep', recipientId: 'subjectKeyIdentifier', headerProtection: 'shy', identity: me, includeSelf: false, provider: 'rustcrypto' };
  const sealed: Uint8Array = await encrypt('Subject: x\r\n\r\nx\r\n', [bob], options);
  const both: Uint8Array = await signAndEncrypt(sealed, me, bobPem, { digest: 'sha512', cipher: 'auto', detached: false });
  const der: Uint8Array = await encryptFile(file, bob);
  const opened: DecryptedFile = await decryptFile(der, me, { provider: 'webcrypto' });
  const plainly: DecryptedFile = await decryptFile(der, me);
  void plainly;
  const authenticated: boolean = opened.authenticated;
  void [why, both, authenticated];
  return opened.content;
}

export async function receiving(me: Identity, anchor: Certificate, mail: Uint8Array): Promise<string[]> {
  const options: OpenOptions = { identity: me, trust: [anchor, 'PEM text'], intermediates: new Uint8Array(0), at: new Date(), provider: 'auto' };
  const result: OpenResult = await open(mail, options);
  const plain: OpenResult = await open('Subject: x\r\n\r\nx\r\n');
  const verdicts: boolean[] = result.signers.map((s) => s.signatureValid && s.trusted && s.emailMatchesFrom);
  for (const layer of result.layers) {
    if (layer.type === 'encrypted') void [layer.decrypted, layer.cipher, layer.recipients[0].keyManagement];
    if (layer.type === 'signed') void layer.signers[0].problems;
  }
  const subject: string | undefined = result.headers.fields.find((f) => f.name === 'Subject')?.value;
  const harvested: HarvestedCertificate[] = await extractCertificates(mail);
  const reply: Uint8Array = await encrypt('x', [harvested[0].encryptionCertificate ?? harvested[0].certificate], { capabilities: [harvested[0].capabilities] });
  const codes: { code: string; meaning: string }[] = problemCodes();
  void [plain, verdicts, subject, reply];
  return codes.map((c) => c.code);
}

export async function mistakes(me: Identity): Promise<void> {
  // @ts-expect-error: open's identity is an Identity, not a key
  await open('x', { identity: 'PEM key' });
  // @ts-expect-error: unknown option of open
  await open('x', { trusted: [] });
  // @ts-expect-error: not a digest the library offers
  await sign('x', me, { digest: 'md5' });
  // @ts-expect-error: unknown option
  await sign('x', me, { detach: true });
  // @ts-expect-error: headerProtection is a boolean
  await sign('x', me, { headerProtection: 'hcp_shy' });
  // @ts-expect-error: compose needs from, to and subject
  await compose({ text: 'no headers' });
  // @ts-expect-error: not a key type the library generates
  await Identity.generateTest({ email: 'x@example.org', keyType: 'RSA-1024' });
  // @ts-expect-error: toPkcs12 needs a password
  await me.toPkcs12();
  // @ts-expect-error: 3DES is never written
  await encrypt('x', [], { cipher: 'des-ede3-cbc' });
  // @ts-expect-error: headerProtection of encrypt is a policy name
  await encrypt('x', [], { headerProtection: true });
  // @ts-expect-error: signAndEncrypt takes the signer as an argument, not an option
  await signAndEncrypt('x', me, [], { identity: me });
  // @ts-expect-error: fromPem returns a Promise, not an Identity
  const id: Identity = Identity.fromPem('k', 'c');
  void id;
}
