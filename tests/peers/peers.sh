#!/usr/bin/env bash
# peers.sh - run independent S/MIME / CMS implementations against one input
# and print one line per peer:   <peer>  PASS|FAIL|SKIP  <reason>
#
#   peers.sh verify  MSG [ANCHOR.pem ...] [--attime WHEN] [--content FILE] [--expect FILE]
#   peers.sh decrypt MSG KEY.pem CERT.pem [--expect FILE] [--outdir DIR]
#   peers.sh decrypt-p12 MSG FILE.p12 PASSWORD [--expect FILE] [--outdir DIR]
#   peers.sh p12     FILE.p12 PASSWORD
#   peers.sh pem     FILE [PASSWORD]     (key and/or certificate file, PEM or DER)
#   peers.sh info    MSG
#
# MSG is an S/MIME message (.eml: multipart/signed or application/pkcs7-mime
# at the top level) or a bare CMS blob (DER or PEM).  For a bare detached
# signature give the signed bytes with --content.  ANCHOR.pem files hold the
# trusted root(s); several certificates per file are fine.  WHEN is
# YYYY-MM-DD[THH:MM:SS] or @EPOCH, the moment to validate certificates at
# (openssl -attime, gpgsm --faked-system-time, python verifier time, Bouncy
# Castle PKIX validation date; NSS has no such switch and always validates at
# the current time).
# --expect compares the recovered content with FILE (exact, or after CRLF->LF).
#
# Peers: openssl-cms, openssl-smime (OpenSSL 3 PKCS7 API), gpgsm (GnuPG),
# nss-cmsutil (NSS), python (pyca/cryptography, see lib/pypeer.py),
# bouncycastle (Bouncy Castle 1.72 for Java, see lib/BcPeer.java; it reads the
# MIME itself with javax.mail + bcmail, and opens PKCS#12 files itself).
# Select a subset with PEERS="openssl-cms gpgsm" peers.sh ...
# Exit status: 0 when no selected peer FAILed, 1 otherwise, 2 on usage error.
# Every peer runs in a throwaway directory (own GNUPGHOME, own NSS db); the
# gpg-agent started for that GNUPGHOME is stopped again at the end.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="${PEERS_PYTHON:-${XDG_CACHE_HOME:-$HOME/.cache}/smime-peers/venv/bin/python}"
[ -x "$PY" ] || PY=python3   # run setup.sh beside this file once to create that venv
# Bouncy Castle: Debian's libbcprov-java libbcpkix-java libbcmail-java (1.72),
# run as a Java single-file source program (no build step).
JAVA="${PEERS_JAVA:-java}"
BC_CP="${PEERS_BC_CLASSPATH:-/usr/share/java/bcprov.jar:/usr/share/java/bcpkix.jar:/usr/share/java/bcutil.jar:/usr/share/java/bcmail.jar:/usr/share/java/javax.mail.jar:/usr/share/java/javax.activation.jar}"
ALL_PEERS="openssl-cms openssl-smime gpgsm nss-cmsutil python bouncycastle"
PEERS="${PEERS:-$ALL_PEERS}"

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 2 ] || usage

CMD="$1"; shift
ATTIME=""; CONTENT=""; EXPECT=""; OUTDIR=""; POS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --attime) ATTIME="$2"; shift 2 ;;
    --content) CONTENT="$2"; shift 2 ;;
    --expect) EXPECT="$2"; shift 2 ;;
    --outdir) OUTDIR="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) POS+=("$1"); shift ;;
  esac
done

T="$(mktemp -d "${TMPDIR:-/tmp}/peers.XXXXXX")"
cleanup() {
  if [ -d "$T/gnupg" ]; then GNUPGHOME="$T/gnupg" gpgconf --kill all >/dev/null 2>&1; fi
  rm -rf "$T"
}
trap cleanup EXIT

EPOCH=""
if [ -n "$ATTIME" ]; then
  case "$ATTIME" in
    @*) EPOCH="${ATTIME#@}" ;;
    *) EPOCH="$(date -u -d "$ATTIME" +%s)" || { echo "bad --attime"; exit 2; } ;;
  esac
fi

