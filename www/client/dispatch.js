// The worker side of the S/MIME client, without the Worker: turns one request (method + options) into
// calls of the wasm module and returns plain, structured-cloneable results. Identities stay here as wasm
// objects; the page only ever sees their ids. Certificates leave as plain objects with their PEM.
// worker.js wires this to postMessage; the Node tests call it directly.
import { SmimeError, checkOptions } from './protocol.js';

/**
 * A Certificate (wasm object) as a plain object; frees the wasm object. A result may hold one wasm object
 * in several places (a signer in `layers` and in `signers`): `seen` maps each to its one description.
 */
function certInfo(cert, seen) {
  if (!cert) return null;
  if (seen?.has(cert)) return seen.get(cert);
  try {
    const info = {
      pem: cert.toPem(),
      subject: cert.subject,
      issuer: cert.issuer,
      emails: cert.emails,
      fingerprintSha256: cert.fingerprintSha256,
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
      keyAlgorithm: cert.keyAlgorithm,
      keySize: cert.keySize ?? null,
      curve: cert.curve ?? null,
      keyUsage: cert.keyUsage,
      extendedKeyUsage: cert.extendedKeyUsage,
      smimeCapabilities: cert.smimeCapabilities,
      isCa: cert.isCa,
      isSelfSigned: cert.isSelfSigned,
    };
    seen?.set(cert, info);
    return info;
  } finally {
    cert.free();
  }
}

const certList = (list, seen) => (list ?? []).map((c) => certInfo(c, seen));

/** A recipient / trust input: PEM text, DER bytes, or a certificate info object (its `pem`). */
function certInput(v) {
  if (Array.isArray(v)) return v.map(certInput);
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer)) {
    if (typeof v.pem === 'string') return v.pem;
    throw new SmimeError('INVALID_OPTION', 'a certificate must be PEM text, DER bytes or an object with `pem`');
  }
  return v;
}

function signerInfo(s, seen) {
  if (seen.has(s)) return seen.get(s);
  const info = {
    ...s,
    certificate: certInfo(s.certificate, seen),
    chain: certList(s.chain, seen),
    trustAnchor: certInfo(s.trustAnchor, seen),
    encryptionCertificate: certInfo(s.encryptionCertificate, seen),
  };
  seen.set(s, info);
  return info;
}

/**
 * @param wasm the initialised web (or Node) build: { Identity, Certificate, sign, encrypt, ... }
 * @returns {{ handle(method, options, hooks?): Promise<{result, transfer}>, size(): number }}
 */
