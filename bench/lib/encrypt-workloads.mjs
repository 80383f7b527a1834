// The encryption workloads, shared by Node (encrypt.mjs imports this file) and Chromium
// (page/encrypt.html imports it from the loopback server). No Node or DOM API here: everything
// environment-specific comes in through `env` (the libraries, a clock, a sink that checks first
// outputs outside the library, and a logger).

import { makeMessage, pemToDer, bytesToBinary, binaryToBytes, summarize } from './workloads.mjs';

export { makeMessage };

/** Sizes: 1 KiB is measured in ops/s, the others in MB/s (10^6 bytes of input per second). */
export const SIZES = [
  { id: '1KiB', bytes: 1024, unit: 'ops/s', kind: 'small' },
  { id: '10MiB', bytes: 10 * 1024 * 1024, unit: 'MB/s', kind: 'large' },
  { id: '100MiB', bytes: 100 * 1024 * 1024, unit: 'MB/s', kind: 'huge' },
];

/** Content ciphers, with the name each library knows them by. */
export const CIPHERS = [
  { id: 'AES-256-CBC', smime: 'aes-256-cbc', webcrypto: 'AES-CBC', forge: 'aes256-CBC', oid: '2.16.840.1.101.3.4.1.42' },
  { id: 'AES-256-GCM', smime: 'aes-256-gcm', webcrypto: 'AES-GCM', forge: null, oid: '2.16.840.1.101.3.4.1.46' },
];

/** The recipient (files under tests/data/): RFC 9216 Bob's RSA-2048 encryption certificate. */
export const RECIPIENT = { id: 'RSA-2048', cert: 'rfc9216/bob.encrypt.crt', key: 'rfc9216/bob.encrypt.key' };

/**
 * Libraries and what each is run with. `ours: true` marks the rows that get ratios; `peer` names
 * the column a peer row is the denominator of.
 */
export const LIBS = [
  { id: 'smime-wasm', api: 'encryptFile', provider: 'webcrypto', ours: true, ciphers: ['AES-256-CBC', 'AES-256-GCM'] },
  { id: 'smime-wasm', api: 'encryptFile', provider: 'rustcrypto', ours: true, ciphers: ['AES-256-CBC', 'AES-256-GCM'] },
  { id: 'smime-wasm', api: 'encrypt', provider: 'webcrypto', ours: true, ciphers: ['AES-256-CBC', 'AES-256-GCM'] },
  { id: 'smime-wasm', api: 'encrypt', provider: 'rustcrypto', ours: true, ciphers: ['AES-256-CBC', 'AES-256-GCM'] },
  { id: 'PKI.js', api: 'EnvelopedData', provider: 'WebCrypto', peer: 'PKI.js', ciphers: ['AES-256-CBC', 'AES-256-GCM'] },
  { id: 'PKI.js', api: 'EnvelopedData disableSplit', provider: 'WebCrypto', peer: 'PKI.js unsplit', ciphers: ['AES-256-CBC', 'AES-256-GCM'] },
  { id: 'node-forge', api: 'pkcs7 envelopedData', provider: 'pure JS', peer: 'node-forge', ciphers: ['AES-256-CBC'] },
];

/** The peers' columns, in report order. */
export const PEERS = ['PKI.js', 'PKI.js unsplit', 'node-forge'];

/**
 * Measurement plans. small (1 KiB): time-boxed batches of operations per sample. large (10 MiB):
 * one operation per sample after a warm-up long enough for V8 to tier the wasm code up. huge
 * (100 MiB): one operation per sample after one warm-up operation (the code is warm from the
 * 10 MiB cases); for a case whose first operation took longer than `slowMs`, that first
 * (checked) operation is its one and only sample. --quick: the first operation of a 10 MiB
 * case is its only sample (rough figures: the wasm code may not be fully tiered up yet).
 */
export const PLANS = {
  full: {
    sizes: ['1KiB', '10MiB', '100MiB'],
    small: { warmupMs: 300, warmupMinOps: 3, samples: 7, sampleMs: 300 },
    large: { warmupOps: 2, warmupMs: 500, samples: 5, slowMs: Infinity },
    huge: { warmupOps: 1, warmupMs: 0, samples: 3, slowMs: 4000 },
  },
  quick: {
    sizes: ['1KiB', '10MiB'],
    small: { warmupMs: 60, warmupMinOps: 2, samples: 3, sampleMs: 60 },
    large: { warmupOps: 1, warmupMs: 0, samples: 1, slowMs: 0 },
    huge: { warmupOps: 1, warmupMs: 0, samples: 1, slowMs: 0 },
  },
};

export const OID = {
  data: '1.2.840.113549.1.7.1',
  envelopedData: '1.2.840.113549.1.7.3',
};

function slug(s) {
  return s.replace(/[^A-Za-z0-9]+/g, '');
}

