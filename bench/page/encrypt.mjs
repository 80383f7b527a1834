// Browser half of the encryption bench: loads smime-wasm (pkg/, --target web), PKI.js and
// node-forge, and exposes window.runBench(config) and the memory probe (window.probePrepare,
// window.probeRun) for encrypt.mjs (Playwright) to call. First outputs go back to the loopback
// server with POST /keep/NAME.pN (in pieces under the server's size limit), then
// window.benchCheck (a function encrypt.mjs exposes) has OpenSSL decrypt them.
import init, * as smime from '/pkg/smime_wasm.js';
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import { runAll, probePrepare } from '/lib/encrypt-workloads.mjs';

const status = document.getElementById('status');
const PIECE = 32 * 1024 * 1024;
let wasm = null;

async function check(c, bytes) {
  let parts = 0;
  for (let at = 0; at < bytes.length; at += PIECE) {
    const res = await fetch(`/keep/chromium-${c.id}.out.p${parts}`, { method: 'POST', body: bytes.subarray(at, at + PIECE) });
    if (!res.ok) throw new Error(`keeping ${c.id}: HTTP ${res.status}`);
    parts++;
  }
  const r = await window.benchCheck(c, parts);
  if (!r.ok) throw new Error(r.error);
}

const libs = () => ({ smime, pkijs, asn1js, forge: globalThis.forge, crypto: globalThis.crypto });

window.runBench = async (config) => {
  status.textContent = 'running';
  const t0 = performance.now();
  const results = await runAll({
    name: 'chromium',
    ...libs(),
    fixtures: config.fixtures,
    quick: config.quick,
    only: config.only ? new RegExp(config.only) : null,
    now: () => performance.now(),
    deadline: performance.now() + config.budgetMs,
    check,
    log: (line) => console.log(line),
    verbose: config.verbose,
  });
  status.textContent = `done in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
  return results;
};

const wasmBytes = () => (wasm && wasm.memory ? wasm.memory.buffer.byteLength : null);
let probe = null;

window.probePrepare = async (config) => {
  probe = await probePrepare({ ...libs(), fixtures: config.fixtures }, config.caseId);
  if (globalThis.gc) {
    globalThis.gc();
    globalThis.gc();
  }
  return { wasmBytes: wasmBytes() };
};

window.probeRun = async () => {
  const t = performance.now();
  const out = await probe.op(probe.msg);
  return { ms: performance.now() - t, outputBytes: out.length, wasmBytes: wasmBytes() };
};

try {
  wasm = await init({ module_or_path: '/pkg/smime_wasm_bg.wasm' });
  if (!globalThis.forge || !globalThis.forge.pkcs7) throw new Error('node-forge did not load');
  window.benchInfo = { userAgent: navigator.userAgent, ready: true };
  status.textContent = 'ready';
} catch (e) {
  window.benchInfo = { ready: false, error: String(e && e.stack ? e.stack : e) };
  status.textContent = `failed: ${e}`;
}
