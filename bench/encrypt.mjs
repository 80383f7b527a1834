#!/usr/bin/env node
// smime-wasm encryption benchmark: the wasm build in Node and in headless Chromium, side by side
// with PKI.js and node-forge; 1 KiB (ops/s), 10 MiB and 100 MiB (MB/s), AES-256-CBC and
// AES-256-GCM; peak memory of the large cases. See README.md beside this file.
//
//   node bench/encrypt.mjs [--quick] [--only REGEX] [--no-node] [--no-browser] [--no-memory]
//                          [--memory] [--no-write] [--wait-quiet[=S]]
//
// Environment: SMIME_WASM_PKG (default ../pkg), SMIME_WASM_PKG_NODE (default ../pkg-node),
// SMIME_BENCH_TESTDATA (default ../tests/data), CHROMIUM (default /usr/bin/chromium),
// SMIME_BENCH_ENV (label in the result file name; default <os>-<arch>-<N>cpu).

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve, relative } from 'node:path';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { createHash } from 'node:crypto';

import { CIPHERS, PLANS, RECIPIENT, SIZES, cases, makeMessage, runAll, sizeOf } from './lib/encrypt-workloads.mjs';
import { startServer } from './lib/server.mjs';
import { verifyEncryption } from './lib/encrypt-verify.mjs';
import { markdown } from './lib/encrypt-report.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const require = createRequire(import.meta.url);

const DEPS = ['pkijs', 'asn1js', 'node-forge', 'playwright-core'];
if (DEPS.some((d) => !existsSync(join(HERE, 'node_modules', d, 'package.json')))) {
  console.log('[bench] installing the bench dependencies (npm ci in bench/)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: HERE, stdio: 'inherit' });
}
const pkijs = await import('pkijs');
const asn1js = await import('asn1js');
const forge = (await import('node-forge')).default;

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--js-flags=--expose-gc', // window.gc() before each memory probe
];

// ---- arguments -------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const opt = { quick: false, only: null, node: true, browser: true, write: true, waitQuiet: 0, memory: null };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--quick') opt.quick = true;
  else if (a === '--only') opt.only = argv[++i];
  else if (a.startsWith('--only=')) opt.only = a.slice(7);
  else if (a === '--no-node') opt.node = false;
  else if (a === '--no-browser') opt.browser = false;
  else if (a === '--no-write') opt.write = false;
  else if (a === '--no-memory') opt.memory = false;
  else if (a === '--memory') opt.memory = true;
  else if (a === '--wait-quiet') opt.waitQuiet = 300;
  else if (a.startsWith('--wait-quiet=')) opt.waitQuiet = Number(a.slice(13));
  else if (a === '-h' || a === '--help') {
    console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1).filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
    process.exit(0);
  } else {
    console.error(`encrypt.mjs: unknown argument '${a}' (try --help)`);
    process.exit(2);
  }
}
if (opt.only) new RegExp(opt.only); // fail early on a bad pattern
if (opt.memory === null) opt.memory = !opt.quick; // memory probes: full runs, or --memory

// Waits (up to --wait-quiet seconds) for the 1-minute load average to fall under QUIET_LOAD.
const QUIET_LOAD = 1.0;
if (opt.waitQuiet > 0) {
  const until = Date.now() + opt.waitQuiet * 1000;
  while (os.loadavg()[0] >= QUIET_LOAD && Date.now() < until) {
    console.log(`[bench] waiting for a quiet machine: load average ${os.loadavg()[0].toFixed(2)} (want < ${QUIET_LOAD})`);
    await new Promise((r) => setTimeout(r, 10_000));
  }
}
const loadAtStart = os.loadavg()[0];
const loadSeen = [loadAtStart];
const loadTimer = setInterval(() => loadSeen.push(os.loadavg()[0]), 15_000);
loadTimer.unref();

