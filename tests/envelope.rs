//! CMS EnvelopedData / AuthEnvelopedData: our output decrypts here and in `openssl cms`, the
//! vectors in tests/data and messages OpenSSL makes during the test decrypt here, and every
//! failure is the documented error code.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::peers::scratch_file;
use smime_wasm::provider::block_on;
use smime_wasm::{
    Certificate, ContentCipher, EnvelopeOptions, Error, KeyTransport, PrivateKey, Recipient,
    RecipientIdType, RecipientKeyKind, RustCryptoProvider, check_recipient, decrypt, envelop,
    inspect,
};

/// A private key and its certificate from tests/data.
struct Party {
    key: PrivateKey,
    cert: Certificate,
    key_path: PathBuf,
    cert_path: PathBuf,
}

fn party(key: &str, cert: &str) -> Party {
    Party {
        key: PrivateKey::from_bytes(&common::data(key), None).expect(key),
        cert: Certificate::from_bytes(&common::data(cert)).expect(cert),
        key_path: common::data_path(key),
        cert_path: common::data_path(cert),
    }
}

fn bob() -> Party {
    party("rfc9216/bob.encrypt.key", "rfc9216/bob.encrypt.crt")
}
fn alice() -> Party {
    party("rfc9216/alice.encrypt.key", "rfc9216/alice.encrypt.crt")
}
fn erin() -> Party {
    party("generated/erin.ec.key", "generated/erin.ec.crt")
}
fn frank() -> Party {
    party("generated/frank.p384.key", "generated/frank.p384.crt")
}
fn dana() -> Party {
    party("rfc9216/dana.encrypt.key", "rfc9216/dana.encrypt.crt")
}
fn carlos() -> Party {
    party("rfc9216/carlos.encrypt.key", "rfc9216/carlos.encrypt.crt")
}

const P: RustCryptoProvider = RustCryptoProvider;

fn seal(content: &[u8], to: &[&Party], transport: KeyTransport, cipher: ContentCipher) -> Vec<u8> {
    let recipients: Vec<Recipient<'_>> = to
        .iter()
        .map(|p| Recipient {
            certificate: &p.cert,
            key_transport: transport,
        })
        .collect();
    let options = EnvelopeOptions {
        cipher,
        ..EnvelopeOptions::default()
    };
    block_on(envelop(&P, content, &recipients, &options)).expect("envelop")
}

fn open(cms: &[u8], who: &Party) -> Result<smime_wasm::Decrypted, Error> {
    block_on(decrypt(&P, cms, &[(&who.key, &who.cert)]))
}

