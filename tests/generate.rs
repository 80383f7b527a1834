//! Generated test identities (`Identity::generate_test_ca`, `Identity::generate_test`): for each
//! key type a CA and a user certificate it issues; the user signs a message with
//! `smime_wasm::sign`, and every peer that supports the algorithm verifies it with ONLY the
//! generated CA as trust anchor. `openssl verify -purpose smimesign` accepts the user
//! certificate, and the certificate facts report the extensions that were written.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::process::Command;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use common::peers::{self, SigAlg, VerifyOpts, assert_peers_pass, peers_supporting};
use common::smime;
use smime_wasm::{Certificate, Identity, KeyType, SignOptions, TestIdentityOptions, sign};

const MESSAGE: &[u8] = b"From: Test User <user@example.com>\r\nTo: peer@example.com\r\n\
Subject: signed by a generated identity\r\n\r\nHello from a generated test identity.\r\n";

fn now() -> u64 {
    // A minute in the past, so that a peer's clock never sees notBefore in the future.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        - 60
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    eprintln!("{what}: {:.2?}", t.elapsed());
    out
}

/// The CA, then a user it issues, for `ca_type` / `user_type`; checks all of the above.
fn ca_and_user(name: &str, ca_type: KeyType, user_type: KeyType, sig_alg: SigAlg) {
    let now = now();
    let ca = timed(&format!("{name}: CA {ca_type} keygen + cert"), || {
        Identity::generate_test_ca(&format!("Test CA {ca_type}"), ca_type, 3650, now)
    })
    .expect("CA");
    let email = format!("user-{name}@example.com");
    let user = timed(&format!("{name}: user {user_type} keygen + cert"), || {
        Identity::generate_test(TestIdentityOptions {
            email: &email,
            name: "Test User",
            key_type: user_type,
            issuer: Some(&ca),
            valid_days: 365,
            now_unix: now,
        })
    })
    .expect("user");

    // The CA certificate.
    let ca_cert = ca.certificate();
    assert_eq!(ca.chain().len(), 1);
    assert!(ca_cert.is_ca());
    assert!(ca_cert.is_self_signed());
    assert_eq!(ca_cert.key_usage(), ["keyCertSign", "cRLSign"]);
    assert!(ca_cert.extended_key_usage().is_empty());
    assert_eq!(ca_cert.not_before(), now);
    assert_eq!(ca_cert.not_after(), now + 3650 * 86_400);
    assert_eq!(ca_cert.subject(), format!("CN=Test CA {ca_type}"));
    assert_eq!(ca_cert.key_algorithm(), ca_type.to_string());

    // The user certificate and its chain.
    let leaf = user.certificate();
    assert_eq!(user.chain().len(), 2, "leaf then CA");
    assert_eq!(user.chain()[1], *ca_cert);
    assert!(!leaf.is_ca());
    assert!(!leaf.is_self_signed());
    assert!(leaf.is_signed_by(ca_cert));
    assert!(!leaf.is_signed_by(leaf));
    assert_eq!(leaf.issuer(), ca_cert.subject());
    assert_eq!(leaf.emails(), [email.as_str()]);
    assert_eq!(leaf.key_algorithm(), user_type.to_string());
    let mut usages = vec!["digitalSignature", "nonRepudiation"];
    match user_type {
        KeyType::Rsa(_) => usages.push("keyEncipherment"),
        KeyType::P256 | KeyType::P384 => usages.push("keyAgreement"),
        _ => {}
    }
    assert_eq!(leaf.key_usage(), usages);
    assert_eq!(leaf.extended_key_usage(), ["emailProtection"]);
    assert_eq!(leaf.not_after() - leaf.not_before(), 365 * 86_400);
    // Criticality: basicConstraints and keyUsage critical, the rest not (the subject is not
    // empty, so subjectAltName need not be critical: RFC 5280 section 4.2.1.6).
    for (cert, expected) in [
        (ca_cert, &["2.5.29.19", "2.5.29.15"][..]),
        (leaf, &["2.5.29.19", "2.5.29.15"][..]),
    ] {
        let critical: Vec<String> = cert
            .x509()
            .tbs_certificate()
            .extensions()
            .expect("extensions")
            .iter()
            .filter(|e| e.critical)
            .map(|e| e.extn_id.to_string())
            .collect();
        assert_eq!(critical, expected, "{name}: critical extensions");
    }
    let serial = leaf.x509().tbs_certificate().serial_number().as_bytes();
    assert_eq!(serial.len(), 16, "16-octet serial");
    assert!(serial[0] & 0x80 == 0, "positive serial");
    assert_ne!(
        serial,
        ca_cert.x509().tbs_certificate().serial_number().as_bytes()
    );

    // OpenSSL: a valid S/MIME signing certificate under the CA, and its view of the extensions.
    let ca_pem = peers::scratch_file(&format!("gen-{name}-ca.pem"), ca_cert.to_pem().as_bytes());
    let user_pem = peers::scratch_file(&format!("gen-{name}-user.pem"), leaf.to_pem().as_bytes());
    let out = Command::new("openssl")
        .args(["verify", "-purpose", "smimesign", "-x509_strict", "-CAfile"])
        .arg(&ca_pem)
        .arg(&user_pem)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "{name}: openssl verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in"])
        .arg(&user_pem)
        .output()
        .expect("openssl");
    let text = String::from_utf8_lossy(&text.stdout);
    for needle in [
        "X509v3 Subject Key Identifier",
        "X509v3 Authority Key Identifier",
        &format!("email:{email}"),
        "E-mail Protection",
        "CA:FALSE",
    ] {
        assert!(text.contains(needle), "{name}: no {needle:?} in\n{text}");
    }

    // Sign, and have the peers verify with only the generated CA as anchor.
    let signed = timed(&format!("{name}: sign"), || {
        sign(MESSAGE, &user, &SignOptions::default())
    })
    .expect("sign");
    let content = smime::open_signed(&signed).content;
    let results = peers::verify(
        &signed,
        &[ca_pem.as_path()],
        &VerifyOpts {
            expect: Some(&content),
            name: Some(&format!("gen-{name}")),
            ..Default::default()
        },
    );
    let required = peers_supporting(sig_alg);
    eprintln!("{name}: required peers {required:?}");
    assert_peers_pass(&results, &required);
}