/** Every case, in run order: sizes outer, then ciphers, then libraries. */
export function cases(sizeIds = SIZES.map((s) => s.id)) {
  const out = [];
  for (const size of SIZES) {
    if (!sizeIds.includes(size.id)) continue;
    for (const cipher of CIPHERS) {
      for (const lib of LIBS) {
        if (!lib.ciphers.includes(cipher.id)) continue;
        const id = `${slug(lib.id)}-${slug(lib.api)}-${slug(lib.provider)}-${slug(cipher.id)}-${size.id}`.toLowerCase();
        out.push({ id, lib: lib.id, api: lib.api, provider: lib.provider, ours: !!lib.ours, peer: lib.peer || null, cipher: cipher.id, size: size.id });
      }
    }
  }
  return out;
}

export function sizeOf(c) {
  return SIZES.find((s) => s.id === c.size);
}

/**
 * Prepares one encryption function per case: the recipient certificate is parsed (and, for
 * PKI.js, its public key imported on first use) once, outside the timed loop.
 *
 * env: { smime, pkijs, asn1js, forge, crypto, fixtures: { cert, key } (PEM text) }
 */
export async function prepare(env) {
  const { smime, pkijs, forge, fixtures } = env;
  const recipient = await smime.Certificate.fromBytes(fixtures.cert);
  let pkiCert = null;
  if (pkijs) {
    pkijs.setEngine('bench', new pkijs.CryptoEngine({ name: 'bench', crypto: env.crypto }));
    pkiCert = pkijs.Certificate.fromBER(pemToDer(fixtures.cert));
  }
  const forgeCert = forge ? forge.pki.certificateFromPem(fixtures.cert) : null;
  const cipherOf = (id) => CIPHERS.find((x) => x.id === id);

  // smime-wasm: encryptFile → DER CMS; encrypt → RFC 5322 message (application/pkcs7-mime, base64,
  // RFC 9788 header protection by default). The recipient is a parsed Certificate.
  const ours = (api, provider, cipher) => {
    const options = { cipher: cipherOf(cipher).smime, provider };
    return api === 'encryptFile'
      ? (bytes) => smime.encryptFile(bytes, recipient, options)
      : (bytes) => smime.encrypt(bytes, recipient, options);
  };

  // PKI.js: its README's recipe. EnvelopedData, addRecipientByCertificate (RSA-OAEP, SHA-256),
  // encrypt(AES-CBC/AES-GCM 256) through its WebCrypto engine, ContentInfo → DER. By default
  // PKI.js splits the encrypted content into a constructed OCTET STRING of 1 KiB pieces;
  // `disableSplit: true` keeps it in one primitive OCTET STRING.
  const pki = (cipher, disableSplit) => async (bytes) => {
    const enveloped = new pkijs.EnvelopedData(disableSplit ? { disableSplit: true } : {});
    enveloped.addRecipientByCertificate(pkiCert, { oaepHashAlgorithm: 'SHA-256' });
    await enveloped.encrypt({ name: cipherOf(cipher).webcrypto, length: 256 }, bytes);
    const contentInfo = new pkijs.ContentInfo({ contentType: OID.envelopedData, content: enveloped.toSchema() });
    return new Uint8Array(contentInfo.toSchema().toBER(false));
  };

  // node-forge: pkcs7.createEnvelopedData, addRecipient (RSAES-PKCS1-v1_5), encrypt with
  // AES-256-CBC (its only AES mode here), DER out. Converting the caller's bytes to forge's binary
  // string and back is part of the work (a caller has to do it).
  const frg = (cipher) => async (bytes) => {
    const oid = forge.pki.oids[cipherOf(cipher).forge];
    const p7 = forge.pkcs7.createEnvelopedData();
    p7.addRecipient(forgeCert);
    p7.content = forge.util.createBuffer(bytesToBinary(bytes));
    p7.encrypt(undefined, oid);
    return binaryToBytes(forge.asn1.toDer(p7.toAsn1()).getBytes());
  };

  return (c) => {
    if (c.lib === 'smime-wasm') return ours(c.api, c.provider, c.cipher);
    if (c.lib === 'PKI.js') {
      if (!pkijs) throw new Error('PKI.js not loaded');
      return pki(c.cipher, c.api.includes('disableSplit'));
    }
    if (c.lib === 'node-forge') {
      if (!forge) throw new Error('node-forge not loaded');
      if (!cipherOf(c.cipher).forge) throw new Error(`node-forge has no ${c.cipher}`);
      return frg(c.cipher);
    }
    throw new Error(`unknown library ${c.lib}`);
  };
}

/**
 * Warms one case up. Its first output goes to `env.check(case, bytes)`, which checks it outside
 * the library (OpenSSL decrypts it) and throws if it is not valid: such a case is not timed.
 * Returns the duration of the first operation (ms).
 */
