// The keyring in IndexedDB: own identities encrypted at rest, contacts' certificates by e-mail address,
// and trust anchors. A stored identity is a .p12 protected by the user's passphrase: the file as imported
// (when the user keeps its password) or re-exported by the worker with PBES2 (AES-256-CBC, PBKDF2,
// SHA-256 MAC) under a new passphrase. It is unlocked per session by importing it into the worker; the
// page never sees the key itself, only the encrypted .p12 on its way to and from IndexedDB.
import { SmimeError } from './protocol.js';

const DB_VERSION = 1;

function check(method, options, known) {
  for (const k of Object.keys(options ?? {})) {
    if (!known.includes(k)) throw new SmimeError('INVALID_OPTION', `keyring.${method}: unknown option ${JSON.stringify(k)} (known: ${known.join(', ')})`);
  }
  return options ?? {};
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new SmimeError('KEYRING_FAILURE', `IndexedDB: ${req.error?.message ?? 'error'}`, { cause: req.error }));
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(new SmimeError('KEYRING_FAILURE', `IndexedDB: ${tx.error?.message ?? 'aborted'}`, { cause: tx.error }));
  });
}

const normalize = (email) => String(email).trim().toLowerCase();

/** The public part of a stored identity (everything but the encrypted .p12). */
function publicRecord({ p12, ...rest }) {
  return { ...rest, size: p12?.byteLength ?? 0 };
}

export class Keyring {
  #db;
  #smime;

  /** Opens (creating when needed) the keyring database `name` for the client `smime`. */
  static async open(smime, options = {}) {
    const { name = 'smime-wasm-keyring' } = check('open', options, ['name']);
    const req = indexedDB.open(name, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore('identities', { keyPath: 'id' });
      const contacts = db.createObjectStore('contacts', { keyPath: ['email', 'fingerprintSha256'] });
      contacts.createIndex('email', 'email');
      db.createObjectStore('anchors', { keyPath: 'fingerprintSha256' });
    };
    const db = await request(req);
    return new Keyring(db, smime);
  }

  constructor(db, smime) {
    this.#db = db;
    this.#smime = smime;
  }

