// Shared by the page side (smime-client.js) and the worker side (dispatch.js) of the S/MIME client:
// the methods with the options each accepts, the error type, and the byte helpers. No DOM, no wasm.

/** Options every method accepts on the page side only (they never reach the worker). */
export const CLIENT_OPTIONS = ['signal', 'onProgress', 'transfer', 'resultAs'];

const SIGN = ['detached', 'digest', 'rsaPadding', 'signingTime', 'includeChain', 'headerProtection', 'provider'];
const ENCRYPT = ['cipher', 'keyTransport', 'capabilities', 'recipientId', 'headerProtection', 'includeSelf', 'provider'];

/**
 * Each method and the options it accepts (besides CLIENT_OPTIONS). Identities are handles: the `identity`
 * and `issuer` options take the id a previous import or generation returned.
 */
export const METHODS = {
  importPkcs12: ['data', 'password'],
  importPem: ['key', 'certificates', 'passphrase'],
  generateTestCa: ['name', 'keyType', 'validDays'],
  generateTestIdentity: ['email', 'name', 'keyType', 'issuer', 'validDays'],
  exportPkcs12: ['identity', 'password', 'legacy'],
  forget: ['identity'],
  identities: [],
  describeCertificates: ['data'],
  compose: ['from', 'to', 'cc', 'subject', 'date', 'messageId', 'text', 'html', 'attachments'],
  sign: ['identity', 'message', ...SIGN],
  encrypt: ['message', 'recipients', 'identity', ...ENCRYPT],
  signAndEncrypt: ['identity', 'message', 'recipients', ...new Set([...SIGN.filter((o) => o !== 'headerProtection'), ...ENCRYPT])],
  planEncryption: ['recipients', 'identity', ...ENCRYPT],
  encryptFile: ['data', 'recipients', 'identity', ...ENCRYPT],
  decryptFile: ['data', 'identity', 'provider'],
  open: ['message', 'identity', 'trust', 'intermediates', 'at', 'detachedContent', 'provider'],
  extractCertificates: ['message'],
};

/**
 * Options whose bytes are large inputs: transferred to the worker rather than copied. They may also be a
 * Blob or File, which the worker reads itself (the page never holds the bytes).
 */
export const BULK_OPTIONS = ['data', 'message', 'detachedContent'];

/** Error codes of the client itself (besides the core's errorCodes()). */
export const CLIENT_ERROR_CODES = {
  ABORTED: 'the call was aborted through its AbortSignal (the page stopped waiting for it)',
  UNKNOWN_IDENTITY: 'no unlocked identity has this id (never imported, forgotten, or the worker restarted)',
  WORKER_FAILED: 'the worker could not start or load the WebAssembly module, or it crashed',
  KEYRING_FAILURE: 'IndexedDB refused an operation of the keyring',
  NOT_FOUND: 'the keyring holds no entry with this id or address',
};

/** The error of every client call: `code` (a core error code or a CLIENT_ERROR_CODES key), `cause`. */
export class SmimeError extends Error {
  constructor(code, message, options = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'SmimeError';
    this.code = code;
  }
}

/** Rejects options a method does not know, by name (INVALID_OPTION). */
export function checkOptions(method, options, { allowClient = false } = {}) {
  const known = METHODS[method];
  if (!known) throw new SmimeError('INVALID_OPTION', `unknown method ${JSON.stringify(method)}`);
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new SmimeError('INVALID_OPTION', `${method}: options must be an object`);
  }
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    if (allowClient && CLIENT_OPTIONS.includes(name)) continue;
    throw new SmimeError('INVALID_OPTION', `${method}: unknown option ${JSON.stringify(name)} (known: ${known.join(', ') || 'none'})`);
  }
  return options;
}

/** A plain {name, code, message, cause} for postMessage; `fromWire` turns it back into a SmimeError. */
export function toWire(err) {
  if (err && typeof err === 'object' && typeof err.code === 'string') {
    return { code: err.code, message: String(err.message ?? err.code), cause: err.cause === undefined ? undefined : String(err.cause) };
  }
  const message = err && err.message ? String(err.message) : String(err);
  return { code: 'WORKER_FAILED', message, cause: err && err.name ? `${err.name}: ${message}` : message };
}

export function fromWire(wire) {
  return new SmimeError(wire.code, wire.message, wire.cause === undefined ? {} : { cause: wire.cause });
}

/** The ArrayBuffers of the bulk options (whole buffers only, each once), to transfer with postMessage. */
export function transferables(options) {
  const out = new Set();
  for (const name of BULK_OPTIONS) {
    const v = options[name];
    if (v instanceof ArrayBuffer) out.add(v);
    else if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) out.add(v.buffer);
  }
  return [...out];
}
