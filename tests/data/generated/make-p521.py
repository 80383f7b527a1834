# Made for smime-wasm on 2026-12-04 (CC0): a P-521 CA and a P-521 signing identity (Ivan), every
# certificate signed with ECDSA P-521 / SHA-512, to test reading P-521 signatures and paths.
# Run from tests/data: python3 generated/make-p521.py (pyca/cryptography). ECDSA signatures and the
# keys are random, so a re-run writes different (equally valid) files.
import datetime as dt
from cryptography import x509
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

def key(path):
    k = ec.generate_private_key(ec.SECP521R1())
    open(path, "wb").write(k.private_bytes(serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return k

def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "smime-wasm tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])

def usage(**on):
    names = ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
             "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"]
    return x509.KeyUsage(**{n: on.get(n, False) for n in names})

start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
end = dt.datetime(2050, 12, 31, tzinfo=dt.timezone.utc)
ca_key, ivan_key = key("generated/ca.p521.key"), key("generated/ivan.p521.key")
ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
ca = (x509.CertificateBuilder().subject_name(name("P-521 test CA")).issuer_name(name("P-521 test CA"))
    .public_key(ca_key.public_key()).serial_number(0x0b0c0521)
    .not_valid_before(start).not_valid_after(end)
    .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    .add_extension(usage(key_cert_sign=True, crl_sign=True), critical=True)
    .add_extension(ca_ski, critical=False)
    .sign(ca_key, hashes.SHA512()))
ivan = (x509.CertificateBuilder().subject_name(name("Ivan ECDSA P-521 signing")).issuer_name(ca.subject)
    .public_key(ivan_key.public_key()).serial_number(0x0b0c0522)
    .not_valid_before(start).not_valid_after(end)
    .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    .add_extension(usage(digital_signature=True, content_commitment=True), critical=True)
    .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
    .add_extension(x509.SubjectAlternativeName([x509.RFC822Name("ivan@kit.example")]), critical=False)
    .add_extension(x509.SubjectKeyIdentifier.from_public_key(ivan_key.public_key()), critical=False)
    .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
    .sign(ca_key, hashes.SHA512()))
open("generated/ca.p521.crt", "wb").write(ca.public_bytes(serialization.Encoding.PEM))
open("generated/ivan.p521.crt", "wb").write(ivan.public_bytes(serialization.Encoding.PEM))
