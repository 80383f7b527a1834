#!/usr/bin/env bash
# `npm start`: install what is missing (scripts/install.sh), build (scripts/build.sh), then serve the
# playground from dist/ on http://127.0.0.1:${PORT:-8080}/ (loopback only) until Ctrl-C.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/install.sh
bash scripts/build.sh
exec node scripts/serve.mjs --port "${PORT:-8080}"
