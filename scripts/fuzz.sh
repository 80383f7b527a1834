#!/usr/bin/env bash
# Fuzzes `open` with cargo-fuzz (libFuzzer) for a while, the test vectors as seed corpus.
#
#   scripts/fuzz.sh [SECONDS]     default 600; needs cargo-fuzz (`cargo install cargo-fuzz`)
#
# The machine's only toolchain is stable; cargo-fuzz needs nightly flags (-Z sanitizer), which a
# stable compiler accepts with RUSTC_BOOTSTRAP=1. Crashes land in fuzz/artifacts/open/ and make
# this script fail. Not part of `npm test` (it runs for minutes); its figures go in the issue notes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECONDS_TO_RUN="${1:-600}"
command -v cargo-fuzz >/dev/null || { echo "fuzz.sh: cargo-fuzz missing (cargo install cargo-fuzz)" >&2; exit 2; }
CORPUS=fuzz/corpus/open
mkdir -p "$CORPUS"
# Seed: every message, CMS and PEM object of the vectors (content-addressed names, so reruns add nothing twice).
find tests/data -type f \( -name '*.eml' -o -name '*.bin' -o -name '*.p7b' -o -name '*.p7m' -o -name '*.pem' -o -name '*.expected' \) -size -300k |
  while read -r f; do cp "$f" "$CORPUS/seed-$(sha256sum "$f" | cut -c1-16)"; done
echo "fuzz.sh: $(ls "$CORPUS" | wc -l) inputs in $CORPUS; running ${SECONDS_TO_RUN}s"
RUSTC_BOOTSTRAP=1 cargo fuzz run open "$CORPUS" -- \
  -max_total_time="$SECONDS_TO_RUN" -max_len=300000 -timeout=20 -rss_limit_mb=3072 -print_final_stats=1
