//! PKCS#12 import (`Identity::from_pkcs12`): every .p12 in tests/data opens with its password and
//! yields the expected keys and certificates; a wrong password is `WRONG_PASSWORD`; BER files
//! open; mutated and truncated files never panic; imported identities sign mail OpenSSL verifies.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::data;
use common::peers::{self, VerifyOpts, assert_peers_pass};
use smime_wasm::{Error, Identity, KeyType, SignOptions, sign};

/// A file, its password, and what it holds.
struct Case {
    file: &'static str,
    password: Option<&'static str>,
    /// Common name in the leaf's subject.
    leaf_cn: &'static str,
    /// Number of certificates in the chain (leaf, issuers, others; without the encryption cert).
    chain_len: usize,
    /// Whether a separate encryption key and certificate come with it.
    encryption_key: bool,
    friendly_name: Option<&'static str>,
    key_type: KeyType,
}

const fn case(file: &'static str, password: &'static str, leaf_cn: &'static str) -> Case {
    Case {
        file,
        password: Some(password),
        leaf_cn,
        chain_len: 2,
        encryption_key: false,
        friendly_name: Some("alice"),
        key_type: KeyType::Rsa(2048),
    }
}

const ALICE_CN: &str = "CN=Alice Lovelace";

const CASES: &[Case] = &[
    Case {
        chain_len: 2,
        encryption_key: true,
        ..case("rfc9216/alice.p12", "alice", ALICE_CN)
    },
    Case {
        chain_len: 2,
        encryption_key: true,
        friendly_name: Some("bob"),
        ..case("rfc9216/bob.p12", "bob", "CN=Bob Babbage")
    },
    Case {
        key_type: KeyType::P256,
        chain_len: 1,
        friendly_name: None,
        ..case(
            "pyca/cert-none-key-none.p12",
            "cryptography",
            "CN=cryptography CA",
        )
    },
    Case {
        key_type: KeyType::P256,
        chain_len: 1,
        friendly_name: None,
        ..case(
            "pyca/cert-rc2-key-3des.p12",
            "cryptography",
            "CN=cryptography CA",
        )
    },
    Case {
        key_type: KeyType::P256,
        chain_len: 3,
        friendly_name: Some("name"),
        ..case("pyca/name-all-pwd.p12", "password", "CN=cryptography CA")
    },
    Case {
        key_type: KeyType::P256,
        password: None,
        chain_len: 1,
        friendly_name: Some("6BC162DA"),
        ..case("pyca/no-password.p12", "", "CN=cryptography CA")
    },
    Case {
        friendly_name: Some("Alice"),
        ..case("thunderbird-nss/Alice.p12", "nss", "CN=Alice")
    },
    Case {
        friendly_name: Some("Bob"),
        ..case("thunderbird-nss/Bob.p12", "nss", "CN=Bob")
    },
    Case {
        key_type: KeyType::Rsa(4096),
        chain_len: 1,
        friendly_name: None,
        ..case(
            "clients/simple-java-mail/smime_test_user.p12",
            "letmein",
            "CN=Benny Bottema",
        )
    },
    case("p12/default.p12", "test", ALICE_CN),
    case("p12/legacy.p12", "test", ALICE_CN),
    case("p12/3des-rc2-40.p12", "test", ALICE_CN),
    case("p12/2des-rc2-128.p12", "test", ALICE_CN),
    case("p12/pbes2-3des-aes128.p12", "test", ALICE_CN),
    case("p12/nomac.p12", "test", ALICE_CN),
    case("p12/mac-sha512.p12", "test", ALICE_CN),
    case("p12/non-ascii.p12", "pässwörd€", ALICE_CN),
    case("p12/empty-password.p12", "", ALICE_CN),
    case("p12/unencrypted.p12", "test", ALICE_CN),
    case("p12/ber-nomac.p12", "test", ALICE_CN),
    case("p12/ber-legacy.p12", "test", ALICE_CN),
    // RFC 9579 appendix A.1-A.3: PBMAC1 MACs (self-signed RSA-2048 certificate `CN=tt`).
    rfc9579("p12/rfc9579-a1-sha256.p12"),
    rfc9579("p12/rfc9579-a2-sha256-sha512prf.p12"),
    rfc9579("p12/rfc9579-a3-sha512.p12"),
];

const fn rfc9579(file: &'static str) -> Case {
    Case {
        chain_len: 1,
        friendly_name: None,
        ..case(file, "1234", "CN=tt")
    }
}