#[test]
fn p256() {
    ca_and_user("p256", KeyType::P256, KeyType::P256, SigAlg::EcdsaP256);
}

#[test]
fn p384() {
    ca_and_user("p384", KeyType::P384, KeyType::P384, SigAlg::EcdsaP384);
}

#[test]
fn ed25519() {
    ca_and_user(
        "ed25519",
        KeyType::Ed25519,
        KeyType::Ed25519,
        SigAlg::Ed25519,
    );
}

#[test]
fn rsa2048() {
    ca_and_user(
        "rsa2048",
        KeyType::Rsa(2048),
        KeyType::Rsa(2048),
        SigAlg::RsaPkcs1v15,
    );
}

/// RSA-3072 CA (the slow keygen, once) issuing a P-256 user: a mixed chain.
#[test]
fn rsa3072_ca_p256_user() {
    ca_and_user(
        "rsa3072-p256",
        KeyType::Rsa(3072),
        KeyType::P256,
        SigAlg::EcdsaP256,
    );
}

#[test]
fn self_signed_user() {
    let now = now();
    let user = Identity::generate_test(TestIdentityOptions {
        email: "alone@example.com",
        name: "Self Signed",
        key_type: KeyType::P256,
        issuer: None,
        valid_days: 30,
        now_unix: now,
    })
    .expect("self-signed user");
    assert_eq!(user.chain().len(), 1);
    let c = user.certificate();
    assert!(c.is_self_signed());
    assert!(!c.is_ca());
    assert_eq!(c.emails(), ["alone@example.com"]);
    assert_eq!(c.extended_key_usage(), ["emailProtection"]);
    assert!(c.subject().contains("CN=Self Signed"), "{}", c.subject());
    let signed = sign(MESSAGE, &user, &SignOptions::default()).expect("sign");
    let pem = peers::scratch_file("gen-self-signed.pem", c.to_pem().as_bytes());
    let content = smime::open_signed(&signed).content;
    let results = peers::verify(
        &signed,
        &[pem.as_path()],
        &VerifyOpts {
            expect: Some(&content),
            peers: Some(&["openssl-cms", "python"]),
            name: Some("gen-self-signed"),
            ..Default::default()
        },
    );
    assert_peers_pass(&results, &["openssl-cms", "python"]);
    // Certificate round trip: the PEM reads back to the same certificate.
    assert_eq!(
        Certificate::from_bytes(c.to_pem().as_bytes()).expect("pem"),
        *c
    );
}

#[test]
fn bad_options_are_refused() {
    let now = now();
    let opts = |email, key_type, issuer, valid_days| TestIdentityOptions {
        email,
        name: "X",
        key_type,
        issuer,
        valid_days,
        now_unix: now,
    };
    let code = |r: smime_wasm::Result<Identity>| r.expect_err("must fail").code();
    assert_eq!(
        code(Identity::generate_test(opts(
            "no-at-sign",
            KeyType::P256,
            None,
            1
        ))),
        "INVALID_OPTION"
    );
    assert_eq!(
        code(Identity::generate_test(opts(
            "ü@example.com",
            KeyType::P256,
            None,
            1
        ))),
        "INVALID_OPTION"
    );
    assert_eq!(
        code(Identity::generate_test(opts(
            "a@example.com",
            KeyType::P256,
            None,
            0
        ))),
        "INVALID_OPTION"
    );
    assert_eq!(
        code(Identity::generate_test(opts(
            "a@example.com",
            KeyType::Rsa(1024),
            None,
            1
        ))),
        "UNSUPPORTED_ALGORITHM"
    );
    assert_eq!(
        code(Identity::generate_test_ca("", KeyType::P256, 1, now)),
        "INVALID_OPTION"
    );
    // A user certificate cannot issue.
    let user =
        Identity::generate_test(opts("a@example.com", KeyType::P256, None, 1)).expect("user");
    assert_eq!(
        code(Identity::generate_test(opts(
            "b@example.com",
            KeyType::P256,
            Some(&user),
            1
        ))),
        "INVALID_OPTION"
    );
}
