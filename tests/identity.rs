//! Key and certificate import: every supported encoding, chain ordering, and each error code.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use smime_wasm::{Certificate, Identity, KeyType, PrivateKey, SignOptions, sign};

fn data(path: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn code<T: std::fmt::Debug>(r: smime_wasm::Result<T>) -> &'static str {
    r.expect_err("expected an error").code()
}

#[test]
fn every_rsa_encoding_yields_the_same_key() {
    let cert = Certificate::from_bytes(&data("rfc9216/alice.sign.crt")).expect("cert");
    let reference = PrivateKey::from_bytes(&data("keys/alice.pkcs8.pem"), None).expect("pkcs8");
    let reference_pub = reference.public_key_der().expect("spki");
    for (file, pass) in [
        ("keys/alice.pkcs8.der", None),
        ("keys/alice.pkcs1.pem", None),
        ("keys/alice.pkcs1.der", None),
        ("keys/alice.pbes2-aes256.pem", Some("correct horse")),
        ("keys/alice.pbes2-des3.der", Some("correct horse")),
        ("keys/alice.pbes2-utf8.pem", Some("pässwörd")),
        ("keys/alice.scrypt.pem", Some("correct horse")),
    ] {
        let key =
            PrivateKey::from_bytes(&data(file), pass).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(key.key_type(), KeyType::Rsa(2048), "{file}");
        assert_eq!(key.public_key_der().expect("spki"), reference_pub, "{file}");
        assert!(key.matches(&cert), "{file}");
    }
}

#[test]
fn every_ec_encoding_yields_the_same_key() {
    let erin = Certificate::from_bytes(&data("generated/erin.ec.crt")).expect("cert");
    for file in [
        "keys/erin.pkcs8.pem",
        "keys/erin.sec1.pem",
        "keys/erin.sec1.der",
        "keys/erin.sec1-with-params.pem",
    ] {
        let key =
            PrivateKey::from_bytes(&data(file), None).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(key.key_type(), KeyType::P256, "{file}");
        assert!(key.matches(&erin), "{file}");
    }
    let heidi = Certificate::from_bytes(&data("keys/heidi.p384.crt")).expect("cert");
    for file in ["keys/heidi.p384.key", "keys/heidi.sec1.der"] {
        let key =
            PrivateKey::from_bytes(&data(file), None).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(key.key_type(), KeyType::P384, "{file}");
        assert!(key.matches(&heidi), "{file}");
    }
    let carlos = PrivateKey::from_bytes(&data("rfc9216/carlos.sign.key"), None).expect("ed25519");
    assert_eq!(carlos.key_type(), KeyType::Ed25519);
    assert!(
        carlos.matches(&Certificate::from_bytes(&data("rfc9216/carlos.sign.crt")).expect("cert"))
    );
}

#[test]
fn passphrase_errors_are_distinct() {
    let enc = data("keys/alice.pbes2-aes256.pem");
    assert_eq!(
        code(PrivateKey::from_bytes(&enc, None)),
        "PASSPHRASE_REQUIRED"
    );
    assert_eq!(
        code(PrivateKey::from_bytes(&enc, Some("wrong"))),
        "WRONG_PASSPHRASE"
    );
    assert_eq!(
        code(PrivateKey::from_bytes(&enc, Some(""))),
        "WRONG_PASSPHRASE"
    );
    let des3 = data("keys/alice.pbes2-des3.der");
    // many wrong passphrases: CBC padding sometimes passes by chance, which must still read as
    // a wrong passphrase, never as a malformed key or a panic
    for i in 0..40 {
        assert_eq!(
            code(PrivateKey::from_bytes(&des3, Some(&format!("guess {i}")))),
            "WRONG_PASSPHRASE"
        );
    }
}