fn open(c: &Case) -> Identity {
    Identity::from_pkcs12(&data(c.file), c.password)
        .unwrap_or_else(|e| panic!("{}: {e} ({})", c.file, e.code()))
}

#[test]
fn every_file_opens_with_the_expected_contents() {
    for c in CASES {
        let id = open(c);
        let leaf = id.certificate();
        assert!(
            leaf.subject().contains(c.leaf_cn),
            "{}: leaf {}",
            c.file,
            leaf.subject()
        );
        assert!(
            id.private_key().matches(leaf),
            "{}: key does not match the leaf",
            c.file
        );
        assert_eq!(id.chain().len(), c.chain_len, "{}: chain length", c.file);
        assert_eq!(id.private_key().key_type(), c.key_type, "{}", c.file);
        assert_eq!(id.friendly_name(), c.friendly_name, "{}", c.file);
        match (id.encryption_key(), id.encryption_certificate()) {
            (Some(k), Some(cert)) => {
                assert!(c.encryption_key, "{}: unexpected encryption key", c.file);
                assert!(k.matches(cert), "{}: encryption key/cert pair", c.file);
                assert!(!k.matches(leaf), "{}", c.file);
                assert!(cert.allows_encryption(), "{}", c.file);
                assert!(leaf.allows_signing(), "{}", c.file);
            }
            (None, _) => assert!(!c.encryption_key, "{}: no encryption key", c.file),
            (Some(_), None) => panic!("{}: encryption key without certificate", c.file),
        }
    }
}

/// The RFC 9216 files: the signing key is the main key, whatever the bag order.
#[test]
fn rfc9216_keys_are_paired_by_public_key() {
    let id =
        Identity::from_pkcs12(&data("rfc9216/alice.p12"), Some("alice")).expect("must succeed");
    let sign_cert =
        smime_wasm::Certificate::from_bytes(&data("rfc9216/alice.sign.crt")).expect("must succeed");
    let enc_cert = smime_wasm::Certificate::from_bytes(&data("rfc9216/alice.encrypt.crt"))
        .expect("must succeed");
    assert_eq!(id.certificate(), &sign_cert);
    assert_eq!(id.encryption_certificate(), Some(&enc_cert));
    assert!(
        id.encryption_key()
            .expect("must succeed")
            .matches(&enc_cert)
    );
    assert!(id.chain()[1].subject().contains("Certification Authority"));
}

#[test]
fn wrong_password_is_wrong_password() {
    for c in CASES {
        let bytes = data(c.file);
        for wrong in [Some("wrong"), Some("alicex"), Some("Test")] {
            // Unencrypted contents too (unencrypted.p12): the MAC catches the wrong password.
            let err = Identity::from_pkcs12(&bytes, wrong)
                .map(|_| ())
                .expect_err("must fail");
            assert_eq!(
                err.code(),
                "WRONG_PASSWORD",
                "{} with {wrong:?}: {err}",
                c.file
            );
        }
    }
    // A password where the file has none, and none where it has one.
    assert_eq!(
        Identity::from_pkcs12(&data("p12/default.p12"), None).expect_err("must fail"),
        Error::WrongPassword
    );
    assert_eq!(
        Identity::from_pkcs12(&data("pyca/no-password.p12"), Some("x")).expect_err("must fail"),
        Error::WrongPassword
    );
    // "" and None both open files made with an empty password.
    assert!(Identity::from_pkcs12(&data("p12/empty-password.p12"), None).is_ok());
    assert!(Identity::from_pkcs12(&data("pyca/no-password.p12"), Some("")).is_ok());
}

#[test]
fn other_errors() {
    // A key without a certificate.
    let err = Identity::from_pkcs12(
        &data("pyca/no-cert-key-aes256cbc.p12"),
        Some("cryptography"),
    )
    .expect_err("must fail");
    assert_eq!(err, Error::NoCertificate);
    // Certificates without a key.
    let err = Identity::from_pkcs12(&data("p12/certs-only.p12"), Some("test")).expect_err("no key");
    assert_eq!(err, Error::NoPrivateKey);
    // Not PKCS#12 at all.
    for junk in [
        &b""[..],
        b"hello",
        &data("rfc9216/alice.sign.crt"),
        &[0x30, 0x03, 0x02, 0x01, 0x03],
    ] {
        let err = Identity::from_pkcs12(junk, Some("x")).expect_err("must fail");
        assert_eq!(err.code(), "MALFORMED_PKCS12", "{err}");
    }
    let err = Identity::from_pkcs12(&vec![0u8; 5 * 1024 * 1024], None).expect_err("must fail");
    assert_eq!(err.code(), "INPUT_TOO_LARGE");
    // Deep nesting is refused, not recursed into.
    let mut deep = Vec::new();
    for _ in 0..1000 {
        deep.extend_from_slice(&[0x30, 0x80]);
    }
    deep.extend(std::iter::repeat_n(0u8, 2000));
    let err = Identity::from_pkcs12(&deep, None).expect_err("must fail");
    assert_eq!(err.code(), "NESTING_TOO_DEEP", "{err}");
}