FAILED=0
report() {  # peer verdict reason...
  local p="$1" v="$2"; shift 2
  local msg="$*"
  printf '%-14s %-4s %s\n' "$p" "$v" "${msg:0:${PEERS_WIDTH:-220}}"
  [ "$v" = FAIL ] && FAILED=1
  return 0
}
# A selected peer whose tools are missing is reported once as SKIP (and not run), so that a
# caller can tell "not installed" from "rejected the input".  [smime-wasm: added]
SKIPPED=" "
missing_tool() {  # peer -> why it cannot run here; nothing when it can
  case "$1" in
    openssl-cms|openssl-smime) command -v openssl >/dev/null 2>&1 || echo "openssl not installed (see setup.sh)" ;;
    gpgsm) { command -v gpgsm && command -v gpg-agent; } >/dev/null 2>&1 || echo "gpgsm/gpg-agent not installed (see setup.sh)" ;;
    nss-cmsutil) { command -v cmsutil && command -v certutil && command -v pk12util; } >/dev/null 2>&1 \
      || echo "NSS tools (cmsutil, certutil, pk12util) not installed (see setup.sh)" ;;
    python) "$PY" -c 'import cryptography, asn1crypto' >/dev/null 2>&1 || echo "$PY lacks pyca/cryptography or asn1crypto (see setup.sh)" ;;
    bouncycastle) bc_missing ;;
  esac
}
want() {
  case " $PEERS " in *" $1 "*) ;; *) return 1 ;; esac
  local why; why="$(missing_tool "$1")"
  [ -z "$why" ] && return 0
  case "$SKIPPED" in *" $1 "*) ;; *) report "$1" SKIP "$why"; SKIPPED="$SKIPPED$1 " ;; esac
  return 1
}
lastline() { grep -v '^\s*$' "$1" | tail -n 1 | cut -c1-200; }

ossl() {  # sub log args... : run openssl; on "unsupported" retry with the legacy provider
  local sub="$1" log="$2"; shift 2
  LEGACY_NOTE=""
  openssl "$sub" "$@" >"$log" 2>&1 && return 0
  grep -q 'unsupported' "$log" || return 1
  if openssl "$sub" -provider legacy -provider default "$@" >"$log.legacy" 2>&1; then
    LEGACY_NOTE=" (needed -provider legacy)"; cp "$log.legacy" "$log"; return 0; fi
  return 1
}

ossl_reason() {  # openssl log -> short reason
  grep -m1 -o 'Verify error:.*' "$1" && return 0
  grep -m1 -o 'error:[^:]*:[^:]*:[^:]*:[^:]*' "$1" | cut -d: -f3- && return 0
  lastline "$1"
}

compare() {  # file -> text fragment for the report
  local got="$1"
  [ -n "$EXPECT" ] || { echo ""; return 0; }
  if cmp -s "$got" "$EXPECT"; then echo "; content matches expected"; return 0; fi
  if cmp -s <(tr -d '\r' < "$got") <(tr -d '\r' < "$EXPECT"); then
    echo "; content matches expected (line endings differ)"; return 0; fi
  echo "; content DIFFERS from expected"; return 1
}

pass_with() {  # peer file message : PASS, or FAIL when --expect does not match
  local p="$1" f="$2" m="$3" c
  if c="$(compare "$f")"; then report "$p" PASS "$m$c"; else report "$p" FAIL "$m$c"; fi
}

# ---------------------------------------------------------------- Bouncy Castle
bc_missing() {  # -> reason when the BC peer cannot run here, else nothing
  command -v "$JAVA" >/dev/null 2>&1 || { echo "no java (install default-jre-headless, see setup.sh)"; return; }
  local j; local IFS=:
  for j in $BC_CP; do [ -f "$j" ] || { echo "missing $j (install libbcprov-java libbcpkix-java libbcmail-java, see setup.sh)"; return; }; done
}
bc_run() {  # args... -> BCLINE="PASS ..."/"FAIL ..."; the JVM writes nothing outside $T
  local why; why="$(bc_missing)"
  if [ -n "$why" ]; then BCLINE="SKIP $why"; return; fi
  mkdir -p "$T/bctmp"
  "$JAVA" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Djava.io.tmpdir="$T/bctmp" \
    -cp "$BC_CP" "$HERE/lib/BcPeer.java" "$@" >"$T/bc.log" 2>"$T/bc.err"
  BCLINE="$(grep -E '^(PASS|FAIL) ' "$T/bc.log" | tail -n 1)"
  [ -n "$BCLINE" ] || BCLINE="FAIL $( (cat "$T/bc.log"; grep -v '^Note:' "$T/bc.err") | grep -v '^\s*$' | head -n 3 | tr '\n' ' ' | cut -c1-200)"
}
bc_report() {  # [file-for---expect] : report BCLINE
  local v="${BCLINE%% *}" m="${BCLINE#* }"
  if [ "$v" = PASS ] && [ -n "${1:-}" ]; then pass_with bouncycastle "$1" "$m"
  else report bouncycastle "$v" "$m"; fi
}

