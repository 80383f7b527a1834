// The playground: a small webmail-like page on top of the S/MIME client (client/smime-client.js, the wasm
// core in a Worker) and the keyring (client/keyring.js, IndexedDB). The page holds identity ids, never
// keys; decrypted content is shown as plain text only; the only request it makes besides its own assets
// is the POST to the send endpoint (same origin, enforced by the CSP's connect-src too).
import { Keyring } from './client/keyring.js';
import { SmimeClient } from './client/smime-client.js';
import { headerFields, mimeTree } from './mime-tree.js';

const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`playground: element #${id} missing`);
  return el;
};
const el = (tag, props = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k === 'className') e.className = v;
    else e.setAttribute(k, v);
  }
  e.append(...children.filter((c) => c !== null && c !== undefined));
  return e;
};

const state = {
  smime: null,
  keyring: null,
  unlocked: new Map(), // client id -> identity description
  storedIds: new Map(), // keyring record id (fingerprint) -> client id, once unlocked
  encryptTouched: false,
  lastMessage: null, // Uint8Array of the last preview
  lastRecipients: [],
  downloadUrl: null,
  openedMessage: null,
  fileAbort: null,
  fileUrl: null,
};

// ---------------------------------------------------------------- helpers

function showError(err) {
  const code = err && typeof err.code === 'string' ? err.code : '';
  $('error').textContent = code ? `${code}: ${err.message}` : `${err?.name ?? 'Error'}: ${err?.message ?? err}`;
  $('error').dataset.code = code;
  $('error').hidden = false;
}

function clearError() {
  $('error').hidden = true;
  $('error').textContent = '';
  delete $('error').dataset.code;
}

function notice(text) {
  $('notice').textContent = text;
}

function action(fn) {
  return async (event) => {
    const button = event?.currentTarget instanceof HTMLButtonElement ? event.currentTarget : null;
    if (button) button.disabled = true;
    clearError();
    try {
      await fn(event);
    } catch (err) {
      showError(err);
    } finally {
      if (button) button.disabled = false;
    }
  };
}

const fileBytes = async (file) => new Uint8Array(await file.arrayBuffer());
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** "Name <a@b>, c@d" -> ['a@b', 'c@d'] */
function addresses(list) {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (/<([^>]+)>/.exec(s)?.[1] ?? s).trim());
}

const day = (d) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d));

function showScreen(name) {
  for (const s of document.querySelectorAll('.screen')) s.hidden = s.id !== `screen-${name}`;
  for (const t of document.querySelectorAll('.tab')) t.setAttribute('aria-current', String(t.dataset.screen === name));
  if (name === 'compose') updatePlan().catch(showError);
}

// ---------------------------------------------------------------- identities

async function unlockedFromKeyring(record, info) {
  state.unlocked.set(info.id, info);
  state.storedIds.set(record.id, info.id);
}

async function renderIdentities() {
  const list = $('identity-list');
  list.replaceChildren();
  const stored = await state.keyring.listIdentities();
  const storedIds = new Set(stored.map((r) => r.id));
  for (const r of stored) {
    const clientId = state.storedIds.get(r.id);
    const li = el('li', { className: 'card', dataset: { fingerprint: r.id, state: clientId ? 'unlocked' : 'locked' } },
      el('strong', {}, r.label), ' ', el('span', { className: 'badge' }, clientId ? 'unlocked' : 'locked'),
      el('div', { className: 'note' }, `${r.subject}; ${r.keyAlgorithm}; valid until ${day(r.notAfter)}; stored ${r.wrapped === 'pbes2' ? 're-encrypted with your passphrase (PBES2)' : 'as imported'}`));
    if (!clientId) {
      const input = el('input', { type: 'password', className: 'unlock-passphrase', 'aria-label': `passphrase for ${r.label}`, autocomplete: 'current-password' });
      const button = el('button', { type: 'button', className: 'unlock' }, 'Unlock');
      button.addEventListener('click', action(async () => {
        const info = await state.keyring.unlock({ id: r.id, passphrase: input.value });
        input.value = '';
        await unlockedFromKeyring(r, info);
        notice(`Unlocked ${r.label} for this session.`);
        await renderAll();
      }));
      li.append(el('div', { className: 'inline-form' }, input, button));
    }
    const forget = el('button', { type: 'button', className: 'forget' }, 'Delete from this browser');
    forget.addEventListener('click', action(async () => {
      await state.keyring.removeIdentity({ id: r.id });
      notice(`Deleted ${r.label} from this browser.`);
      await renderAll();
    }));
    li.append(forget);
    list.append(li);
  }
  for (const info of state.unlocked.values()) {
    if (storedIds.has(info.certificate.fingerprintSha256)) continue;
    list.append(el('li', { className: 'card', dataset: { fingerprint: info.certificate.fingerprintSha256, state: 'session' } },
      el('strong', {}, info.certificate.emails[0] ?? info.certificate.subject), ' ', el('span', { className: 'badge' }, 'this session only'),
      el('div', { className: 'note' }, `${info.certificate.subject}; ${info.keyAlgorithm}; issued by ${info.certificate.issuer}; valid until ${day(info.certificate.notAfter)}`)));
  }
  $('identity-empty').hidden = list.children.length > 0;

  const from = $('from-identity');
  const current = from.value;
  from.replaceChildren(el('option', { value: '' }, '(no identity: cannot sign)'));
  for (const info of state.unlocked.values()) {
    if (info.certificate.isCa || info.certificate.emails.length === 0) continue;
    from.append(el('option', { value: info.id }, `${info.certificate.emails[0]} (${info.certificate.subject})`));
  }
  if ([...from.options].some((o) => o.value === current)) from.value = current;
  else if (from.options.length > 1) from.selectedIndex = 1;
}

