// The workloads, shared by Node (run.mjs imports this file) and Chromium (page/index.html imports
// it from the loopback server). No Node or DOM API here: everything environment-specific comes in
// through `env` (the libraries, WebCrypto's SubtleCrypto, a clock, and a sink for first outputs).

/** Message sizes: 1 KiB is measured in ops/s, 10 MiB in MB/s (10^6 bytes per second). */
export const SIZES = [
  { id: '1KiB', bytes: 1024, unit: 'ops/s' },
  { id: '10MiB', bytes: 10 * 1024 * 1024, unit: 'MB/s' },
];

/** The signing keys (files under tests/data/ of the repository). */
export const KEYS = [
  { id: 'RSA-2048', key: 'rfc9216/alice.sign.key', cert: 'rfc9216/alice.sign.crt' },
  { id: 'P-256', key: 'generated/erin.ec.key', cert: 'generated/erin.ec.crt' },
  { id: 'Ed25519', key: 'rfc9216/carlos.sign.key', cert: 'rfc9216/carlos.sign.crt' },
];

/** Libraries and what each is run with. `ours: true` marks the rows that get ratios. */
export const LIBS = [
  { id: 'smime-wasm', provider: 'webcrypto', ours: true, keys: ['RSA-2048', 'P-256', 'Ed25519'] },
  { id: 'smime-wasm', provider: 'rustcrypto', ours: true, keys: ['RSA-2048', 'P-256', 'Ed25519'] },
  { id: 'smime-wasm', provider: 'auto', ours: true, keys: ['Ed25519'] },
  { id: 'PKI.js', provider: 'WebCrypto', ours: false, keys: ['RSA-2048', 'P-256'] },
  { id: 'node-forge', provider: 'pure JS', ours: false, keys: ['RSA-2048'] },
];

/**
 * Measurement plans. 1 KiB: time-boxed batches of operations per sample. 10 MiB: one operation per
 * sample, after a warm-up long enough for V8 to tier the wasm code up (a function that runs one
 * long loop stays in the baseline tier for that call; it takes ~3 large operations to settle).
 */
export const PLANS = {
  full: {
    small: { warmupMs: 500, warmupMinOps: 3, samples: 11, sampleMs: 400 },
    large: { warmupOps: 3, warmupMs: 1000, samples: 7 },
  },
  quick: {
    small: { warmupMs: 150, warmupMinOps: 2, samples: 5, sampleMs: 80 },
    large: { warmupOps: 2, warmupMs: 0, samples: 3 },
  },
};

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
};

/** Every case, in run order: sizes outer, then keys, then libraries. */
export function cases() {
  const out = [];
  for (const size of SIZES) {
    for (const key of KEYS) {
      for (const lib of LIBS) {
        if (!lib.keys.includes(key.id)) continue;
        const id = `${slug(lib.id)}-${slug(lib.provider)}-${slug(key.id)}-${size.id}`.toLowerCase();
        out.push({ id, lib: lib.id, provider: lib.provider, ours: lib.ours, key: key.id, size: size.id });
      }
    }
  }
  return out;
}

function slug(s) {
  return s.replace(/[^A-Za-z0-9]+/g, '');
}

/**
 * The message: an RFC 5322 message whose body is already a canonical 7-bit text/plain entity
 * (CRLF lines of at most 60 ASCII characters, no trailing white space, no "From " lines), exactly `size`
 * bytes long. smime-wasm signs the entity inside it (header block after the outer fields), the
 * peers sign all `size` bytes; the difference is the ~100 bytes of outer header fields.
 */
export function makeMessage(size) {
  const head =
    'From: Alice Lovelace <alice@smime.example>\r\n' +
    'To: Bob Hopper <bob@smime.example>\r\n' +
    'Subject: benchmark\r\n' +
    'Date: Tue, 25 Nov 2025 12:00:00 +0000\r\n' +
    'Message-ID: <bench@smime.example>\r\n' +
    'MIME-Version: 1.0\r\n' +
    'Content-Type: text/plain; charset=us-ascii\r\n' +
    'Content-Transfer-Encoding: 7bit\r\n' +
    '\r\n';
  const out = new Uint8Array(size);
  let pos = 0;
  const put = (text) => {
    for (let i = 0; i < text.length; i++) out[pos++] = text.charCodeAt(i);
  };
  put(head);
  const line = (n) => `${String(n).padStart(8, '0')} The quick brown fox jumps over the lazy dog 0123456\r\n`;
  const LINE = line(0).length; // 62 bytes
  let n = 0;
  while (size - pos > 2 * LINE) put(line(n++));
  // The rest (LINE < r <= 2 * LINE bytes) as two shorter lines of the same kind.
  const r = size - pos;
  const a = r >> 1;
  const cut = (text, len) => text.slice(0, len - 1) + '.\r\n'; // no trailing white space
  put(cut(line(n++), a - 2));
  put(cut(line(n++), r - a - 2));
  if (pos !== size) throw new Error(`makeMessage: ${pos} != ${size}`);
  return out;
}

