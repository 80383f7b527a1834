#!/usr/bin/env bash
# Installs the independent S/MIME implementations that tests/peers/peers.sh runs, idempotently:
#   OpenSSL 3, GnuPG gpgsm (+ gpg-agent), NSS tools (cmsutil, certutil, pk12util),
#   Bouncy Castle 1.72 for Java (Debian's libbcprov/libbcpkix/libbcutil/libbcmail-java with
#   javax.mail) on a Java 17 whose image has the jdk.compiler module (peers.sh runs
#   BcPeer.java as a single-file source program: no build step),
#   pyca/cryptography 50.0.2 + asn1crypto 1.5.1 in a virtualenv under
#   ${XDG_CACHE_HOME:-~/.cache}/smime-peers/venv (where peers.sh looks for it).
# Written for Debian 12 (run as root, or with sudo available, when packages are missing).
# When everything is present it changes nothing, runs no apt-get at all and takes about a
# second. `apt-get update` runs only when a package is missing, and at most once.
# Exit status: 0 when every peer is ready, 1 otherwise.
set -eu

venv="${XDG_CACHE_HOME:-$HOME/.cache}/smime-peers/venv"
PY_PKGS="cryptography==50.0.2 asn1crypto==1.5.1"
# jar (as peers.sh's classpath names it) -> Debian package that ships it
JARS="bcprov:libbcprov-java bcpkix:libbcpkix-java bcutil:libbcutil-java bcmail:libbcmail-java
      javax.mail:libmail-java javax.activation:libactivation-java"

say() { printf 'install-peers: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else say "need root to run: $*"; return 1; fi
}

updated=""
apt_install() {  # packages... (skips apt-get update when it already ran in this call)
  [ $# -gt 0 ] || return 0
  command -v apt-get >/dev/null 2>&1 || { say "no apt-get: install by hand: $*"; return 1; }
  say "installing: $*"
  if [ -z "$updated" ]; then as_root apt-get update -qq; updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

has_jdk_compiler() { java --list-modules 2>/dev/null | grep -q '^jdk\.compiler@'; }
venv_ok() {
  [ -x "$venv/bin/python" ] && "$venv/bin/python" - <<'PYEOF' 2>/dev/null
import cryptography, asn1crypto
assert cryptography.__version__ == "50.0.2", cryptography.__version__
assert asn1crypto.__version__ == "1.5.1", asn1crypto.__version__
PYEOF
}

# ---- 1. Debian packages: ask apt only for what is missing
need=()
command -v openssl   >/dev/null 2>&1 || need+=(openssl)
# gpgsm needs gpg-agent (trustlist, key import): the gnupg package brings it
command -v gpgsm     >/dev/null 2>&1 || need+=(gpgsm)
command -v gpg-agent >/dev/null 2>&1 || need+=(gnupg)
command -v cmsutil   >/dev/null 2>&1 || need+=(libnss3-tools)
command -v java      >/dev/null 2>&1 || need+=(default-jre-headless)
for jp in $JARS; do
  [ -f "/usr/share/java/${jp%%:*}.jar" ] || need+=("${jp#*:}")
done
if ! venv_ok; then
  # the system python3 creates the venv; Debian splits venv/ensurepip into python3-venv
  command -v python3 >/dev/null 2>&1 || need+=(python3)
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
fi
apt_install "${need[@]}"

# Debian 12's openjdk-17-jre-headless image carries jdk.compiler; other JREs may not.
if ! has_jdk_compiler; then
  apt_install default-jdk-headless
  has_jdk_compiler || { say "java lacks the jdk.compiler module (needed to run BcPeer.java)"; exit 1; }
fi

# ---- 2. the pyca venv (pip talks to the package index configured for this machine)
if ! venv_ok; then
  say "creating $venv with $PY_PKGS"
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check $PY_PKGS
  venv_ok || { say "the venv at $venv does not import $PY_PKGS"; exit 1; }
fi

# ---- 3. check that everything peers.sh runs is really there now, and report it
missing=""
for c in openssl gpgsm gpg-agent gpgconf cmsutil certutil pk12util java; do
  command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
for jp in $JARS; do [ -f "/usr/share/java/${jp%%:*}.jar" ] || missing="$missing ${jp%%:*}.jar"; done
[ -z "$missing" ] || { say "still missing after install:$missing"; exit 1; }
echo "peers ready: $(openssl version | cut -d' ' -f1-2), $(gpgsm --version | head -n 1)," \
  "NSS $(dpkg-query -W -f='${Version}' libnss3-tools 2>/dev/null || echo cmsutil)," \
  "pyca/cryptography $("$venv/bin/python" -c 'import cryptography; print(cryptography.__version__)')," \
  "Bouncy Castle $(dpkg-query -W -f='${Version}' libbcprov-java 2>/dev/null || echo '?')" \
  "on $(java -version 2>&1 | head -n 1)"
