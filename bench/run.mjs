#!/usr/bin/env node
// smime-wasm benchmark: signing with the wasm build in Node and in headless Chromium, side by side
// with PKI.js and node-forge. See README.md beside this file.
//
//   node bench/run.mjs [--quick] [--only REGEX] [--no-node] [--no-browser] [--no-write] [--wait-quiet[=S]]
//
// Environment: SMIME_WASM_PKG (default ../pkg), SMIME_WASM_PKG_NODE (default ../pkg-node),
// SMIME_BENCH_TESTDATA (default ../tests/data), CHROMIUM (default /usr/bin/chromium),
// SMIME_BENCH_ENV (label in the result file name; default <os>-<arch>-<N>cpu).

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve, relative } from 'node:path';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { createHash } from 'node:crypto';

import { KEYS, cases, runAll } from './lib/workloads.mjs';
import { startServer } from './lib/server.mjs';
import { verifyCase } from './lib/verify.mjs';
import { measureSizes } from './lib/sizes.mjs';
import { markdown } from './lib/report.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const require = createRequire(import.meta.url);

// The bench's own dependencies (bench/package-lock.json): installed here on first use, so that
// `node bench/run.mjs` works from a fresh clone.
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
];

// ---- arguments -------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const opt = { quick: false, only: null, node: true, browser: true, write: true, waitQuiet: 0 };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--quick') opt.quick = true;
  else if (a === '--only') opt.only = argv[++i];
  else if (a.startsWith('--only=')) opt.only = a.slice(7);
  else if (a === '--no-node') opt.node = false;
  else if (a === '--no-browser') opt.browser = false;
  else if (a === '--no-write') opt.write = false;
  else if (a === '--wait-quiet') opt.waitQuiet = 300;
  else if (a.startsWith('--wait-quiet=')) opt.waitQuiet = Number(a.slice(13));
  else if (a === '-h' || a === '--help') {
    console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1).filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
    process.exit(0);
  } else {
    console.error(`run.mjs: unknown argument '${a}' (try --help)`);
    process.exit(2);
  }
}
if (opt.only) new RegExp(opt.only); // fail early on a bad pattern

// A benchmark on a machine that is busy with something else measures that something else: the
// load average is recorded in the report, and --wait-quiet[=S] waits (up to S seconds, default
// 300) for the 1-minute load average to fall under QUIET_LOAD before starting.
const QUIET_LOAD = 0.5;
if (opt.waitQuiet > 0) {
  const until = Date.now() + opt.waitQuiet * 1000;
  while (os.loadavg()[0] >= QUIET_LOAD && Date.now() < until) {
    console.log(`[bench] waiting for a quiet machine: load average ${os.loadavg()[0].toFixed(2)} (want < ${QUIET_LOAD})`);
    await new Promise((r) => setTimeout(r, 10_000));
  }
}
const loadAtStart = os.loadavg()[0];

// Time budget (the whole run: full ≈ 5 min, --quick ≈ 1 min). Each half gets a share; a case
// started after its half's deadline is reported as skipped. A watchdog ends the run if it hangs.
const BUDGET_MS = opt.quick ? 50_000 : 270_000;
const HARD_LIMIT_MS = BUDGET_MS + 60_000;
const START = performance.now();
const watchdog = setTimeout(() => {
  console.error(`run.mjs: hard time limit (${HARD_LIMIT_MS / 1000} s) reached, aborting`);
  process.exit(3);
}, HARD_LIMIT_MS);
watchdog.unref();