#[test]
fn unsupported_key_encryptions_are_named() {
    for file in [
        "keys/alice.pbes1-sha1-3des.pem",
        "keys/alice.legacy-enc.pem",
        "keys/alice.scrypt-huge.pem",
    ] {
        let e = PrivateKey::from_bytes(&data(file), Some("correct horse")).expect_err(file);
        assert_eq!(e.code(), "UNSUPPORTED_ALGORITHM", "{file}: {e}");
    }
}

#[test]
fn chain_is_ordered_leaf_first_and_encryption_certificate_found() {
    let mut certs = Vec::new();
    for f in [
        "rfc9216/ca.rsa.crt",
        "rfc9216/alice.encrypt.crt",
        "rfc9216/alice.sign.crt",
    ] {
        certs.extend(data(f));
    }
    let id = Identity::from_pem(&data("rfc9216/alice.sign.key"), &certs, None).expect("identity");
    let leaf = Certificate::from_bytes(&data("rfc9216/alice.sign.crt")).expect("leaf");
    let ca = Certificate::from_bytes(&data("rfc9216/ca.rsa.crt")).expect("ca");
    let enc = Certificate::from_bytes(&data("rfc9216/alice.encrypt.crt")).expect("enc");
    assert_eq!(id.certificate(), &leaf);
    assert_eq!(id.chain(), &[leaf.clone(), ca]);
    assert_eq!(id.encryption_certificate(), Some(&enc));
    assert_eq!(id.key_algorithm(), "RSA-2048");

    // the same identity from the encryption key: the signing cert is not its encryption cert
    // (it does not allow key encipherment), so it has none
    let id =
        Identity::from_pem(&data("rfc9216/alice.encrypt.key"), &certs, None).expect("identity");
    assert_eq!(id.certificate(), &enc);
}

#[test]
fn certificate_facts() {
    let alice = Certificate::from_bytes(&data("rfc9216/alice.sign.crt")).expect("cert");
    assert_eq!(alice.emails(), vec!["alice@smime.example".to_string()]);
    assert!(
        alice.subject().contains("CN=Alice Lovelace"),
        "{}",
        alice.subject()
    );
    assert!(
        alice
            .issuer()
            .contains("CN=Sample LAMPS RSA Certification Authority")
    );
    assert_eq!(alice.key_algorithm(), "RSA-2048");
    assert!(alice.not_before() < alice.not_after());
    // 2052-09-27, as RFC 9216 says
    assert!(
        (2_611_000_000..2_612_000_000).contains(&alice.not_after()),
        "{}",
        alice.not_after()
    );
    assert_eq!(alice.fingerprint_sha256().len(), 64);
    let pem = alice.to_pem();
    assert_eq!(Certificate::from_bytes(pem.as_bytes()).expect("pem"), alice);
    assert_eq!(
        Certificate::from_bytes(&alice.to_der()).expect("der"),
        alice
    );
    // heidi has both a SAN and an emailAddress attribute with the same address: listed once
    let heidi = Certificate::from_bytes(&data("keys/heidi.p384.crt")).expect("cert");
    assert_eq!(heidi.emails(), vec!["heidi@kit.example".to_string()]);
    assert_eq!(heidi.key_algorithm(), "P-384");
    let carlos = Certificate::from_bytes(&data("rfc9216/carlos.sign.crt")).expect("cert");
    assert_eq!(carlos.key_algorithm(), "Ed25519");
    let x = Certificate::from_bytes(&data("rfc9216/carlos.encrypt.crt")).expect("cert");
    assert_eq!(x.key_algorithm(), "X25519");
    // concatenated DER
    let mut two = alice.to_der();
    two.extend(heidi.to_der());
    assert_eq!(Certificate::all_from_bytes(&two).expect("two").len(), 2);
    assert_eq!(
        Certificate::from_bytes(&two).expect_err("two").code(),
        "MALFORMED_CERTIFICATE"
    );
}