/// `openssl cms -decrypt -inform DER` of `cms` with a key and certificate; the plaintext.
fn openssl_decrypt(name: &str, cms: &[u8], who: &Party) -> Result<Vec<u8>, String> {
    let input = scratch_file(&format!("{name}.der"), cms);
    let out = Command::new("openssl")
        .args(["cms", "-decrypt", "-inform", "DER", "-binary", "-in"])
        .arg(&input)
        .arg("-inkey")
        .arg(&who.key_path)
        .arg("-recip")
        .arg(&who.cert_path)
        .output()
        .expect("run openssl");
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// `openssl cms -encrypt` of `content` to `cert`: `args` come before `-recip CERT`, except
/// `-keyopt` pairs, which OpenSSL wants after it. DER (BER with -stream).
fn openssl_encrypt(name: &str, content: &[u8], cert: &Path, args: &[&str]) -> Vec<u8> {
    let mut pre: Vec<&str> = Vec::new();
    let mut post: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if args[i] == "-keyopt" && i + 1 < args.len() {
            post.extend([args[i], args[i + 1]]);
            i += 2;
        } else {
            pre.push(args[i]);
            i += 1;
        }
    }
    let input = scratch_file(&format!("{name}.in"), content);
    let output = common::peers::scratch_dir().join(format!("{name}.cms"));
    let out = Command::new("openssl")
        .args(["cms", "-encrypt", "-binary", "-outform", "DER", "-in"])
        .arg(&input)
        .arg("-out")
        .arg(&output)
        .args(&pre)
        .arg("-recip")
        .arg(cert)
        .args(&post)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl cms -encrypt {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(&output).expect("openssl output")
}

/// The CMS inside an .eml (the base64 body of an application/pkcs7-mime message).
fn eml_cms(path: &str) -> Vec<u8> {
    let bytes = common::data(path);
    common::mime::parse_entity(&bytes).decoded_body()
}

const CONTENT: &[u8] =
    b"Content-Type: text/plain; charset=utf-8\r\n\r\nHello from the envelope test \xe2\x9c\x89\r\n";

#[test]
fn rsa_v15_aes256cbc_round_trip_and_openssl_decrypts() {
    let bob = bob();
    let cms = seal(
        CONTENT,
        &[&bob],
        KeyTransport::RsaPkcs1v15,
        ContentCipher::Aes256Cbc,
    );
    let d = open(&cms, &bob).expect("decrypt");
    assert_eq!(d.content, CONTENT);
    assert_eq!(d.cipher, "aes-256-cbc");
    assert_eq!(d.key_management, "rsa-pkcs1v15");
    assert!(!d.authenticated);
    assert_eq!(
        openssl_decrypt("rsa-v15-aes256cbc", &cms, &bob).expect("openssl decrypts"),
        CONTENT
    );
    // Fresh CEK and IV each time.
    let again = seal(
        CONTENT,
        &[&bob],
        KeyTransport::RsaPkcs1v15,
        ContentCipher::Aes256Cbc,
    );
    assert_ne!(cms, again);
}

#[test]
fn openssl_vector_aes256cbc_decrypts() {
    let cms = eml_cms("generated/enveloped-aes256cbc.eml");
    let d = open(&cms, &bob()).expect("decrypt");
    assert_eq!(d.content, common::data("generated/plain.txt"));
    assert_eq!(d.cipher, "aes-256-cbc");
}

#[test]
fn inspect_lists_recipients() {
    let (bob, alice) = (bob(), alice());
    let cms = seal(
        CONTENT,
        &[&bob, &alice],
        KeyTransport::RsaOaep,
        ContentCipher::Aes128Gcm,
    );
    let info = inspect(&cms).expect("inspect");
    assert!(info.authenticated);
    assert_eq!(info.cipher, "aes-128-gcm");
    assert_eq!(info.recipients.len(), 2);
    for r in &info.recipients {
        assert_eq!(r.key_management, "rsa-oaep-sha256");
        assert!(r.issuer.as_deref().unwrap_or("").contains("LAMPS"), "{r:?}");
        assert!(r.serial_hex.is_some());
    }
    let _ = RecipientIdType::SubjectKeyIdentifier;
    assert_eq!(
        check_recipient(&bob.cert).expect("bob"),
        RecipientKeyKind::Rsa { bits: 2048 }
    );
}

/// Every key type we write for, with its key-management name.
fn writers() -> Vec<(&'static str, Party, KeyTransport, &'static str)> {
    vec![
        ("bob-v15", bob(), KeyTransport::RsaPkcs1v15, "rsa-pkcs1v15"),
        ("bob-oaep", bob(), KeyTransport::RsaOaep, "rsa-oaep-sha256"),
        (
            "erin-p256",
            erin(),
            KeyTransport::default(),
            "ecdh-p256-sha256kdf-aes128wrap",
        ),
        (
            "frank-p384",
            frank(),
            KeyTransport::default(),
            "ecdh-p384-sha384kdf-aes256wrap",
        ),
        (
            "dana-x25519",
            dana(),
            KeyTransport::default(),
            "x25519-hkdf-sha256-aes128wrap",
        ),
        (
            "carlos-x25519",
            carlos(),
            KeyTransport::default(),
            "x25519-hkdf-sha256-aes128wrap",
        ),
    ]
}

const ALL_CIPHERS: [ContentCipher; 6] = [
    ContentCipher::Aes128Cbc,
    ContentCipher::Aes192Cbc,
    ContentCipher::Aes256Cbc,
    ContentCipher::Aes128Gcm,
    ContentCipher::Aes256Gcm,
    ContentCipher::ChaCha20Poly1305,
];

/// Every key type x every cipher: decrypts here to the same content, names what it used, and
/// `openssl cms -decrypt` (which has no RFC 8418 X25519 and no RFC 8103 ChaCha20-Poly1305 in
/// CMS) recovers the same plaintext.
#[test]
fn every_key_type_and_cipher_round_trips_and_openssl_decrypts() {
    let mut openssl_checked = 0;
    for (name, who, transport, key_management) in writers() {
        for cipher in ALL_CIPHERS {
            let cms = seal(CONTENT, &[&who], transport, cipher);
            let d = open(&cms, &who).unwrap_or_else(|e| panic!("{name} {cipher:?}: {e}"));
            assert_eq!(d.content, CONTENT, "{name} {cipher:?}");
            assert_eq!(d.cipher, cipher.name());
            assert_eq!(d.key_management, key_management, "{name}");
            assert_eq!(d.authenticated, cipher.is_authenticated());
            let info = inspect(&cms).expect("inspect");
            assert_eq!(info.recipients.len(), 1);
            assert_eq!(info.recipients[0].key_management, key_management);
            assert_eq!(info.cipher, cipher.name());
            let x25519 = name.contains("x25519");
            let chacha = cipher == ContentCipher::ChaCha20Poly1305;
            if !x25519 && !chacha {
                let tag = format!("{name}-{}", cipher.name());
                let plain = openssl_decrypt(&tag, &cms, &who)
                    .unwrap_or_else(|e| panic!("openssl cannot decrypt {tag}: {e}"));
                assert_eq!(plain, CONTENT, "{tag}");
                openssl_checked += 1;
            }
        }
    }
    assert_eq!(openssl_checked, 4 * 5);
}

/// Large and empty contents, and contents that are a multiple of the block size.
#[test]
fn content_sizes() {
    let bob = bob();
    for len in [0usize, 1, 15, 16, 17, 4096, 1 << 20] {
        let content: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
        for cipher in [ContentCipher::Aes256Cbc, ContentCipher::Aes256Gcm] {
            let cms = seal(&content, &[&bob], KeyTransport::RsaPkcs1v15, cipher);
            assert_eq!(
                open(&cms, &bob).expect("decrypt").content,
                content,
                "{len} {cipher:?}"
            );
        }
    }
}

#[test]
fn subject_key_identifier_recipients() {
    for (name, who, transport, _) in writers() {
        let options = EnvelopeOptions {
            cipher: ContentCipher::Aes128Gcm,
            recipient_id: RecipientIdType::SubjectKeyIdentifier,
        };
        let recipients = [Recipient {
            certificate: &who.cert,
            key_transport: transport,
        }];
        let cms = block_on(envelop(&P, CONTENT, &recipients, &options)).expect("envelop");
        let info = inspect(&cms).expect("inspect");
        let r = &info.recipients[0];
        assert!(
            r.issuer.is_none() && r.serial_hex.is_none(),
            "{name}: {r:?}"
        );
        let ski = r.subject_key_id_hex.clone().expect("ski");
        let want = std::process::Command::new("openssl")
            .args(["x509", "-noout", "-ext", "subjectKeyIdentifier", "-in"])
            .arg(&who.cert_path)
            .output()
            .expect("openssl x509");
        let want: String = String::from_utf8_lossy(&want.stdout)
            .lines()
            .nth(1)
            .unwrap_or_default()
            .trim()
            .replace(':', "")
            .to_ascii_lowercase();
        assert_eq!(ski.replace(':', "").to_ascii_lowercase(), want, "{name}");
        assert_eq!(
            open(&cms, &who).expect("decrypt").content,
            CONTENT,
            "{name}"
        );
        if !name.contains("x25519") {
            let plain = openssl_decrypt(&format!("{name}-ski"), &cms, &who)
                .unwrap_or_else(|e| panic!("openssl {name} ski: {e}"));
            assert_eq!(plain, CONTENT);
        }
    }
}

#[test]
fn two_recipients_each_decrypt() {
    let (bob, erin, dana) = (bob(), erin(), dana());
    for cipher in [ContentCipher::Aes256Cbc, ContentCipher::Aes256Gcm] {
        let cms = seal(
            CONTENT,
            &[&bob, &erin, &dana],
            KeyTransport::RsaOaep,
            cipher,
        );
        assert_eq!(inspect(&cms).expect("inspect").recipients.len(), 3);
        for who in [&bob, &erin, &dana] {
            assert_eq!(open(&cms, who).expect("decrypt").content, CONTENT);
        }
        for who in [&bob, &erin] {
            let plain = openssl_decrypt(&format!("three-{}", cipher.name()), &cms, who)
                .expect("openssl decrypts for each recipient");
            assert_eq!(plain, CONTENT);
        }
        // The key list may hold keys that are not recipients; the matching one is used.
        let alice = alice();
        let d = block_on(decrypt(
            &P,
            &cms,
            &[(&alice.key, &alice.cert), (&erin.key, &erin.cert)],
        ))
        .expect("second key decrypts");
        assert_eq!(d.key_management, "ecdh-p256-sha256kdf-aes128wrap");
    }
}

#[test]
fn no_recipients_and_unusable_recipients() {
    let e =
        block_on(envelop(&P, CONTENT, &[], &EnvelopeOptions::default())).expect_err("must fail");
    assert_eq!(e.code(), "NO_RECIPIENTS");
    for (cert, why) in [
        ("rfc9216/alice.sign.crt", "keyEncipherment"),
        ("rfc9216/bob.sign.crt", "keyEncipherment"),
        ("rfc9216/dana.sign.crt", "Ed25519"),
        ("rfc9216/carlos.sign.crt", "Ed25519"),
        ("generated/frank.p384.sign.crt", "keyAgreement"),
        ("rfc9216/ca.25519.crt", "Ed25519"),
    ] {
        let c = Certificate::from_bytes(&common::data(cert)).expect(cert);
        let e = check_recipient(&c).expect_err("must fail");
        assert_eq!(e.code(), "RECIPIENT_KEY_UNUSABLE", "{cert}");
        let msg = e.to_string();
        assert!(msg.contains(why), "{cert}: {msg}");
        assert!(
            msg.contains('@') || msg.contains("CN="),
            "names the recipient: {msg}"
        );
        let r = [Recipient::new(&c)];
        let e =
            block_on(envelop(&P, CONTENT, &r, &EnvelopeOptions::default())).expect_err("must fail");
        assert_eq!(e.code(), "RECIPIENT_KEY_UNUSABLE", "{cert}");
    }
    // A DSA certificate (RFC 4134 Alice) cannot receive either.
    let dsa = Certificate::from_bytes(&common::data("rfc4134/AliceDSSSignByCarlNoInherit.cer"))
        .expect("dsa cert");
    assert_eq!(
        check_recipient(&dsa).expect_err("must fail").code(),
        "RECIPIENT_KEY_UNUSABLE"
    );
    assert_eq!(
        check_recipient(&erin().cert).expect("erin"),
        RecipientKeyKind::EcdhP256
    );
    assert_eq!(
        check_recipient(&frank().cert).expect("frank"),
        RecipientKeyKind::EcdhP384
    );
    assert_eq!(
        check_recipient(&dana().cert).expect("dana"),
        RecipientKeyKind::X25519
    );
}

#[test]
fn cipher_names_round_trip() {
    for c in ALL_CIPHERS {
        assert_eq!(ContentCipher::from_name(c.name()), Some(c));
        assert_eq!(ContentCipher::from_name(&c.name().to_uppercase()), Some(c));
        assert_eq!(ContentCipher::from_oid(c.oid()), Some(c));
        assert_eq!(
            c.key_len(),
            if c.name().contains("128") {
                16
            } else if c.name().contains("192") {
                24
            } else {
                32
            }
        );
    }
    assert_eq!(
        ContentCipher::from_name("aes256-cbc"),
        Some(ContentCipher::Aes256Cbc)
    );
    assert_eq!(ContentCipher::from_name("des-ede3-cbc"), None);
    assert_eq!(ContentCipher::from_name("rc2-40"), None);
}

/// A vector: the CMS, who decrypts it, the content, the cipher and key-management names.
type VectorCase<'a> = (Vec<u8>, &'a Party, Vec<u8>, &'a str, &'a str);

