#!/usr/bin/env python3
# usage: mk_ed25519_cms.py OUT.eml [CONTENT]  (RFC9216_DIR: where carlos.sign.{crt,key} live)
# Build an RFC 8419 Ed25519 SignedData (detached, S/MIME multipart/signed) with
# asn1crypto + cryptography, for peer capability testing only.
import base64, datetime, hashlib, sys
from asn1crypto import cms, x509 as ax, algos, core
from cryptography.hazmat.primitives import serialization
import os
K = os.environ.get("RFC9216_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../data/rfc9216")) + "/"
certder = ax.Certificate.load(base64.b64decode(b"".join(open(K+"carlos.sign.crt","rb").read().split(b"\n")[1:-2])))
key = serialization.load_pem_private_key(open(K+"carlos.sign.key","rb").read(), None)
content = open(sys.argv[2] if len(sys.argv) > 2 else os.path.join(K, "../generated/plain.txt"),"rb").read()
attrs = cms.CMSAttributes([
    cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
    cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": core.UTCTime(datetime.datetime(2025,1,1,tzinfo=datetime.timezone.utc))})]}),
    cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha512(content).digest()]}),
])
sig = key.sign(attrs.dump())
si = cms.SignerInfo({
    "version": "v1",
    "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber({"issuer": certder.issuer, "serial_number": certder.serial_number})}),
    "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha512"}),
    "signed_attrs": attrs,
    "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "ed25519"}),
    "signature": sig,
})
sd = cms.SignedData({
    "version": "v1",
    "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha512"})],
    "encap_content_info": {"content_type": "data"},
    "certificates": [certder],
    "signer_infos": [si],
})
der = cms.ContentInfo({"content_type": "signed_data", "content": sd}).dump()
b = "----ED25519BOUNDARY"
b64 = base64.encodebytes(der).decode().replace("\n", "\r\n")
msg = ("MIME-Version: 1.0\r\nContent-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-512; boundary=\"%s\"\r\n\r\n"
       "This is an S/MIME signed message\r\n\r\n--%s\r\n" % (b, b)).encode() + content + (
       "\r\n--%s\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\nContent-Transfer-Encoding: base64\r\n"
       "Content-Disposition: attachment; filename=\"smime.p7s\"\r\n\r\n%s\r\n--%s--\r\n" % (b, b64, b)).encode()
open(sys.argv[1], "wb").write(msg)
