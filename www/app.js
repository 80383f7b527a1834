// Playground UI: load an identity, compose or paste a message, sign it, show and download the result.
// Everything happens in this page with the wasm module from pkg/; the page sends no request except for
// its own assets (and, for the demo button, the published RFC 9216 demo files it is served with).
import init, { Identity, compose, sign } from '../pkg/smime_wasm.js';

const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`playground: element #${id} missing`);
  return el;
};

const ui = {
  status: $('status'),
  keyFile: $('key-file'),
  certFile: $('cert-file'),
  keyText: $('key-text'),
  certText: $('cert-text'),
  passphrase: $('passphrase'),
  loadIdentity: $('load-identity'),
  loadDemo: $('load-demo'),
  facts: $('identity-facts'),
  modeCompose: $('mode-compose'),
  modeRaw: $('mode-raw'),
  composeFields: $('compose-fields'),
  rawFields: $('raw-fields'),
  from: $('from'),
  to: $('to'),
  subject: $('subject'),
  body: $('body'),
  raw: $('raw'),
  format: $('format'),
  digest: $('digest'),
  rsaPadding: $('rsa-padding'),
  provider: $('provider'),
  sign: $('sign'),
  error: $('error'),
  info: $('result-info'),
  download: $('download'),
  output: $('output'),
};

const state = {
  ready: false,
  busy: false,
  keyFile: null, // { name, bytes } from #key-file, used when #key-text is empty
  certFiles: [], // [{ name, bytes }] from #cert-file, used when #cert-text is empty
  identity: null, // the loaded Identity (a wasm object: free() it when replaced)
  identityStale: true, // an identity input changed since `identity` was loaded
  downloadUrl: null,
};

// ---------------------------------------------------------------- helpers

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** Splits PEM text into its blocks (so each certificate is passed separately); [] when there are none. */
function pemBlocks(text) {
  return text.match(PEM_BLOCK) ?? [];
}

/** A file's bytes; PEM files become their text blocks, DER files stay bytes. */
async function readFile(file) {
  return { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
}

function looksLikePem(bytes) {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096));
  return /-----BEGIN [A-Z0-9 ]+-----/.test(head);
}

function keyInput() {
  const text = ui.keyText.value.trim();
  if (text) return text;
  if (state.keyFile) return state.keyFile.bytes;
  return null;
}

function certInputs() {
  const text = ui.certText.value.trim();
  if (text) {
    const blocks = pemBlocks(text);
    return blocks.length > 0 ? blocks : [text]; // let the library report what is wrong with the text
  }
  const out = [];
  for (const f of state.certFiles) {
    if (looksLikePem(f.bytes)) out.push(...pemBlocks(new TextDecoder().decode(f.bytes)));
    else out.push(f.bytes);
  }
  return out;
}

function describeError(err) {
  if (err && typeof err === 'object' && typeof err.code === 'string') {
    return { code: err.code, text: `${err.code}: ${err.message}` };
  }
  const name = err && err.name ? err.name : 'Error';
  const message = err && err.message ? err.message : String(err);
  return { code: '', text: `${name}: ${message}` };
}

function showError(err) {
  const { code, text } = describeError(err);
  ui.error.textContent = text;
  ui.error.dataset.code = code;
  ui.error.hidden = false;
}

function clearError() {
  ui.error.hidden = true;
  ui.error.textContent = '';
  delete ui.error.dataset.code;
}

function setBusy(busy) {
  state.busy = busy;
  ui.sign.disabled = busy || !state.ready;
  ui.loadIdentity.disabled = busy || !state.ready;
  ui.loadDemo.disabled = busy || !state.ready;
}

function formatDate(d) {
  return d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString().replace('.000Z', 'Z') : String(d);
}

function isRsa(keyAlgorithm) {
  return /rsa/i.test(keyAlgorithm ?? '');
}

// ---------------------------------------------------------------- identity

function markIdentityStale() {
  state.identityStale = true;
}

function renderFacts(identity) {
  const cert = identity.certificate;
  const chain = identity.chain;
  const rows = [
    ['Subject', cert.subject],
    ['Issuer', cert.issuer],
    ['Email addresses', cert.emails.join(', ') || '(none)'],
    ['Valid', `${formatDate(cert.notBefore)} to ${formatDate(cert.notAfter)}`],
    ['Key algorithm', identity.keyAlgorithm],
    ['SHA-256 fingerprint', cert.fingerprintSha256],
    ['Chain', chain.length ? chain.map((c) => c.subject).join(' / ') : '(only the certificate)'],
  ];
  for (const c of chain) c.free();
  cert.free();

  ui.facts.replaceChildren();
  for (const [term, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    ui.facts.append(dt, dd);
  }
  ui.facts.hidden = false;
  ui.rsaPadding.disabled = !isRsa(identity.keyAlgorithm);
}

async function loadIdentity() {
  const key = keyInput();
  if (key === null) throw new Error('no private key: choose a key file or paste a PEM key');
  const certs = certInputs();
  if (certs.length === 0) throw new Error('no certificate: choose certificate files or paste PEM certificates');
  const passphrase = ui.passphrase.value === '' ? undefined : ui.passphrase.value;

  const identity = await Identity.fromPem(key, certs, passphrase);
  if (state.identity) state.identity.free();
  state.identity = identity;
  state.identityStale = false;
  renderFacts(identity);
  return identity;
}

async function currentIdentity() {
  if (state.identity && !state.identityStale) return state.identity;
  return loadIdentity();
}

async function fetchText(path) {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) throw new Error(`could not load ${path}: HTTP ${res.status}`);
  return res.text();
}