export function createDispatcher(wasm) {
  const identities = new Map(); // id -> Identity (wasm object)
  let next = 1;

  function keep(identity) {
    const id = `id-${next++}`;
    identities.set(id, identity);
    return describe(id);
  }

  function describe(id) {
    const identity = lookup(id);
    const seen = new Map();
    return {
      id,
      certificate: certInfo(identity.certificate, seen),
      chain: certList(identity.chain, seen),
      encryptionCertificate: certInfo(identity.encryptionCertificate, seen),
      keyAlgorithm: identity.keyAlgorithm,
      hasEncryptionKey: identity.hasEncryptionKey,
      friendlyName: identity.friendlyName ?? null,
    };
  }

  function lookup(id, { optional = false } = {}) {
    if (id === undefined || id === null) {
      if (optional) return undefined;
      throw new SmimeError('INVALID_OPTION', 'option "identity" (an identity id) is required');
    }
    const identity = identities.get(id);
    if (!identity) throw new SmimeError('UNKNOWN_IDENTITY', `no unlocked identity ${JSON.stringify(id)}`);
    return identity;
  }

  /** Splits options into the core's options: everything but the named fields, identity resolved. */
  function rest(options, drop) {
    const out = {};
    for (const [k, v] of Object.entries(options)) {
      if (drop.includes(k) || v === undefined) continue;
      out[k] = v;
    }
    if ('identity' in out) out.identity = lookup(out.identity);
    return out;
  }

  const bytesOut = (u8) => ({ result: u8, transfer: [u8.buffer] });

  const handlers = {
    async importPkcs12({ data, password }) {
      return { result: keep(await wasm.Identity.fromPkcs12(data, password ?? null)) };
    },
    async importPem({ key, certificates, passphrase }) {
      return { result: keep(await wasm.Identity.fromPem(key, certificates, passphrase ?? null)) };
    },
    async generateTestCa(options) {
      return { result: keep(await wasm.Identity.generateTestCa(options)) };
    },
    async generateTestIdentity(options) {
      const o = { ...options };
      if (o.issuer !== undefined) o.issuer = lookup(o.issuer);
      return { result: keep(await wasm.Identity.generateTest(o)) };
    },
    async exportPkcs12({ identity, password, legacy }) {
      if (typeof password !== 'string' || password === '') {
        throw new SmimeError('INVALID_OPTION', 'exportPkcs12: option "password" must be a non-empty string');
      }
      return bytesOut(await lookup(identity).toPkcs12(password, legacy === undefined ? null : { legacy }));
    },
    async forget({ identity }) {
      const found = identities.get(identity);
      if (found) {
        identities.delete(identity);
        found.free();
      }
      return { result: Boolean(found) };
    },
    async identities() {
      return { result: [...identities.keys()].map(describe) };
    },
    async describeCertificates({ data }) {
      return { result: certList(await wasm.Certificate.allFromBytes(data)) };
    },
    async compose(fields) {
      return bytesOut(await wasm.compose(fields));
    },
    async sign(options) {
      return bytesOut(await wasm.sign(options.message, lookup(options.identity), rest(options, ['message', 'identity'])));
    },
    async encrypt(options) {
      return bytesOut(await wasm.encrypt(options.message, certInput(options.recipients ?? []), rest(options, ['message', 'recipients'])));
    },
    async signAndEncrypt(options) {
      const o = rest(options, ['message', 'recipients', 'identity']);
      return bytesOut(await wasm.signAndEncrypt(options.message, lookup(options.identity), certInput(options.recipients ?? []), o));
    },
    async planEncryption(options) {
      const seen = new Map();
      const plan = await wasm.planEncryption(certInput(options.recipients ?? []), rest(options, ['recipients']));
      return { result: { ...plan, recipients: plan.recipients.map((r) => ({ ...r, certificate: certInfo(r.certificate, seen) })) } };
    },
    async encryptFile(options) {
      return bytesOut(await wasm.encryptFile(options.data, certInput(options.recipients ?? []), rest(options, ['data', 'recipients'])));
    },
    async decryptFile({ data, identity, provider }) {
      const out = await wasm.decryptFile(data, lookup(identity), provider === undefined ? {} : { provider });
      return { result: out, transfer: [out.content.buffer] };
    },
    async open(options) {
      const o = rest(options, ['message']);
      for (const k of ['trust', 'intermediates']) if (k in o) o[k] = certInput(o[k]);
      const r = await wasm.open(options.message, o);
      const seen = new Map();
      const result = {
        content: r.content,
        headers: r.headers,
        layers: r.layers.map((l) => (l.type === 'signed' ? { ...l, signers: l.signers.map((s) => signerInfo(s, seen)) } : l)),
        signers: r.signers.map((s) => signerInfo(s, seen)),
        certificates: certList(r.certificates, seen),
      };
      return { result, transfer: [r.content.buffer] };
    },
    async extractCertificates({ message }) {
      const list = await wasm.extractCertificates(message);
      const seen = new Map();
      return {
        result: list.map((h) => ({
          ...h,
          certificate: certInfo(h.certificate, seen),
          chain: certList(h.chain, seen),
          encryptionCertificate: certInfo(h.encryptionCertificate, seen),
        })),
      };
    },
  };

  return {
    /** Runs one call; rejects with a SmimeError (the core's errors keep their code). */
    async handle(method, options, hooks = {}) {
      const opts = checkOptions(method, options ?? {});
      hooks.progress?.({ phase: 'started' });
      try {
        const out = await handlers[method](opts);
        hooks.progress?.({ phase: 'done' });
        // The wasm module's results may share one buffer with nothing else; transfer only distinct ones.
        return { result: out.result, transfer: [...new Set(out.transfer ?? [])] };
      } catch (err) {
        if (err instanceof SmimeError) throw err;
        if (err && typeof err.code === 'string') throw new SmimeError(err.code, err.message, { cause: err });
        throw new SmimeError('WORKER_FAILED', `${method} failed: ${err?.message ?? err}`, { cause: err });
      }
    },
    size: () => identities.size,
  };
}