const log = (line) => console.log(`[bench ${((performance.now() - START) / 1000).toFixed(1).padStart(5)} s] ${line}`);
const die = (msg) => {
  console.error(`run.mjs: ${msg}`);
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
const fixtures = {};
for (const k of KEYS) {
  fixtures[k.id] = {
    key: readFileSync(join(TESTDATA, k.key), 'utf8'),
    cert: readFileSync(join(TESTDATA, k.cert), 'utf8'),
  };
}
const signingTime = Date.now();
const work = mkdtempSync(join(os.tmpdir(), 'smime-bench-'));
process.on('exit', () => {
  if (!process.env.SMIME_BENCH_KEEP) rmSync(work, { recursive: true, force: true });
});
const selected = cases().filter((c) => !opt.only || new RegExp(opt.only).test(c.id));
if (selected.length === 0) die(`--only ${opt.only} selects no case; cases: ${cases().map((c) => c.id).join(' ')}`);

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
const versions = `smime-wasm ${crateVersion} (repository at ${gitDescribe()}; pkg/smime_wasm_bg.wasm sha256 ${wasmId}…), PKI.js ${pkgVersion('pkijs')} + asn1js ${pkgVersion('asn1js')}, node-forge ${pkgVersion('node-forge')}`;

function gitDescribe() {
  try {
    return execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'no git';
  }
}

log(`pkg/: ${PKG}; pkg-node/: ${PKG_NODE}; ${selected.length} cases per environment, ${opt.quick ? 'quick' : 'full'} plan`);

const envs = [];
const verification = [];
const failures = [];

function checkOutputs(envName, results) {
  const t = performance.now();
  for (const r of results) {
    if (r.error) continue;
    try {
      const how = verifyCase(pkijs, work, envName, r);
      verification.push({ env: envName, id: r.id, how });
    } catch (e) {
      failures.push(`${envName}/${r.id}: ${e.message}`);
      r.error = `INVALID OUTPUT: ${e.message}`;
      console.error(`run.mjs: ${envName}/${r.id}: OUTPUT CHECK FAILED: ${e.message}`);
    }
  }
  log(`${envName}: first outputs checked (${verification.filter((v) => v.env === envName).length} valid) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

// ---- Node ------------------------------------------------------------------------------------
if (opt.node) {
  const smime = require(join(PKG_NODE, 'smime_wasm.js'));
  pkijs.setEngine('bench', new pkijs.CryptoEngine({ name: 'bench', crypto: globalThis.crypto }));
  const results = await runAll({
    name: 'node',
    smime,
    pkijs,
    asn1js,
    forge,
    crypto: globalThis.crypto,
    subtle: globalThis.crypto.subtle,
    fixtures,
    signingTime,
    quick: opt.quick,
    only: opt.only ? new RegExp(opt.only) : null,
    now: () => performance.now(),
    deadline: START + BUDGET_MS * (opt.browser ? 0.45 : 0.95),
    keep: async (c, bytes) => writeFileSync(join(work, `node-${c.id}.out`), bytes),
    keepMessage: async (sizeId, bytes) => writeFileSync(join(work, `node-message-${sizeId.toLowerCase()}.bin`), bytes),
    log,
    verbose: !!process.env.SMIME_BENCH_VERBOSE,
  });
  checkOutputs('node', results);
  envs.push({ name: 'Node', label: `Node ${process.versions.node} (V8 ${process.versions.v8}), WebCrypto = node:crypto (OpenSSL ${process.versions.openssl})`, results });
}

// ---- Chromium --------------------------------------------------------------------------------
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
    index: join(HERE, 'page/index.html'),
    keepDir: work,
    lifetimeMs: HARD_LIMIT_MS,
    log,
  });
  let browser;
  try {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found (set CHROMIUM to a Chromium binary)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    const page = await browser.newPage();
    page.on('console', (m) => (m.type() === 'log' ? log(m.text()) : log(`chromium ${m.type()}: ${m.text()}`)));
    page.on('pageerror', (e) => log(`chromium page error: ${e.message}`));
    await page.goto(server.url, { timeout: 60_000 });
    await page.waitForFunction(() => window.benchInfo, null, { timeout: 60_000 });
    const info = await page.evaluate(() => window.benchInfo);
    if (!info.ready) throw new Error(`bench page failed to load: ${info.error}`);
    const budgetMs = START + BUDGET_MS - performance.now();
    page.setDefaultTimeout(HARD_LIMIT_MS);
    const results = await page.evaluate(
      (cfg) => window.runBench(cfg),
      { fixtures, signingTime, quick: opt.quick, only: opt.only, budgetMs, verbose: !!process.env.SMIME_BENCH_VERBOSE },
    );
    const version = browser.version();
    envs.push({ name: 'Chromium', label: `Chromium ${version} headless (${info.userAgent.match(/\((X11; )?([^)]+)\)/)?.[2] || ''})`, results });
    pkijsFiles = [...server.served.keys()]
      .filter((p) => p.startsWith('/node_modules/') && !p.startsWith('/node_modules/node-forge/'))
      .map((p) => p.slice('/node_modules/'.length));
    checkOutputs('chromium', results);
  } catch (e) {
    failures.push(`Chromium half: ${e.message.split('\n')[0]}`);
    console.error(`run.mjs: the Chromium half failed: ${e.stack || e}`);
  } finally {
    if (browser) await browser.close();
    await server.close();
  }
}

// ---- report ----------------------------------------------------------------------------------
const sizes = measureSizes({ pkgDir: PKG, nodeModules: join(HERE, 'node_modules'), pkijsFiles });
const date = new Date().toISOString().slice(0, 10);
const envLabel = process.env.SMIME_BENCH_ENV || `${os.platform()}-${os.arch()}-${os.cpus().length}cpu`;
const argsShown = process.argv.slice(2).join(' ');
const md = markdown(envs, sizes, {
  date,
  quick: opt.quick,
  command: `node bench/run.mjs${argsShown ? ` ${argsShown}` : ''}`,
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model?.trim() || 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`,
  versions,
  load: { start: loadAtStart, end: os.loadavg()[0], cores: os.cpus().length, quiet: QUIET_LOAD },
  verification,
  failures,
});
console.log(`\n${md}`);
if (opt.write) {
  const dir = join(HERE, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${date}-${envLabel}${opt.quick ? '-quick' : ''}${opt.only ? '-partial' : ''}.md`);
  writeFileSync(file, md);
  log(`written: ${relative(process.cwd(), file)}`);
}
log(`done in ${((performance.now() - START) / 1000).toFixed(1)} s`);
if (failures.length) {
  console.error(`run.mjs: ${failures.length} FAILURE(S):\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
const skipped = envs.flatMap((e) => e.results.filter((r) => r.error));
if (skipped.length) log(`note: ${skipped.length} case(s) without figures (see the table)`);
process.exit(0);