/** Keeps a freshly unlocked identity, stored in the keyring when a passphrase was given. */
async function adopt(info, { storePassphrase, label } = {}) {
  state.unlocked.set(info.id, info);
  if (storePassphrase) {
    const record = await state.keyring.saveIdentity({ identity: info.id, passphrase: storePassphrase, label });
    state.storedIds.set(record.id, info.id);
  }
  return info;
}

async function importP12() {
  const file = $('p12-file').files[0];
  if (!file) throw new Error('choose a .p12 file first');
  const password = $('p12-password').value;
  const store = $('store-passphrase').value;
  let info;
  if (store && store === password) {
    ({ identity: info } = await state.keyring.savePkcs12({ data: await fileBytes(file), password, label: file.name }));
    state.unlocked.set(info.id, info);
    state.storedIds.set(info.certificate.fingerprintSha256, info.id);
  } else {
    info = await adopt(await state.smime.importPkcs12({ data: await fileBytes(file), password }), { storePassphrase: store });
  }
  $('p12-password').value = '';
  $('store-passphrase').value = '';
  $('p12-file').value = '';
  notice(`Imported ${info.certificate.subject}${store ? ' and stored it encrypted in this browser' : ' for this session'}.`);
  await renderAll();
}

async function importPem() {
  const key = $('pem-key').value.trim();
  const certs = $('pem-certs').value.match(PEM_CERT) ?? [];
  if (!key) throw new Error('paste a PEM private key first');
  const passphrase = $('pem-passphrase').value || undefined;
  const info = await state.smime.importPem({ key, certificates: certs, passphrase });
  await adopt(info, { storePassphrase: $('store-passphrase').value });
  $('pem-key').value = '';
  $('pem-passphrase').value = '';
  $('store-passphrase').value = '';
  notice(`Imported ${info.certificate.subject}.`);
  await renderAll();
}

async function generateTest() {
  const store = $('store-passphrase').value;
  const ca = await state.smime.generateTestCa({ name: 'Playground Test CA' });
  state.unlocked.set(ca.id, ca);
  await state.keyring.addAnchor({ certificate: ca.certificate });
  for (const name of ['alice', 'bob']) {
    const info = await state.smime.generateTestIdentity({ email: `${name}@playground.example`, name: name[0].toUpperCase() + name.slice(1), issuer: ca.id });
    await adopt(info, { storePassphrase: store });
    await state.keyring.addContact({ certificate: info.encryptionCertificate ?? info.certificate, source: 'generated' });
  }
  $('store-passphrase').value = '';
  notice('Generated a test CA (trusted in this browser) and identities alice@playground.example and bob@playground.example (also added as contacts).');
  await renderAll();
}

async function fetchText(path) {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) throw new Error(`could not load ${path}: HTTP ${res.status}`);
  return res.text();
}

async function loadDemo() {
  const [key, cert, ca] = await Promise.all(['demo/alice.sign.key', 'demo/alice.sign.crt', 'demo/ca.rsa.crt'].map(fetchText));
  const info = await state.smime.importPem({ key, certificates: [cert, ca] });
  await adopt(info, { storePassphrase: $('store-passphrase').value });
  await state.keyring.addAnchor({ certificate: ca });
  notice(`Loaded the RFC 9216 demo identity ${info.certificate.emails[0]} (its CA is now trusted).`);
  await renderAll();
}

