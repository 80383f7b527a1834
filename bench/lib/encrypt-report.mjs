// The Markdown report of the encryption bench: one table per size, Node and Chromium side by side,
// the ratio of each smime-wasm row to each peer (ours / peer, medians; > 1: smime-wasm is faster),
// and the peak memory of the large cases.

import { SIZES, CIPHERS, LIBS, PEERS, PLANS, cases } from './encrypt-workloads.mjs';

function fmt(x) {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function cell(r, planSamples) {
  if (!r) return '—';
  if (r.error) return `n/a (${r.error.replace(/\|/g, '/').slice(0, 90)})`;
  const n = r.n < planSamples ? `, n=${r.n}` : '';
  return `**${fmt(r.median)}** (${fmt(r.min)}–${fmt(r.max)}${n})`;
}

function ratio(ours, peer) {
  if (!ours || !peer || ours.error || peer.error) return '—';
  return `${(ours.median / peer.median).toFixed(2)}×`;
}

function libLabel(lib) {
  return lib.ours ? `**${lib.id}** ${lib.api}` : `${lib.id} ${lib.api}`;
}

/**
 * envs: [{ name, label, results }]; memory: [{ env, id, rssBeforeMiB, peakMiB, wasmAfterMiB, how,
 * error }]; meta: { command, date, quick, machine, versions, load, verification, failures }.
 */
export function markdown(envs, memory, meta) {
  const plan = PLANS[meta.quick ? 'quick' : 'full'];
  const L = [];
  L.push(`# smime-wasm encryption benchmark — ${meta.date}${meta.quick ? ' (quick)' : ''}`);
  L.push('');
  L.push(`Command: \`${meta.command}\``);
  L.push('');
  L.push(`Machine: ${meta.machine}.`);
  L.push(`Environments: ${envs.map((e) => `${e.name}: ${e.label}`).join('; ')}.`);
  L.push(`Libraries: ${meta.versions}.`);
  L.push('Recipient: RFC 9216 Bob (`tests/data/rfc9216/bob.encrypt.crt`, RSA-2048).');
  const { start, end, max, cores, quiet } = meta.load;
  L.push(`Load average (1 min) at start / end / highest seen: ${start.toFixed(2)} / ${end.toFixed(2)} / ${max.toFixed(2)} on ${cores} cores.`);
  if (Math.max(start, end, max) >= quiet) {
    L.push('');
    L.push(`> **Note:** the machine was not idle (load average ≥ ${quiet}): other work shared the cores, so the figures are lower and noisier than on a quiet machine; ratios suffer less (the compared cases are sampled in turns).`);
  }
  L.push('');
  L.push(
    'Each cell: **median** (min–max over the samples; n= when fewer than planned). ' +
      `1 KiB: ops/s, ${plan.small.samples} samples of ≥${plan.small.sampleMs} ms after ≥${plan.small.warmupMs} ms of warm-up; ` +
      (meta.quick
        ? '10 MiB: MB/s (10^6 bytes of input per second), the first (checked) operation as the only sample (rough: the wasm code may not be tiered up yet)'
        : `10 MiB: MB/s (10^6 bytes of input per second), ${plan.large.samples} samples of one operation after ${plan.large.warmupOps} warm-up operations` +
          (plan.large.warmupMs ? ` and ≥${plan.large.warmupMs} ms` : '')) +
      (plan.sizes.includes('100MiB') ? `; 100 MiB: MB/s, ${plan.huge.samples} samples of one operation after one warm-up operation, or, when that first operation took more than ${plan.huge.slowMs / 1000} s, that operation as the only sample (n=1; the code is warm from the 10 MiB cases)` : '') +
      '. Every case first encrypts 1 KiB three times (JIT, wasm tier-up, key import). ' +
      'The first output of every case is decrypted by OpenSSL before the case is timed; a case whose output does not decrypt to its input is reported, not timed. ' +
      'The cases of one table section (same size and cipher) are sampled in turns (A B C, A B C, …). ' +
      'Ratio ÷ peer = smime-wasm median / peer median, same size, cipher and environment (> 1: smime-wasm is faster).',
  );
  for (const size of SIZES) {
    if (!plan.sizes.includes(size.id)) continue;
    const samples = plan[size.kind].samples;
    L.push('');
    L.push(`## ${size.id === '1KiB' ? '1 KiB — encryptions per second (ops/s)' : `${size.id.replace('MiB', ' MiB')} — throughput (MB/s)`}`);
    L.push('');
    const head = ['cipher', 'library', 'provider', ...envs.map((e) => e.name)];
    for (const p of PEERS) for (const e of envs) head.push(`÷ ${p} (${e.name})`);
    L.push(`| ${head.join(' | ')} |`);
    L.push(`|${head.map((_, i) => (i < 3 ? '---' : '---:')).join('|')}|`);
    for (const cipher of CIPHERS) {
      for (const lib of LIBS) {
        if (!lib.ciphers.includes(cipher.id)) continue;
        const find = (e, pred) => e.results.find((r) => r.size === size.id && r.cipher === cipher.id && pred(r));
        const mine = (e) => find(e, (r) => r.lib === lib.id && r.api === lib.api && r.provider === lib.provider);
        const row = [cipher.id, libLabel(lib), lib.provider];
        for (const e of envs) row.push(cell(mine(e), samples));
        for (const p of PEERS) {
          const peerLib = LIBS.find((l) => l.peer === p);
          for (const e of envs) {
            row.push(lib.ours ? ratio(mine(e), find(e, (r) => r.lib === peerLib.id && r.api === peerLib.api)) : '');
          }
        }
        L.push(`| ${row.join(' | ')} |`);
      }
    }
  }

  if (memory.length) {
    L.push('');
    L.push('## Peak memory of one operation (MiB)');
    L.push('');
    const hows = [...new Set(memory.filter((m) => m.how).map((m) => `${m.env}: ${m.how}`))];
    L.push(
      'Each large case once more, alone: Node in a fresh process (`lib/encrypt-probe.mjs`), Chromium in a fresh browser context (its own renderer process). ' +
        'Cell: **extra** = peak resident set size during the one operation − resident set size just before it (after `gc()`, with the input already in memory), ' +
        'then (peak RSS; wasm linear memory after the operation, smime-wasm only — it never shrinks, so it is the wasm heap\'s high-water mark). ' +
        `How the peak was read: ${hows.join('; ') || '—'}. The input itself is 10 MiB or 100 MiB.`,
    );
    L.push('');
    const envNames = [...new Set(memory.map((m) => m.env))];
    L.push(`| size | cipher | library | provider | ${envNames.join(' | ')} |`);
    L.push(`|---|---|---|---|${envNames.map(() => '---:').join('|')}|`);
    for (const c of cases()) {
      const ms = envNames.map((e) => memory.find((m) => m.env === e && m.id === c.id));
      if (ms.every((m) => !m)) continue;
      const lib = LIBS.find((l) => l.id === c.lib && l.api === c.api && l.provider === c.provider);
      const cells = ms.map((m) => {
        if (!m) return '—';
        if (m.error) return `n/a (${m.error.replace(/\|/g, '/').slice(0, 60)})`;
        const wasm = c.lib !== 'smime-wasm' || m.wasmAfterMiB === null || m.wasmAfterMiB === undefined ? '' : `; wasm ${m.wasmAfterMiB.toFixed(0)}`;
        return `**+${(m.peakMiB - m.rssBeforeMiB).toFixed(0)}** (peak ${m.peakMiB.toFixed(0)}${wasm})`;
      });
      L.push(`| ${c.size} | ${c.cipher} | ${libLabel(lib)} | ${c.provider} | ${cells.join(' | ')} |`);
    }
  }

  if (meta.pkijsFiles && meta.pkijsFiles.length) {
    L.push('');
    L.push(`PKI.js in Chromium: ${meta.pkijsFiles.length} ES modules as published (import map, no bundler).`);
  }
  L.push('');
  L.push('## Outputs checked');
  L.push('');
  const byHow = new Map();
  for (const v of meta.verification) byHow.set(v.how, (byHow.get(v.how) || []).concat(`${v.env}/${v.id}`));
  for (const [how, ids] of byHow) L.push(`- ${how}: ${ids.length} outputs (${ids.join(', ')})`);
  if (meta.failures.length) {
    L.push('');
    L.push('**Outputs that failed their check (those cases were not timed):**');
    for (const f of meta.failures) L.push(`- ${f.replace(/\|/g, '/')}`);
  }
  L.push('');
  return L.join('\n');
}