  async #put(store, value) {
    const tx = this.#db.transaction(store, 'readwrite');
    tx.objectStore(store).put(value);
    await done(tx);
    return value;
  }

  async #all(store, index, key) {
    const tx = this.#db.transaction(store, 'readonly');
    const s = tx.objectStore(store);
    return request(index ? s.index(index).getAll(key) : s.getAll());
  }

  async #delete(store, key) {
    const tx = this.#db.transaction(store, 'readwrite');
    tx.objectStore(store).delete(key);
    await done(tx);
  }

  #record(identity, p12, label, wrapped) {
    const cert = identity.certificate;
    return {
      id: cert.fingerprintSha256,
      label: label ?? cert.emails[0] ?? cert.subject,
      emails: cert.emails,
      subject: cert.subject,
      notAfter: cert.notAfter,
      keyAlgorithm: identity.keyAlgorithm,
      certificatePem: cert.pem,
      wrapped, // 'as-imported' or 'pbes2'
      stored: new Date(),
      p12,
    };
  }

  /**
   * Stores an unlocked identity (its id in the client) encrypted with `passphrase`: the worker exports it
   * as a PBES2 .p12 (the only key export), which is what IndexedDB keeps. Resolves to the public record.
   */
  async saveIdentity(options) {
    const { identity, passphrase, label } = check('saveIdentity', options, ['identity', 'passphrase', 'label']);
    if (typeof passphrase !== 'string' || passphrase.length === 0) {
      throw new SmimeError('INVALID_OPTION', 'keyring.saveIdentity: option "passphrase" must be a non-empty string');
    }
    const [info] = (await this.#smime.identities()).filter((i) => i.id === identity);
    if (!info) throw new SmimeError('UNKNOWN_IDENTITY', `no unlocked identity ${JSON.stringify(identity)}`);
    const p12 = await this.#smime.exportPkcs12({ identity, password: passphrase });
    return publicRecord(await this.#put('identities', this.#record(info, p12, label, 'pbes2')));
  }

  /** Stores a .p12 exactly as imported (protected by its own password), after checking that it opens. */
  async savePkcs12(options) {
    const { data, password, label } = check('savePkcs12', options, ['data', 'password', 'label']);
    const bytes = new Uint8Array(data instanceof ArrayBuffer ? data : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    const info = await this.#smime.importPkcs12({ data: bytes, password, transfer: false });
    await this.#put('identities', this.#record(info, bytes, label, 'as-imported'));
    return { identity: info, record: publicRecord(this.#record(info, bytes, label, 'as-imported')) };
  }

  /** The stored identities, without their encrypted .p12. */
  async listIdentities() {
    return (await this.#all('identities')).map(publicRecord);
  }

  /** Unlocks a stored identity into the worker; resolves to its client description (with `id`). */
  async unlock(options) {
    const { id, passphrase } = check('unlock', options, ['id', 'passphrase']);
    const tx = this.#db.transaction('identities', 'readonly');
    const record = await request(tx.objectStore('identities').get(id));
    if (!record) throw new SmimeError('NOT_FOUND', `the keyring holds no identity ${JSON.stringify(id)}`);
    return this.#smime.importPkcs12({ data: record.p12, password: passphrase });
  }

  async removeIdentity({ id }) {
    await this.#delete('identities', id);
  }

  /**
   * Adds a contact certificate (PEM, DER, or a client certificate description) under each of its e-mail
   * addresses, with the capabilities the sender advertised (from `open` / `extractCertificates`).
   */
  async addContact(options) {
    const { certificate, capabilities, source } = check('addContact', options, ['certificate', 'capabilities', 'source']);
    const input = certificate && typeof certificate === 'object' && typeof certificate.pem === 'string' ? certificate.pem : certificate;
    const [info] = await this.#smime.describeCertificates({ data: input, transfer: false });
    if (!info) throw new SmimeError('NO_CERTIFICATE', 'keyring.addContact: no certificate given');
    if (info.emails.length === 0) throw new SmimeError('INVALID_OPTION', `keyring.addContact: ${info.subject} names no e-mail address`);
    const records = info.emails.map((email) => ({
      email: normalize(email),
      fingerprintSha256: info.fingerprintSha256,
      subject: info.subject,
      notAfter: info.notAfter,
      keyAlgorithm: info.keyAlgorithm,
      certificatePem: info.pem,
      capabilities: capabilities ?? info.smimeCapabilities ?? [],
      source: source ?? 'file',
      added: new Date(),
    }));
    for (const r of records) await this.#put('contacts', r);
    return records;
  }

  /** "Remember sender": stores each signer's encryption certificate (or certificate) of a message. */
  async rememberSenders(options) {
    const { message } = check('rememberSenders', options, ['message']);
    const harvested = await this.#smime.extractCertificates({ message, transfer: false });
    const out = [];
    for (const h of harvested) {
      if (!h.signatureValid) continue;
      const cert = h.encryptionCertificate ?? h.certificate;
      if (cert) out.push(...(await this.addContact({ certificate: cert, capabilities: h.capabilities, source: 'message' })));
    }
    return out;
  }

  /** The contacts stored for an e-mail address (several certificates possible), newest first. */
  async lookup(email) {
    const list = await this.#all('contacts', 'email', normalize(email));
    return list.sort((a, b) => b.added - a.added);
  }

  async listContacts() {
    return this.#all('contacts');
  }

  async removeContact({ email, fingerprintSha256 }) {
    await this.#delete('contacts', [normalize(email), fingerprintSha256]);
  }

  /** Trust anchors (CA certificates the user chose to trust for signatures). */
  async addAnchor(options) {
    const { certificate } = check('addAnchor', options, ['certificate']);
    const input = certificate && typeof certificate === 'object' && typeof certificate.pem === 'string' ? certificate.pem : certificate;
    const list = await this.#smime.describeCertificates({ data: input, transfer: false });
    for (const info of list) {
      await this.#put('anchors', { fingerprintSha256: info.fingerprintSha256, subject: info.subject, certificatePem: info.pem, added: new Date() });
    }
    return list;
  }

  async listAnchors() {
    return this.#all('anchors');
  }

  close() {
    this.#db.close();
  }
}
