# Made for smime-wasm on 2026-12-03 (CC0): a signing certificate for Frank's P-384 key.
# Run from tests/data with the pyca venv: ~/.cache/smime-peers/venv/bin/python generated/make-frank-sign-cert.py
# (generated/frank.p384.crt has keyUsage keyAgreement only, which openssl, NSS and Bouncy Castle
# reject for signatures; see tests/peers/README.md.) Every field is fixed and the CA signs with
# RSA PKCS#1 v1.5 (deterministic), so a re-run writes the same bytes.
# Issue a signing certificate for Frank's existing P-384 key (generated/frank.p384.key) with the
# published RFC 9216 RSA CA key; extensions as generated/erin.ec.crt, keyUsage for signing.
import datetime as dt
from cryptography import x509
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID
from cryptography.hazmat.primitives import hashes, serialization
ca_key = serialization.load_pem_private_key(open("rfc9216/ca.rsa.key", "rb").read(), None)
ca = x509.load_pem_x509_certificate(open("rfc9216/ca.rsa.crt", "rb").read())
pub = serialization.load_pem_private_key(open("generated/frank.p384.key", "rb").read(), None).public_key()
name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "interop kit"),
                  x509.NameAttribute(NameOID.COMMON_NAME, "Frank ECDSA P-384 signing (kit test)")])
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(ca.subject).public_key(pub)
    .serial_number(0x0b0c0002)
    .not_valid_before(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    .not_valid_after(dt.datetime(2050, 12, 31, tzinfo=dt.timezone.utc))
    .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False), critical=True)
    .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
    .add_extension(x509.SubjectAlternativeName([x509.RFC822Name("frank@kit.example")]), critical=False)
    .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False)
    .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
        ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value), critical=False)
    .sign(ca_key, hashes.SHA256()))
open("generated/frank.p384.sign.crt", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