// ---------------------------------------------------------------- contacts

async function renderContacts() {
  const list = $('contact-list');
  list.replaceChildren();
  for (const c of await state.keyring.listContacts()) {
    const li = el('li', { className: 'card', dataset: { email: c.email } },
      el('strong', {}, c.email), ' ', el('span', { className: 'badge' }, c.source),
      el('div', { className: 'note' }, `${c.subject}; ${c.keyAlgorithm}; valid until ${day(c.notAfter)}; advertises ${c.capabilities.length ? c.capabilities.join(', ') : 'no capabilities'}`));
    const remove = el('button', { type: 'button' }, 'Remove');
    remove.addEventListener('click', action(async () => {
      await state.keyring.removeContact(c);
      await renderAll();
    }));
    li.append(remove);
    list.append(li);
  }
  const anchors = $('anchor-list');
  anchors.replaceChildren();
  for (const a of await state.keyring.listAnchors()) {
    anchors.append(el('li', { className: 'card', dataset: { fingerprint: a.fingerprintSha256, pem: a.certificatePem } },
      el('strong', {}, a.subject), el('div', { className: 'note' }, `SHA-256 ${a.fingerprintSha256}`)));
  }
}

async function addContactFiles() {
  let n = 0;
  for (const file of $('contact-file').files) {
    n += (await state.keyring.addContact({ certificate: await fileBytes(file), source: 'file' })).length;
  }
  $('contact-file').value = '';
  notice(`Added ${n} contact address(es).`);
  await renderAll();
}

async function addAnchorFiles() {
  for (const file of $('anchor-file').files) await state.keyring.addAnchor({ certificate: await fileBytes(file) });
  $('anchor-file').value = '';
  await renderAll();
}

// ---------------------------------------------------------------- compose

/** The contacts' certificates for the recipients, and who has none. */
async function recipientCertificates() {
  const all = [...addresses($('to').value), ...addresses($('cc').value)];
  const found = [];
  const missing = [];
  for (const email of all) {
    const [c] = await state.keyring.lookup(email);
    if (c) found.push(c);
    else missing.push(email);
  }
  return { all, found, missing };
}

let planSeq = 0;
async function updatePlan() {
  const seq = ++planSeq;
  const plan = $('plan');
  const identity = $('from-identity').value;
  const { all, found, missing } = await recipientCertificates();
  const lines = [];
  if (!identity) {
    $('do-sign').checked = false;
    lines.push('Not signed: choose or import an identity to sign with.');
  } else if ($('do-sign').checked) {
    lines.push('Signed: recipients can check that the message comes from you and was not changed.');
  } else lines.push('Not signed: the recipients cannot tell who wrote the message.');
  if (!state.encryptTouched) $('do-encrypt').checked = all.length > 0 && missing.length === 0;
  if (all.length === 0) lines.push('Not encrypted: no recipient yet.');
  else if (missing.length) {
    lines.push(`${$('do-encrypt').checked ? 'Cannot encrypt' : 'Not encrypted'}: no certificate for ${missing.join(', ')}. Add it in Contacts, or open a signed message from them and press "Remember sender".`);
  } else if (!$('do-encrypt').checked) {
    lines.push('Not encrypted (you switched it off): anyone on the way can read the message.');
  } else {
    const result = await state.smime.planEncryption({
      recipients: found.map((c) => c.certificatePem),
      capabilities: found.map((c) => (c.capabilities.length ? c.capabilities : null)),
      identity: identity || undefined,
    });
    if (seq !== planSeq) return;
    lines.push(`Encrypted${state.encryptTouched ? '' : ' automatically, because every recipient has a certificate'}: cipher ${result.cipher} (${result.cipherReason}).`);
    for (const r of result.recipients) {
      lines.push(`${r.certificate.emails[0] ?? r.certificate.subject}${r.isSelf ? ' (you, so your Sent copy stays readable)' : ''}: ${r.keyManagement} (${r.reason}).`);
    }
  }
  if (seq !== planSeq) return;
  plan.replaceChildren(...lines.map((l) => el('p', {}, l)));
}