/// The vectors of tests/data (OpenSSL, Bouncy Castle, pyca, NSS, RFC 4134) decrypt to the
/// content their MANIFEST entry gives.
#[test]
fn vectors_decrypt() {
    let rfc4134_bob = party(
        "rfc4134/BobPrivRSAEncrypt.pri",
        "rfc4134/BobRSASignByCarl.cer",
    );
    let pyca = party("pyca/rsa_key.pem", "pyca/rsa_ca.pem");
    let (bob, erin, frank, carlos) = (bob(), erin(), frank(), carlos());
    let cases: Vec<VectorCase<'_>> = vec![
        (
            eml_cms("generated/enveloped-aes256cbc.eml"),
            &bob,
            common::data("generated/plain.txt"),
            "aes-256-cbc",
            "rsa-pkcs1v15",
        ),
        (
            eml_cms("generated/enveloped-rsaoaep-sha256.eml"),
            &bob,
            common::data("generated/plain.txt"),
            "aes-256-cbc",
            "rsa-oaep-sha256",
        ),
        (
            eml_cms("generated/authenveloped-aes128gcm.eml"),
            &bob,
            common::data("generated/plain.txt"),
            "aes-128-gcm",
            "rsa-pkcs1v15",
        ),
        (
            eml_cms("generated/signed-then-enveloped.eml"),
            &bob,
            common::data("generated/signed-then-enveloped.eml.expected"),
            "aes-256-cbc",
            "rsa-pkcs1v15",
        ),
        (
            eml_cms("generated/enveloped-ecdh-p256.eml"),
            &erin,
            common::data("generated/plain.txt"),
            "aes-256-cbc",
            "ecdh-p256-sha1kdf-aes256wrap",
        ),
        (
            eml_cms("generated/enveloped-ecdh-p384-aes256cbc-bc.eml"),
            &frank,
            common::data("generated/plain.txt"),
            "aes-256-cbc",
            "ecdh-p384-sha384kdf-aes256wrap",
        ),
        (
            eml_cms("generated/enveloped-x25519-hkdf-aes256cbc.eml"),
            &carlos,
            common::data("generated/plain.txt"),
            "aes-256-cbc",
            "x25519-hkdf-sha256-aes256wrap",
        ),
        (
            eml_cms("generated/authenveloped-x25519-hkdf-aes128gcm.eml"),
            &carlos,
            common::data("generated/plain.txt"),
            "aes-128-gcm",
            "x25519-hkdf-sha256-aes128wrap",
        ),
        (
            common::data("rfc4134/5.1.bin"),
            &rfc4134_bob,
            common::data("rfc4134/ExContent.bin"),
            "des-ede3-cbc",
            "rsa-pkcs1v15",
        ),
        (
            eml_cms("rfc4134/5.3.eml"),
            &rfc4134_bob,
            common::data("rfc4134/ExContent.bin"),
            "des-ede3-cbc",
            "rsa-pkcs1v15",
        ),
        (
            pem_cms("pyca/enveloped-triple-des.pem"),
            &pyca,
            common::data("pyca/enveloped-triple-des.pem.expected"),
            "des-ede3-cbc",
            "rsa-pkcs1v15",
        ),
        (
            pem_cms("pyca/enveloped-rsa-oaep.pem"),
            &pyca,
            common::data("pyca/enveloped-rsa-oaep.pem.expected"),
            "aes-128-cbc",
            "rsa-oaep-sha1",
        ),
    ];
    for (cms, who, expected, cipher, km) in cases {
        let d = open(&cms, who).unwrap_or_else(|e| panic!("{cipher} {km}: {e}"));
        assert_eq!(d.content, expected, "{cipher} {km}");
        assert_eq!((d.cipher.as_str(), d.key_management.as_str()), (cipher, km));
        let info = inspect(&cms).expect("inspect");
        assert_eq!(info.cipher, cipher);
        assert!(
            info.recipients.iter().any(|r| r.key_management == km),
            "{info:?}"
        );
    }
}