// Time budget: full ≤ 30 min (100 MiB through RustCrypto AES in wasm and node-forge is slow),
// --quick ≈ 1 min. A case started after its half's deadline is reported as skipped; a
// watchdog ends a run that hangs.
const BUDGET_MS = (opt.quick ? 70_000 : 1_800_000) + (opt.quick && opt.memory ? 60_000 : 0);
const HARD_LIMIT_MS = BUDGET_MS + 120_000;
const START = performance.now();
const watchdog = setTimeout(() => {
  console.error(`encrypt.mjs: hard time limit (${HARD_LIMIT_MS / 1000} s) reached, aborting`);
  process.exit(3);
}, HARD_LIMIT_MS);
watchdog.unref();

const log = (line) => console.log(`[bench ${((performance.now() - START) / 1000).toFixed(1).padStart(5)} s] ${line}`);
const die = (msg) => {
  console.error(`encrypt.mjs: ${msg}`);
  process.exit(1);
};

// ---- inputs ----------------------------------------------------------------------------------
const PKG = resolve(process.env.SMIME_WASM_PKG || join(ROOT, 'pkg'));
const PKG_NODE = resolve(process.env.SMIME_WASM_PKG_NODE || join(ROOT, 'pkg-node'));
const TESTDATA = resolve(process.env.SMIME_BENCH_TESTDATA || join(ROOT, 'tests/data'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
for (const [dir, file, hint] of [
  [PKG, 'smime_wasm_bg.wasm', 'SMIME_WASM_PKG'],
  [PKG_NODE, 'smime_wasm.js', 'SMIME_WASM_PKG_NODE'],
]) {
  if (!existsSync(join(dir, file))) die(`${join(dir, file)} not found: run \`npm run build\` at the repository root, or set ${hint}`);
}
const fixtures = {
  cert: readFileSync(join(TESTDATA, RECIPIENT.cert), 'utf8'),
  key: readFileSync(join(TESTDATA, RECIPIENT.key), 'utf8'),
};
const plan = PLANS[opt.quick ? 'quick' : 'full'];
const work = mkdtempSync(join(os.tmpdir(), 'smime-bench-encrypt-'));
process.on('exit', () => {
  if (!process.env.SMIME_BENCH_KEEP) rmSync(work, { recursive: true, force: true });
});
const selected = cases(plan.sizes).filter((c) => !opt.only || new RegExp(opt.only).test(c.id));
if (selected.length === 0) die(`--only ${opt.only} selects no case; cases: ${cases(plan.sizes).map((c) => c.id).join(' ')}`);

const pkgVersion = (name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
const crateVersion = (() => {
  try {
    return readFileSync(join(ROOT, 'Cargo.toml'), 'utf8').match(/^version = "([^"]+)"/m)[1];
  } catch {
    return '?';
  }
})();
const wasmId = (() => {
  try {
    return createHash('sha256').update(readFileSync(join(PKG, 'smime_wasm_bg.wasm'))).digest('hex').slice(0, 12);
  } catch {
    return '?';
  }
})();
function gitDescribe() {
  try {
    return execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'no git';
  }
}
const versions = `smime-wasm ${crateVersion} (repository at ${gitDescribe()}; pkg/smime_wasm_bg.wasm sha256 ${wasmId}…), PKI.js ${pkgVersion('pkijs')} + asn1js ${pkgVersion('asn1js')}, node-forge ${pkgVersion('node-forge')}`;

log(`pkg/: ${PKG}; pkg-node/: ${PKG_NODE}; ${selected.length} cases per environment, ${opt.quick ? 'quick' : 'full'} plan, memory probes ${opt.memory ? 'on' : 'off'}`);

// ---- output checks ---------------------------------------------------------------------------
// The input of each size, written once, for OpenSSL's output to be compared with.
const messageFiles = {};
function messageFile(sizeId) {
  if (!messageFiles[sizeId]) {
    const f = join(work, `message-${sizeId.toLowerCase()}.bin`);
    writeFileSync(f, makeMessage(SIZES.find((s) => s.id === sizeId).bytes));
    messageFiles[sizeId] = f;
  }
  return messageFiles[sizeId];
}
const verification = [];
const failures = [];
/** Checks the first output of case `c` (in `file`); records and throws on failure. */
function checkFile(envName, c, file) {
  try {
    const how = verifyEncryption({
      c,
      file,
      msgFile: messageFile(c.size),
      testdata: TESTDATA,
      cipherOid: CIPHERS.find((x) => x.id === c.cipher).oid,
      small: sizeOf(c).kind === 'small',
    });
    verification.push({ env: envName, id: c.id, how });
  } catch (e) {
    failures.push(`${envName}/${c.id}: ${e.message}`);
    log(`${envName}: ${c.id}: OUTPUT CHECK FAILED: ${e.message}`);
    throw new Error(`INVALID OUTPUT (not timed): ${e.message}`);
  } finally {
    // Large outputs are not kept once checked.
    if (!process.env.SMIME_BENCH_KEEP) rmSync(file, { force: true });
  }
}

const envs = [];
const memory = [];
const runEnv = (name) => ({ name, quick: opt.quick, only: opt.only ? new RegExp(opt.only) : null, log, verbose: !!process.env.SMIME_BENCH_VERBOSE });

// ---- Node ------------------------------------------------------------------------------------
if (opt.node) {
  const smime = require(join(PKG_NODE, 'smime_wasm.js'));
  const results = await runAll({
    ...runEnv('node'),
    smime,
    pkijs,
    asn1js,
    forge,
    crypto: globalThis.crypto,
    fixtures,
    now: () => performance.now(),
    deadline: START + BUDGET_MS * (opt.browser ? 0.45 : 0.9),
    check: async (c, bytes) => {
      const file = join(work, `node-${c.id}.out`);
      writeFileSync(file, bytes);
      checkFile('node', c, file);
    },
  });
  envs.push({ name: 'Node', label: `Node ${process.versions.node} (V8 ${process.versions.v8}), WebCrypto = node:crypto (OpenSSL ${process.versions.openssl})`, results });

  if (opt.memory) {
    // One fresh process per large case: the peak is that of one operation, not of the garbage
    // of the ones before it, and wasm memory (which never shrinks) starts small.
    for (const r of results.filter((x) => !x.error && sizeOf(x).kind !== 'small')) {
      if (performance.now() > START + BUDGET_MS * (opt.browser ? 0.5 : 0.95)) {
        memory.push({ env: 'Node', id: r.id, error: 'skipped: time bound reached' });
        continue;
      }
      try {
        const out = execFileSync(process.execPath, ['--expose-gc', join(HERE, 'lib/encrypt-probe.mjs'), JSON.stringify({ caseId: r.id, pkgNode: PKG_NODE, testdata: TESTDATA })], {
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 300_000,
          maxBuffer: 1 << 20,
        });
        const m = JSON.parse(out.toString().trim().split('\n').pop());
        memory.push({ env: 'Node', ...m });
        log(`node: memory ${r.id}: +${(m.peakMiB - m.rssBeforeMiB).toFixed(0)} MiB over ${m.rssBeforeMiB.toFixed(0)} MiB (wasm ${m.wasmAfterMiB === null ? '-' : m.wasmAfterMiB.toFixed(0)} MiB)`);
      } catch (e) {
        memory.push({ env: 'Node', id: r.id, error: `${e.stderr || e.message}`.split('\n')[0] });
        log(`node: memory ${r.id}: ERROR ${`${e.stderr || e.message}`.split('\n')[0]}`);
      }
    }
  }
}

// ---- Chromium --------------------------------------------------------------------------------

/** pid → { ppid, cmd } for every process (Linux /proc). */
function processTable() {
  const table = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      table.set(Number(d), { ppid, cmd });
    } catch {
      // gone
    }
  }
  return table;
}

