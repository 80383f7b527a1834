#!/usr/bin/env bash
# Installs what building (and, with --test, testing) smime-wasm needs. Idempotent: every step first
# checks whether its tool is already there, so a second run takes a few seconds.
#
#   scripts/install.sh          Rust wasm32 target, wasm-bindgen CLI (version from Cargo.lock), npm ci
#   scripts/install.sh --test   also rustfmt + clippy, Chromium + chromedriver + openssl (apt), aiosmtpd for
#                               the relay tests (a venv under ~/.cache/smime-relay), and the interop peers
#                               (scripts/install-peers.sh, when present)
#
# Nothing is downloaded outside the package clients (rustup, cargo, npm, apt-get): no prebuilt binaries,
# no browser downloads. Debian's binaryen is deliberately NOT installed: its wasm-opt (v108) silently
# breaks modules built by current rustc; the build uses the npm package `binaryen` instead.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

WITH_TEST=0
for arg in "$@"; do
  case "$arg" in
    --test) WITH_TEST=1 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

say()  { printf '[install] %s\n' "$*"; }
die()  { printf '[install] ERROR: %s\n' "$*" >&2; exit 1; }
trap 'rc=$?; printf "[install] FAILED (exit %s) at line %s: %s\n" "$rc" "$LINENO" "$BASH_COMMAND" >&2' ERR

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in *":$CARGO_BIN:"*) ;; *) [ -d "$CARGO_BIN" ] && export PATH="$CARGO_BIN:$PATH" ;; esac

command -v cargo  >/dev/null || die "cargo not found (install Rust with rustup first)"
command -v rustup >/dev/null || die "rustup not found (needed to add the wasm32 target)"
command -v node   >/dev/null || die "node not found (Node.js 20 or newer is required)"
command -v npm    >/dev/null || die "npm not found"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || die "Node.js $(node --version) is too old: 20 or newer is required"

START=$SECONDS

# --- Rust: wasm32 target (and, for tests, rustfmt + clippy) -------------------------------------------
if rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
  say "rust target wasm32-unknown-unknown: present"
else
  say "rust target wasm32-unknown-unknown: adding (rustup target add)"
  rustup target add wasm32-unknown-unknown
fi

if [ "$WITH_TEST" = 1 ]; then
  missing_components=()
  cargo fmt --version    >/dev/null 2>&1 || missing_components+=(rustfmt)
  cargo clippy --version >/dev/null 2>&1 || missing_components+=(clippy)
  if [ ${#missing_components[@]} -gt 0 ]; then
    say "rust components ${missing_components[*]}: adding (rustup component add)"
    rustup component add "${missing_components[@]}"
  else
    say "rust components rustfmt, clippy: present"
  fi
fi

# --- wasm-bindgen CLI at exactly the version of the wasm-bindgen crate in Cargo.lock --------------------
[ -f Cargo.lock ] || die "Cargo.lock not found in $ROOT"
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[[ "$WB_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "could not read the wasm-bindgen version from Cargo.lock (got '$WB_VERSION')"
have_wb="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
have_runner="$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have_wb" = "$WB_VERSION" ] && [ "$have_runner" = "$WB_VERSION" ]; then
  say "wasm-bindgen-cli $WB_VERSION: present"
else
  say "wasm-bindgen-cli $WB_VERSION: installing with cargo (found '${have_wb:-none}'; takes about 6 minutes on 2 cores)"
  # No --locked: the CLI's own lock file pins a webpki-roots release that the registry here does not
  # serve, so cargo must resolve compatible versions itself (see shared/TOOLCHAIN.md §2).
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
  have_wb="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
  [ "$have_wb" = "$WB_VERSION" ] || die "wasm-bindgen on PATH reports '$have_wb' after installing $WB_VERSION (check PATH: $(command -v wasm-bindgen || echo none))"
fi

# --- npm dev dependencies (exact versions from package-lock.json) --------------------------------------
[ -f package-lock.json ] || die "package-lock.json not found in $ROOT"
STAMP=node_modules/.package-lock.json   # written by npm; touched again below after a successful npm ci
if [ -d node_modules ] && [ -f "$STAMP" ] && [ ! package-lock.json -nt "$STAMP" ]; then
  say "node_modules: up to date with package-lock.json"
else
  say "node_modules: missing or older than package-lock.json, running npm ci"
  npm ci --no-audit --no-fund
  touch "$STAMP"
fi
[ -x node_modules/.bin/wasm-opt ] || die "node_modules/.bin/wasm-opt missing after npm ci (package 'binaryen')"

# --- test tools ------------------------------------------------------------------------------------------
if [ "$WITH_TEST" = 1 ]; then
  apt_missing=()
  for pkg in chromium chromium-driver openssl; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || apt_missing+=("$pkg")
  done
  if [ ${#apt_missing[@]} -gt 0 ]; then
    command -v apt-get >/dev/null || die "apt packages missing (${apt_missing[*]}) and apt-get is not available"
    say "apt packages ${apt_missing[*]}: installing (apt-get update, then install)"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_missing[@]}"
  else
    say "apt packages chromium, chromium-driver, openssl: present"
  fi
  [ -x /usr/bin/chromium ]     || die "/usr/bin/chromium missing after install"
  [ -x /usr/bin/chromedriver ] || die "/usr/bin/chromedriver missing after install"

  # aiosmtpd for the relay's SMTP tests (relay/tests/smtp.rs), in its own venv
  RELAY_VENV="${XDG_CACHE_HOME:-$HOME/.cache}/smime-relay/venv"
  AIOSMTPD_VERSION="1.4.6"
  if [ -x "$RELAY_VENV/bin/python" ] && "$RELAY_VENV/bin/python" -c \
      "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
    say "aiosmtpd $AIOSMTPD_VERSION (relay tests): present in $RELAY_VENV"
  else
    if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
      command -v apt-get >/dev/null || die "python3 with venv/ensurepip is missing and apt-get is not available"
      say "apt packages python3 python3-venv: installing"
      SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3 python3-venv
    fi
    say "aiosmtpd $AIOSMTPD_VERSION (relay tests): creating $RELAY_VENV"
    rm -rf "$RELAY_VENV"
    mkdir -p "$(dirname "$RELAY_VENV")"
    python3 -m venv "$RELAY_VENV"
    "$RELAY_VENV/bin/python" -m pip install -q --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
    "$RELAY_VENV/bin/python" -c "import aiosmtpd" || die "aiosmtpd does not import from $RELAY_VENV"
  fi

  if [ -f scripts/install-peers.sh ]; then
    say "interop peers: scripts/install-peers.sh"
    bash scripts/install-peers.sh
  else
    say "interop peers: scripts/install-peers.sh not in this tree yet, skipped"
  fi
fi

say "done in $((SECONDS - START)) s"
