#!/usr/bin/env bash
# `npm start`: install what is missing (scripts/install.sh), build the playground (scripts/build.sh), then
# run the relay (relay/, see relay/README.md) with relay.example.toml: it serves the playground from dist/
# on http://127.0.0.1:${PORT:-8080}/ (loopback only) and takes sends at /api/v1/transmissions into its
# local outbox (relay-data/), until Ctrl-C.
#
# RELAY_CONFIG names another configuration file; every RELAY_* variable overrides it (relay/README.md).
# The relay is built with cargo's dev profile: its dependencies are optimized there (opt-level 2, see
# Cargo.toml), while the release profile is tuned for the size of the wasm module (opt-level "z", fat LTO).
# `node scripts/serve.mjs` still serves dist/ alone (static files only, no send endpoint).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/install.sh
bash scripts/build.sh
export RELAY_LISTEN="127.0.0.1:${PORT:-8080}"
CONFIG="${RELAY_CONFIG:-relay.example.toml}"
unset RELAY_CONFIG
exec cargo run -p relay -- --config "$CONFIG"
