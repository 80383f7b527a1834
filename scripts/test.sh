#!/usr/bin/env bash
# `npm test` (and CI through .ci/run): installs what is missing (scripts/install.sh --test), then runs
# every test, stopping at the first failure. Each stage prints a banner and its time; a summary follows.
#
#   1 install        scripts/install.sh --test
#   2 fmt            cargo fmt --all --check (the workspace: smime-wasm and relay/)
#   3 clippy         cargo clippy --workspace --all-targets -- -D warnings
#   4 clippy-wasm    cargo clippy -p smime-wasm --all-targets --target wasm32-unknown-unknown -- -D warnings
#   5 cargo-test     cargo test --workspace (native; the interop tests use the peers installed in stage 1;
#                    relay/tests: aiosmtpd from the relay test venv, an HTTPS SparkPost mock, the load test)
#   6 wasm-test      cargo test -p smime-wasm --target wasm32-unknown-unknown (wasm-bindgen-test-runner:
#                    tests/web.rs in headless Chromium via chromedriver, tests/node.rs in Node)
#   7 build          scripts/build.sh (pkg/, pkg-node/, dist/)
#   8 js-test        node --test tests/js/   (pkg-node/ and pkg/ in Node; output checked by openssl/peers)
#   9 e2e            node --test tests/e2e/  (the playground in headless Chromium via playwright-core)
#
# Stages can be picked for a local run: scripts/test.sh js-test e2e (no install, no other stage).
# The CI variable is passed through unchanged: with CI set, interop tests treat a missing peer as a
# failure instead of a skip.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in *":$CARGO_BIN:"*) ;; *) [ -d "$CARGO_BIN" ] && export PATH="$CARGO_BIN:$PATH" ;; esac

ALL_STAGES=(install fmt clippy clippy-wasm cargo-test wasm-test build js-test e2e)
if [ $# -gt 0 ]; then
  for s in "$@"; do
    case " ${ALL_STAGES[*]} " in *" $s "*) ;; *) echo "test.sh: unknown stage '$s' (stages: ${ALL_STAGES[*]})" >&2; exit 2 ;; esac
  done
  STAGES=("$@")
else
  STAGES=("${ALL_STAGES[@]}")
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/smime-test.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# Chromium for wasm-bindgen-test-runner: the runner adds --headless, --no-sandbox and
# --disable-dev-shm-usage itself; these keep Chromium off the (closed) network and in a fresh profile.
cat > "$TMP/webdriver.json" <<JSON
{
  "goog:chromeOptions": {
    "binary": "/usr/bin/chromium",
    "args": ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--user-data-dir=$TMP/chromium-profile"]
  }
}
JSON

run_stage() {
  case "$1" in
    install)     bash scripts/install.sh --test ;;
    fmt)         cargo fmt --all --check ;;
    clippy)      cargo clippy --workspace --all-targets -- -D warnings ;;
    # the relay is native only: the wasm stages build the root package alone
    clippy-wasm) cargo clippy -p smime-wasm --all-targets --target wasm32-unknown-unknown -- -D warnings ;;
    cargo-test)  cargo test --workspace ;;
    wasm-test)   CHROMEDRIVER=/usr/bin/chromedriver \
                 WASM_BINDGEN_TEST_WEBDRIVER_JSON="$TMP/webdriver.json" \
                 WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}" \
                 cargo test -p smime-wasm --target wasm32-unknown-unknown ;;
    build)       bash scripts/build.sh ;;
    # pkg/ carries no package.json, so Node warns that it guesses its module type (ES module): silence
    # that one warning; in Node, applications use pkg-node/.
    js-test)     node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON --test --test-reporter=spec tests/js/ ;;
    e2e)         node --test --test-reporter=spec tests/e2e/ ;;
  esac
}

SUMMARY=()
T0=$SECONDS
n=0
summary() {
  echo
  echo "================ stage timings ================"
  for line in "${SUMMARY[@]}"; do echo "$line"; done
  printf '  %-12s %5d s\n' total $((SECONDS - T0))
}

echo "smime-wasm test suite: ${#STAGES[@]} stage(s); CI=${CI:-unset}; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%M:%SZ)"
for stage in "${STAGES[@]}"; do
  n=$((n + 1))
  echo
  echo "================ [$n/${#STAGES[@]}] $stage ================"
  start=$SECONDS
  if run_stage "$stage"; then
    SUMMARY+=("$(printf '  %-12s %5d s  ok' "$stage" $((SECONDS - start)))")
    echo "================ $stage: ok in $((SECONDS - start)) s ================"
  else
    rc=$?
    SUMMARY+=("$(printf '  %-12s %5d s  FAILED (exit %d)' "$stage" $((SECONDS - start)) "$rc")")
    echo "================ $stage: FAILED (exit $rc) after $((SECONDS - start)) s ================" >&2
    summary
    echo "stages: $((n - 1)) passed, 1 failed"
    exit 1
  fi
done
summary
echo "stages: ${#STAGES[@]} passed, 0 failed"