/// The NSS (Thunderbird) messages decrypt with Bob's .p12 key.
#[test]
fn nss_vectors_decrypt() {
    let id =
        smime_wasm::Identity::from_pkcs12(&common::data("thunderbird-nss/Bob.p12"), Some("nss"))
            .expect("Bob.p12");
    let mut keys: Vec<(&PrivateKey, &Certificate)> = vec![(id.private_key(), id.certificate())];
    if let (Some(k), Some(c)) = (id.encryption_key(), id.encryption_certificate()) {
        keys.push((k, c));
    }
    for name in [
        "alice.env.eml",
        "alice.dsig.SHA256.multipart.env.eml",
        "alice.sig.SHA256.opaque.env.eml",
    ] {
        let cms = eml_cms(&format!("thunderbird-nss/{name}"));
        let d = block_on(decrypt(&P, &cms, &keys)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            d.content,
            common::data(&format!("thunderbird-nss/{name}.expected")),
            "{name}"
        );
    }
}

/// A PEM 'PKCS7' block's DER.
fn pem_cms(path: &str) -> Vec<u8> {
    let text = String::from_utf8(common::data(path)).expect("utf-8");
    let b64: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    common::mime::decode_base64(b64.as_bytes())
}

/// Messages `openssl cms -encrypt` makes now (AES-CBC, GCM, 3DES, OAEP, ECDH with each KDF
/// hash, BER with -stream) decrypt here.
#[test]
fn openssl_made_messages_decrypt() {
    let (bob, erin, frank) = (bob(), erin(), frank());
    let cases: Vec<(&str, &Party, Vec<&str>, &str, &str)> = vec![
        (
            "ossl-aes256",
            &bob,
            vec!["-aes256"],
            "aes-256-cbc",
            "rsa-pkcs1v15",
        ),
        (
            "ossl-aes128",
            &bob,
            vec!["-aes128"],
            "aes-128-cbc",
            "rsa-pkcs1v15",
        ),
        (
            "ossl-aes192",
            &bob,
            vec!["-aes192"],
            "aes-192-cbc",
            "rsa-pkcs1v15",
        ),
        (
            "ossl-gcm256",
            &bob,
            vec!["-aes-256-gcm"],
            "aes-256-gcm",
            "rsa-pkcs1v15",
        ),
        (
            "ossl-gcm128",
            &bob,
            vec!["-aes-128-gcm"],
            "aes-128-gcm",
            "rsa-pkcs1v15",
        ),
        (
            "ossl-des3",
            &bob,
            vec!["-des3"],
            "des-ede3-cbc",
            "rsa-pkcs1v15",
        ),
        (
            "ossl-oaep",
            &bob,
            vec!["-aes256", "-keyopt", "rsa_padding_mode:oaep"],
            "aes-256-cbc",
            "rsa-oaep-sha1",
        ),
        (
            "ossl-oaep256",
            &bob,
            vec![
                "-aes256",
                "-keyopt",
                "rsa_padding_mode:oaep",
                "-keyopt",
                "rsa_oaep_md:sha256",
                "-keyopt",
                "rsa_mgf1_md:sha256",
            ],
            "aes-256-cbc",
            "rsa-oaep-sha256",
        ),
        (
            "ossl-oaep512-mgf1",
            &bob,
            vec![
                "-aes256",
                "-keyopt",
                "rsa_padding_mode:oaep",
                "-keyopt",
                "rsa_oaep_md:sha512",
                "-keyopt",
                "rsa_mgf1_md:sha1",
            ],
            "aes-256-cbc",
            "rsa-oaep-sha512-mgf1-sha1",
        ),
        (
            "ossl-stream",
            &bob,
            vec!["-aes256", "-stream"],
            "aes-256-cbc",
            "rsa-pkcs1v15",
        ),
        (
            "ossl-stream-gcm",
            &bob,
            vec!["-aes-256-gcm", "-stream"],
            "aes-256-gcm",
            "rsa-pkcs1v15",
        ),
        (
            "ossl-ec-sha1",
            &erin,
            vec!["-aes256"],
            "aes-256-cbc",
            "ecdh-p256-sha1kdf-aes256wrap",
        ),
        (
            "ossl-ec-sha224",
            &erin,
            vec!["-aes128", "-keyopt", "ecdh_kdf_md:sha224"],
            "aes-128-cbc",
            "ecdh-p256-sha224kdf-aes128wrap",
        ),
        (
            "ossl-ec-sha256",
            &erin,
            vec!["-aes128", "-keyopt", "ecdh_kdf_md:sha256"],
            "aes-128-cbc",
            "ecdh-p256-sha256kdf-aes128wrap",
        ),
        (
            "ossl-ec-sha384",
            &frank,
            vec!["-aes256", "-keyopt", "ecdh_kdf_md:sha384"],
            "aes-256-cbc",
            "ecdh-p384-sha384kdf-aes256wrap",
        ),
        (
            "ossl-ec-sha512",
            &frank,
            vec!["-aes-256-gcm", "-keyopt", "ecdh_kdf_md:sha512"],
            "aes-256-gcm",
            "ecdh-p384-sha512kdf-aes256wrap",
        ),
        (
            "ossl-ec-stream",
            &erin,
            vec!["-aes256", "-stream", "-keyopt", "ecdh_kdf_md:sha256"],
            "aes-256-cbc",
            "ecdh-p256-sha256kdf-aes256wrap",
        ),
        (
            "ossl-ski",
            &bob,
            vec!["-aes256", "-keyid"],
            "aes-256-cbc",
            "rsa-pkcs1v15",
        ),
    ];
    let content: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    for (name, who, args, cipher, km) in cases {
        let cms = openssl_encrypt(name, &content, &who.cert_path, &args);
        if name.contains("stream") {
            assert_eq!(
                &cms[..2],
                &[0x30, 0x80],
                "{name}: BER with indefinite length"
            );
        }
        let d = open(&cms, who).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(d.content, content, "{name}");
        assert_eq!(
            (d.cipher.as_str(), d.key_management.as_str()),
            (cipher, km),
            "{name}"
        );
    }
}