async function buildMessage() {
  const identity = $('from-identity').value;
  const info = state.unlocked.get(identity);
  const from = info ? info.certificate.emails[0] : 'anonymous@playground.example';
  const attachments = [];
  for (const f of $('attachments').files) attachments.push({ filename: f.name, contentType: f.type || 'application/octet-stream', data: await fileBytes(f) });
  const message = await state.smime.compose({
    from,
    to: $('to').value.split(',').map((s) => s.trim()).filter(Boolean),
    cc: $('cc').value.split(',').map((s) => s.trim()).filter(Boolean),
    subject: $('subject').value,
    text: $('body').value,
    attachments,
  });
  const sign = $('do-sign').checked && info;
  const encrypt = $('do-encrypt').checked;
  const { all, found, missing } = await recipientCertificates();
  if (encrypt && missing.length) throw Object.assign(new Error(`no certificate for ${missing.join(', ')}: add the contact or switch encryption off`), { code: 'NO_RECIPIENTS' });
  const recipients = found.map((c) => c.certificatePem);
  const capabilities = found.map((c) => (c.capabilities.length ? c.capabilities : null));
  const provider = $('provider').value;
  const detached = $('format').value === 'detached';
  const t0 = performance.now();
  let out;
  let what;
  if (sign && encrypt) {
    out = await state.smime.signAndEncrypt({ identity, message, recipients, capabilities, provider, detached });
    what = 'signed and encrypted';
  } else if (sign) {
    out = await state.smime.sign({ identity, message, provider, detached });
    what = 'signed';
  } else if (encrypt) {
    out = await state.smime.encrypt({ message, recipients, capabilities, provider, identity: identity || undefined });
    what = 'encrypted';
  } else {
    out = message;
    what = 'neither signed nor encrypted';
  }
  state.lastMessage = out;
  state.lastRecipients = all;
  showPreview(out, `${out.length} bytes, ${what} in ${(performance.now() - t0).toFixed(0)} ms.`);
}

function renderTree(node) {
  const li = el('li', {}, el('code', {}, node.type), node.details.length ? ` ${node.details.join('; ')}` : '');
  if (node.children.length) li.append(el('ul', {}, ...node.children.map(renderTree)));
  return li;
}

function showPreview(bytes, info) {
  const text = new TextDecoder().decode(bytes);
  $('preview').textContent = text;
  $('preview-info').textContent = info;
  $('mime-tree').replaceChildren(renderTree(mimeTree(text)));
  if (state.downloadUrl) URL.revokeObjectURL(state.downloadUrl);
  state.downloadUrl = URL.createObjectURL(new Blob([bytes], { type: 'message/rfc822' }));
  $('download').href = state.downloadUrl;
  $('send-result').textContent = '';
  delete $('send-result').dataset.status;
  $('preview-area').hidden = false;
}

async function send() {
  if (!state.lastMessage) throw new Error('preview the message first');
  const endpoint = new URL($('endpoint').value.trim() || '/api/v1/transmissions', location.href);
  if (endpoint.origin !== location.origin) throw new Error(`the send endpoint must be on this origin (${location.origin})`);
  const body = JSON.stringify({
    recipients: state.lastRecipients.map((email) => ({ address: { email } })),
    content: { email_rfc822: new TextDecoder().decode(state.lastMessage) },
  });
  delete $('send-result').dataset.status;
  $('send-result').textContent = 'sending...';
  let res;
  try {
    res = await fetch(endpoint, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  } catch (err) {
    $('send-result').textContent = `not sent: ${err.message}`;
    throw err;
  }
  const text = await res.text();
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // not JSON: show as it came
  }
  $('send-result').textContent = `HTTP ${res.status} ${res.statusText}\n${shown}`;
  $('send-result').dataset.status = String(res.status);
}

// ---------------------------------------------------------------- inbox

function signerWords(s) {
  const who = s.certificate ? `${s.certificate.subject}${s.email ? ` <${s.email}>` : ''}` : 'an unknown signer (certificate missing)';
  const words = [];
  if (s.signatureValid && s.trusted) {
    words.push(`Signed by ${who}. The signature is valid: the message was not changed since it was signed, and the certificate was issued by a CA you trust (${s.trustAnchor?.subject ?? 'a trust anchor'}).`);
  } else if (s.signatureValid) {
    words.push(`Signed by ${who}. The signature is valid (the message was not changed since it was signed), but the certificate does not come from a CA you trust, so you cannot be sure who made it.`);
  } else {
    words.push(`Signed by ${who}, but the signature is NOT valid: the message may have been changed after it was signed, or the signature could not be checked.`);
  }
  if (s.certificate && !s.emailMatchesFrom) words.push('Careful: the signer\'s address is not the From address of the message.');
  if (s.problems.includes('WEAK_DIGEST') || s.problems.includes('WEAK_SIGNATURE')) words.push('The signature uses an old, weak algorithm.');
  if (s.problems.includes('CERTIFICATE_EXPIRED')) words.push('The certificate had expired.');
  const shown = s.problems.filter((p) => p !== 'REVOCATION_NOT_CHECKED');
  if (shown.length) words.push(`(Details: ${shown.join(', ')}.)`);
  return { ok: s.signatureValid && s.trusted, bad: !s.signatureValid, text: words.join(' ') };
}

