#!/bin/sh
# Regenerates the PKCS#12 test files of this directory from the RFC 9216 test keys (OpenSSL 3).
# Run from tests/data/p12/. Salts are random: the files change on each run, their contents do not.
set -eu
R=../rfc9216
K="-inkey $R/alice.sign.key -in $R/alice.sign.crt -certfile $R/ca.rsa.crt -name alice"
openssl pkcs12 -export $K -passout pass:test -out default.p12
openssl pkcs12 -export $K -passout pass:test -legacy -out legacy.p12
openssl pkcs12 -export $K -passout pass:test -provider legacy -provider default -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-RC2-40 -macalg sha1 -out 3des-rc2-40.p12
openssl pkcs12 -export $K -passout pass:test -nomac -out nomac.p12
openssl pkcs12 -export $K -passout pass:test -macalg sha512 -out mac-sha512.p12
openssl pkcs12 -export $K -passout 'pass:pässwörd€' -out non-ascii.p12
openssl pkcs12 -export $K -passout pass: -out empty-password.p12
openssl pkcs12 -export $K -passout pass:test -provider legacy -provider default -keypbe PBE-SHA1-2DES -certpbe PBE-SHA1-RC2-128 -macalg sha1 -out 2des-rc2-128.p12
openssl pkcs12 -export $K -passout pass:test -keypbe des-ede3-cbc -certpbe aes-128-cbc -macalg sha384 -out pbes2-3des-aes128.p12
openssl pkcs12 -export $K -passout pass:test -keypbe NONE -certpbe NONE -out unencrypted.p12
# BER re-encodings (indefinite lengths, 500-octet OCTET STRING chunks; see ber.py).
python3 ber.py nomac.p12 ber-nomac.p12
python3 ber.py legacy.p12 ber-legacy.p12
# Certificates only (no key): NO_PRIVATE_KEY.
openssl pkcs12 -export -nokeys -in $R/alice.sign.crt -certfile $R/ca.rsa.crt -passout pass:test -out certs-only.p12