#[test]
fn bad_inputs_get_their_codes() {
    let alice_key = data("rfc9216/alice.sign.key");
    let alice_crt = data("rfc9216/alice.sign.crt");
    let pem = String::from_utf8(alice_crt.clone()).expect("utf8");
    let cases: Vec<(&str, smime_wasm::Result<Identity>, &str)> = vec![
        (
            "garbage key",
            Identity::from_pem(b"garbage", &alice_crt, None),
            "MALFORMED_KEY",
        ),
        (
            "empty key",
            Identity::from_pem(b"", &alice_crt, None),
            "MALFORMED_KEY",
        ),
        (
            "truncated key PEM",
            Identity::from_pem(&alice_key[..alice_key.len() / 2], &alice_crt, None),
            "MALFORMED_KEY",
        ),
        (
            "DER key cut short",
            Identity::from_pem(&data("keys/alice.pkcs8.der")[..300], &alice_crt, None),
            "MALFORMED_KEY",
        ),
        (
            "truncated certificate PEM",
            Identity::from_pem(&alice_key, &pem.as_bytes()[..pem.len() - 40], None),
            "MALFORMED_CERTIFICATE",
        ),
        (
            "certificate PEM with bad base64",
            Identity::from_pem(&alice_key, pem.replace('M', "!").as_bytes(), None),
            "MALFORMED_CERTIFICATE",
        ),
        (
            "no certificate",
            Identity::from_pem(&alice_key, b"", None),
            "NO_CERTIFICATE",
        ),
        (
            "PEM without certificate blocks",
            Identity::from_pem(&alice_key, &alice_key, None),
            "NO_CERTIFICATE",
        ),
        (
            "key of another certificate",
            Identity::from_pem(&data("rfc9216/bob.sign.key"), &alice_crt, None),
            "KEY_CERT_MISMATCH",
        ),
        (
            "wrong passphrase",
            Identity::from_pem(
                &data("keys/alice.pbes2-aes256.pem"),
                &alice_crt,
                Some("nope"),
            ),
            "WRONG_PASSPHRASE",
        ),
    ];
    for (what, result, expected) in cases {
        assert_eq!(code(result), expected, "{what}");
    }
    // An X25519 key loads (it decrypts RFC 8418 mail) but cannot sign.
    let x25519 = Identity::from_pem(
        &data("rfc9216/carlos.encrypt.key"),
        &data("rfc9216/carlos.encrypt.crt"),
        None,
    )
    .expect("an X25519 identity loads");
    let err = smime_wasm::sign(
        b"Subject: x\r\n\r\nx\r\n",
        &x25519,
        &smime_wasm::SignOptions::default(),
    )
    .expect_err("X25519 cannot sign");
    assert_eq!(err.code(), "UNSUPPORTED_ALGORITHM", "{err}");
}

#[test]
fn signing_needs_a_signing_certificate_and_a_strong_key() {
    let bob = Identity::from_pem(
        &data("keys/bob.encrypt.key"),
        &data("keys/bob.encrypt.crt"),
        None,
    )
    .expect("imports: decryption keys are fine to hold");
    let options = SignOptions {
        signing_time: Some(1_700_000_000),
        ..SignOptions::default()
    };
    assert_eq!(
        code(sign(b"Subject: x\r\n\r\nx\r\n", &bob, &options)),
        "KEY_USAGE"
    );
}

#[test]
fn garbage_never_panics() {
    // deterministic pseudo-random inputs, and mutations of real files
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let seeds = [
        data("keys/alice.pkcs8.der"),
        data("keys/alice.pbes2-des3.der"),
        data("keys/erin.sec1.der"),
        data("rfc9216/alice.sign.crt"),
        data("keys/alice.pkcs8.pem"),
    ];
    for round in 0..600 {
        let mut input = seeds[round % seeds.len()].clone();
        let flips = 1 + next() as usize % 4;
        for _ in 0..flips {
            let i = next() as usize % input.len();
            input[i] ^= (next() % 255 + 1) as u8;
        }
        if round % 7 == 0 {
            input.truncate(next() as usize % input.len());
        }
        let _ = PrivateKey::from_bytes(&input, Some("correct horse"));
        let _ = Certificate::all_from_bytes(&input);
    }
}