/// An unsupported algorithm is named: patch the shrouded key bag's PBE OID of legacy.p12 inside
/// the MAC-less, unencrypted-certificate file to RC4 (pbeWithSHAAnd128BitRC4).
#[test]
fn unsupported_pbe_is_named() {
    let mut bytes = data("p12/nomac.p12");
    // PBES2 OID 1.2.840.113549.1.5.13 → 1.2.840.113549.1.12.1.1 has another length; patch the
    // PBES2 OID's last arc to 1.5.99 instead (an unknown PBE).
    let pbes2 = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d];
    let pos = bytes
        .windows(pbes2.len())
        .position(|w| w == pbes2)
        .expect("PBES2 OID in nomac.p12");
    bytes[pos + 8] = 99;
    let err = Identity::from_pkcs12(&bytes, Some("test")).expect_err("must fail");
    assert_eq!(err.code(), "UNSUPPORTED_PBE", "{err}");
    assert!(err.to_string().contains("1.2.840.113549.1.5.99"), "{err}");
}

/// Every single-octet mutation and every truncation of a few files: an error or an identity, never
/// a panic. (The MAC catches most mutations; the MAC-less files exercise the decoders.)
#[test]
fn mutated_and_truncated_files_never_panic() {
    for (file, pw) in [
        ("p12/nomac.p12", "test"),
        ("p12/ber-nomac.p12", "test"),
        ("p12/unencrypted.p12", "test"),
        ("pyca/cert-none-key-none.p12", "cryptography"),
    ] {
        let bytes = data(file);
        for len in 0..bytes.len() {
            let _ = Identity::from_pkcs12(&bytes[..len], Some(pw));
        }
        // The header region (structure) octet by octet, the rest with a stride.
        let step = |i: usize| if i < 200 { 1 } else { 7 };
        let mut i = 0;
        while i < bytes.len() {
            for delta in [0x01u8, 0x80, 0xff] {
                let mut m = bytes.clone();
                m[i] ^= delta;
                let _ = Identity::from_pkcs12(&m, Some(pw));
            }
            i += step(i);
        }
    }
}

/// Identities from PKCS#12 files sign mail that OpenSSL verifies against the issuing CA.
#[test]
fn imported_identities_sign_for_openssl() {
    let msg = b"From: alice@smime.example\r\nTo: bob@smime.example\r\nSubject: p12\r\n\r\nHello from a .p12\r\n";
    for (file, pw, anchor) in [
        ("rfc9216/alice.p12", "alice", "rfc9216/ca.rsa.crt"),
        ("p12/ber-legacy.p12", "test", "rfc9216/ca.rsa.crt"),
        ("p12/non-ascii.p12", "pässwörd€", "rfc9216/ca.rsa.crt"),
    ] {
        let id = Identity::from_pkcs12(&data(file), Some(pw)).expect("must succeed");
        let signed = sign(msg, &id, &SignOptions::default()).expect("must succeed");
        let anchor = common::data_path(anchor);
        let results = peers::verify(
            &signed,
            &[&anchor],
            &VerifyOpts {
                peers: Some(&["openssl-cms"]),
                ..VerifyOpts::default()
            },
        );
        assert_peers_pass(&results, &["openssl-cms"]);
    }
}