/// The position of the last occurrence of `needle` in `hay`.
fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[test]
fn wrong_key_is_not_a_recipient() {
    let (bob, alice, erin, dana) = (bob(), alice(), erin(), dana());
    let cms = seal(
        CONTENT,
        &[&bob],
        KeyTransport::RsaPkcs1v15,
        ContentCipher::Aes256Cbc,
    );
    for who in [&alice, &erin, &dana] {
        assert_eq!(
            open(&cms, who).expect_err("not for them").code(),
            "NOT_A_RECIPIENT"
        );
    }
    // Bob's certificate with another RSA key: the identifier matches, the key does not; PKCS#1
    // v1.5 implicit rejection yields a random CEK, and the failure shows as DECRYPTION_FAILED.
    let e = block_on(decrypt(&P, &cms, &[(&alice.key, &bob.cert)])).expect_err("wrong key");
    assert_eq!(e.code(), "DECRYPTION_FAILED");
    let gcm = seal(
        CONTENT,
        &[&erin],
        KeyTransport::default(),
        ContentCipher::Aes128Gcm,
    );
    let frank = frank();
    // A P-384 key cannot take part in a P-256 agreement: opaque failure too.
    let e = block_on(decrypt(&P, &gcm, &[(&frank.key, &erin.cert)])).expect_err("wrong curve");
    assert_eq!(e.code(), "DECRYPTION_FAILED");
    assert_eq!(
        block_on(decrypt(&P, &gcm, &[]))
            .expect_err("no keys")
            .code(),
        "NOT_A_RECIPIENT"
    );
}