# ---------------------------------------------------------------- input prep
prep_msg() {
  MSG="$1"
  [ -f "$MSG" ] || { echo "no such file: $MSG"; exit 2; }
  KIND="$(python3 "$HERE/lib/smime_split.py" "$MSG" "$T/split" 2>"$T/split.err")" || {
    echo "cannot parse input: $(cat "$T/split.err")"; exit 2; }
  CMS="$T/split/cms.der"
  DETACHED=""
  if [ "$KIND" = signed-detached ]; then DETACHED="$T/split/content.bin"; fi
  if [ -n "$CONTENT" ]; then DETACHED="$CONTENT"; KIND=signed-detached; fi
  # how openssl should read MSG itself
  local first; first="$(head -c 10 "$MSG")"
  if [ "$(head -c 1 "$MSG" | od -An -tx1 | tr -d ' ')" = 30 ]; then INFORM=DER
  elif [ "$first" = "-----BEGIN" ]; then INFORM=PEM
  else INFORM=SMIME; fi
}

# ---------------------------------------------------------------- gpgsm setup
G() { gpgsm --batch --no-tty --disable-dirmngr --disable-crl-checks \
        --disable-policy-checks --no-common-certs-import --pinentry-mode loopback \
        ${EPOCH:+--faked-system-time "$EPOCH"} "$@"; }
gpg_init() {
  export GNUPGHOME="$T/gnupg"; mkdir -p -m 700 "$GNUPGHOME"
  : > "$GNUPGHOME/trustlist.txt"
}
gpg_trust() {  # import and trust every certificate of a PEM file
  local f="$1" i=0
  csplit -s -z -f "$T/anc.$(basename "$f")." "$f" '/-----BEGIN CERTIFICATE-----/' '{*}' 2>/dev/null || cp "$f" "$T/anc.$(basename "$f").00"
  for c in "$T"/anc."$(basename "$f")".*; do
    grep -q "BEGIN CERTIFICATE" "$c" || continue
    G --import "$c" >/dev/null 2>&1
    local fpr; fpr="$(openssl x509 -in "$c" -noout -fingerprint -sha1 2>/dev/null | sed 's/.*=//')"
    [ -n "$fpr" ] && echo "$fpr S relax" >> "$GNUPGHOME/trustlist.txt"
    i=$((i+1))
  done
}

# ---------------------------------------------------------------- NSS setup
nss_init() {
  NSSDB="sql:$T/nssdb"; mkdir -p "$T/nssdb"
  certutil -N -d "$NSSDB" --empty-password >/dev/null 2>&1
}
nss_trust() {
  local f="$1" n=0
  csplit -s -z -f "$T/nss.$(basename "$f")." "$f" '/-----BEGIN CERTIFICATE-----/' '{*}' 2>/dev/null || cp "$f" "$T/nss.$(basename "$f").00"
  for c in "$T"/nss."$(basename "$f")".*; do
    grep -q "BEGIN CERTIFICATE" "$c" || continue
    n=$((n+1))
    certutil -A -d "$NSSDB" -n "anchor-$(basename "$f")-$n" -t "CT,C,C" -i "$c" >/dev/null 2>&1
  done
}
nss_status() {  # header file -> "GoodSignature ..." list
  grep -o 'signer[0-9]*\.status=[A-Za-z]*' "$1" | sed 's/.*=//' | tr '\n' ' '
}