/** PEM text → DER bytes of its first block. */
export function pemToDer(pem) {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) throw new Error('no PEM block');
  const b64 = m[2].replace(/[^A-Za-z0-9+/=]/g, '');
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Bytes → forge's "binary string" (one char per byte), in chunks. */
export function bytesToBinary(bytes) {
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK));
  }
  return s;
}

/** forge's binary string → bytes. */
export function binaryToBytes(s) {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const WEBCRYPTO_IMPORT = {
  'RSA-2048': { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  'P-256': { name: 'ECDSA', namedCurve: 'P-256' },
};

/**
 * Prepares one signing function per case: keys and certificates are parsed and imported once,
 * outside the timed loop, for every library (smime-wasm imports its WebCrypto key on the first
 * sign and caches it in the Identity; that first sign is a warm-up operation).
 *
 * env: { smime, pkijs, asn1js, forge, subtle, fixtures: {[keyId]: {key, cert}} (PEM text),
 *        signingTime: ms }
 */
export async function prepare(env) {
  const { smime, pkijs, asn1js, forge, subtle, fixtures, signingTime } = env;
  const date = new Date(signingTime);
  const identities = {};
  const pkijsKeys = {};
  const forgeKeys = {};
  if (pkijs) pkijs.setEngine('bench', new pkijs.CryptoEngine({ name: 'bench', crypto: env.crypto }));
  for (const k of KEYS) {
    const f = fixtures[k.id];
    identities[k.id] = await smime.Identity.fromPem(f.key, f.cert);
    if (pkijs && WEBCRYPTO_IMPORT[k.id]) {
      const cert = pkijs.Certificate.fromBER(pemToDer(f.cert));
      const key = await subtle.importKey('pkcs8', pemToDer(f.key), WEBCRYPTO_IMPORT[k.id], false, ['sign']);
      pkijsKeys[k.id] = { cert, key };
    }
    if (forge && k.id === 'RSA-2048') {
      forgeKeys[k.id] = {
        cert: forge.pki.certificateFromPem(f.cert),
        key: forge.pki.privateKeyFromPem(f.key),
      };
    }
  }

  const ours = (keyId, provider) => async (msg) =>
    smime.sign(msg, identities[keyId], { provider, signingTime: date });

  // PKI.js: its README's detached-signature recipe. The caller computes messageDigest (PKI.js's
  // engine = WebCrypto digest), builds contentType / signingTime / messageDigest signed
  // attributes, SignedData.sign signs their DER SET OF with WebCrypto, then ContentInfo → DER.
  const pki = (keyId) => async (msg) => {
    const { cert, key } = pkijsKeys[keyId];
    const crypto = pkijs.getCrypto(true);
    const digest = await crypto.digest({ name: 'SHA-256' }, msg);
    const signedData = new pkijs.SignedData({
      version: 1,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
          signedAttrs: new pkijs.SignedAndUnsignedAttributes({
            type: 0,
            attributes: [
              new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
              new pkijs.Attribute({ type: OID.signingTime, values: [new asn1js.UTCTime({ valueDate: date })] }),
              new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: digest })] }),
            ],
          }),
        }),
      ],
      certificates: [cert],
    });
    await signedData.sign(key, 0, 'SHA-256');
    const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
    return new Uint8Array(contentInfo.toSchema().toBER(false));
  };

  // node-forge: pkcs7.createSignedData, detached, SHA-256, the same three signed attributes.
  // Converting the caller's bytes to forge's binary string (and the DER back) is part of the work.
  const frg = (keyId) => async (msg) => {
    const { cert, key } = forgeKeys[keyId];
    const p7 = forge.pkcs7.createSignedData();
    p7.content = forge.util.createBuffer(bytesToBinary(msg));
    p7.addCertificate(cert);
    p7.addSigner({
      key,
      certificate: cert,
      digestAlgorithm: forge.pki.oids.sha256,
      authenticatedAttributes: [
        { type: forge.pki.oids.contentType, value: forge.pki.oids.data },
        { type: forge.pki.oids.signingTime, value: date },
        { type: forge.pki.oids.messageDigest },
      ],
    });
    p7.sign({ detached: true });
    return binaryToBytes(forge.asn1.toDer(p7.toAsn1()).getBytes());
  };

  return (c) => {
    if (c.lib === 'smime-wasm') return ours(c.key, c.provider);
    if (c.lib === 'PKI.js') return pki(c.key);
    if (c.lib === 'node-forge') return frg(c.key);
    throw new Error(`unknown library ${c.lib}`);
  };
}

/** Median, min, max of a list of numbers. */
export function summarize(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], n: s.length };
}

/**
 * Warms one case up. The first operation's output goes to `env.keep(case, bytes)` (checked with
 * OpenSSL afterwards) and counts as warm-up.
 */