/// RustCrypto, counting the content decryptions it is asked for.
struct CountingProvider(std::cell::Cell<usize>);

impl smime_wasm::Provider for CountingProvider {
    fn name(&self) -> &'static str {
        "counting"
    }
    async fn digest(
        &self,
        algorithm: smime_wasm::DigestAlgorithm,
        data: &[u8],
    ) -> smime_wasm::Result<Vec<u8>> {
        smime_wasm::Provider::digest(&P, algorithm, data).await
    }
    async fn sign(
        &self,
        key: &PrivateKey,
        scheme: smime_wasm::SignatureScheme,
        message: &[u8],
    ) -> smime_wasm::Result<Vec<u8>> {
        smime_wasm::Provider::sign(&P, key, scheme, message).await
    }
    async fn decrypt_content(
        &self,
        cipher: ContentCipher,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
    ) -> smime_wasm::Result<Vec<u8>> {
        self.0.set(self.0.get() + 1);
        smime_wasm::Provider::decrypt_content(&P, cipher, key, iv, aad, ciphertext).await
    }
}

/// A key that does not unwrap (wrong RSA key, changed encrypted key, failed key-wrap check) is
/// replaced by a random one and the content is still decrypted, then refused: the failure takes
/// the same path as a good key, so its timing is no padding oracle (RFC 3218 §2.3).
#[test]
fn a_key_that_does_not_unwrap_costs_a_content_decryption_too() {
    let (bob, alice, erin) = (bob(), alice(), erin());
    let counting = || CountingProvider(std::cell::Cell::new(0));
    for cipher in [ContentCipher::Aes256Cbc, ContentCipher::Aes256Gcm] {
        let cms = seal(CONTENT, &[&bob], KeyTransport::RsaPkcs1v15, cipher);
        let p = counting();
        let good = block_on(decrypt(&p, &cms, &[(&bob.key, &bob.cert)])).expect("good key");
        assert_eq!((good.content.as_slice(), p.0.get()), (CONTENT, 1));

        let p = counting();
        let e = block_on(decrypt(&p, &cms, &[(&alice.key, &bob.cert)])).expect_err("wrong key");
        assert_eq!(
            (e.code(), p.0.get()),
            ("DECRYPTION_FAILED", 1),
            "{cipher:?}"
        );

        // One octet inside Bob's encrypted key (RSA-2048: an OCTET STRING of 256 octets).
        let mut changed = cms.clone();
        changed[first_after(&cms, &[0x04, 0x82, 0x01, 0x00]) + 5] ^= 0x01;
        let p = counting();
        let e = block_on(decrypt(&p, &changed, &[(&bob.key, &bob.cert)])).expect_err("changed key");
        assert_eq!(
            (e.code(), p.0.get()),
            ("DECRYPTION_FAILED", 1),
            "{cipher:?}"
        );
    }
    // ECDH: a changed wrapped key fails the AES key-wrap check, and costs a decryption as well.
    let cms = seal(
        CONTENT,
        &[&erin],
        KeyTransport::default(),
        ContentCipher::Aes256Gcm,
    );
    let p = counting();
    let good = block_on(decrypt(&p, &cms, &[(&erin.key, &erin.cert)])).expect("good key");
    assert_eq!((good.content.as_slice(), p.0.get()), (CONTENT, 1));
    // The 32-octet CEK wrapped with AES key wrap: an OCTET STRING of 40 octets.
    let mut changed = cms.clone();
    changed[first_after(&cms, &[0x04, 0x28]) + 5] ^= 0x01;
    let p = counting();
    let e = block_on(decrypt(&p, &changed, &[(&erin.key, &erin.cert)])).expect_err("changed key");
    assert_eq!((e.code(), p.0.get()), ("DECRYPTION_FAILED", 1));
}