# ================================================================= verify
do_verify() {
  prep_msg "${POS[0]}"
  ANCHORS=()
  local a i=0
  for a in "${POS[@]:1}"; do   # accept DER anchors too: normalise to PEM
    i=$((i+1))
    if grep -q -- '-----BEGIN CERTIFICATE-----' "$a" 2>/dev/null; then ANCHORS+=("$a")
    elif openssl x509 -inform DER -in "$a" -out "$T/anchor$i.pem" 2>/dev/null; then ANCHORS+=("$T/anchor$i.pem")
    else echo "cannot read anchor certificate $a"; exit 2; fi
  done
  case "$KIND" in signed-detached|signed-opaque) ;; *)
    for p in $PEERS; do report "$p" FAIL "input is $KIND, not SignedData"; done; return ;; esac
  cat /dev/null "${ANCHORS[@]}" > "$T/anchors.pem"

  if want openssl-cms; then
    local args=(-verify -in "$MSG" -inform "$INFORM" -out "$T/ossl.out")
    [ ${#ANCHORS[@]} -gt 0 ] && args+=(-CAfile "$T/anchors.pem") || args+=(-no-CApath -no-CAstore -CAfile /dev/null)
    [ -n "$CONTENT" ] && args+=(-content "$CONTENT" -binary)
    [ "$INFORM" != SMIME ] && [ -z "$CONTENT" ] && [ "$KIND" = signed-detached ] && args+=(-content "$DETACHED" -binary)
    [ -n "$EPOCH" ] && args+=(-attime "$EPOCH")
    if ossl cms "$T/ossl.log" "${args[@]}"; then
      pass_with openssl-cms "$T/ossl.out" "$(lastline "$T/ossl.log")$LEGACY_NOTE"
    else report openssl-cms FAIL "$(ossl_reason "$T/ossl.log")"; fi
  fi

  if want openssl-smime; then
    local args=(-verify -in "$MSG" -inform "$INFORM" -out "$T/osm.out")
    [ ${#ANCHORS[@]} -gt 0 ] && args+=(-CAfile "$T/anchors.pem") || args+=(-no-CApath -no-CAstore -CAfile /dev/null)
    [ "$INFORM" != SMIME ] && [ "$KIND" = signed-detached ] && args+=(-content "$DETACHED" -binary)
    [ -n "$EPOCH" ] && args+=(-attime "$EPOCH")
    if ossl smime "$T/osm.log" "${args[@]}"; then
      pass_with openssl-smime "$T/osm.out" "$(lastline "$T/osm.log")$LEGACY_NOTE"
    else report openssl-smime FAIL "$(ossl_reason "$T/osm.log")"; fi
  fi

  if want gpgsm; then
    gpg_init
    for a in "${ANCHORS[@]}"; do gpg_trust "$a"; done
    if [ "$KIND" = signed-detached ]; then
      G --status-fd 3 --verify "$CMS" "$DETACHED" 3>"$T/gpg.status" >"$T/gpg.log" 2>&1
      cp "$DETACHED" "$T/gpg.out"
    else
      G --status-fd 3 -o "$T/gpg.out" --verify "$CMS" 3>"$T/gpg.status" >"$T/gpg.log" 2>&1
    fi
    local good bad exp trust
    good=$(grep -c '^\[GNUPG:\] GOODSIG' "$T/gpg.status")
    bad=$(grep -c '^\[GNUPG:\] \(BADSIG\|ERRSIG\)' "$T/gpg.status")
    exp=$(grep -c '^\[GNUPG:\] \(EXPKEYSIG\|EXPSIG\|REVKEYSIG\)' "$T/gpg.status")
    trust=$(grep -c '^\[GNUPG:\] TRUST_\(FULLY\|ULTIMATE\)' "$T/gpg.status")
    local why; why="$(grep 'gpgsm:' "$T/gpg.log" | grep -v -E 'Signature made|using .* key|Good signature|aka "|not checked due to|Note:|dirmngr' | head -n 2 | sed 's/gpgsm: *//' | tr '\n' ' ' | cut -c1-160)"
    if [ "$good" -gt 0 ] && [ "$bad" -eq 0 ] && [ "$exp" -eq 0 ] && [ "$trust" -ge "$good" ]; then
      pass_with gpgsm "$T/gpg.out" "$good good signature(s), chain trusted"
    elif [ "$bad" -gt 0 ]; then
      report gpgsm FAIL "bad/unverifiable signature: $why"
    elif [ "$exp" -gt 0 ]; then
      report gpgsm FAIL "signature good but certificate expired/revoked: $why"
    elif [ "$good" -gt 0 ]; then
      report gpgsm FAIL "signature good but chain not trusted: $why"
    else
      report gpgsm FAIL "no signature verified: $why"
    fi
  fi

  if want nss-cmsutil; then
    nss_init
    for a in "${ANCHORS[@]}"; do nss_trust "$a"; done
    local args=(-D -d "$NSSDB" -i "$CMS" -o "$T/nss.hdr" -h 9)
    [ "$KIND" = signed-detached ] && args+=(-c "$DETACHED")
    if cmsutil "${args[@]}" >"$T/nss.log" 2>&1; then
      local st; st="$(nss_status "$T/nss.hdr")"
      # content follows the header lines (opaque) - strip the SMIME: header block
      if [ "$KIND" = signed-detached ]; then cp "$DETACHED" "$T/nss.out"; else
        cmsutil -D -d "$NSSDB" -i "$CMS" -o "$T/nss.out" >/dev/null 2>&1; fi
      if [ -n "$st" ] && ! echo "$st" | grep -qv 'GoodSignature'; then
        pass_with nss-cmsutil "$T/nss.out" "status: $st"
      else report nss-cmsutil FAIL "status: ${st:-none}"; fi
    else report nss-cmsutil FAIL "$(grep -m1 'problem' "$T/nss.log" || lastline "$T/nss.log")"; fi
  fi

  if want python; then
    PYPEER_OUT="$T/py.out" "$PY" "$HERE/lib/pypeer.py" verify "$CMS" "${DETACHED:--}" "${ANCHORS[@]}" ${EPOCH:+--attime "$EPOCH"} >"$T/py.log" 2>&1
    local line; line="$(tail -n 1 "$T/py.log")"
    if [ "${line%% *}" = PASS ]; then pass_with python "$T/py.out" "${line#* }"
    else report python FAIL "${line#* }"; fi
  fi

  if want bouncycastle; then   # BC parses MSG (MIME or CMS) itself
    bc_run verify "$MSG" ${CONTENT:+--content "$CONTENT"} ${EPOCH:+--attime "$EPOCH"} --out "$T/bc.out" "${ANCHORS[@]}"
    bc_report "$T/bc.out"
  fi
}

# ================================================================= decrypt
mk_p12() {  # key cert -> $T/key.p12 (empty password, legacy 3DES: every peer reads it)
  openssl pkcs12 -export -inkey "$1" -in "$2" -passout pass: -certpbe PBE-SHA1-3DES \
    -keypbe PBE-SHA1-3DES -macalg sha1 -out "$T/key.p12" >/dev/null 2>&1
}

do_decrypt() {
  prep_msg "${POS[0]}"
  local KEY="${POS[1]}" CERT="${POS[2]}"
  # accept DER keys/certificates too
  if ! grep -q -- '-----BEGIN' "$KEY" 2>/dev/null; then
    openssl pkey -inform DER -in "$KEY" -out "$T/key.pem" 2>/dev/null || { echo "cannot read key $KEY"; exit 2; }
    KEY="$T/key.pem"; fi
  if ! grep -q -- '-----BEGIN' "$CERT" 2>/dev/null; then
    openssl x509 -inform DER -in "$CERT" -out "$T/cert.pem" 2>/dev/null || { echo "cannot read certificate $CERT"; exit 2; }
    CERT="$T/cert.pem"; fi
  case "$KIND" in enveloped|authenveloped) ;; *)
    for p in $PEERS; do report "$p" FAIL "input is $KIND, not (Auth)EnvelopedData"; done; return ;; esac
  mk_p12 "$KEY" "$CERT" || { echo "cannot build PKCS#12 from $KEY/$CERT"; exit 2; }
  local outs=()

  if want openssl-cms; then
    if ossl cms "$T/ossl.log" -decrypt -in "$MSG" -inform "$INFORM" -recip "$CERT" -inkey "$KEY" -out "$T/ossl.out"; then
      pass_with openssl-cms "$T/ossl.out" "decrypted $(wc -c <"$T/ossl.out") bytes$LEGACY_NOTE"; outs+=(ossl)
    else report openssl-cms FAIL "$(ossl_reason "$T/ossl.log")"; fi
  fi

  if want openssl-smime; then
    if ossl smime "$T/osm.log" -decrypt -in "$MSG" -inform "$INFORM" -recip "$CERT" -inkey "$KEY" -out "$T/osm.out"; then
      pass_with openssl-smime "$T/osm.out" "decrypted $(wc -c <"$T/osm.out") bytes$LEGACY_NOTE"; outs+=(osm)
    else report openssl-smime FAIL "$(ossl_reason "$T/osm.log")"; fi
  fi

  if want gpgsm; then
    gpg_init
    # import the key; retried once, as a freshly started gpg-agent has been
    # seen to drop the very first import now and then
    local try
    for try in 1 2; do
      G --passphrase-fd 3 --import "$T/key.p12" 3<<<'' >"$T/gpg.imp" 2>&1
      G -K 2>/dev/null | grep -q 'ID:' && break
      sleep 1
    done
    G --status-fd 4 --passphrase-fd 3 -o "$T/gpg.out" --decrypt "$CMS" 3<<<'' 4>"$T/gpg.status" >"$T/gpg.log" 2>&1
    local rc=$?
    if ! grep -q 'DECRYPTION_OKAY' "$T/gpg.status" && grep -q 'No secret key' "$T/gpg.log"; then
      # under load a fresh agent sometimes loses the key just imported: once more
      sleep 1
      G --passphrase-fd 3 --import "$T/key.p12" 3<<<'' >>"$T/gpg.imp" 2>&1
      G --status-fd 4 --passphrase-fd 3 -o "$T/gpg.out" --decrypt "$CMS" 3<<<'' 4>"$T/gpg.status" >"$T/gpg.log" 2>&1
      rc=$?
    fi
    # gpgsm exits 2 when it lacks the certificate of *another* recipient,
    # even though it decrypted: judge by the status line instead.
    if grep -q 'DECRYPTION_OKAY' "$T/gpg.status"; then
      pass_with gpgsm "$T/gpg.out" "decrypted $(wc -c <"$T/gpg.out") bytes$([ $rc -ne 0 ] && echo " (exit $rc: $(grep -m1 'failed\|error' "$T/gpg.log" | cut -c1-60))")"; outs+=(gpg)
    else report gpgsm FAIL "$(grep -m1 -E 'error|failed' "$T/gpg.log" | cut -c1-160)"; fi
  fi

  if want nss-cmsutil; then
    nss_init
    pk12util -i "$T/key.p12" -d "$NSSDB" -W '' -K '' >"$T/nss.imp" 2>&1
    if cmsutil -D -d "$NSSDB" -p '' -i "$CMS" -o "$T/nss.out" >"$T/nss.log" 2>&1 && ! grep -q 'problem\|failed' "$T/nss.log"; then
      pass_with nss-cmsutil "$T/nss.out" "decrypted $(wc -c <"$T/nss.out") bytes"; outs+=(nss)
    else report nss-cmsutil FAIL "$(grep -m1 'problem' "$T/nss.log" || grep -m1 'failed' "$T/nss.log" || lastline "$T/nss.log")"; fi
  fi

  if want python; then
    "$PY" "$HERE/lib/pypeer.py" decrypt "$CMS" "$KEY" "$CERT" "$T/py.out" >"$T/py.log" 2>&1
    local line; line="$(tail -n 1 "$T/py.log")"
    if [ "${line%% *}" = PASS ]; then pass_with python "$T/py.out" "${line#* }"; outs+=(py)
    else report python FAIL "${line#* }"; fi
  fi

  if want bouncycastle; then
    bc_run decrypt "$MSG" "$KEY" "$CERT" --out "$T/bc.out"
    bc_report "$T/bc.out"; [ "${BCLINE%% *}" = PASS ] && outs+=(bc)
  fi

  if [ -n "$OUTDIR" ]; then
    mkdir -p "$OUTDIR"; for o in "${outs[@]}"; do cp "$T/$o.out" "$OUTDIR/$o.out"; done
  fi
}

do_decrypt_p12() {
  local P12="${POS[1]}" PW="${POS[2]:-}"
  if want bouncycastle; then   # BC opens the PKCS#12 itself and tries each of its keys
    bc_run decrypt-p12 "${POS[0]}" "$P12" "$PW" --out "$T/bc.out"
    bc_report "$T/bc.out"
    if [ "${BCLINE%% *}" = PASS ] && [ -n "$OUTDIR" ]; then mkdir -p "$OUTDIR"; cp "$T/bc.out" "$OUTDIR/bc.out"; fi
    PEERS="$(echo " $PEERS " | sed 's/ bouncycastle / /g')"
  fi
  openssl pkcs12 -in "$P12" -passin "pass:$PW" -nocerts -nodes -out "$T/p12.key" 2>/dev/null \
    || openssl pkcs12 -legacy -in "$P12" -passin "pass:$PW" -nocerts -nodes -out "$T/p12.key" 2>/dev/null \
    || { echo "cannot open $P12"; exit 2; }
  openssl pkcs12 -in "$P12" -passin "pass:$PW" -clcerts -nokeys -out "$T/p12.crt" 2>/dev/null \
    || openssl pkcs12 -legacy -in "$P12" -passin "pass:$PW" -clcerts -nokeys -out "$T/p12.crt" 2>/dev/null
  # a PKCS#12 may hold several keys (RFC 9216 ones hold a signing and an
  # encryption key): try each key/cert pair whose public keys match.
  csplit -s -z -f "$T/k." "$T/p12.key" '/-----BEGIN PRIVATE KEY-----/' '{*}'
  csplit -s -z -f "$T/c." "$T/p12.crt" '/-----BEGIN CERTIFICATE-----/' '{*}'
  local pairs=0
  for k in "$T"/k.*; do grep -q 'PRIVATE KEY' "$k" || continue
    local kp; kp="$(openssl pkey -in "$k" -pubout 2>/dev/null | openssl sha256)"
    for c in "$T"/c.*; do grep -q CERTIFICATE "$c" || continue
      [ "$(openssl x509 -in "$c" -pubkey -noout | openssl sha256)" = "$kp" ] || continue
      pairs=$((pairs+1)); echo "# key/cert pair $pairs: $(openssl x509 -in "$c" -noout -subject)"
      POS=("${POS[0]}" "$k" "$c")
      (do_decrypt; exit $FAILED) || FAILED=1
    done
  done
  [ $pairs -gt 0 ] || { echo "no matching key/cert pair in $P12"; exit 2; }
}

# ================================================================= p12
do_p12() {
  local P12="${POS[0]}" PW="${POS[1]:-}"
  if want openssl-cms || want openssl-smime; then
    if openssl pkcs12 -in "$P12" -passin "pass:$PW" -info -nodes -out "$T/o.pem" >"$T/o.log" 2>&1; then
      report openssl PASS "$(grep -c 'BEGIN .*PRIVATE KEY' "$T/o.pem" | sed 's/$/ key(s)/'), $(grep -c 'BEGIN CERTIFICATE' "$T/o.pem") cert(s); $(grep -m3 -E 'MAC:|Shrouded|Encrypted data' "$T/o.log" | tr '\n' ';' | cut -c1-150)"
    elif openssl pkcs12 -legacy -in "$P12" -passin "pass:$PW" -info -nodes -out "$T/o.pem" >"$T/o.log" 2>&1; then
      report openssl PASS "(needs -legacy) $(grep -c 'BEGIN .*PRIVATE KEY' "$T/o.pem") key(s), $(grep -c 'BEGIN CERTIFICATE' "$T/o.pem") cert(s); $(grep -m3 -E 'MAC:|Shrouded|Encrypted data' "$T/o.log" | tr '\n' ';' | cut -c1-150)"
    else report openssl FAIL "$(grep -m1 -iE 'error|invalid' "$T/o.log" | cut -c1-160)"; fi
  fi
  if want gpgsm; then
    gpg_init
    G --status-fd 4 --passphrase-fd 3 --import "$P12" 3<<<"$PW" 4>"$T/gpg.status" >"$T/gpg.log" 2>&1
    local res; res="$(grep 'IMPORT_RES' "$T/gpg.status" | awk '{print "certs="$3" imported="$5" unchanged="$7" secret_read="$12" secret_imported="$13" secret_unchanged="$14}')"
    if grep -q 'secret keys imported: [1-9]\|secret keys unchanged: [1-9]' "$T/gpg.log"; then report gpgsm PASS "$res"
    else report gpgsm FAIL "$res $(grep -m1 -E 'error|bad passphrase|already been received' "$T/gpg.log" | cut -c1-120)"; fi
  fi
  if want nss-cmsutil; then
    nss_init
    if pk12util -i "$P12" -d "$NSSDB" -W "$PW" -K '' >"$T/nss.log" 2>&1; then
      report nss-pk12util PASS "$(certutil -K -d "$NSSDB" 2>/dev/null | grep -c '^<') key(s), $(certutil -L -d "$NSSDB" | tail -n +5 | grep -c .) cert(s)"
    else report nss-pk12util FAIL "$(lastline "$T/nss.log")"; fi
  fi
  if want python; then
    "$PY" "$HERE/lib/pypeer.py" p12 "$P12" "$PW" >"$T/py.log" 2>&1
    local line; line="$(tail -n 1 "$T/py.log")"; report python "${line%% *}" "${line#* }"
  fi
  if want bouncycastle; then bc_run p12 "$P12" "$PW"; bc_report; fi
}


# ================================================================= pem
do_pem() {
  local F="${POS[0]}" PW="${POS[1]:-}" what=() ok=1
  local nk nc; nk=$(grep -c -- '-----BEGIN .*PRIVATE KEY-----' "$F" 2>/dev/null); nc=$(grep -c -- '-----BEGIN CERTIFICATE-----' "$F" 2>/dev/null)
  if [ "$nk" -eq 0 ] && [ "$nc" -eq 0 ]; then   # DER: key or certificate?
    if openssl x509 -inform DER -in "$F" -noout 2>/dev/null; then nc=1; else nk=1; fi
  fi
  if want openssl-cms || want openssl-smime; then
    what=(); ok=1
    if [ "$nk" -gt 0 ]; then
      if openssl pkey -in "$F" -passin "pass:$PW" -noout 2>/dev/null || openssl pkey -inform DER -in "$F" -passin "pass:$PW" -noout 2>/dev/null \
         || openssl pkey -provider legacy -provider default -in "$F" -passin "pass:$PW" -noout 2>/dev/null; then
        what+=("key: $(openssl pkey -in "$F" -passin "pass:$PW" -text_pub -noout 2>/dev/null | head -1 || echo DER)")
      else ok=0; what+=("key does not load"); fi
    fi
    if [ "$nc" -gt 0 ]; then
      if openssl x509 -in "$F" -noout 2>/dev/null || openssl x509 -inform DER -in "$F" -noout 2>/dev/null; then
        what+=("cert: $( (openssl x509 -in "$F" -noout -subject 2>/dev/null || openssl x509 -inform DER -in "$F" -noout -subject) | cut -c1-80)")
      else ok=0; what+=("certificate does not load"); fi
    fi
    report openssl "$([ $ok = 1 ] && echo PASS || echo FAIL)" "${what[*]}"
  fi
  if [ "$nc" -gt 0 ] && want gpgsm; then
    gpg_init
    G --status-fd 4 --import "$F" 4>"$T/gpg.status" >"$T/gpg.log" 2>&1
    if grep -q 'IMPORT_OK' "$T/gpg.status"; then report gpgsm PASS "certificate imported"
    else report gpgsm FAIL "$(grep -m1 -E 'error|failed|invalid' "$T/gpg.log" | cut -c1-150)"; fi
  fi
  if [ "$nc" -gt 0 ] && want nss-cmsutil; then
    nss_init
    if grep -q -- '-----BEGIN CERTIFICATE-----' "$F"; then
      openssl x509 -in "$F" -outform DER -out "$T/c.der" 2>/dev/null; else cp "$F" "$T/c.der"; fi
    if certutil -A -d "$NSSDB" -n probe -t ",," -i "$T/c.der" >"$T/nss.log" 2>&1; then report nss-certutil PASS "certificate imported"
    else report nss-certutil FAIL "$(lastline "$T/nss.log")"; fi
  fi
  if want python; then
    "$PY" "$HERE/lib/pypeer.py" pem "$F" "$PW" >"$T/py.log" 2>&1
    local line; line="$(tail -n 1 "$T/py.log")"; report python "${line%% *}" "${line#* }"
  fi
  if want bouncycastle; then bc_run pem "$F" "$PW"; bc_report; fi
}

do_info() {
  prep_msg "${POS[0]}"
  echo "kind: $KIND (openssl -inform $INFORM)"
  openssl cms -cmsout -print -inform DER -in "$CMS" 2>/dev/null | grep -E 'contentType|algorithm:|version:|d.issuerAndSerialNumber|subjectKeyIdentifier|rid|issuer:|serialNumber' | sed 's/^ *//' | head -40
}

case "$CMD" in
  verify) do_verify ;;
  decrypt) [ ${#POS[@]} -ge 3 ] || usage; do_decrypt ;;
  decrypt-p12) [ ${#POS[@]} -ge 2 ] || usage; do_decrypt_p12 ;;
  p12) do_p12 ;;
  pem) do_pem ;;
  info) do_info ;;
  *) usage ;;
esac
exit $FAILED