function layerWords(layer) {
  if (layer.type === 'signed') return layer.signers.map(signerWords);
  if (layer.type === 'encrypted') {
    if (!layer.decrypted) {
      return [{ bad: true, text: `Encrypted, but not for any of your unlocked identities, so it cannot be read here (${layer.recipients.length} recipient(s)).` }];
    }
    return [{
      ok: layer.authenticated,
      text: `Encrypted with ${layer.cipher}${layer.keyManagement ? ` (${layer.keyManagement})` : ''} and decrypted with your key: nobody else on the way could read it.${layer.authenticated ? ' This encryption also detects any change to the message.' : ' This kind of encryption does not by itself detect changes: rely on a signature for that.'}`,
    }];
  }
  return [{ text: 'A certificates-only message: it carries certificates, no content.' }];
}

async function openMessage() {
  const file = $('inbox-file').files[0];
  const bytes = file ? await fileBytes(file) : new TextEncoder().encode($('inbox-paste').value);
  if (bytes.length === 0) throw new Error('choose, drop or paste a message first');
  const trust = (await state.keyring.listAnchors()).map((a) => a.certificatePem);
  const candidates = [...state.unlocked.values()].filter((i) => !i.certificate.isCa).map((i) => i.id);
  let result;
  for (const identity of candidates.length ? candidates : [undefined]) {
    result = await state.smime.open({ message: bytes, identity, trust, transfer: false });
    if (!result.layers.some((l) => l.type === 'encrypted' && !l.decrypted)) break;
  }
  state.openedMessage = bytes;
  const verdicts = $('verdicts');
  verdicts.replaceChildren();
  if (result.layers.length === 0) verdicts.append(el('li', { className: 'verdict bad' }, 'Neither signed nor encrypted: anyone could have written or read this message.'));
  for (const layer of result.layers) {
    for (const v of layerWords(layer)) {
      verdicts.append(el('li', { className: `verdict ${v.ok ? 'ok' : v.bad ? 'bad' : 'info'}`, dataset: { layer: layer.type } }, v.text));
    }
  }
  const headers = $('opened-headers');
  headers.replaceChildren();
  for (const f of result.headers.fields.filter((h) => /^(from|to|cc|subject|date)$/i.test(h.name))) {
    const prot = result.headers.protected.some((p) => p.toLowerCase() === f.name.toLowerCase());
    headers.append(el('dt', {}, f.name), el('dd', {}, `${f.value}${prot ? '  (protected by the signature/encryption)' : ''}`));
  }
  const text = new TextDecoder().decode(result.content);
  $('opened-content').textContent = plainText(text);
  $('remember-sender').disabled = !result.signers.some((s) => s.signatureValid);
  $('opened').hidden = false;
}

/** A text/plain entity decoded to its text (never rendered as HTML); anything else as its source text. */
function plainText(entity) {
  const m = /\r?\n\r?\n/.exec(entity);
  if (!m || mimeTree(entity).type !== 'text/plain') return entity;
  const body = entity.slice(m.index + m[0].length);
  const cte = headerFields(entity.slice(0, m.index)).find((f) => f.name.toLowerCase() === 'content-transfer-encoding')?.value.toLowerCase();
  if (cte === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)));
    return new TextDecoder().decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0) & 0xff));
  }
  if (cte === 'base64') {
    try {
      return new TextDecoder().decode(Uint8Array.from(atob(body.replace(/\s+/g, '')), (c) => c.charCodeAt(0)));
    } catch {
      return body;
    }
  }
  return body;
}

async function rememberSender() {
  if (!state.openedMessage) throw new Error('open a signed message first');
  const added = await state.keyring.rememberSenders({ message: state.openedMessage });
  notice(added.length ? `Remembered ${added.map((c) => c.email).join(', ')} as contact(s).` : 'No valid signer certificate to remember.');
  await renderAll();
}

