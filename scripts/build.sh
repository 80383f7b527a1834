#!/usr/bin/env bash
# Builds the wasm module and the playground (= `npm run build`):
#   1. cargo build --release --target wasm32-unknown-unknown --lib
#   2. wasm-bindgen --target web    -> pkg/       (ES module + init()/initSync(); browsers, bundlers)
#      wasm-bindgen --target nodejs -> pkg-node/  (CommonJS, instantiated on require)
#      both with .d.ts typings
#   3. wasm-opt -Oz (npm package binaryen; never Debian's, which breaks the module) on each _bg.wasm,
#      then a load check of each optimized package in Node
#   4. webpack: www/ -> dist/
# Run scripts/install.sh first (npm start / npm test do).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '[build] %s\n' "$*"; }
die() { printf '[build] ERROR: %s\n' "$*" >&2; exit 1; }
trap 'rc=$?; printf "[build] FAILED (exit %s) at line %s: %s\n" "$rc" "$LINENO" "$BASH_COMMAND" >&2' ERR

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in *":$CARGO_BIN:"*) ;; *) [ -d "$CARGO_BIN" ] && export PATH="$CARGO_BIN:$PATH" ;; esac
command -v wasm-bindgen >/dev/null || die "wasm-bindgen not found: run scripts/install.sh"
WASM_OPT="$ROOT/node_modules/.bin/wasm-opt"
[ -x "$WASM_OPT" ] || die "$WASM_OPT not found: run scripts/install.sh (npm ci)"

CRATE=smime_wasm
START=$SECONDS
step() { say "$1 ($((SECONDS - START)) s)"; }

step "cargo build --release --target wasm32-unknown-unknown --lib"
cargo build --release --target wasm32-unknown-unknown --lib
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
WASM="$TARGET_DIR/wasm32-unknown-unknown/release/$CRATE.wasm"
[ -f "$WASM" ] || die "$WASM not found after cargo build"

# wasm-bindgen + wasm-opt take ~30 s; skip them when the cargo output, the tools and the packages are
# exactly those of the last run (a stamp beside the cargo output records all of them).
STAMP="$WASM.pkg-stamp"
tools="wasm-bindgen $(wasm-bindgen --version | awk '{print $2}'); binaryen $("$WASM_OPT" --version | awk '{print $3}'); -Oz"
fingerprint() {
  echo "in $(sha256sum "$WASM" | cut -d' ' -f1); $tools"
  for dir in pkg pkg-node; do
    for f in "$dir/$CRATE.js" "$dir/$CRATE.d.ts" "$dir/${CRATE}_bg.wasm"; do
      [ -f "$f" ] && echo "$f $(sha256sum "$f" | cut -d' ' -f1)" || echo "$f missing"
    done
  done
}
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(fingerprint)" ]; then
  step "pkg/ and pkg-node/ are up to date with $(basename "$WASM") ($tools): no wasm-bindgen, no wasm-opt"
  raw_size="(unchanged)"
else
  rm -f "$STAMP"
  step "wasm-bindgen --target web -> pkg/, --target nodejs -> pkg-node/"
  rm -rf pkg pkg-node
  wasm-bindgen "$WASM" --target web    --out-dir pkg
  wasm-bindgen "$WASM" --target nodejs --out-dir pkg-node
  raw_size="$(stat -c %s pkg/${CRATE}_bg.wasm) B"

  # wasm-opt: the two modules differ only in their import module names, so optimize them in parallel
  # (one core each). binaryen 132's default feature set covers what rustc 1.95 emits (bulk memory,
  # nontrapping float-to-int, sign-ext, mutable globals, reference types, multivalue); --enable-*
  # flags are not needed. Its validator runs before and after optimizing.
  step "wasm-opt -Oz (binaryen $("$WASM_OPT" --version | awk '{print $3}')) on pkg/ and pkg-node/"
  pids=()
  for dir in pkg pkg-node; do
    "$WASM_OPT" -Oz "$dir/${CRATE}_bg.wasm" -o "$dir/${CRATE}_bg.opt.wasm" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || die "wasm-opt failed"; done
  for dir in pkg pkg-node; do mv "$dir/${CRATE}_bg.opt.wasm" "$dir/${CRATE}_bg.wasm"; done
fi

# Debian's wasm-opt once produced modules that validate but fail at instantiation, so instantiate both
# packages and call into them before anything uses them.
step "load check of the optimized modules in Node"
node -e '
  const m = require("./pkg-node/'"$CRATE"'.js");   // the nodejs target instantiates on require
  const codes = m.errorCodes();
  if (!Array.isArray(codes) || codes.length === 0) throw new Error("errorCodes() returned " + codes);
' || die "pkg-node/ does not load"
# pkg/ has no package.json of its own, so Node guesses its module type (and warns about guessing);
# in Node, pkg-node/ is the package to use, this only checks that the web build instantiates.
node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON --input-type=module -e '
  import { readFileSync } from "node:fs";
  const m = await import("./pkg/'"$CRATE"'.js");
  m.initSync({ module: readFileSync("./pkg/'"$CRATE"'_bg.wasm") });
  const codes = m.errorCodes();
  if (!Array.isArray(codes) || codes.length === 0) throw new Error("errorCodes() returned " + codes);
' || die "pkg/ does not load"
fingerprint > "$STAMP"

step "webpack: www/ -> dist/"
node_modules/.bin/webpack --mode production

opt_size=$(stat -c %s pkg/${CRATE}_bg.wasm)
gz_size=$(gzip -9 -c pkg/${CRATE}_bg.wasm | wc -c)
say "pkg/${CRATE}_bg.wasm: $raw_size after wasm-bindgen, $opt_size B after wasm-opt -Oz, $gz_size B gzip -9"
say "done in $((SECONDS - START)) s: pkg/, pkg-node/, dist/"