/// `to_pkcs12` output opens in OpenSSL (`pkcs12 -info`, default and legacy) and round-trips
/// through our import: same keys, chain, encryption pair and friendlyName.
#[test]
fn export_round_trips_and_opens_in_openssl() {
    let original =
        Identity::from_pkcs12(&data("rfc9216/alice.p12"), Some("alice")).expect("alice.p12");
    for legacy in [false, true] {
        let p12 = original
            .to_pkcs12("expört", legacy)
            .expect("export must succeed");
        let back = Identity::from_pkcs12(&p12, Some("expört")).expect("our export opens");
        assert_eq!(back.chain(), original.chain(), "legacy={legacy}");
        assert_eq!(
            back.encryption_certificate(),
            original.encryption_certificate()
        );
        assert!(back.private_key().matches(original.certificate()));
        let enc = back.encryption_key().expect("encryption key kept");
        assert!(enc.matches(original.encryption_certificate().expect("alice has one")));
        assert_eq!(back.friendly_name(), Some("alice"));
        assert_eq!(
            Identity::from_pkcs12(&p12, Some("wrong")).expect_err("must fail"),
            Error::WrongPassword
        );
        // OpenSSL reads it: MAC, certificates and keys.
        let path = peers::scratch_file(&format!("export-{legacy}.p12"), &p12);
        let mut cmd = std::process::Command::new("openssl");
        cmd.args(["pkcs12", "-info", "-nodes", "-passin", "pass:expört", "-in"])
            .arg(&path);
        // No `-legacy` needed: 3DES and SHA-1 are in OpenSSL 3's default provider.
        let out = match cmd.output() {
            Ok(o) => o,
            Err(e) if !peers::ci_mode() => {
                eprintln!("WARNING: openssl not run ({e})");
                continue;
            }
            Err(e) => panic!("openssl: {e}"),
        };
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "legacy={legacy}: {text}");
        assert_eq!(text.matches("BEGIN CERTIFICATE").count(), 3, "{text}");
        assert_eq!(text.matches("BEGIN PRIVATE KEY").count(), 2, "{text}");
        let want = if legacy { "MAC: sha1" } else { "MAC: sha256" };
        assert!(text.contains(want), "{text}");
        let _ = std::fs::remove_file(path);
    }
}

/// RFC 9579 appendix A.4-A.6: invalid PBMAC1 files. A.4 (PBKDF2 iteration count changed) and A.5
/// (PBKDF2 salt swapped with the unused macSalt) fail to verify, which is all a MAC can tell:
/// `WRONG_PASSWORD`. A.6 lacks the keyLength RFC 9579 requires: `MALFORMED_PKCS12`.
#[test]
fn rfc9579_invalid_files_are_refused() {
    for file in [
        "p12/rfc9579-a4-bad-iterations.p12",
        "p12/rfc9579-a5-bad-salt.p12",
    ] {
        for pw in [Some("1234"), Some("wrong"), None] {
            let err = Identity::from_pkcs12(&data(file), pw)
                .map(|_| ())
                .expect_err("must fail");
            assert_eq!(err, Error::WrongPassword, "{file} with {pw:?}: {err}");
        }
    }
    for pw in [Some("1234"), Some("wrong"), None] {
        let err = Identity::from_pkcs12(&data("p12/rfc9579-a6-no-keylength.p12"), pw)
            .map(|_| ())
            .expect_err("must fail");
        assert_eq!(err.code(), "MALFORMED_PKCS12", "{pw:?}: {err}");
        assert!(err.to_string().contains("keyLength"), "{err}");
    }
}

/// PBMAC1 algorithms we do not know are named: patch A.1's messageAuthScheme and PRF OIDs.
#[test]
fn rfc9579_unknown_algorithms_are_named() {
    let a1 = data("p12/rfc9579-a1-sha256.p12");
    // hmacWithSHA256 (1.2.840.113549.2.9) twice in the MAC's parameters: PRF, then scheme.
    let hmac_sha256 = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09];
    let hits: Vec<usize> = a1
        .windows(hmac_sha256.len())
        .enumerate()
        .filter(|(_, w)| *w == hmac_sha256)
        .map(|(i, _)| i)
        .collect();
    let (prf, scheme) = (hits[hits.len() - 2], hits[hits.len() - 1]);
    for (pos, what) in [(prf, "PRF"), (scheme, "messageAuthScheme")] {
        let mut bytes = a1.clone();
        bytes[pos + 7] = 99;
        let err = Identity::from_pkcs12(&bytes, Some("1234"))
            .map(|_| ())
            .expect_err("must fail");
        assert_eq!(err.code(), "UNSUPPORTED_PBE", "{what}: {err}");
        assert!(err.to_string().contains(what), "{err}");
        assert!(err.to_string().contains("1.2.840.113549.2.99"), "{err}");
    }
}