async function loadDemo() {
  const [key, cert, ca] = await Promise.all([
    fetchText('demo/alice.sign.key'),
    fetchText('demo/alice.sign.crt'),
    fetchText('demo/ca.rsa.crt'),
  ]);
  clearFiles();
  ui.keyText.value = key;
  ui.certText.value = `${cert.trim()}\n${ca.trim()}\n`;
  ui.passphrase.value = '';
  markIdentityStale();
  const identity = await loadIdentity();
  if (!ui.from.value) {
    const cert0 = identity.certificate;
    const email = cert0.emails[0];
    cert0.free();
    if (email) ui.from.value = `Alice Lovelace <${email}>`;
  }
  if (!ui.to.value) ui.to.value = 'Bob Babbage <bob@smime.example>';
  if (!ui.subject.value) ui.subject.value = 'Hello from the smime-wasm playground';
  if (!ui.body.value) ui.body.value = 'This message was signed in the browser with the RFC 9216 demo key.\n';
}

function clearFiles() {
  ui.keyFile.value = '';
  ui.certFile.value = '';
  state.keyFile = null;
  state.certFiles = [];
}

// ---------------------------------------------------------------- message and signing

function isComposeMode() {
  return ui.modeCompose.checked;
}

function renderMode() {
  ui.composeFields.hidden = !isComposeMode();
  ui.rawFields.hidden = isComposeMode();
}

function splitAddresses(list) {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

async function buildMessage() {
  if (!isComposeMode()) return ui.raw.value;
  return compose({
    from: ui.from.value.trim(),
    to: splitAddresses(ui.to.value),
    subject: ui.subject.value,
    text: ui.body.value,
  });
}

function signOptions(identity) {
  const options = {
    detached: ui.format.value === 'detached',
    digest: ui.digest.value,
    provider: ui.provider.value,
  };
  if (isRsa(identity.keyAlgorithm)) options.rsaPadding = ui.rsaPadding.value;
  return options;
}

function showResult(bytes, millis, options) {
  ui.output.textContent = new TextDecoder().decode(bytes);
  if (state.downloadUrl) URL.revokeObjectURL(state.downloadUrl);
  state.downloadUrl = URL.createObjectURL(new Blob([bytes], { type: 'message/rfc822' }));
  ui.download.href = state.downloadUrl;
  ui.download.hidden = false;
  ui.info.textContent =
    `${bytes.length} bytes, signed in ${millis.toFixed(0)} ms ` +
    `(${options.detached ? 'detached' : 'opaque'}, ${options.digest}, provider ${options.provider})`;
}

function clearResult() {
  ui.output.textContent = '';
  ui.info.textContent = '';
  ui.download.hidden = true;
  ui.download.removeAttribute('href');
  if (state.downloadUrl) URL.revokeObjectURL(state.downloadUrl);
  state.downloadUrl = null;
}

async function onSign() {
  clearError();
  clearResult();
  const identity = await currentIdentity();
  const message = await buildMessage();
  const options = signOptions(identity);
  const t0 = performance.now();
  const signed = await sign(message, identity, options);
  showResult(signed, performance.now() - t0, options);
}

// ---------------------------------------------------------------- wiring

/** Runs an async UI action with the buttons disabled; failures go to #error. */
function action(fn) {
  return async () => {
    if (state.busy) return;
    setBusy(true);
    try {
      clearError();
      await fn();
    } catch (err) {
      showError(err);
    } finally {
      setBusy(false);
    }
  };
}

ui.keyFile.addEventListener('change', action(async () => {
  const file = ui.keyFile.files[0];
  state.keyFile = file ? await readFile(file) : null;
  if (file) ui.keyText.value = '';
  markIdentityStale();
}));

ui.certFile.addEventListener('change', action(async () => {
  state.certFiles = await Promise.all(Array.from(ui.certFile.files, readFile));
  if (state.certFiles.length) ui.certText.value = '';
  markIdentityStale();
}));

for (const el of [ui.keyText, ui.certText, ui.passphrase]) el.addEventListener('input', markIdentityStale);
ui.keyText.addEventListener('input', () => {
  if (ui.keyText.value.trim()) {
    ui.keyFile.value = '';
    state.keyFile = null;
  }
});
ui.certText.addEventListener('input', () => {
  if (ui.certText.value.trim()) {
    ui.certFile.value = '';
    state.certFiles = [];
  }
});

ui.loadIdentity.addEventListener('click', action(loadIdentity));
ui.loadDemo.addEventListener('click', action(loadDemo));
ui.sign.addEventListener('click', action(onSign));
ui.modeCompose.addEventListener('change', renderMode);
ui.modeRaw.addEventListener('change', renderMode);
renderMode();

async function start() {
  try {
    await init();
    state.ready = true;
    ui.status.textContent = 'ready';
    ui.status.dataset.state = 'ready';
  } catch (err) {
    ui.status.textContent = 'failed to load the WebAssembly module';
    ui.status.dataset.state = 'error';
    showError(err);
  }
  setBusy(false);
}

start();