// ---------------------------------------------------------------- files

async function encryptFile() {
  const file = $('file-input').files[0];
  if (!file) throw new Error('choose a file first');
  const recipients = [];
  for (const email of addresses($('file-recipients').value)) {
    const [c] = await state.keyring.lookup(email);
    if (!c) throw Object.assign(new Error(`no certificate for ${email}`), { code: 'NO_RECIPIENTS' });
    recipients.push(c.certificatePem);
  }
  const identity = $('from-identity').value || undefined;
  state.fileAbort = new AbortController();
  $('cancel-file').disabled = false;
  const t0 = performance.now();
  $('file-result').textContent = `reading ${file.size} bytes...`;
  try {
    // The File itself goes to the worker, and the result comes back as a Blob built there: the page's
    // main thread never copies the 50 MiB (a Blob of that size takes 100+ ms to build).
    const cms = await state.smime.encryptFile({
      data: file,
      resultAs: 'blob',
      recipients,
      identity,
      signal: state.fileAbort.signal,
      onProgress: (p) => {
        $('file-result').textContent = `${p.phase} ${file.size} bytes...`;
      },
    });
    if (state.fileUrl) URL.revokeObjectURL(state.fileUrl);
    state.fileUrl = URL.createObjectURL(cms);
    $('file-download').href = state.fileUrl;
    $('file-download').download = `${file.name}.p7m`;
    $('file-download').textContent = `Download ${file.name}.p7m`;
    $('file-download').hidden = false;
    $('file-result').textContent = `Encrypted ${file.size} bytes into ${cms.size} bytes in ${(performance.now() - t0).toFixed(0)} ms.`;
    $('file-result').dataset.done = 'true';
  } finally {
    $('cancel-file').disabled = true;
    state.fileAbort = null;
  }
}

// ---------------------------------------------------------------- wiring

async function renderAll() {
  await renderIdentities();
  await renderContacts();
  if (!$('screen-compose').hidden) await updatePlan();
}

function wire() {
  for (const t of document.querySelectorAll('.tab')) t.addEventListener('click', () => showScreen(t.dataset.screen));
  $('import-p12').addEventListener('click', action(importP12));
  $('import-pem').addEventListener('click', action(importPem));
  $('generate-test').addEventListener('click', action(generateTest));
  $('load-demo').addEventListener('click', action(loadDemo));
  $('contact-file').addEventListener('change', action(addContactFiles));
  $('anchor-file').addEventListener('change', action(addAnchorFiles));
  // New recipients: the automatic encryption choice is made again.
  for (const id of ['to', 'cc']) {
    $(id).addEventListener('change', () => {
      state.encryptTouched = false;
      updatePlan().catch(showError);
    });
  }
  for (const id of ['from-identity', 'do-sign']) $(id).addEventListener('change', () => updatePlan().catch(showError));
  $('do-encrypt').addEventListener('change', () => {
    state.encryptTouched = true;
    updatePlan().catch(showError);
  });
  $('build').addEventListener('click', action(buildMessage));
  $('send').addEventListener('click', action(send));
  $('open-message').addEventListener('click', action(openMessage));
  $('remember-sender').addEventListener('click', action(rememberSender));
  $('encrypt-file').addEventListener('click', action(encryptFile));
  $('cancel-file').addEventListener('click', () => state.fileAbort?.abort());
  const paste = $('inbox-paste');
  paste.addEventListener('dragover', (e) => e.preventDefault());
  paste.addEventListener('drop', action(async (e) => {
    e.preventDefault();
    const file = e.dataTransfer?.files?.[0];
    if (file) paste.value = new TextDecoder().decode(await fileBytes(file));
  }));
}

async function start() {
  wire();
  showScreen('identities');
  const t0 = performance.now();
  try {
    state.smime = await SmimeClient.start();
    const ms = performance.now() - t0;
    state.keyring = await Keyring.open(state.smime);
    $('startup').textContent = `(worker and WebAssembly ready in ${ms.toFixed(0)} ms)`;
    $('startup').dataset.ms = ms.toFixed(1);
    await renderAll();
    $('status').textContent = 'ready';
    $('status').dataset.state = 'ready';
  } catch (err) {
    $('status').textContent = 'failed to start the S/MIME worker';
    $('status').dataset.state = 'error';
    showError(err);
  }
}

start();
