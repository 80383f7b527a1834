//! Certificate facts for a user interface (key usage, extended key usage, S/MIME capabilities,
//! key size, curve, self-signature and signature by an issuer) on real certificates: the RFC 9216
//! set, the interop kit's EC certificates, and OpenSSL-made ones in tests/data/facts/.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use smime_wasm::Certificate;

fn cert(path: &str) -> Certificate {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path);
    let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    Certificate::from_bytes(&bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn key_usage_names() {
    let alice = cert("rfc9216/alice.sign.crt");
    assert!(alice.has_key_usage());
    assert_eq!(alice.key_usage(), ["digitalSignature", "nonRepudiation"]);
    assert_eq!(
        cert("rfc9216/alice.encrypt.crt").key_usage(),
        ["keyEncipherment"]
    );
    assert_eq!(
        cert("rfc9216/ca.rsa.crt").key_usage(),
        ["keyCertSign", "cRLSign"]
    );
    assert_eq!(
        cert("generated/erin.ec.crt").key_usage(),
        ["digitalSignature", "keyAgreement"]
    );
    assert_eq!(
        cert("facts/p256-sha384-all-usages.crt").key_usage(),
        [
            "digitalSignature",
            "nonRepudiation",
            "keyEncipherment",
            "dataEncipherment",
            "keyAgreement",
            "keyCertSign",
            "cRLSign",
            "encipherOnly",
            "decipherOnly"
        ]
    );
    let no_ku = cert("pyca/rsa_ca.pem");
    assert!(!no_ku.has_key_usage());
    assert!(no_ku.key_usage().is_empty());
}

#[test]
fn extended_key_usage_names() {
    let alice = cert("rfc9216/alice.sign.crt");
    assert!(alice.has_extended_key_usage());
    assert_eq!(alice.extended_key_usage(), ["emailProtection"]);
    assert_eq!(
        cert("facts/p256-sha384-all-usages.crt").extended_key_usage(),
        [
            "serverAuth",
            "clientAuth",
            "codeSigning",
            "emailProtection",
            "anyExtendedKeyUsage",
            "1.2.3.4"
        ]
    );
    let ca = cert("rfc9216/ca.rsa.crt");
    assert!(!ca.has_extended_key_usage());
    assert!(ca.extended_key_usage().is_empty());
}

#[test]
fn smime_capabilities() {
    // RFC 9216 Carlos: X25519 with HKDF-SHA256 (RFC 8418) and AES-128 key wrap.
    assert_eq!(
        cert("rfc9216/carlos.encrypt.crt").smime_capabilities(),
        ["dhSinglePass-stdDH-hkdf-sha256-scheme"]
    );
    assert_eq!(
        cert("facts/p384-sha256-caps.crt").smime_capabilities(),
        ["aes128-CBC", "aes256-GCM", "2.3.2.1.2"]
    );
    assert!(
        cert("rfc9216/alice.sign.crt")
            .smime_capabilities()
            .is_empty()
    );
}

#[test]
fn key_size_and_curve() {
    for (path, size, curve) in [
        ("rfc9216/alice.sign.crt", Some(2048), None),
        ("rfc9216/ca.rsa.crt", Some(2048), None),
        ("facts/rsa-pss-sha256.crt", Some(2048), None),
        ("generated/erin.ec.crt", Some(256), Some("P-256")),
        ("keys/heidi.p384.crt", Some(384), Some("P-384")),
        ("rfc9216/carlos.sign.crt", Some(256), Some("Ed25519")),
        ("rfc9216/carlos.encrypt.crt", Some(256), Some("X25519")),
    ] {
        let c = cert(path);
        assert_eq!(c.key_size(), size, "{path}");
        assert_eq!(c.curve(), curve, "{path}");
    }
}

#[test]
fn ca_flag() {
    assert!(cert("rfc9216/ca.rsa.crt").is_ca());
    assert!(cert("rfc9216/ca.25519.crt").is_ca());
    assert!(!cert("rfc9216/alice.sign.crt").is_ca());
}

#[test]
fn self_signed_for_every_signature_algorithm() {
    for path in [
        "rfc9216/ca.rsa.crt",               // sha512WithRSAEncryption
        "rfc9216/ca.25519.crt",             // Ed25519
        "pyca/rsa_ca.pem",                  // sha256WithRSAEncryption
        "facts/rsa-pss-sha256.crt",         // RSASSA-PSS, SHA-256, salt 32
        "facts/rsa-sha1.crt",               // sha1WithRSAEncryption
        "facts/p256-sha384-all-usages.crt", // ecdsa-with-SHA384 on P-256
        "facts/p384-sha256-caps.crt",       // ecdsa-with-SHA256 on P-384
        "generated/ca.p521.crt",            // ecdsa-with-SHA512 on P-521
    ] {
        let c = cert(path);
        assert!(c.is_self_issued(), "{path}");
        assert!(c.is_self_signed(), "{path}");
    }
    // Issued by someone else: not self-signed, and the issuer's key verifies it.
    let alice = cert("rfc9216/alice.sign.crt");
    assert!(!alice.is_self_signed());
}

#[test]
fn signed_by_the_issuer_and_by_no_one_else() {
    let rsa_ca = cert("rfc9216/ca.rsa.crt");
    let ed_ca = cert("rfc9216/ca.25519.crt");
    for (path, issuer) in [
        ("rfc9216/alice.sign.crt", &rsa_ca),  // sha512WithRSAEncryption
        ("rfc9216/bob.encrypt.crt", &rsa_ca), // sha512WithRSAEncryption
        ("rfc9216/ca.25519.cross.crt", &rsa_ca), // sha256WithRSAEncryption
        ("generated/erin.ec.crt", &rsa_ca),   // sha256WithRSAEncryption
        ("keys/heidi.p384.crt", &rsa_ca),     // sha256WithRSAEncryption
        ("rfc9216/carlos.sign.crt", &ed_ca),  // Ed25519
        ("rfc9216/ca.rsa.cross.crt", &ed_ca), // Ed25519 over an RSA key
    ] {
        let c = cert(path);
        assert!(c.is_signed_by(issuer), "{path}");
        let other = if std::ptr::eq(issuer, &rsa_ca) {
            &ed_ca
        } else {
            &rsa_ca
        };
        assert!(
            !c.is_signed_by(other),
            "{path} must not verify with the other CA"
        );
        assert!(!c.is_signed_by(&c), "{path} is not self-signed");
    }
    // ECDSA P-521 with SHA-512: by its CA, not by another P-521 key, not with a changed signature.
    let p521_ca = cert("generated/ca.p521.crt");
    let ivan = cert("generated/ivan.p521.crt");
    assert!(ivan.is_signed_by(&p521_ca));
    assert!(!ivan.is_signed_by(&ivan) && !ivan.is_signed_by(&rsa_ca));
    assert!(!p521_ca.is_signed_by(&ivan));
    let mut der = ivan.to_der();
    *der.last_mut().expect("non-empty") ^= 0x01;
    if let Ok(bad) = Certificate::from_der(&der) {
        assert!(!bad.is_signed_by(&p521_ca));
    }
}

#[test]
fn a_flipped_bit_breaks_the_signature() {
    for path in [
        "rfc9216/ca.rsa.crt",
        "rfc9216/ca.25519.crt",
        "facts/rsa-pss-sha256.crt",
        "facts/rsa-sha1.crt",
        "facts/p256-sha384-all-usages.crt",
        "facts/p384-sha256-caps.crt",
        "generated/ca.p521.crt",
    ] {
        let good = cert(path);
        let der = good.to_der();
        // Flip one bit in the validity's notAfter text (inside the TBSCertificate, still a
        // well-formed certificate) and one in the last octet of the signature.
        let pos = der
            .windows(2)
            .rposition(|w| w == [0x17, 0x0d] || w == [0x18, 0x0f])
            .expect("a time in the certificate");
        let mut tbs_changed = der.clone();
        tbs_changed[pos + 8] ^= 0x01;
        let mut sig_changed = der.clone();
        *sig_changed.last_mut().expect("non-empty") ^= 0x01;
        for (what, bytes) in [("TBS", tbs_changed), ("signature", sig_changed)] {
            if let Ok(bad) = Certificate::from_der(&bytes) {
                assert!(
                    !bad.is_self_signed(),
                    "{path}: changed {what} still verifies"
                );
            }
        }
    }
}

#[test]
fn dsa_self_signature_verifies() {
    // RFC 4134 Carl: a self-signed DSA CA (dsa-with-sha1, 1024-bit); `openssl verify
    // -check_ss_sig` accepts it too.
    let carl = Certificate::from_bytes(
        &std::fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/rfc4134/CarlDSSSelf.cer"),
        )
        .expect("read"),
    )
    .expect("parse");
    assert!(carl.is_self_issued());
    assert!(carl.is_self_signed());
    assert_eq!(carl.curve(), None);
    assert_eq!(carl.key_size(), None);
}

/// Every one-octet change of a few certificates: whatever still parses, every fact is computed
/// without a panic, and no changed certificate keeps a valid self-signature (every octet is in
/// the signed bytes, the signature, or the algorithm that must equal the signed one).
#[test]
fn mutated_certificates_never_panic() {
    for path in [
        "rfc9216/ca.25519.crt",
        "facts/p256-sha384-all-usages.crt",
        "facts/rsa-pss-sha256.crt",
        "rfc9216/carlos.encrypt.crt",
    ] {
        let der = cert(path).to_der();
        let mut parsed = 0;
        for i in 0..der.len() {
            let mut m = der.clone();
            m[i] ^= 0x5a;
            let Ok(c) = Certificate::from_der(&m) else {
                continue;
            };
            parsed += 1;
            let _ = (
                c.key_usage(),
                c.has_key_usage(),
                c.extended_key_usage(),
                c.has_extended_key_usage(),
                c.smime_capabilities(),
                c.key_size(),
                c.curve(),
                c.is_ca(),
            );
            if c.is_self_issued() {
                assert!(
                    !c.is_self_signed(),
                    "{path}: octet {i} changed, still verifies"
                );
            }
        }
        eprintln!("{path}: {parsed} of {} mutations parsed", der.len());
    }
}
