// Types of smime-wasm/keyring (www/client/keyring.js).
import type { Bytes, CertificateInfo, IdentityInfo, SmimeClient } from './smime-client.js';

export interface StoredIdentity {
  id: string; label: string; emails: string[]; subject: string; notAfter: Date; keyAlgorithm: string;
  certificatePem: string; wrapped: 'as-imported' | 'pbes2'; stored: Date; size: number;
}
export interface Contact {
  email: string; fingerprintSha256: string; subject: string; notAfter: Date; keyAlgorithm: string;
  certificatePem: string; capabilities: string[]; source: string; added: Date;
}

export class Keyring {
  static open(smime: SmimeClient, options?: { name?: string }): Promise<Keyring>;
  saveIdentity(o: { identity: string; passphrase: string; label?: string }): Promise<StoredIdentity>;
  savePkcs12(o: { data: Bytes; password: string; label?: string }): Promise<{ identity: IdentityInfo; record: StoredIdentity }>;
  listIdentities(): Promise<StoredIdentity[]>;
  unlock(o: { id: string; passphrase: string }): Promise<IdentityInfo>;
  removeIdentity(o: { id: string }): Promise<void>;
  addContact(o: { certificate: string | Bytes | CertificateInfo; capabilities?: string[]; source?: string }): Promise<Contact[]>;
  rememberSenders(o: { message: Bytes | string }): Promise<Contact[]>;
  lookup(email: string): Promise<Contact[]>;
  listContacts(): Promise<Contact[]>;
  removeContact(o: { email: string; fingerprintSha256: string }): Promise<void>;
  addAnchor(o: { certificate: string | Bytes | CertificateInfo }): Promise<CertificateInfo[]>;
  listAnchors(): Promise<{ fingerprintSha256: string; subject: string; certificatePem: string; added: Date }[]>;
  close(): void;
}
