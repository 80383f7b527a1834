// Download sizes: raw and gzip -9 of the wasm module and its JS glue, and of what a page loads
// for each peer.

import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync, constants } from 'node:zlib';
import { join } from 'node:path';

/** gzip -9 size of a buffer: the gzip tool when there is one, else zlib at level 9. */
export function gzipSize(buf) {
  try {
    return execFileSync('gzip', ['-9', '-c', '-n'], { input: buf, maxBuffer: 256 << 20 }).length;
  } catch {
    return gzipSync(buf, { level: constants.Z_BEST_COMPRESSION }).length;
  }
}

function entry(label, files, note) {
  const bufs = files.map((f) => readFileSync(f));
  const raw = bufs.reduce((n, b) => n + b.length, 0);
  return { label, raw, gzip: gzipSize(Buffer.concat(bufs)), files: files.length, note };
}

/**
 * pkgDir: smime-wasm's pkg/; nodeModules: bench/node_modules; pkijsFiles: the node_modules paths
 * (relative) that Chromium fetched for PKI.js and its dependencies, when the browser half ran.
 */
export function measureSizes({ pkgDir, nodeModules, pkijsFiles }) {
  const rows = [];
  const wasm = join(pkgDir, 'smime_wasm_bg.wasm');
  const glue = join(pkgDir, 'smime_wasm.js');
  rows.push(entry('smime-wasm: pkg/smime_wasm_bg.wasm', [wasm], 'as built (wasm-opt -Oz)'));
  if (existsSync(glue)) rows.push(entry('smime-wasm: pkg/smime_wasm.js (glue)', [glue], 'wasm-bindgen --target web'));
  if (pkijsFiles && pkijsFiles.length) {
    rows.push(
      entry(
        'PKI.js 4 + asn1js + deps, as fetched by the page',
        pkijsFiles.map((p) => join(nodeModules, p)),
        `${pkijsFiles.length} ES modules as published (not minified, not tree-shaken), concatenated`,
      ),
    );
  }
  const forge = join(nodeModules, 'node-forge/dist/forge.min.js');
  if (existsSync(forge)) rows.push(entry('node-forge: dist/forge.min.js', [forge], 'its minified browser bundle (all of forge)'));
  return rows;
}