/** Renderer processes of the Chromium this process launched. */
function ourRenderers() {
  const table = processTable();
  const ours = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of table) {
      if (!ours.has(pid) && ours.has(p.ppid)) {
        ours.add(pid);
        grew = true;
      }
    }
  }
  return [...ours].filter((pid) => table.get(pid)?.cmd.includes('--type=renderer'));
}

function procStatus(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(s)?.[1]) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

let pkijsFiles = null;
if (opt.browser) {
  const { chromium } = await import('playwright-core');
  const server = await startServer({
    roots: {
      '/page/': join(HERE, 'page'),
      '/lib/': join(HERE, 'lib'),
      '/pkg/': PKG,
      '/node_modules/': join(HERE, 'node_modules'),
    },
    index: join(HERE, 'page/encrypt.html'),
    keepDir: work,
    lifetimeMs: HARD_LIMIT_MS,
    maxRequests: 20000,
    log,
  });
  let browser;
  try {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found (set CHROMIUM to a Chromium binary)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    const version = browser.version();
    const openPage = async (context) => {
      const page = await context.newPage();
      page.on('console', (m) => (m.type() === 'log' ? log(m.text()) : log(`chromium ${m.type()}: ${m.text()}`)));
      page.on('pageerror', (e) => log(`chromium page error: ${e.message}`));
      // The page posts a first output in pieces (POST /keep/NAME.pN), then asks for this check.
      await page.exposeFunction('benchCheck', (c, parts) => {
        const file = join(work, `chromium-${c.id}.out`);
        writeFileSync(file, '');
        for (let i = 0; i < parts; i++) {
          const part = join(work, `chromium-${c.id}.out.p${i}`);
          appendFileSync(file, readFileSync(part));
          rmSync(part, { force: true });
        }
        try {
          checkFile('chromium', c, file);
          return { ok: true };
        } catch (e) {
          return { ok: false, error: e.message };
        }
      });
      await page.goto(server.url, { timeout: 60_000 });
      await page.waitForFunction(() => window.benchInfo, null, { timeout: 60_000 });
      const info = await page.evaluate(() => window.benchInfo);
      if (!info.ready) throw new Error(`bench page failed to load: ${info.error}`);
      page.setDefaultTimeout(HARD_LIMIT_MS);
      return { page, info };
    };
    const context = await browser.newContext();
    const { page, info } = await openPage(context);
    const budgetMs = START + BUDGET_MS * (opt.memory ? 0.92 : 1) - performance.now();
    const results = await page.evaluate((cfg) => window.runBench(cfg), { fixtures, quick: opt.quick, only: opt.only, budgetMs, verbose: !!process.env.SMIME_BENCH_VERBOSE });
    envs.push({ name: 'Chromium', label: `Chromium ${version} headless (${info.userAgent.match(/\((X11; )?([^)]+)\)/)?.[2] || ''})`, results });
    pkijsFiles = [...server.served.keys()].filter((p) => p.startsWith('/node_modules/') && !p.startsWith('/node_modules/node-forge/'));
    await context.close();

    if (opt.memory) {
      // One fresh browser context (so a fresh renderer process) per large case: the renderer's
      // resident set size before the operation and its peak during it (/proc VmHWM, reset with
      // clear_refs), and the wasm memory size (smime-wasm only; it never shrinks).
      for (const r of results.filter((x) => !x.error && sizeOf(x).kind !== 'small')) {
        if (performance.now() > START + BUDGET_MS) {
          memory.push({ env: 'Chromium', id: r.id, error: 'skipped: time bound reached' });
          continue;
        }
        const ctx = await browser.newContext();
        try {
          const before = new Set(ourRenderers());
          const { page: p } = await openPage(ctx);
          const prep = await p.evaluate((cfg) => window.probePrepare(cfg), { fixtures, caseId: r.id });
          // The new context starts more than one renderer (a spare one too): the page's is the
          // one that now holds the input (the largest resident set).
          const fresh = ourRenderers().filter((pid) => !before.has(pid));
          if (fresh.length === 0) throw new Error("cannot find the page's renderer process");
          const pid = fresh.map((x) => [x, procStatus(x).rss]).sort((a, b) => b[1] - a[1])[0][0];
          let how = 'renderer VmHWM after clear_refs';
          try {
            writeFileSync(`/proc/${pid}/clear_refs`, '5');
          } catch {
            how = 'renderer VmHWM (peak since the renderer started)';
          }
          const st0 = procStatus(pid);
          const run = await p.evaluate(() => window.probeRun());
          const st1 = procStatus(pid);
          const m = {
            env: 'Chromium',
            id: r.id,
            how,
            rssBeforeMiB: st0.rss / 2 ** 20,
            peakMiB: st1.hwm / 2 ** 20,
            wasmBeforeMiB: prep.wasmBytes === null ? null : prep.wasmBytes / 2 ** 20,
            wasmAfterMiB: run.wasmBytes === null ? null : run.wasmBytes / 2 ** 20,
            outputBytes: run.outputBytes,
            ms: run.ms,
          };
          memory.push(m);
          log(`chromium: memory ${r.id}: +${(m.peakMiB - m.rssBeforeMiB).toFixed(0)} MiB over ${m.rssBeforeMiB.toFixed(0)} MiB (wasm ${m.wasmAfterMiB === null ? '-' : m.wasmAfterMiB.toFixed(0)} MiB)`);
        } catch (e) {
          memory.push({ env: 'Chromium', id: r.id, error: e.message.split('\n')[0] });
          log(`chromium: memory ${r.id}: ERROR ${e.message.split('\n')[0]}`);
        } finally {
          await ctx.close();
        }
      }
    }
  } catch (e) {
    failures.push(`Chromium half: ${e.message.split('\n')[0]}`);
    console.error(`encrypt.mjs: the Chromium half failed: ${e.stack || e}`);
  } finally {
    if (browser) await browser.close();
    await server.close();
  }
}

