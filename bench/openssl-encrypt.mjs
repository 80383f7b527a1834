#!/usr/bin/env node
// The native reference of the encryption bench: `openssl cms -encrypt` on the same inputs (the
// bench's message of 1 KiB, 10 MiB and 100 MiB) to the same certificate (RFC 9216 Bob, RSA-2048),
// AES-256-CBC and AES-256-GCM, DER and S/MIME out, with and without -stream. Each figure is the
// median of several runs of the openssl command (a new process each time, so 1 KiB measures
// mostly process start-up); peak memory is `/usr/bin/time -f %M` (maximum resident set size) of
// one more run, when /usr/bin/time exists. The first output of each mode is decrypted by OpenSSL
// and compared with the input. Compare with `cargo bench --bench encrypt` (native smime-wasm).
//
//   node bench/openssl-encrypt.mjs [--quick] [--no-write]
//
// Writes bench/results/<date>-<env>-encrypt-openssl[-quick].md.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

import { makeMessage, SIZES } from './lib/encrypt-workloads.mjs';
import { summarize } from './lib/workloads.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const TESTDATA = resolve(process.env.SMIME_BENCH_TESTDATA || join(ROOT, 'tests/data'));
const quick = process.argv.includes('--quick');
const write = !process.argv.includes('--no-write');
for (const a of process.argv.slice(2)) {
  if (!['--quick', '--no-write'].includes(a)) {
    console.error(`openssl-encrypt.mjs: unknown argument '${a}'`);
    process.exit(2);
  }
}

const CERT = join(TESTDATA, 'rfc9216/bob.encrypt.crt');
const KEY = join(TESTDATA, 'rfc9216/bob.encrypt.key');
const REPS = quick ? { '1KiB': 5, '10MiB': 3, '100MiB': 0 } : { '1KiB': 21, '10MiB': 7, '100MiB': 5 };
const MODES = [
  { id: 'DER', args: ['-outform', 'DER'] },
  { id: 'DER -stream', args: ['-outform', 'DER', '-stream'] },
  { id: 'S/MIME', args: [] },
  { id: 'S/MIME -stream', args: ['-stream'] },
];
const CIPHERS = ['-aes-256-cbc', '-aes-256-gcm'];
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

const work = mkdtempSync(join(os.tmpdir(), 'smime-bench-openssl-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const log = (s) => console.log(`[openssl] ${s}`);
const opensslVersion = execFileSync('openssl', ['version']).toString().trim();
const loadStart = os.loadavg()[0];

function encryptArgs(cipher, mode, input, output) {
  return ['cms', '-encrypt', '-binary', cipher, ...mode.args, '-in', input, '-out', output, CERT];
}

function run(args) {
  const t = performance.now();
  const r = spawnSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  return ms;
}

function check(mode, output, input) {
  const dec = `${output}.dec`;
  const form = mode.id.startsWith('DER') ? ['-inform', 'DER'] : [];
  run(['cms', '-decrypt', '-binary', ...form, '-in', output, '-inkey', KEY, '-recip', CERT, '-out', dec]);
  const ok = readFileSync(dec).equals(readFileSync(input));
  rmSync(dec, { force: true });
  if (!ok) throw new Error(`${mode.id}: decrypted content differs from the input`);
}

function peakKiB(args) {
  if (!TIME) return null;
  const r = spawnSync(TIME, ['-f', '%M', 'openssl', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const m = /(\d+)\s*$/.exec(r.stderr.toString());
  return m ? Number(m[1]) : null;
}

const rows = [];
for (const size of SIZES) {
  const reps = REPS[size.id];
  if (!reps) continue;
  const input = join(work, `message-${size.id}.bin`);
  writeFileSync(input, makeMessage(size.bytes));
  for (const cipher of CIPHERS) {
    for (const mode of MODES) {
      const output = join(work, 'out.bin');
      const args = encryptArgs(cipher, mode, input, output);
      run(args); // warm the page cache and check the first output
      check(mode, output, input);
      const rates = [];
      for (let i = 0; i < reps; i++) {
        const ms = run(args);
        rates.push(size.kind === 'small' ? 1000 / ms : size.bytes / 1e6 / (ms / 1000));
      }
      const s = summarize(rates);
      const peak = size.kind === 'small' ? null : peakKiB(args);
      rows.push({ size: size.id, unit: size.unit, cipher: cipher.slice(1).toUpperCase(), mode: mode.id, ...s, peakKiB: peak });
      log(`${size.id} ${cipher} ${mode.id}: ${s.median.toFixed(1)} ${size.unit} (${s.min.toFixed(1)}-${s.max.toFixed(1)}, n=${s.n})${peak ? `, peak RSS ${(peak / 1024).toFixed(0)} MiB` : ''}`);
      rmSync(output, { force: true });
    }
  }
  rmSync(input, { force: true });
}

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const date = new Date().toISOString().slice(0, 10);
const L = [];
L.push(`# openssl cms -encrypt — ${date}${quick ? ' (quick)' : ''}`);
L.push('');
L.push(`Command: \`node bench/openssl-encrypt.mjs${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}\``);
L.push('');
L.push(`${opensslVersion}; machine: ${os.cpus().length} × ${os.cpus()[0]?.model?.trim() || 'CPU'}, ${os.type()} ${os.release()}. Load average (1 min) at start / end: ${loadStart.toFixed(2)} / ${os.loadavg()[0].toFixed(2)}.`);
L.push('');
L.push(
  '`openssl cms -encrypt -binary -aes-256-{cbc,gcm} [-outform DER] [-stream] -in MSG -out OUT bob.encrypt.crt` (RSA-2048, RSAES-PKCS1-v1_5 key transport), one process per run; ' +
    `median (min–max) of ${REPS['1KiB']} / ${REPS['10MiB']} / ${REPS['100MiB']} runs for 1 KiB / 10 MiB / 100 MiB after one run whose output was decrypted by OpenSSL and compared with the input. ` +
    '1 KiB is in runs per second and measures mostly the start-up of the openssl process. MB/s = 10^6 bytes of input per second, including reading the input file and writing the output file (page cache). ' +
    `Peak memory: maximum resident set size of one more run (${TIME ? '`/usr/bin/time -f %M`' : 'not measured: no /usr/bin/time'}).`,
);
L.push('');
L.push('| size | cipher | output | speed | peak RSS (MiB) |');
L.push('|---|---|---|---:|---:|');
for (const r of rows) {
  L.push(`| ${r.size} | ${r.cipher} | ${r.mode} | **${fmt(r.median)}** ${r.unit} (${fmt(r.min)}–${fmt(r.max)}) | ${r.peakKiB ? (r.peakKiB / 1024).toFixed(0) : '—'} |`);
}
L.push('');
const md = L.join('\n');
console.log(`\n${md}`);
if (write) {
  const envLabel = process.env.SMIME_BENCH_ENV || `${os.platform()}-${os.arch()}-${os.cpus().length}cpu`;
  mkdirSync(join(HERE, 'results'), { recursive: true });
  const file = join(HERE, 'results', `${date}-${envLabel}-encrypt-openssl${quick ? '-quick' : ''}.md`);
  writeFileSync(file, md);
  log(`written: ${relative(process.cwd(), file)}`);
}
