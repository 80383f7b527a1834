// The Markdown report: one table per message size, Node and Chromium side by side, with the
// ratio of each smime-wasm row to each peer (ours / peer, medians; > 1 means smime-wasm is faster).

import { SIZES, KEYS, LIBS, PLANS } from './workloads.mjs';

const PEERS = ['PKI.js', 'node-forge'];

function fmt(x) {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function cell(r, planSamples) {
  if (!r) return '—';
  if (r.error) return `n/a (${r.error.replace(/\|/g, '/').slice(0, 60)})`;
  const n = r.n < planSamples ? `, n=${r.n}` : '';
  return `**${fmt(r.median)}** (${fmt(r.min)}–${fmt(r.max)}${n})`;
}

function ratio(ours, peer) {
  if (!ours || !peer || ours.error || peer.error) return '—';
  return `${(ours.median / peer.median).toFixed(2)}×`;
}

/**
 * envs: [{ name, label, results }]; sizes: rows of measureSizes; meta: { command, date, quick,
 * machine, versions, verification: [{env, id, how}] }.
 */
export function markdown(envs, sizes, meta) {
  const plan = PLANS[meta.quick ? 'quick' : 'full'];
  const L = [];
  L.push(`# smime-wasm signing benchmark — ${meta.date}${meta.quick ? ' (quick)' : ''}`);
  L.push('');
  L.push(`Command: \`${meta.command}\``);
  L.push('');
  L.push(`Machine: ${meta.machine}.`);
  L.push(`Environments: ${envs.map((e) => `${e.name}: ${e.label}`).join('; ')}.`);
  L.push(`Libraries: ${meta.versions}.`);
  const { start, end, cores, quiet } = meta.load;
  L.push(`Load average (1 min) at start / end: ${start.toFixed(2)} / ${end.toFixed(2)} on ${cores} cores.`);
  if (Math.max(start, end) >= quiet) {
    L.push('');
    L.push(`> **Note:** the machine was not idle (load average ≥ ${quiet}): other work shared the cores, so the figures are lower and noisier than on a quiet machine; ratios suffer less (the compared cases are sampled in turns).`);
  }
  L.push('');
  const warmLarge = `${plan.large.warmupOps} warm-up signatures${plan.large.warmupMs ? ` (and ≥${plan.large.warmupMs} ms)` : ''}`;
  L.push(
    'Each cell: **median** (min–max over the samples). ' +
      `1 KiB: ops/s, ${plan.small.samples} samples of ≥${plan.small.sampleMs} ms (as many signatures as fit) after ≥${plan.small.warmupMs} ms of warm-up; ` +
      `10 MiB: MB/s (10^6 bytes of message per second), ${plan.large.samples} samples of one signature each after ≥${warmLarge}. ` +
      'Before any case, every case signs 1 KiB three times (JIT and wasm tier-up, WebCrypto key import). ' +
      'The cases of one row group (same size and key) are warmed up, then sampled in turns (A B C, A B C, …), so that the ratios compare the same moments. ' +
      'Ratio ÷ peer = smime-wasm median / peer median for the same key, size and environment (> 1: smime-wasm is faster).',
  );
  for (const size of SIZES) {
    const samples = size.bytes > 1024 * 1024 ? plan.large.samples : plan.small.samples;
    L.push('');
    L.push(`## ${size.id === '1KiB' ? '1 KiB message — signatures per second (ops/s)' : '10 MiB message — throughput (MB/s)'}`);
    L.push('');
    const head = ['key', 'library', 'provider', ...envs.map((e) => e.name)];
    for (const p of PEERS) for (const e of envs) head.push(`÷ ${p} (${e.name})`);
    L.push(`| ${head.join(' | ')} |`);
    L.push(`|${head.map((_, i) => (i < 3 ? '---' : '---:')).join('|')}|`);
    for (const key of KEYS) {
      for (const lib of LIBS) {
        if (!lib.keys.includes(key.id)) continue;
        const find = (e, libId, provider) =>
          e.results.find((r) => r.size === size.id && r.key === key.id && r.lib === libId && (!provider || r.provider === provider));
        const row = [key.id, lib.ours ? `**${lib.id}**` : lib.id, lib.provider];
        for (const e of envs) row.push(cell(find(e, lib.id, lib.provider), samples));
        for (const p of PEERS) {
          for (const e of envs) row.push(lib.ours ? ratio(find(e, lib.id, lib.provider), find(e, p)) : '');
        }
        L.push(`| ${row.join(' | ')} |`);
      }
    }
  }
  L.push('');
  L.push('## Sizes');
  L.push('');
  L.push('| what | raw bytes | gzip -9 bytes | note |');
  L.push('|---|---:|---:|---|');
  for (const s of sizes) L.push(`| ${s.label} | ${s.raw.toLocaleString('en-US')} | ${s.gzip.toLocaleString('en-US')} | ${s.note} |`);
  L.push('');
  L.push('## Outputs checked');
  L.push('');
  const byHow = new Map();
  for (const v of meta.verification) {
    const k = v.how;
    byHow.set(k, (byHow.get(k) || []).concat(`${v.env}/${v.id}`));
  }
  for (const [how, ids] of byHow) L.push(`- ${how}: ${ids.length} outputs (${ids.join(', ')})`);
  if (meta.failures.length) {
    L.push('');
    L.push('**FAILURES:**');
    for (const f of meta.failures) L.push(`- ${f}`);
  }
  L.push('');
  return L.join('\n');
}