// ---- report ----------------------------------------------------------------------------------
const date = new Date().toISOString().slice(0, 10);
const envLabel = process.env.SMIME_BENCH_ENV || `${os.platform()}-${os.arch()}-${os.cpus().length}cpu`;
const argsShown = process.argv.slice(2).join(' ');
loadSeen.push(os.loadavg()[0]);
const md = markdown(envs, memory, {
  date,
  quick: opt.quick,
  command: `node bench/encrypt.mjs${argsShown ? ` ${argsShown}` : ''}`,
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model?.trim() || 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`,
  versions,
  load: { start: loadAtStart, end: os.loadavg()[0], max: Math.max(...loadSeen), cores: os.cpus().length, quiet: QUIET_LOAD },
  verification,
  failures,
  pkijsFiles,
});
console.log(`\n${md}`);
if (opt.write) {
  const dir = join(HERE, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${date}-${envLabel}-encrypt${opt.quick ? '-quick' : ''}${opt.only ? '-partial' : ''}.md`);
  writeFileSync(file, md);
  log(`written: ${relative(process.cwd(), file)}`);
}
log(`done in ${((performance.now() - START) / 1000).toFixed(1)} s`);
const broken = envs.flatMap((e) => e.results.filter((r) => r.error && r.error.startsWith('INVALID OUTPUT')));
if (failures.length) {
  console.error(`encrypt.mjs: ${failures.length} FAILURE(S) (outputs that OpenSSL did not decrypt to the input are reported, not timed):\n  ${failures.join('\n  ')}`);
}
const chromiumFailed = failures.some((f) => f.startsWith('Chromium half'));
process.exit(chromiumFailed || broken.some((r) => r.lib === 'smime-wasm') ? 1 : 0);
