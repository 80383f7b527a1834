// Browser half: loads smime-wasm (pkg/, --target web), PKI.js and node-forge, and exposes
// window.runBench(config) for run.mjs (Playwright) to call. First outputs go back to the loopback
// server with POST /keep/NAME.
import init, * as smime from '/pkg/smime_wasm.js';
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import { runAll } from '/lib/workloads.mjs';

const status = document.getElementById('status');

async function keep(name, bytes) {
  const res = await fetch(`/keep/${name}`, { method: 'POST', body: bytes });
  if (!res.ok) throw new Error(`keeping ${name}: HTTP ${res.status}`);
}

window.runBench = async (config) => {
  status.textContent = 'running';
  const t0 = performance.now();
  const results = await runAll({
    name: 'chromium',
    smime,
    pkijs,
    asn1js,
    forge: globalThis.forge,
    crypto: globalThis.crypto,
    subtle: globalThis.crypto.subtle,
    fixtures: config.fixtures,
    signingTime: config.signingTime,
    quick: config.quick,
    only: config.only ? new RegExp(config.only) : null,
    now: () => performance.now(),
    deadline: performance.now() + config.budgetMs,
    keep: (c, bytes) => keep(`chromium-${c.id}.out`, bytes),
    keepMessage: (sizeId, bytes) => keep(`chromium-message-${sizeId.toLowerCase()}.bin`, bytes),
    log: (line) => console.log(line),
    verbose: config.verbose,
  });
  status.textContent = `done in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
  return results;
};

try {
  await init({ module_or_path: '/pkg/smime_wasm_bg.wasm' });
  if (!globalThis.forge || !globalThis.forge.pkcs7) throw new Error('node-forge did not load');
  window.benchInfo = { userAgent: navigator.userAgent, ready: true };
  status.textContent = 'ready';
} catch (e) {
  window.benchInfo = { ready: false, error: String(e && e.stack ? e.stack : e) };
  status.textContent = `failed: ${e}`;
}
