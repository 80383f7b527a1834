// Memory probe of one encryption case in a fresh Node process (started by encrypt.mjs):
//
//   node --expose-gc bench/lib/encrypt-probe.mjs '{"caseId": ..., "pkgNode": ..., "testdata": ...}'
//
// Loads the libraries, prepares the case and its input, runs one 1 KiB operation, collects
// garbage, reads the resident set size, resets the peak (Linux: /proc/self/clear_refs = 5), runs
// the one operation and prints JSON: resident size before, peak during (VmHWM; without
// clear_refs, getrusage's maxRSS, a peak since the process started), wasm linear memory after.

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { probePrepare, RECIPIENT } from './encrypt-workloads.mjs';

const cfg = JSON.parse(process.argv[2]);
const require = createRequire(import.meta.url);

// The nodejs build does not export its memory: keep the instance it creates.
let instance = null;
const OriginalInstance = WebAssembly.Instance;
WebAssembly.Instance = function Instance(module, imports) {
  instance = new OriginalInstance(module, imports);
  return instance;
};
const smime = require(join(cfg.pkgNode, 'smime_wasm.js'));
WebAssembly.Instance = OriginalInstance;

const pkijs = await import('pkijs');
const asn1js = await import('asn1js');
const forge = (await import('node-forge')).default;

const MiB = 1024 * 1024;
function status() {
  try {
    const s = readFileSync('/proc/self/status', 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(s)?.[1]);
    return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
  } catch {
    return null;
  }
}
const wasmBytes = () => instance?.exports?.memory?.buffer?.byteLength ?? null;

const fixtures = {
  cert: readFileSync(join(cfg.testdata, RECIPIENT.cert), 'utf8'),
  key: readFileSync(join(cfg.testdata, RECIPIENT.key), 'utf8'),
};
const { c, op, msg } = await probePrepare(
  { smime, pkijs, asn1js, forge, crypto: globalThis.crypto, fixtures },
  cfg.caseId,
);
globalThis.gc?.();
globalThis.gc?.();
const wasmBefore = wasmBytes();
let reset = false;
try {
  writeFileSync('/proc/self/clear_refs', '5');
  reset = true;
} catch {
  reset = false;
}
const before = status();
const t = performance.now();
const out = await op(msg);
const ms = performance.now() - t;
const after = status();
const maxRss = process.resourceUsage().maxRSS * 1024;
const peak = reset && after ? after.hwm : maxRss;
console.log(
  JSON.stringify({
    id: c.id,
    how: reset ? 'VmHWM after clear_refs' : 'getrusage maxRSS',
    rssBeforeMiB: (before ? before.rss : process.memoryUsage().rss) / MiB,
    peakMiB: peak / MiB,
    wasmBeforeMiB: wasmBefore === null ? null : wasmBefore / MiB,
    wasmAfterMiB: wasmBytes() === null ? null : wasmBytes() / MiB,
    outputBytes: out.length,
    ms,
  }),
);
