#!/usr/bin/env bash
# support-matrix.sh - which peer verifies which signature algorithm (smime-wasm addition to the kit).
# Signs generated/plain.txt with `openssl cms -sign` in every combination the smime-wasm signer
# writes (RSA PKCS#1 v1.5, RSA-PSS with salt 32 and salt = hash length, ECDSA P-256/P-384;
# SHA-256/384/512; detached and opaque), takes the Ed25519 messages from tests/data (OpenSSL 3.0
# cannot sign Ed25519 CMS: "no default digest"), runs peers.sh verify on each and prints one row
# per message: P = PASS, F = FAIL, S = SKIP, in the order of the header. With -v it also prints
# every FAIL reason. The result is recorded in README.md ("Which peer verifies what").
set -eu
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
D="$HERE/../data"
T="$(mktemp -d "${TMPDIR:-/tmp}/matrix.XXXXXX")"; trap 'rm -rf "$T"' EXIT
VERBOSE=""; [ "${1:-}" = -v ] && VERBOSE=1

ALICE=(-signer "$D/rfc9216/alice.sign.crt" -inkey "$D/rfc9216/alice.sign.key")
ERIN=(-signer "$D/generated/erin.ec.crt" -inkey "$D/generated/erin.ec.key")
FRANK=(-signer "$D/generated/frank.p384.sign.crt" -inkey "$D/generated/frank.p384.key")
FRANK_KA=(-signer "$D/generated/frank.p384.crt" -inkey "$D/generated/frank.p384.key")
sign() {  # name openssl-args...
  local n="$1"; shift
  openssl cms -sign -in "$D/generated/plain.txt" -out "$T/$n.eml" "$@"
}
hashlen() { case "$1" in sha256) echo 32 ;; sha384) echo 48 ;; sha512) echo 64 ;; esac; }
for md in sha256 sha384 sha512; do
  sign "rsa-pkcs1-$md-detached" "${ALICE[@]}" -md "$md"
  sign "rsa-pkcs1-$md-opaque" "${ALICE[@]}" -md "$md" -nodetach
  for salt in 32 "$(hashlen $md)"; do
    [ "$md" != sha256 ] || [ "$salt" = 32 ] || continue
    sign "rsa-pss-$md-salt$salt-detached" "${ALICE[@]}" -md "$md" -keyopt rsa_padding_mode:pss -keyopt "rsa_pss_saltlen:$salt"
  done
  sign "ecdsa-p256-$md-detached" "${ERIN[@]}" -md "$md"
  sign "ecdsa-p384-$md-detached" "${FRANK[@]}" -md "$md"
done
sign rsa-pss-sha256-salt32-opaque "${ALICE[@]}" -md sha256 -nodetach -keyopt rsa_padding_mode:pss -keyopt rsa_pss_saltlen:32
sign ecdsa-p256-sha256-opaque "${ERIN[@]}" -md sha256 -nodetach
sign ecdsa-p384-sha384-opaque "${FRANK[@]}" -md sha384 -nodetach
sign ecdsa-p384-sha384-keyAgreement-only-cert "${FRANK_KA[@]}" -md sha384
cp "$D/generated/signed-detached-ed25519-bc.eml" "$T/ed25519-bc-detached.eml"
cp "$D/generated/signed-detached-ed25519-pyca.eml" "$T/ed25519-pyca-detached.eml"
cp "$D/generated/signed-detached-pss-maxsalt.eml" "$T/rsa-pss-sha256-salt222-detached.eml"

printf '%-44s %s\n' message "ossl-cms ossl-smime gpgsm nss pyca bc"
for f in "$T"/*.eml; do
  n="$(basename "$f" .eml)"
  case "$n" in ed25519-*) anchor="$D/rfc9216/ca.25519.crt" ;; *) anchor="$D/rfc9216/ca.rsa.crt" ;; esac
  out="$("$HERE/peers.sh" verify "$f" "$anchor" --expect "$D/generated/plain.txt" || true)"
  row=""
  for p in openssl-cms openssl-smime gpgsm nss-cmsutil python bouncycastle; do
    v="$(awk -v p="$p" '$1 == p { print substr($2, 1, 1) }' <<<"$out")"
    row="$row ${v:-?}"
  done
  printf '%-44s%s\n' "$n" "$row"
  [ -z "$VERBOSE" ] || grep -E '^[a-z-]+ +FAIL' <<<"$out" | sed 's/^/      /' | cut -c1-170
done