async function warm(env, c, op, msg, plan) {
  const now = env.now;
  const large = isLarge(c);
  const t0 = now();
  const first = await op(msg);
  if (!(first instanceof Uint8Array) || first.length < 100) throw new Error(`${c.id}: no output`);
  await env.keep(c, first);
  let ops = 1;
  const minOps = large ? plan.large.warmupOps : plan.small.warmupMinOps;
  const minMs = large ? plan.large.warmupMs : plan.small.warmupMs;
  while (ops < minOps || now() - t0 < minMs) {
    await op(msg);
    ops++;
  }
}

function isLarge(c) {
  return SIZES.find((s) => s.id === c.size).bytes > 1024 * 1024;
}

/**
 * One sample. 10 MiB: one operation, in MB/s (10^6 bytes of message per second). 1 KiB: as many
 * operations as fit in `sampleMs` (at least one), in ops/s; the clock is read between operations
 * only (browsers coarsen it to 0.1 ms, which a sample of hundreds of ms does not feel).
 */
async function sample(env, c, op, msg, plan) {
  const t = env.now();
  if (isLarge(c)) {
    await op(msg);
    return msg.length / 1e6 / ((env.now() - t) / 1000);
  }
  let ops = 0;
  let elapsed;
  do {
    await op(msg);
    ops++;
    elapsed = env.now() - t;
  } while (elapsed < plan.small.sampleMs);
  return { rate: ops / (elapsed / 1000), ops };
}

/**
 * Runs every case in this environment. Cases that are compared (same size and key) are measured
 * together: each is warmed up, then their samples are taken in turns (A B C, A B C, ...), so that
 * a slow spell of the machine falls on all of them rather than on one. Returns one result per case
 * (an `error` string instead of figures where a library cannot do it, or where the time bound was
 * reached).
 */
export async function runAll(env) {
  const plan = PLANS[env.quick ? 'quick' : 'full'];
  const makeOp = await prepare(env);
  const messages = {};
  for (const size of SIZES) {
    messages[size.id] = makeMessage(size.bytes);
    await env.keepMessage(size.id, messages[size.id]);
  }
  const selected = cases().filter((c) => !env.only || env.only.test(c.id));
  // Every library's code path once over 1 KiB first (JIT, wasm tier-up, WebCrypto key import), so
  // that the first case measured does not pay for code the later ones share.
  const ops = new Map(selected.map((c) => [c.id, makeOp(c)]));
  for (const c of selected) {
    for (let i = 0; i < 3; i++) await ops.get(c.id)(messages['1KiB']).catch(() => {});
  }
  const groups = new Map();
  for (const c of selected) {
    const k = `${c.size}/${c.key}`;
    groups.set(k, (groups.get(k) || []).concat(c));
  }
  const results = [];
  const errMsg = (e) => String(e && e.message ? e.message : e);
  for (const group of groups.values()) {
    const t = env.now();
    const live = [];
    for (const c of group) {
      if (env.now() > env.deadline) {
        results.push({ ...c, error: 'skipped: time bound reached' });
        continue;
      }
      try {
        await warm(env, c, ops.get(c.id), messages[c.size], plan);
        live.push({ c, rates: [], ops: 0 });
      } catch (e) {
        results.push({ ...c, error: errMsg(e) });
        env.log(`${env.name}: ${c.id}: ERROR ${errMsg(e)}`);
      }
    }
    const rounds = isLarge(group[0]) ? plan.large.samples : plan.small.samples;
    for (let round = 0; round < rounds && env.now() <= env.deadline; round++) {
      for (const m of live) {
        if (m.error) continue;
        try {
          const r = await sample(env, m.c, ops.get(m.c.id), messages[m.c.size], plan);
          m.rates.push(typeof r === 'number' ? r : r.rate);
          m.ops += typeof r === 'number' ? 1 : r.ops;
        } catch (e) {
          m.error = errMsg(e);
        }
      }
    }
    for (const { c, rates, ops: count, error } of live) {
      if (error || rates.length === 0) {
        results.push({ ...c, error: error || 'time bound reached before the first sample' });
        env.log(`${env.name}: ${c.id}: ERROR ${error || 'no sample'}`);
        continue;
      }
      const unit = SIZES.find((s) => s.id === c.size).unit;
      const r = { ...summarize(rates), samples: rates, ops: count, unit };
      results.push({ ...c, ...r });
      env.log(
        `${env.name}: ${c.id}: ${r.median.toFixed(1)} ${unit} (${r.min.toFixed(1)}-${r.max.toFixed(1)}, n=${r.n})` +
          (env.verbose ? ` ops=${count} samples=${rates.map((x) => x.toFixed(1)).join(',')}` : ''),
      );
    }
    env.log(`${env.name}: ${group[0].size} ${group[0].key}: ${((env.now() - t) / 1000).toFixed(1)} s`);
  }
  return results;
}
