//! `open`: every verify and decrypt vector of the kit gives the result its catalog states (the
//! copies in tests/data, and the kit's other files from ../shared when it is there); messages
//! made by OpenSSL during the test open correctly and tampered copies are reported with the
//! right code; everything this project writes (sign, encrypt, sign-then-encrypt, header
//! protection) opens with its header fields and content; EFAIL rules; limits; no panics.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{data, data_path};
use smime_wasm::encrypt::{EncryptOptions, encrypt, sign_and_encrypt};
use smime_wasm::open::{Layer, OpenOptions, Opened, extract_certificates, open};
use smime_wasm::{Certificate, Identity, SignOptions, sign};

/// 2026-12-04, inside the validity of every vector's certificates.
const NOW: i64 = 1_796_380_000;

const SHARED: &str = "../shared/vectors";

fn certs(paths: &[PathBuf]) -> Vec<Certificate> {
    paths
        .iter()
        .flat_map(|p| {
            Certificate::all_from_bytes(&std::fs::read(p).expect("anchor"))
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect()
}

/// A vector file: the copy in tests/data, else the kit's.
fn vector_path(rel: &str) -> Option<PathBuf> {
    let local = data_path(rel);
    if local.exists() {
        return Some(local);
    }
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(SHARED)
        .join(rel);
    shared.exists().then_some(shared)
}

fn all_signers_ok(o: &Opened) -> bool {
    o.signers().count() > 0 && o.signers().all(|s| s.signature_valid && s.trusted)
}

fn s(v: &serde_json::Value, k: &str) -> Option<String> {
    v.get(k).and_then(|x| x.as_str()).map(str::to_string)
}

fn list(v: &serde_json::Value, k: &str) -> Vec<String> {
    v.get(k)
        .and_then(|x| x.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The final content of `expected` opened as a message (an expected file that is itself a
/// signed entity opens further), or the bytes themselves.
fn innermost(bytes: &[u8]) -> Vec<u8> {
    open(bytes, &OpenOptions::new(NOW)).map_or_else(|_| bytes.to_vec(), |o| o.content)
}

/// Vectors this library reports as unsupported on purpose, with the reason.
const KNOWN_UNSUPPORTED: &[(&str, &str)] = &[(
    "generated/signed-opaque-ed448-bc.eml",
    "Ed448 signatures (UNSUPPORTED_SIGNATURE_ALGORITHM); no crate here verifies Ed448 CMS",
)];

#[test]
fn every_verify_and_decrypt_vector_gives_its_catalogued_result() {
    let mut catalog: Vec<serde_json::Value> =
        serde_json::from_slice(&data("vectors.json")).expect("tests/data/vectors.json");
    let shared_catalog = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(SHARED)
        .join("vectors.json");
    match std::fs::read(&shared_catalog) {
        Ok(bytes) => {
            let extra: Vec<serde_json::Value> =
                serde_json::from_slice(&bytes).expect("kit catalog");
            for v in extra {
                if !catalog.iter().any(|c| c["file"] == v["file"]) {
                    catalog.push(v);
                }
            }
        }
        Err(_) => eprintln!(
            "NOTE: {} is not here: only the vectors copied into tests/data are checked",
            shared_catalog.display()
        ),
    }
    let (mut checked, mut skipped) = (0, Vec::new());
    for v in &catalog {
        let op = s(v, "op").unwrap_or_default();
        if op != "verify" && op != "decrypt" {
            continue;
        }
        let file = s(v, "file").expect("file");
        let expect = s(v, "expect").unwrap_or_default();
        let Some(path) = vector_path(&file) else {
            skipped.push(file.clone());
            continue;
        };
        let message = std::fs::read(&path).expect("vector");
        let resolve =
            |rel: &str| vector_path(rel).unwrap_or_else(|| panic!("{file}: {rel} missing"));
        let anchors = certs(
            &list(v, "anchors")
                .iter()
                .map(|a| resolve(a))
                .collect::<Vec<_>>(),
        );
        let detached = s(v, "content").map(|c| std::fs::read(resolve(&c)).expect("content"));
        let identity = if let Some(p12) = s(v, "p12") {
            let pw = s(v, "password").unwrap_or_default();
            Some(
                Identity::from_pkcs12(&std::fs::read(resolve(&p12)).expect("p12"), Some(&pw))
                    .expect("p12 opens"),
            )
        } else if let (Some(k), Some(c)) = (s(v, "key"), s(v, "cert")) {
            let key = std::fs::read(resolve(&k)).expect("key");
            let cert = std::fs::read(resolve(&c)).expect("cert");
            Some(
                Identity::from_pem(&key, &cert, None)
                    .unwrap_or_else(|e| panic!("{file}: identity {e}")),
            )
        } else {
            None
        };
        let mut options = OpenOptions::new(NOW);
        options.trust = &anchors;
        options.identity = identity.as_ref();
        options.detached_content = detached.as_deref();
        let result = open(&message, &options);
        if let Some((_, why)) = KNOWN_UNSUPPORTED.iter().find(|(f, _)| *f == file) {
            let o = result.unwrap_or_else(|e| panic!("{file}: {e}"));
            let signer = o.signers().next().expect("a signer");
            assert!(!signer.signature_valid, "{file}");
            assert!(
                signer.problems.contains(&"UNSUPPORTED_SIGNATURE_ALGORITHM"),
                "{file}: {why}"
            );
            checked += 1;
            continue;
        }
        let lower = expect.to_ascii_lowercase();
        if op == "verify" {
            if lower.starts_with("invalid per pkits (revocation)") {
                let o = result.unwrap_or_else(|e| panic!("{file}: {e}"));
                assert!(all_signers_ok(&o), "{file}: trusted, revocation unchecked");
                assert!(
                    o.signers()
                        .all(|s| s.problems.contains(&"REVOCATION_NOT_CHECKED"))
                );
            } else if lower.starts_with("valid") {
                let o = result.unwrap_or_else(|e| panic!("{file}: {e}"));
                assert!(
                    all_signers_ok(&o),
                    "{file}: expected valid and trusted: {:?}",
                    o.signers()
                        .map(|s| (&s.signature_algorithm, &s.problems))
                        .collect::<Vec<_>>()
                );
                if let Some(c) = s(v, "expect_content") {
                    let want = std::fs::read(resolve(&c)).expect("expected content");
                    assert!(
                        o.content == want || o.content == innermost(&want),
                        "{file}: content"
                    );
                }
            } else {
                // invalid: either an error, or some signer not valid / not trusted.
                if let Ok(o) = result {
                    assert!(!all_signers_ok(&o), "{file}: expected invalid ({expect})");
                }
            }
        } else {
            let o = result.unwrap_or_else(|e| panic!("{file}: {e}"));
            let encrypted: Vec<_> = o
                .layers
                .iter()
                .filter_map(|l| match l {
                    Layer::Encrypted(e) => Some(e),
                    _ => None,
                })
                .collect();
            assert!(
                !encrypted.is_empty() && encrypted.iter().all(|e| e.decrypted),
                "{file}: decrypted"
            );
            if let Some(c) = s(v, "expect_content") {
                let want = std::fs::read(resolve(&c)).expect("expected content");
                assert!(
                    o.content == want || o.content == innermost(&want),
                    "{file}: decrypted content differs from {c}"
                );
            }
            for signer in o.signers() {
                assert!(
                    signer.signature_valid,
                    "{file}: inner signature {:?}",
                    signer.problems
                );
            }
        }
        checked += 1;
    }
    eprintln!("checked {checked} vectors; not available here: {skipped:?}");
    assert!(checked >= 90, "only {checked} vectors checked");
}

// ------------------------------------------------------------------ our own output

const MESSAGE: &[u8] = b"From: Alice Lovelace <alice@smime.example>\r\n\
To: Bob Babbage <bob@smime.example>\r\n\
Subject: Quarterly figures, confidential\r\n\
Date: Fri, 04 Dec 2026 10:00:00 +0000\r\n\
Message-ID: <open-test@smime.example>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\
\r\n\
Revenue up 3 %; d\xc3\xa9tails follow.\r\n";

fn alice() -> Identity {
    let mut c = data("rfc9216/alice.sign.crt");
    c.extend(data("rfc9216/alice.encrypt.crt"));
    c.extend(data("rfc9216/ca.rsa.crt"));
    Identity::from_pem(&data("rfc9216/alice.sign.key"), &c, None).expect("alice")
}

fn bob() -> Identity {
    Identity::from_pkcs12(&data("rfc9216/bob.p12"), Some("bob")).expect("bob")
}

fn header<'a>(o: &'a Opened, name: &str) -> Option<&'a str> {
    o.headers
        .fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(name))
        .map(|f| f.value.as_str())
}

fn text_of(entity: &[u8]) -> String {
    let e = common::mime::parse_entity(entity);
    String::from_utf8_lossy(&e.decoded_body()).into_owned()
}

#[test]
fn what_we_write_opens_with_its_headers_and_content() {
    let alice = alice();
    let bob_cert = Certificate::from_bytes(&data("rfc9216/bob.encrypt.crt")).expect("bob");
    let anchors = certs(&[data_path("rfc9216/ca.rsa.crt")]);
    let bob = bob();
    let time = SignOptions {
        signing_time: Some(NOW as u64),
        ..SignOptions::default()
    };
    let signed = sign(MESSAGE, &alice, &time).expect("sign");
    let opaque = sign(
        MESSAGE,
        &alice,
        &SignOptions {
            detached: false,
            ..time.clone()
        },
    )
    .expect("sign");
    let encrypted = encrypt(MESSAGE, &[&bob_cert], &EncryptOptions::default()).expect("encrypt");
    let both = sign_and_encrypt(
        MESSAGE,
        &alice,
        &[&bob_cert],
        &time,
        &EncryptOptions::default(),
    )
    .expect("sign and encrypt");
    for (name, msg, want_layers) in [
        ("signed", &signed, "S"),
        ("opaque", &opaque, "S"),
        ("encrypted", &encrypted, "E"),
        ("signed+encrypted", &both, "ES"),
    ] {
        let mut options = OpenOptions::new(NOW);
        options.trust = &anchors;
        options.identity = Some(&bob);
        let o = open(msg, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
        let layers: String = o
            .layers
            .iter()
            .map(|l| match l {
                Layer::Signed(_) => 'S',
                Layer::Encrypted(_) => 'E',
                Layer::CertificatesOnly => 'C',
            })
            .collect();
        assert_eq!(layers, want_layers, "{name}");
        assert_eq!(
            header(&o, "Subject"),
            Some("Quarterly figures, confidential"),
            "{name}"
        );
        assert_eq!(
            header(&o, "From"),
            Some("Alice Lovelace <alice@smime.example>"),
            "{name}"
        );
        assert_eq!(
            header(&o, "Message-ID"),
            Some("<open-test@smime.example>"),
            "{name}"
        );
        assert!(
            o.headers.protected.contains(&"subject".to_string()),
            "{name}: {:?}",
            o.headers
        );
        assert_eq!(
            text_of(&o.content),
            "Revenue up 3 %; d\u{e9}tails follow.\r\n",
            "{name}"
        );
        for signer in o.signers() {
            assert!(
                signer.signature_valid && signer.trusted,
                "{name}: {:?}",
                signer.problems
            );
            assert!(signer.email_matches_from, "{name}");
            assert_eq!(signer.problems, vec!["REVOCATION_NOT_CHECKED"], "{name}");
            assert_eq!(signer.signing_time, Some(NOW));
            assert_eq!(signer.email.as_deref(), Some("alice@smime.example"));
            assert!(
                signer.capabilities.iter().any(|c| c == "aes256-CBC"),
                "{:?}",
                signer.capabilities
            );
            let enc = signer
                .encryption_certificate
                .as_ref()
                .expect("encryption certificate");
            assert_eq!(
                enc.as_der(),
                data_der("rfc9216/alice.encrypt.crt"),
                "{name}"
            );
            assert_eq!(signer.chain.len(), 2, "{name}: leaf and anchor");
        }
        if name.contains("encrypted") {
            assert_eq!(
                header(&o, "Subject"),
                Some("Quarterly figures, confidential")
            );
            assert!(o.headers.obscured_outside.contains(&"subject".to_string()));
            let Layer::Encrypted(e) = &o.layers[0] else {
                panic!()
            };
            assert_eq!(e.cipher, "aes-256-cbc");
            assert!(!e.authenticated);
        }
    }
    // Without Bob's key: the encrypted layer is reported with its recipients, nothing else.
    let o = open(&both, &OpenOptions::new(NOW)).expect("open without key");
    assert_eq!(o.layers.len(), 1);
    let Layer::Encrypted(e) = &o.layers[0] else {
        panic!("encrypted layer")
    };
    assert!(!e.decrypted);
    assert_eq!(e.recipients.len(), 2, "Bob and Alice herself");
    assert_eq!(o.signers().count(), 0);
    assert_eq!(header(&o, "Subject"), Some("[...]"));
    // Without trust anchors: valid signature, unknown signer.
    let o = open(&signed, &OpenOptions::new(NOW)).expect("open");
    let signer = o.signers().next().expect("signer");
    assert!(signer.signature_valid && !signer.trusted);
    assert!(signer.problems.contains(&"NO_PATH_TO_TRUST_ANCHOR"));
    // extract_certificates: what to keep to encrypt to Alice later.
    let h = extract_certificates(&signed, NOW).expect("extract");
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].email.as_deref(), Some("alice@smime.example"));
    assert!(h[0].signature_valid);
    assert_eq!(
        h[0].encryption_certificate
            .as_ref()
            .map(Certificate::as_der),
        Some(data_der("rfc9216/alice.encrypt.crt").as_slice())
    );
}

fn data_der(rel: &str) -> Vec<u8> {
    Certificate::from_bytes(&data(rel))
        .expect("cert")
        .as_der()
        .to_vec()
}

// ------------------------------------------------------------------ peers' messages

fn openssl(args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("open-test");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[test]
fn openssl_messages_open_and_tampered_copies_are_caught() {
    let plain = scratch("plain.txt");
    std::fs::write(
        &plain,
        "Content-Type: text/plain\r\n\r\nHello from OpenSSL.\r\n",
    )
    .expect("write");
    let alice_key = data_path("rfc9216/alice.sign.key");
    let alice_crt = data_path("rfc9216/alice.sign.crt");
    let bob_crt = data_path("rfc9216/bob.encrypt.crt");
    let erin_crt = data_path("generated/erin.ec.crt");
    let anchors = certs(&[data_path("rfc9216/ca.rsa.crt")]);
    let bob = bob();
    let erin = Identity::from_pem(
        &data("generated/erin.ec.key"),
        &data("generated/erin.ec.crt"),
        None,
    )
    .expect("erin");
    // signed (detached, opaque, streamed BER, PSS), then encrypted (CBC, GCM, OAEP, ECDH).
    let signed = scratch("signed.eml");
    let opaque = scratch("opaque.eml");
    let pss = scratch("pss.eml");
    openssl(&[
        "cms",
        "-sign",
        "-in",
        p(&plain),
        "-signer",
        p(&alice_crt),
        "-inkey",
        p(&alice_key),
        "-out",
        p(&signed),
    ]);
    openssl(&[
        "cms",
        "-sign",
        "-nodetach",
        "-stream",
        "-in",
        p(&plain),
        "-signer",
        p(&alice_crt),
        "-inkey",
        p(&alice_key),
        "-out",
        p(&opaque),
    ]);
    openssl(&[
        "cms",
        "-sign",
        "-in",
        p(&plain),
        "-signer",
        p(&alice_crt),
        "-inkey",
        p(&alice_key),
        "-keyopt",
        "rsa_padding_mode:pss",
        "-out",
        p(&pss),
    ]);
    for (name, file, algorithm) in [
        ("detached", &signed, "rsa-pkcs1v15-sha256"),
        ("opaque -stream", &opaque, "rsa-pkcs1v15-sha256"),
        ("pss", &pss, "rsa-pss-sha256"),
    ] {
        let mut options = OpenOptions::new(NOW);
        options.trust = &anchors;
        let o = open(&std::fs::read(file).expect("read"), &options)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let signer = o.signers().next().expect("signer");
        assert!(
            signer.signature_valid && signer.trusted,
            "{name}: {:?}",
            signer.problems
        );
        assert_eq!(signer.signature_algorithm, algorithm, "{name}");
        assert_eq!(text_of(&o.content), "Hello from OpenSSL.\r\n", "{name}");
        // No From in these messages: reported, not fatal.
        assert!(signer.problems.contains(&"EMAIL_MISMATCH"));
    }
    for (name, extra, recip, who) in [
        ("cbc", vec!["-aes256"], &bob_crt, &bob),
        ("gcm", vec!["-aes-256-gcm"], &bob_crt, &bob),
        ("ecdh", vec!["-aes128"], &erin_crt, &erin),
    ] {
        let out = scratch(&format!("env-{name}.eml"));
        let mut args = vec!["cms", "-encrypt", "-in", p(&signed), "-out", p(&out)];
        args.extend(extra.iter().copied());
        args.push(p(recip));
        openssl(&args);
        let msg = std::fs::read(&out).expect("read");
        let mut options = OpenOptions::new(NOW);
        options.trust = &anchors;
        options.identity = Some(who);
        let o = open(&msg, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(o.layers.len(), 2, "{name}: encrypted, then signed");
        assert!(all_signers_ok(&o), "{name}");
        assert_eq!(text_of(&o.content), "Hello from OpenSSL.\r\n", "{name}");
        let Layer::Encrypted(e) = &o.layers[0] else {
            panic!("{name}")
        };
        assert_eq!(e.authenticated, name == "gcm");
        // One changed octet of the GCM ciphertext or tag: no plaintext, an error.
        if name == "gcm" {
            let der = scratch("gcm.der");
            openssl(&[
                "cms",
                "-cmsout",
                "-in",
                p(&out),
                "-outform",
                "DER",
                "-out",
                p(&der),
            ]);
            let mut bytes = std::fs::read(&der).expect("der");
            let at = bytes.len() - 4;
            bytes[at] ^= 1;
            let err = open(&bytes, &options).expect_err("tampered tag");
            assert_eq!(err.code(), "DECRYPTION_FAILED");
        }
    }
    // One changed octet of the signed body: reported per signer, not an error.
    let mut tampered = std::fs::read(&signed).expect("read");
    let pos = tampered
        .windows(5)
        .position(|w| w == b"Hello")
        .expect("body");
    tampered[pos] = b'J';
    let mut options = OpenOptions::new(NOW);
    options.trust = &anchors;
    let o = open(&tampered, &options).expect("open");
    let signer = o.signers().next().expect("signer");
    assert!(!signer.signature_valid && !signer.trusted);
    assert!(
        signer.problems.contains(&"MESSAGE_DIGEST_MISMATCH"),
        "{:?}",
        signer.problems
    );
}

/// P-521: OpenSSL signs with Ivan's key (ECDSA P-521, SHA-512); the signature verifies and the
/// path to the P-521 CA (certificates signed with ECDSA P-521) validates; another anchor does not
/// make it trusted, and a changed body breaks the signature.
#[test]
fn p521_signatures_and_paths_are_read() {
    let plain = scratch("p521-plain.txt");
    std::fs::write(
        &plain,
        "Content-Type: text/plain\r\n\r\nHello from P-521.\r\n",
    )
    .expect("write");
    let signed = scratch("p521-signed.eml");
    openssl(&[
        "cms",
        "-sign",
        "-md",
        "sha512",
        "-in",
        p(&plain),
        "-signer",
        p(&data_path("generated/ivan.p521.crt")),
        "-inkey",
        p(&data_path("generated/ivan.p521.key")),
        "-out",
        p(&signed),
    ]);
    let msg = std::fs::read(&signed).expect("read");
    let anchors = certs(&[data_path("generated/ca.p521.crt")]);
    let mut options = OpenOptions::new(NOW);
    options.trust = &anchors;
    let o = open(&msg, &options).expect("open");
    let signer = o.signers().next().expect("signer");
    assert!(
        signer.signature_valid && signer.trusted,
        "{:?}",
        signer.problems
    );
    assert_eq!(signer.signature_algorithm, "ecdsa-p521-sha512");
    assert_eq!(text_of(&o.content), "Hello from P-521.\r\n");

    let other = certs(&[data_path("rfc9216/ca.rsa.crt")]);
    options.trust = &other;
    let o = open(&msg, &options).expect("open");
    let signer = o.signers().next().expect("signer");
    assert!(signer.signature_valid && !signer.trusted);

    let mut tampered = msg.clone();
    let pos = tampered
        .windows(5)
        .position(|w| w == b"Hello")
        .expect("body");
    tampered[pos] = b'J';
    options.trust = &anchors;
    let o = open(&tampered, &options).expect("open");
    let signer = o.signers().next().expect("signer");
    assert!(!signer.signature_valid && !signer.trusted);
}

// ------------------------------------------------------------------ EFAIL, limits, robustness

#[test]
fn parts_outside_a_signed_layer_never_reach_the_content() {
    let signed = sign(MESSAGE, &alice(), &SignOptions::default()).expect("sign");
    let text = String::from_utf8(signed).expect("ascii");
    let boundary = text
        .split("boundary=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("boundary");
    // An attacker adds a part after the signature and text in the preamble and epilogue.
    let forged = text
        .replace("This is an S/MIME signed message", "PREAMBLE <img src=http://evil/>")
        .replace(
            &format!("--{boundary}--"),
            &format!("--{boundary}\r\nContent-Type: text/html\r\n\r\n<img src=http://evil/>\r\n--{boundary}--\r\nEPILOGUE"),
        );
    let o = open(forged.as_bytes(), &OpenOptions::new(NOW)).expect("open");
    let content = String::from_utf8_lossy(&o.content);
    assert!(
        !content.contains("evil") && !content.contains("EPILOGUE"),
        "{content}"
    );
    assert!(o.signers().next().expect("signer").signature_valid);
}

#[test]
fn nesting_beyond_the_limit_is_an_error() {
    let alice = alice();
    let mut msg = MESSAGE.to_vec();
    let opaque = SignOptions {
        detached: false,
        header_protection: false,
        ..SignOptions::default()
    };
    for _ in 0..=smime_wasm::policy::MAX_CMS_DEPTH {
        msg = sign(&msg, &alice, &opaque).expect("sign");
    }
    assert_eq!(
        open(&msg, &OpenOptions::new(NOW))
            .expect_err("too deep")
            .code(),
        "NESTING_TOO_DEEP"
    );
}

#[test]
fn bare_cms_and_certs_only() {
    // A bare detached CMS signature with its content (RFC 4134 4.3).
    let content = data("rfc4134/ExContent.bin");
    let mut options = OpenOptions::new(NOW);
    options.detached_content = Some(&content);
    let o = open(&data("rfc4134/4.3.bin"), &options).expect("4.3");
    assert_eq!(o.content, content);
    assert!(o.signers().next().expect("signer").signature_valid);
    // A detached signature without its content is an error, not a verdict.
    assert_eq!(
        open(&data("rfc4134/4.3.bin"), &OpenOptions::new(NOW))
            .expect_err("no content")
            .code(),
        "MALFORMED_CMS"
    );
    // certs-only .p7b
    let o = open(&data("pyca/amazon-roots.p7b"), &OpenOptions::new(NOW)).expect("p7b");
    assert!(matches!(o.layers.as_slice(), [Layer::CertificatesOnly]));
    assert_eq!(o.certificates.len(), 2);
}

#[test]
fn mutated_messages_never_panic_and_errors_have_documented_codes() {
    let bob = bob();
    let bob_cert = Certificate::from_bytes(&data("rfc9216/bob.encrypt.crt")).expect("bob");
    let alice = alice();
    let both = sign_and_encrypt(
        MESSAGE,
        &alice,
        &[&bob_cert],
        &SignOptions::default(),
        &EncryptOptions::default(),
    )
    .expect("sign and encrypt");
    let signed = sign(
        MESSAGE,
        &alice,
        &SignOptions {
            detached: false,
            ..SignOptions::default()
        },
    )
    .expect("sign");
    let codes = smime_wasm::error::Error::ALL_CODES;
    let mut options = OpenOptions::new(NOW);
    options.identity = Some(&bob);
    for msg in [&both, &signed] {
        let step = (msg.len() / 300).max(1);
        for i in (0..msg.len()).step_by(step) {
            let mut m = msg.clone();
            m[i] ^= 0x55;
            if let Err(e) = open(&m, &options) {
                assert!(codes.contains(&e.code()), "{}", e.code());
            }
            if let Err(e) = open(&msg[..i], &options) {
                assert!(codes.contains(&e.code()), "{}", e.code());
            }
        }
    }
}

#[test]
fn triple_wrap_and_rfc822_wrapper() {
    let alice = alice();
    let bob = bob();
    let bob_cert = Certificate::from_bytes(&data("rfc9216/bob.encrypt.crt")).expect("bob");
    let anchors = certs(&[data_path("rfc9216/ca.rsa.crt")]);
    let mut options = OpenOptions::new(NOW);
    options.trust = &anchors;
    options.identity = Some(&bob);
    // RFC 2634 triple wrap: signed, then encrypted, then signed again.
    let inner = sign_and_encrypt(
        MESSAGE,
        &alice,
        &[&bob_cert],
        &SignOptions::default(),
        &EncryptOptions::default(),
    )
    .expect("sign and encrypt");
    let outer = sign(
        &inner,
        &alice,
        &SignOptions {
            header_protection: false,
            ..SignOptions::default()
        },
    )
    .expect("outer signature");
    let o = open(&outer, &options).expect("triple wrap");
    let kinds: Vec<&str> = o
        .layers
        .iter()
        .map(|l| match l {
            Layer::Signed(_) => "signed",
            Layer::Encrypted(_) => "encrypted",
            Layer::CertificatesOnly => "certs",
        })
        .collect();
    assert_eq!(kinds, ["signed", "encrypted", "signed"]);
    assert_eq!(o.signers().count(), 2);
    assert!(o.signers().all(|s| s.trusted));
    assert_eq!(
        header(&o, "Subject"),
        Some("Quarterly figures, confidential")
    );
    assert_eq!(
        text_of(&o.content),
        "Revenue up 3 %; d\u{e9}tails follow.\r\n"
    );
    // RFC 8551 §3.1 wrapper: the signed content is a message/rfc822 holding the real message.
    let mut wrapped = b"From: alice@smime.example\r\nTo: bob@smime.example\r\nSubject: wrapper\r\n\
Content-Type: message/rfc822; forwarded=no\r\n\r\n"
        .to_vec();
    wrapped.extend_from_slice(MESSAGE);
    let signed = sign(
        &wrapped,
        &alice,
        &SignOptions {
            header_protection: false,
            ..SignOptions::default()
        },
    )
    .expect("sign wrapper");
    let o = open(&signed, &options).expect("wrapper");
    assert_eq!(o.layers.len(), 1);
    assert!(
        o.signers().all(|s| s.trusted),
        "{:?}",
        o.signers().map(|s| &s.problems).collect::<Vec<_>>()
    );
    assert_eq!(
        text_of(&o.content),
        "Revenue up 3 %; d\u{e9}tails follow.\r\n",
        "the wrapped message's body"
    );
}