/// The position just after the first occurrence of `needle` in `hay`.
fn first_after(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("present")
        + needle.len()
}

#[test]
fn tampering_is_decryption_failed() {
    let (bob, erin) = (bob(), erin());
    for cipher in [
        ContentCipher::Aes256Cbc,
        ContentCipher::Aes256Gcm,
        ContentCipher::ChaCha20Poly1305,
    ] {
        for (who, transport) in [
            (&bob, KeyTransport::RsaPkcs1v15),
            (&bob, KeyTransport::RsaOaep),
            (&erin, KeyTransport::default()),
        ] {
            // 64 KiB of content: the last bytes of the message are ciphertext (CBC) or the tag.
            let content = vec![0x5au8; 65536];
            let cms = seal(&content, &[who], transport, cipher);
            let n = cms.len();
            let mut cases = Vec::new();
            if cipher.is_authenticated() {
                // Any change of ciphertext or tag fails the tag.
                cases.extend([
                    ("last byte", n - 1),
                    ("first tag byte", n - 16),
                    ("ciphertext", n - 200),
                ]);
            } else {
                // CBC has no integrity: flipping the last byte of the next-to-last block flips
                // the last padding byte (0x10 -> 0x11), which is always invalid.
                cases.push(("padding", n - 17));
            }
            // The encrypted key: 256 octets of RSA, or the 40-octet AES-wrapped 32-byte CEK.
            let key_header: &[u8] = if who.cert.key_algorithm().starts_with("RSA") {
                &[0x04, 0x82, 0x01, 0x00]
            } else {
                &[0x04, 0x28]
            };
            let at =
                rfind(&cms[..n - 65536], key_header).expect("encrypted key") + key_header.len();
            cases.push(("encrypted key", at + 5));
            for (what, i) in cases {
                let mut bad = cms.clone();
                bad[i] ^= 0x01;
                let e = open(&bad, who).expect_err(what);
                assert_eq!(
                    e.code(),
                    "DECRYPTION_FAILED",
                    "{cipher:?} {transport:?} {what}: {e}"
                );
            }
        }
    }
}