async function warm(env, c, op, msg, plan) {
  const now = env.now;
  const p = plan[sizeOf(c).kind];
  const t0 = now();
  const first = await op(msg);
  const firstMs = now() - t0;
  if (!(first instanceof Uint8Array) || first.length < 100) throw new Error(`${c.id}: no output`);
  await env.check(c, first);
  let ops = 1;
  const minOps = sizeOf(c).kind === 'small' ? p.warmupMinOps : p.warmupOps;
  if (sizeOf(c).kind !== 'small' && firstMs > p.slowMs) return firstMs;
  const t1 = now();
  while (ops < minOps || now() - t1 < p.warmupMs) {
    await op(msg);
    ops++;
  }
  return firstMs;
}

/** One sample: one operation in MB/s for large inputs; as many as fit in `sampleMs`, in ops/s, for 1 KiB. */
async function sample(env, c, op, msg, plan) {
  const t = env.now();
  if (sizeOf(c).kind !== 'small') {
    await op(msg);
    return { rate: msg.length / 1e6 / ((env.now() - t) / 1000), ops: 1 };
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
 * Runs every selected case in this environment. Cases that are compared (same size and cipher)
 * are warmed up (first output checked), then sampled in turns (A B C, A B C, ...). Returns one
 * result per case (an `error` string instead of figures where a library cannot do it, where its
 * output did not decrypt, or where the time bound was reached).
 */
export async function runAll(env) {
  const plan = PLANS[env.quick ? 'quick' : 'full'];
  const makeOp = await prepare(env);
  const selected = cases(plan.sizes).filter((c) => !env.only || env.only.test(c.id));
  const messages = {};
  messages['1KiB'] = makeMessage(1024);
  const ops = new Map();
  const results = [];
  const errMsg = (e) => String(e && e.message ? e.message : e);
  const failed = new Set();
  for (const c of selected) {
    try {
      ops.set(c.id, makeOp(c));
    } catch (e) {
      failed.add(c.id);
      results.push({ ...c, error: errMsg(e) });
    }
  }
  // Every library's code path once over 1 KiB first (JIT, wasm tier-up, key import).
  for (const c of selected) {
    if (failed.has(c.id)) continue;
    for (let i = 0; i < 3; i++) await ops.get(c.id)(messages['1KiB']).catch(() => {});
  }
  const groups = new Map();
  for (const c of selected) {
    if (failed.has(c.id)) continue;
    const k = `${c.size}/${c.cipher}`;
    groups.set(k, (groups.get(k) || []).concat(c));
  }
  for (const group of groups.values()) {
    const size = sizeOf(group[0]);
    // One input per size at a time (100 MiB inputs are not kept around longer than needed).
    if (!messages[size.id]) {
      for (const k of Object.keys(messages)) if (k !== '1KiB') delete messages[k];
      messages[size.id] = makeMessage(size.bytes);
    }
    const msg = messages[size.id];
    const t = env.now();
    const live = [];
    for (const c of group) {
      if (env.now() > env.deadline) {
        results.push({ ...c, error: 'skipped: time bound reached' });
        continue;
      }
      try {
        const firstMs = await warm(env, c, ops.get(c.id), msg, plan);
        // A slow case at 100 MiB (its code warm from the 10 MiB cases), or --quick: the checked
        // first operation is its one sample.
        const slow = size.kind !== 'small' && firstMs > plan[size.kind].slowMs;
        live.push({ c, rates: slow ? [msg.length / 1e6 / (firstMs / 1000)] : [], ops: slow ? 1 : 0, firstMs, slow });
      } catch (e) {
        results.push({ ...c, error: errMsg(e) });
        env.log(`${env.name}: ${c.id}: ERROR ${errMsg(e)}`);
      }
    }
    const p = plan[size.kind];
    for (let round = 0; round < p.samples && env.now() <= env.deadline; round++) {
      for (const m of live) {
        if (m.error) continue;
        if (m.slow) continue;
        try {
          const r = await sample(env, m.c, ops.get(m.c.id), msg, plan);
          m.rates.push(r.rate);
          m.ops += r.ops;
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
      const r = { ...summarize(rates), samples: rates, ops: count, unit: size.unit };
      results.push({ ...c, ...r });
      env.log(
        `${env.name}: ${c.id}: ${r.median.toFixed(1)} ${size.unit} (${r.min.toFixed(1)}-${r.max.toFixed(1)}, n=${r.n})` +
          (env.verbose ? ` ops=${count} samples=${rates.map((x) => x.toFixed(1)).join(',')}` : ''),
      );
    }
    env.log(`${env.name}: ${size.id} ${group[0].cipher}: ${((env.now() - t) / 1000).toFixed(1)} s`);
  }
  return results;
}

/**
 * Memory probe, step 1 (in a fresh process or page): prepares one case and its input, and runs
 * one 1 KiB operation (code loaded, keys imported). Step 2 (`probeRun`) runs the one operation
 * whose peak memory the caller measures around it.
 */
export async function probePrepare(env, caseId) {
  const c = cases().find((x) => x.id === caseId);
  if (!c) throw new Error(`no case ${caseId}`);
  const makeOp = await prepare(env);
  const op = makeOp(c);
  await op(makeMessage(1024));
  const msg = makeMessage(sizeOf(c).bytes);
  return { c, op, msg };
}