/// Allowed outcomes of decrypting a corrupted message.
const DECRYPT_CODES: [&str; 5] = [
    "MALFORMED_CMS",
    "NOT_A_RECIPIENT",
    "DECRYPTION_FAILED",
    "UNSUPPORTED_ALGORITHM",
    "INPUT_TOO_LARGE",
];

/// Every truncation and every one-byte change of a message gives a documented code (or, for
/// unauthenticated CBC, possibly some plaintext), never a panic; AEAD never releases changed
/// plaintext.
#[test]
fn mutated_and_truncated_inputs_never_panic() {
    let (bob, erin, dana) = (bob(), erin(), dana());
    let content = b"short secret content".to_vec();
    for (who, cipher) in [
        (&bob, ContentCipher::Aes128Cbc),
        (&erin, ContentCipher::Aes128Gcm),
        (&dana, ContentCipher::ChaCha20Poly1305),
    ] {
        let cms = seal(&content, &[who], KeyTransport::RsaOaep, cipher);
        for len in 0..cms.len() {
            let e = open(&cms[..len], who).expect_err("truncated");
            assert_eq!(e.code(), "MALFORMED_CMS", "truncated to {len}: {e}");
            assert!(inspect(&cms[..len]).is_err());
        }
        for i in 0..cms.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut bad = cms.clone();
                bad[i] ^= flip;
                let _ = inspect(&bad);
                match open(&bad, who) {
                    Ok(d) => assert!(
                        !cipher.is_authenticated() || d.content == content,
                        "{cipher:?}: byte {i} ^ {flip:#x} released changed plaintext"
                    ),
                    Err(e) => assert!(
                        DECRYPT_CODES.contains(&e.code()),
                        "byte {i} ^ {flip:#x}: {e} ({})",
                        e.code()
                    ),
                }
            }
        }
    }
    for garbage in [
        &b""[..],
        b"\x30\x80\x00\x00",
        b"\x30\x03\x06\x01\x00",
        &[0xffu8; 64][..],
    ] {
        let e = open(garbage, &bob).expect_err("garbage");
        assert_eq!(e.code(), "MALFORMED_CMS");
    }
    // A SignedData is not encrypted.
    let signed = eml_cms("generated/signed-opaque-rsa-sha256.eml");
    assert_eq!(
        open(&signed, &bob).expect_err("signed").code(),
        "MALFORMED_CMS"
    );
}

/// X25519 private keys load, pair with their certificate and refuse to sign.
#[test]
fn x25519_identity() {
    let id = smime_wasm::Identity::from_pem(
        &common::data("rfc9216/dana.encrypt.key"),
        &common::data("rfc9216/dana.encrypt.crt"),
        None,
    )
    .expect("dana's X25519 identity");
    assert_eq!(id.private_key().key_type(), smime_wasm::KeyType::X25519);
    assert_eq!(id.private_key().key_type().to_string(), "X25519");
    assert_eq!(id.key_algorithm(), "X25519");
    assert!(id.private_key().matches(&dana().cert));
    assert!(!id.private_key().matches(&carlos().cert));
    let e = smime_wasm::sign(
        b"From: dana@smime.example\r\nSubject: x\r\n\r\nhi\r\n",
        &id,
        &smime_wasm::SignOptions::default(),
    )
    .expect_err("X25519 cannot sign");
    assert!(
        ["UNSUPPORTED_ALGORITHM", "KEY_USAGE"].contains(&e.code()),
        "{e}"
    );
    // Its public key is the certificate's.
    let spki = id.private_key().public_key_der().expect("spki");
    assert_eq!(spki, der_of(&dana().cert));
}

/// The DER subjectPublicKeyInfo of a certificate (via openssl, independent of this crate).
fn der_of(cert: &Certificate) -> Vec<u8> {
    let pem = scratch_file("spki-cert.pem", cert.to_pem().as_bytes());
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-pubkey", "-in"])
        .arg(&pem)
        .output()
        .expect("openssl");
    pem_cms_text(&String::from_utf8_lossy(&out.stdout))
}

fn pem_cms_text(text: &str) -> Vec<u8> {
    let b64: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    common::mime::decode_base64(b64.as_bytes())
}
