//! Signature verification (`smime_wasm::verify`): every signed vector in tests/data gives the
//! verdict its README states, messages OpenSSL makes during the test and everything our own
//! `sign` writes verify with the right algorithm names, tampered copies fail with the right
//! problem code, the content returned is exactly the signed part, and no truncation or
//! one-byte change of a message panics or yields a valid signature over other content.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::process::Command;

use common::mime::{crlf_to_lf, parse_entity, tamper_signed_body};
use common::peers::scratch_file;
use common::{data, data_path};
use smime_wasm::{
    Certificate, DigestAlgorithm, Error, Identity, RsaPadding, SIGNER_PROBLEMS, SignOptions,
    SignedLayer, VerifyOptions, sign, verify_multipart_signed, verify_multipart_signed_with,
    verify_pkcs7_mime, verify_signed_data, verify_signed_data_with,
};

// ------------------------------------------------------------------ helpers

/// Verifies a message in either S/MIME signed form.
fn verify_message(msg: &[u8]) -> Result<SignedLayer, Error> {
    let top = parse_entity(msg);
    match top.mime_type().as_str() {
        "multipart/signed" => verify_multipart_signed(msg),
        _ => verify_pkcs7_mime(msg),
    }
}

fn one_signer(layer: &SignedLayer) -> &smime_wasm::SignerReport {
    assert_eq!(layer.signers.len(), 1, "{layer:#?}");
    &layer.signers[0]
}

/// Asserts one signer, its algorithm names, validity and exact problem list.
#[track_caller]
fn assert_signer(
    what: &str,
    layer: &SignedLayer,
    valid: bool,
    algorithm: &str,
    digest: &str,
    problems: &[&str],
) {
    let s = one_signer(layer);
    assert_eq!(
        (
            s.signature_valid,
            s.signature_algorithm.as_str(),
            s.digest,
            s.problems.as_slice()
        ),
        (valid, algorithm, digest, problems),
        "{what}: {s:#?}"
    );
    for p in &s.problems {
        assert!(
            SIGNER_PROBLEMS.iter().any(|(c, _)| c == p),
            "{what}: undocumented problem {p}"
        );
    }
}

/// The first part of a multipart/signed, exactly.
fn first_part(msg: &[u8]) -> Vec<u8> {
    let top = parse_entity(msg);
    top.parts()[0].to_vec()
}

fn plain() -> Vec<u8> {
    data("generated/plain.txt")
}

fn cert(path: &str) -> Certificate {
    Certificate::from_bytes(&data(path)).expect(path)
}

// ------------------------------------------------------------------ the vectors

/// (file, valid, algorithm, digest, problems, expected content file, LF converted)
type Vector = (
    &'static str,
    bool,
    &'static str,
    &'static str,
    &'static [&'static str],
    Option<&'static str>,
    bool,
);

const WEAK_DSA: &[&str] = &["WEAK_DIGEST", "WEAK_SIGNATURE"];

const VECTORS: &[Vector] = &[
    (
        "generated/signed-detached-rsa-sha256.eml",
        true,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &[],
        Some("generated/plain.txt"),
        false,
    ),
    (
        "generated/signed-opaque-rsa-sha256.eml",
        true,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &[],
        Some("generated/plain.txt"),
        false,
    ),
    (
        "generated/signed-detached-pss-maxsalt.eml",
        true,
        "rsa-pss-sha256",
        "sha256",
        &[],
        Some("generated/plain.txt"),
        false,
    ),
    (
        "generated/signed-detached-ecdsa-p256.eml",
        true,
        "ecdsa-p256-sha256",
        "sha256",
        &[],
        Some("generated/plain.txt"),
        false,
    ),
    (
        "generated/signed-detached-ed25519-pyca.eml",
        true,
        "ed25519",
        "sha512",
        &[],
        Some("generated/plain.txt"),
        false,
    ),
    (
        "generated/signed-detached-ed25519-bc.eml",
        true,
        "ed25519",
        "sha512",
        &[],
        Some("generated/plain.txt"),
        false,
    ),
    // Ed448 (and its SHAKE256 digest) is not supported: reported, not thrown.
    (
        "generated/signed-opaque-ed448-bc.eml",
        false,
        "ed448",
        "unknown",
        &[
            "UNSUPPORTED_DIGEST_ALGORITHM",
            "UNSUPPORTED_SIGNATURE_ALGORITHM",
        ],
        Some("generated/plain.txt"),
        false,
    ),
    (
        "generated/signed-then-enveloped.eml.expected",
        true,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &[],
        None,
        false,
    ),
    (
        "thunderbird-nss/alice.dsig.SHA256.multipart.eml",
        true,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &[],
        None,
        false,
    ),
    (
        "thunderbird-nss/alice.dsig.SHA1.multipart.eml",
        true,
        "rsa-pkcs1v15-sha1",
        "sha1",
        &["WEAK_DIGEST"],
        None,
        false,
    ),
    (
        "thunderbird-nss/alice.sig.SHA256.opaque.eml",
        true,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &[],
        None,
        false,
    ),
    (
        "thunderbird-nss/alice.html.sig.SHA256.opaque.eml",
        true,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &[],
        None,
        false,
    ),
    (
        "thunderbird-nss/alice.dsig.SHA256.multipart.bad.eml",
        false,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &["MESSAGE_DIGEST_MISMATCH"],
        None,
        false,
    ),
    // NSS signed the raw CMS bytes, not the MIME part that carries them (see the README).
    (
        "thunderbird-nss/alice.env.dsig.SHA256.multipart.eml",
        false,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &["MESSAGE_DIGEST_MISMATCH"],
        None,
        false,
    ),
    // Inner layers of the sign-then-encrypt vectors (their decryptions).
    (
        "thunderbird-nss/alice.dsig.SHA256.multipart.env.eml.expected",
        true,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &[],
        None,
        true,
    ),
    (
        "thunderbird-nss/alice.sig.SHA256.opaque.env.eml.expected",
        true,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &[],
        None,
        false,
    ),
    (
        "clients/simple-java-mail/tb52-signed-encrypted.eml.expected",
        true,
        "rsa-pkcs1v15-sha512",
        "sha512",
        &[],
        None,
        false,
    ),
    // RFC 4134 4.8 is stored with LF line ends: it verifies in CRLF form.
    (
        "rfc4134/4.8.eml",
        true,
        "dsa-sha1",
        "sha1",
        WEAK_DSA,
        None,
        true,
    ),
    (
        "pkits/SignedValidDSASignaturesTest4.eml",
        true,
        "dsa-sha1",
        "sha1",
        WEAK_DSA,
        None,
        false,
    ),
    // The EE key inherits its DSA parameters from two levels up (RFC 3279 §2.3.2).
    (
        "pkits/SignedValidDSAParameterInheritanceTest5.eml",
        true,
        "dsa-sha1",
        "sha1",
        WEAK_DSA,
        None,
        false,
    ),
];

#[test]
fn vectors_give_the_documented_verdicts() {
    for &(file, valid, alg, digest, problems, content, converted) in VECTORS {
        let msg = data(file);
        let layer = verify_message(&msg).unwrap_or_else(|e| panic!("{file}: {e:?}"));
        assert_signer(file, &layer, valid, alg, digest, problems);
        assert_eq!(layer.line_ends_converted, converted, "{file}");
        assert!(!layer.certificates.is_empty(), "{file}");
        let s = one_signer(&layer);
        assert!(s.certificate.is_some(), "{file}");
        if let Some(c) = content {
            assert_eq!(layer.content, data(c), "{file}: content");
        }
        if parse_entity(&msg).mime_type() == "multipart/signed" && !converted {
            assert!(layer.detached, "{file}");
            assert_eq!(
                layer.content,
                first_part(&msg),
                "{file}: the first part exactly"
            );
        }
    }
}

#[test]
fn signer_details_from_vectors() {
    // OpenSSL's default attributes: signingTime, SMIMECapabilities; the e-mail of the certificate.
    let layer = verify_message(&data("generated/signed-detached-rsa-sha256.eml")).expect("ok");
    let s = one_signer(&layer);
    assert_eq!(s.email.as_deref(), Some("alice@smime.example"));
    assert_eq!(s.signing_time, Some(1_796_312_555));
    assert_eq!(s.capabilities.len(), 8, "{:?}", s.capabilities);
    assert!(
        s.capabilities.iter().any(|c| c == "aes256-CBC"),
        "{:?}",
        s.capabilities
    );
    assert_eq!(
        s.certificate.as_ref().map(Certificate::to_der),
        Some(cert("rfc9216/alice.sign.crt").to_der())
    );
    // NSS writes SMIMEEncryptionKeyPreference; here it names Alice's own certificate.
    let layer =
        verify_message(&data("thunderbird-nss/alice.dsig.SHA256.multipart.eml")).expect("ok");
    let s = one_signer(&layer);
    let pref = s
        .encryption_key_preference
        .as_ref()
        .expect("NSS sends encrypKeyPref");
    assert!(
        pref.issuer.is_some() && pref.serial_hex.is_some(),
        "{pref:?}"
    );
    assert_eq!(pref.certificate.as_ref(), s.certificate.as_ref());
}

#[test]
fn pkits_message_signatures_are_valid_even_where_the_chain_is_not() {
    let mut n = 0;
    for entry in std::fs::read_dir(data_path("pkits")).expect("pkits") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        if !name.ends_with(".eml") || name.contains("DSA") {
            continue;
        }
        let layer = verify_message(&std::fs::read(&path).expect("read")).expect(&name);
        assert_signer(&name, &layer, true, "rsa-pkcs1v15-sha256", "sha256", &[]);
        n += 1;
    }
    assert_eq!(n, 60, "PKITS RSA messages");
}

#[test]
fn rfc4134_signed_data() {
    let content = data("rfc4134/ExContent.bin");
    for (file, alg, problems) in [
        ("rfc4134/4.1.bin", "dsa-sha1", WEAK_DSA),
        // Alice's RSA key is 1024 bits.
        ("rfc4134/4.2.bin", "rsa-pkcs1v15-sha1", WEAK_DSA),
    ] {
        let layer = verify_signed_data(&data(file), None).expect(file);
        assert_signer(file, &layer, true, alg, "sha1", problems);
        assert_eq!(layer.content, content, "{file}");
        assert!(!layer.detached);
        assert_eq!(layer.content_type.to_string(), "1.2.840.113549.1.7.1");
    }
    let detached = data("rfc4134/4.3.bin");
    let layer = verify_signed_data(&detached, Some(&content)).expect("4.3");
    assert_signer("4.3", &layer, true, "dsa-sha1", "sha1", WEAK_DSA);
    assert!(layer.detached);
    // Other content: the signature does not cover it.
    let layer = verify_signed_data(&detached, Some(b"This is some sample content!")).expect("4.3");
    assert!(!layer.signers[0].signature_valid);
    assert!(
        layer.signers[0]
            .problems
            .contains(&"MESSAGE_DIGEST_MISMATCH")
            || layer.signers[0].problems.contains(&"SIGNATURE_INVALID"),
        "{:?}",
        layer.signers[0]
    );
    // No content at all.
    assert!(matches!(
        verify_signed_data(&detached, None),
        Err(Error::MalformedCms(_))
    ));
    // An encapsulated content and a different detached content: refused.
    assert!(matches!(
        verify_signed_data(&data("rfc4134/4.1.bin"), Some(b"other")),
        Err(Error::ContentMismatch(_))
    ));
}

#[test]
fn certs_only_pem_has_no_signers() {
    let layer = verify_signed_data(&data("pyca/amazon-roots.p7b"), None).expect("p7b");
    assert_eq!(layer.signers.len(), 0);
    assert_eq!(layer.certificates.len(), 2);
    assert!(!layer.all_signatures_valid());
}

#[test]
fn not_signed_data_is_refused() {
    // EnvelopedData, as CMS and as MIME.
    let env = data("generated/enveloped-aes256cbc.eml");
    let body = parse_entity(&env).decoded_body();
    assert!(matches!(
        verify_signed_data(&body, None),
        Err(Error::MalformedCms(_))
    ));
    assert!(matches!(
        verify_pkcs7_mime(&env),
        Err(Error::MalformedMime(_))
    ));
    assert!(matches!(
        verify_multipart_signed(&env),
        Err(Error::MalformedMime(_))
    ));
    assert!(matches!(
        verify_multipart_signed(&data("generated/signed-opaque-rsa-sha256.eml")),
        Err(Error::MalformedMime(_))
    ));
    assert!(matches!(
        verify_signed_data(b"hello", None),
        Err(Error::MalformedCms(_))
    ));
}

/// Messages of the shared kit that are not copied here (Thunderbird 128 samples without a stated
/// licence, notmuch's GPL test data): read in place when `../shared` is present, never copied.
#[test]
fn shared_kit_messages_when_present() {
    for (file, alg) in [
        ("clients/hiraoka/tb128-signed.eml", "rsa-pkcs1v15-sha256"),
        // The decryption of tb128-signed-encrypted.eml: a multipart/signed inside.
        (
            "clients/hiraoka/tb128-signed-encrypted.eml.expected",
            "rsa-pkcs1v15-sha256",
        ),
        (
            "lamps-draft/smime-multipart-signed.eml",
            "rsa-pkcs1v15-sha256",
        ),
    ] {
        let p = common::repo_path(&format!("../shared/vectors/{file}"));
        let Ok(msg) = std::fs::read(&p) else {
            eprintln!("skipped: {} not present", p.display());
            continue;
        };
        let layer = verify_message(&msg).expect(file);
        let s = one_signer(&layer);
        assert!(s.signature_valid, "{file}: {s:#?}");
        assert_eq!(s.signature_algorithm, alg, "{file}");
        assert!(s.certificate.is_some() && s.email.is_some(), "{file}");
    }
}

// ------------------------------------------------------------------ OpenSSL during the test

struct Party {
    key: &'static str,
    cert: &'static str,
}
const ALICE: Party = Party {
    key: "rfc9216/alice.sign.key",
    cert: "rfc9216/alice.sign.crt",
};
const ERIN: Party = Party {
    key: "generated/erin.ec.key",
    cert: "generated/erin.ec.crt",
};
const FRANK: Party = Party {
    key: "generated/frank.p384.key",
    cert: "generated/frank.p384.sign.crt",
};
const IVAN: Party = Party {
    key: "generated/ivan.p521.key",
    cert: "generated/ivan.p521.crt",
};

/// `openssl cms -sign -binary` of `content` by `who` with extra arguments; returns stdout.
fn openssl_sign(name: &str, content: &[u8], who: &[&Party], args: &[&str]) -> Vec<u8> {
    let input = scratch_file(&format!("verify-{name}.in"), content);
    let mut cmd = Command::new("openssl");
    cmd.args(["cms", "-sign", "-binary", "-in"]).arg(&input);
    for p in who {
        cmd.arg("-signer")
            .arg(data_path(p.cert))
            .arg("-inkey")
            .arg(data_path(p.key));
    }
    let out = cmd.args(args).output().expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// (name, signer, extra arguments, algorithm, digest, problems)
type OpensslCase = (
    &'static str,
    &'static Party,
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static [&'static str],
);

#[test]
fn openssl_made_messages_verify() {
    let content = plain();
    // (name, signer, args, algorithm, digest, extra problems)
    let cases: &[OpensslCase] = &[
        ("sha256", &ALICE, &[], "rsa-pkcs1v15-sha256", "sha256", &[]),
        (
            "sha1",
            &ALICE,
            &["-md", "sha1"],
            "rsa-pkcs1v15-sha1",
            "sha1",
            &["WEAK_DIGEST"],
        ),
        (
            "sha224",
            &ALICE,
            &["-md", "sha224"],
            "rsa-pkcs1v15-sha224",
            "sha224",
            &[],
        ),
        (
            "sha384",
            &ALICE,
            &["-md", "sha384"],
            "rsa-pkcs1v15-sha384",
            "sha384",
            &[],
        ),
        (
            "sha512",
            &ALICE,
            &["-md", "sha512"],
            "rsa-pkcs1v15-sha512",
            "sha512",
            &[],
        ),
        (
            "pss",
            &ALICE,
            &["-keyopt", "rsa_padding_mode:pss"],
            "rsa-pss-sha256",
            "sha256",
            &[],
        ),
        (
            "pss-sha512-digestlen",
            &ALICE,
            &[
                "-md",
                "sha512",
                "-keyopt",
                "rsa_padding_mode:pss",
                "-keyopt",
                "rsa_pss_saltlen:digest",
            ],
            "rsa-pss-sha512",
            "sha512",
            &[],
        ),
        ("ecdsa-p256", &ERIN, &[], "ecdsa-p256-sha256", "sha256", &[]),
        (
            "ecdsa-p256-sha384",
            &ERIN,
            &["-md", "sha384"],
            "ecdsa-p256-sha384",
            "sha384",
            &[],
        ),
        (
            "ecdsa-p256-sha1",
            &ERIN,
            &["-md", "sha1"],
            "ecdsa-p256-sha1",
            "sha1",
            &["WEAK_DIGEST"],
        ),
        (
            "ecdsa-p384",
            &FRANK,
            &["-md", "sha384"],
            "ecdsa-p384-sha384",
            "sha384",
            &[],
        ),
        (
            "ecdsa-p384-sha512",
            &FRANK,
            &["-md", "sha512"],
            "ecdsa-p384-sha512",
            "sha512",
            &[],
        ),
        (
            "ecdsa-p521",
            &IVAN,
            &["-md", "sha512"],
            "ecdsa-p521-sha512",
            "sha512",
            &[],
        ),
        (
            "ecdsa-p521-sha256",
            &IVAN,
            &[],
            "ecdsa-p521-sha256",
            "sha256",
            &[],
        ),
        (
            "keyid",
            &ALICE,
            &["-keyid"],
            "rsa-pkcs1v15-sha256",
            "sha256",
            &[],
        ),
    ];
    for &(name, who, args, alg, digest, problems) in cases {
        // Detached DER.
        let mut a = vec!["-outform", "DER"];
        a.extend_from_slice(args);
        let der = openssl_sign(&format!("{name}-det"), &content, &[who], &a);
        let layer = verify_signed_data(&der, Some(&content)).expect(name);
        assert_signer(name, &layer, true, alg, digest, problems);
        assert!(layer.detached);
        assert_eq!(layer.content, content);
        assert_eq!(
            layer.signers[0]
                .certificate
                .as_ref()
                .map(Certificate::to_der),
            Some(cert(who.cert).to_der()),
            "{name}"
        );
        // Opaque, streamed (BER: indefinite lengths, chunked eContent). OpenSSL 3.0 cannot
        // stream RSA-PSS ("illegal zero content"): DER there.
        let pss = name.starts_with("pss");
        let mut a = if pss {
            vec!["-nodetach", "-outform", "DER"]
        } else {
            vec!["-nodetach", "-stream", "-outform", "DER"]
        };
        a.extend_from_slice(args);
        let ber = openssl_sign(&format!("{name}-ber"), &content, &[who], &a);
        assert_eq!(
            ber.get(1) == Some(&0x80),
            !pss,
            "{name}: openssl -stream writes BER"
        );
        assert_eq!(
            ber.windows(2).any(|w| w == [0x24, 0x80]),
            !pss,
            "{name}: a constructed (chunked) eContent"
        );
        let layer = verify_signed_data(&ber, None).expect(name);
        assert_signer(&format!("{name} BER"), &layer, true, alg, digest, problems);
        assert!(!layer.detached);
        assert_eq!(layer.content, content, "{name}: de-chunked eContent");
    }
}

#[test]
fn openssl_mime_forms_verify() {
    let content = plain();
    // multipart/signed, streamed and not.
    for args in [
        &["-outform", "SMIME"][..],
        &["-stream", "-outform", "SMIME"],
    ] {
        let msg = openssl_sign("smime-det", &content, &[&ALICE], args);
        let layer = verify_multipart_signed(&msg).expect("multipart/signed");
        assert_signer("smime", &layer, true, "rsa-pkcs1v15-sha256", "sha256", &[]);
        assert_eq!(layer.content, content);
        assert_eq!(layer.micalg.as_deref(), Some("sha-256"));
    }
    // application/pkcs7-mime signed-data (x-pkcs7-mime with OpenSSL), streamed and not.
    for args in [
        &["-nodetach", "-outform", "SMIME"][..],
        &["-nodetach", "-stream", "-outform", "SMIME"],
    ] {
        let msg = openssl_sign("smime-opaque", &content, &[&ALICE], args);
        let layer = verify_pkcs7_mime(&msg).expect("pkcs7-mime");
        assert_signer(
            "pkcs7-mime",
            &layer,
            true,
            "rsa-pkcs1v15-sha256",
            "sha256",
            &[],
        );
        assert_eq!(layer.content, content);
    }
    // PEM.
    let pem = openssl_sign(
        "pem",
        &content,
        &[&ALICE],
        &["-nodetach", "-outform", "PEM"],
    );
    assert!(pem.starts_with(b"-----BEGIN CMS-----"));
    let layer = verify_signed_data(&pem, None).expect("PEM");
    assert_signer("PEM", &layer, true, "rsa-pkcs1v15-sha256", "sha256", &[]);
}

#[test]
fn openssl_attribute_options() {
    let content = plain();
    // -nosmimecap: no capabilities, still signingTime.
    let der = openssl_sign(
        "nosmimecap",
        &content,
        &[&ALICE],
        &["-nosmimecap", "-outform", "DER"],
    );
    let layer = verify_signed_data(&der, Some(&content)).expect("nosmimecap");
    assert_signer(
        "nosmimecap",
        &layer,
        true,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &[],
    );
    assert!(layer.signers[0].capabilities.is_empty());
    assert!(layer.signers[0].signing_time.is_some());
    // -noattr: the signature is over the content itself.
    for (name, who, alg) in [
        ("noattr", &ALICE, "rsa-pkcs1v15-sha256"),
        ("noattr-ec", &ERIN, "ecdsa-p256-sha256"),
    ] {
        let der = openssl_sign(name, &content, &[who], &["-noattr", "-outform", "DER"]);
        let layer = verify_signed_data(&der, Some(&content)).expect(name);
        assert_signer(name, &layer, true, alg, "sha256", &[]);
        assert_eq!(layer.signers[0].signing_time, None);
        assert!(layer.signers[0].capabilities.is_empty());
        let mut other = content.clone();
        other[0] ^= 0x20;
        let layer = verify_signed_data(&der, Some(&other)).expect(name);
        assert_signer(name, &layer, false, alg, "sha256", &["SIGNATURE_INVALID"]);
    }
    // Two signers.
    let der = openssl_sign("two", &content, &[&ALICE, &ERIN], &["-outform", "DER"]);
    let layer = verify_signed_data(&der, Some(&content)).expect("two signers");
    let algs: Vec<_> = layer
        .signers
        .iter()
        .map(|s| s.signature_algorithm.as_str())
        .collect();
    assert_eq!(algs.len(), 2);
    assert!(
        algs.contains(&"rsa-pkcs1v15-sha256") && algs.contains(&"ecdsa-p256-sha256"),
        "{algs:?}"
    );
    assert!(layer.all_signatures_valid());
    // Another eContentType: the contentType attribute follows it.
    let der = openssl_sign(
        "econtent",
        &content,
        &[&ALICE],
        &["-nodetach", "-econtent_type", "1.2.3.4", "-outform", "DER"],
    );
    let layer = verify_signed_data(&der, None).expect("econtent_type");
    assert_signer(
        "econtent_type",
        &layer,
        true,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &[],
    );
    assert_eq!(layer.content_type.to_string(), "1.2.3.4");
}

#[test]
fn missing_signer_certificate_and_extra_certificates() {
    let content = plain();
    let der = openssl_sign(
        "nocerts",
        &content,
        &[&ALICE],
        &["-nocerts", "-outform", "DER"],
    );
    let layer = verify_signed_data(&der, Some(&content)).expect("nocerts");
    assert!(layer.certificates.is_empty());
    assert_signer(
        "nocerts",
        &layer,
        false,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &["SIGNER_CERTIFICATE_MISSING"],
    );
    let extra = [cert("rfc9216/bob.sign.crt"), cert("rfc9216/alice.sign.crt")];
    let opts = VerifyOptions {
        extra_certificates: &extra,
    };
    let layer = verify_signed_data_with(&der, Some(&content), &opts).expect("nocerts");
    assert_signer("extra", &layer, true, "rsa-pkcs1v15-sha256", "sha256", &[]);
    assert_eq!(layer.signers[0].certificate.as_ref(), Some(&extra[1]));
    assert!(
        layer.certificates.is_empty(),
        "extra certificates are not the message's"
    );
    // The wrong certificate under the right name: a key of another kind.
    let der = openssl_sign(
        "nocerts-keyid",
        &content,
        &[&ALICE],
        &["-nocerts", "-keyid", "-outform", "DER"],
    );
    let layer = verify_signed_data_with(&der, Some(&content), &opts).expect("keyid");
    assert_signer(
        "keyid extra",
        &layer,
        true,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &[],
    );
}

#[test]
fn a_lookalike_certificate_does_not_take_the_signers_place() {
    // A certificate for another key (Erin's P-256) carrying Alice's subjectKeyIdentifier, placed
    // before Alice's own: the signer is the certificate whose key verifies.
    let ski = run(
        Command::new("openssl")
            .args(["x509", "-noout", "-ext", "subjectKeyIdentifier", "-in"])
            .arg(data_path("rfc9216/alice.sign.crt")),
        "ski",
    );
    let ski = String::from_utf8_lossy(&ski)
        .lines()
        .last()
        .expect("ski line")
        .trim()
        .to_string();
    let fake = run(
        Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-new",
                "-days",
                "1",
                "-subj",
                "/CN=Alice Lookalike",
            ])
            .args(["-addext", &format!("subjectKeyIdentifier={ski}"), "-key"])
            .arg(data_path("generated/erin.ec.key")),
        "fake certificate",
    );
    let fake = Certificate::from_bytes(&fake).expect("fake");
    let alice = cert("rfc9216/alice.sign.crt");
    let content = plain();
    let der = openssl_sign(
        "lookalike",
        &content,
        &[&ALICE],
        &["-nocerts", "-keyid", "-outform", "DER"],
    );
    let both = [fake.clone(), alice.clone()];
    let layer = verify_signed_data_with(
        &der,
        Some(&content),
        &VerifyOptions {
            extra_certificates: &both,
        },
    )
    .expect("ok");
    assert_signer(
        "lookalike first",
        &layer,
        true,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &[],
    );
    assert_eq!(layer.signers[0].certificate.as_ref(), Some(&alice));
    let only_fake = [fake.clone()];
    let layer = verify_signed_data_with(
        &der,
        Some(&content),
        &VerifyOptions {
            extra_certificates: &only_fake,
        },
    )
    .expect("ok");
    assert_signer(
        "lookalike only",
        &layer,
        false,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &["KEY_ALGORITHM_MISMATCH"],
    );
    assert_eq!(layer.signers[0].certificate.as_ref(), Some(&fake));
}

#[test]
fn openssl_mimekit_users() {
    // OpenSSL's test-suite S/MIME users as MimeKit ships them (key and certificate in one PEM).
    let content = plain();
    let input = scratch_file("verify-mimekit.in", &content);
    for (file, md, alg, problems) in [
        ("smdsa1", "sha256", "dsa-sha256", &["WEAK_SIGNATURE"][..]),
        (
            "smdsa1",
            "sha1",
            "dsa-sha1",
            &["WEAK_DIGEST", "WEAK_SIGNATURE"],
        ),
        ("smrsa1", "sha256", "rsa-pkcs1v15-sha256", &[]),
        ("smec1", "sha256", "ecdsa-p256-sha256", &[]),
    ] {
        let pem = data_path(&format!("clients/mimekit/{file}.pem"));
        let der = run(
            Command::new("openssl")
                .args([
                    "cms", "-sign", "-binary", "-md", md, "-outform", "DER", "-in",
                ])
                .arg(&input)
                .arg("-signer")
                .arg(&pem),
            file,
        );
        let layer = verify_signed_data(&der, Some(&content)).expect(file);
        assert_signer(file, &layer, true, alg, md, problems);
        let mut other = content.clone();
        other[0] ^= 0x20;
        let layer = verify_signed_data(&der, Some(&other)).expect(file);
        assert!(!layer.signers[0].signature_valid, "{file}");
    }
}

// ------------------------------------------------------------------ our own signatures

fn identity(key: &str, certs: &[&str]) -> Identity {
    let c: Vec<u8> = certs.iter().flat_map(|c| data(c)).collect();
    Identity::from_pem(&data(key), &c, None).expect(key)
}

const MESSAGE: &[u8] = b"From: Alice <alice@smime.example>\r\nTo: bob@smime.example\r\nSubject: verify\r\n\r\nHello Bob,\r\nthis is signed.\r\n";

#[test]
fn our_signatures_verify_with_the_right_names() {
    let t = 1_800_000_000u64;
    let alice = identity("rfc9216/alice.sign.key", &["rfc9216/alice.sign.crt"]);
    let erin = identity("generated/erin.ec.key", &["generated/erin.ec.crt"]);
    let frank = identity(
        "generated/frank.p384.key",
        &["generated/frank.p384.sign.crt"],
    );
    let carlos = identity("rfc9216/carlos.sign.key", &["rfc9216/carlos.sign.crt"]);
    use DigestAlgorithm::{Sha256, Sha384, Sha512};
    let cases: &[(&Identity, RsaPadding, DigestAlgorithm, &str, &str)] = &[
        (
            &alice,
            RsaPadding::Pkcs1v15,
            Sha256,
            "rsa-pkcs1v15-sha256",
            "sha256",
        ),
        (
            &alice,
            RsaPadding::Pkcs1v15,
            Sha384,
            "rsa-pkcs1v15-sha384",
            "sha384",
        ),
        (
            &alice,
            RsaPadding::Pkcs1v15,
            Sha512,
            "rsa-pkcs1v15-sha512",
            "sha512",
        ),
        (&alice, RsaPadding::Pss, Sha256, "rsa-pss-sha256", "sha256"),
        (&alice, RsaPadding::Pss, Sha384, "rsa-pss-sha384", "sha384"),
        (&alice, RsaPadding::Pss, Sha512, "rsa-pss-sha512", "sha512"),
        (
            &erin,
            RsaPadding::Pkcs1v15,
            Sha256,
            "ecdsa-p256-sha256",
            "sha256",
        ),
        (
            &erin,
            RsaPadding::Pkcs1v15,
            Sha512,
            "ecdsa-p256-sha512",
            "sha512",
        ),
        (
            &frank,
            RsaPadding::Pkcs1v15,
            Sha384,
            "ecdsa-p384-sha384",
            "sha384",
        ),
        (&carlos, RsaPadding::Pkcs1v15, Sha256, "ed25519", "sha512"),
    ];
    let advertised = [
        "aes256-GCM",
        "aes128-GCM",
        "aes256-CBC",
        "aes192-CBC",
        "aes128-CBC",
        "rsaes-OAEP",
    ];
    for &(id, rsa_padding, digest, alg, dname) in cases {
        for detached in [true, false] {
            let opts = SignOptions {
                detached,
                digest,
                rsa_padding,
                signing_time: Some(t),
                ..SignOptions::default()
            };
            let msg = sign(MESSAGE, id, &opts).expect(alg);
            let what = format!("{alg} detached={detached}");
            let layer = verify_message(&msg).expect(&what);
            assert_signer(&what, &layer, true, alg, dname, &[]);
            assert_eq!(layer.detached, detached, "{what}");
            let s = &layer.signers[0];
            assert_eq!(s.signing_time, Some(t as i64), "{what}");
            assert_eq!(s.capabilities, advertised, "{what}");
            assert_eq!(s.certificate.as_ref(), Some(id.certificate()), "{what}");
            assert_eq!(
                s.email,
                id.certificate().emails().into_iter().next(),
                "{what}"
            );
            assert!(s.encryption_key_preference.is_none(), "{what}");
            let text = String::from_utf8_lossy(&layer.content);
            assert!(
                text.contains("Hello Bob,\r\nthis is signed.\r\n"),
                "{what}: {text}"
            );
            if detached {
                assert_eq!(layer.content, first_part(&msg), "{what}");
                // Tampered body: the digest no longer matches.
                let bad = verify_multipart_signed(&tamper_signed_body(&msg)).expect(&what);
                assert_signer(&what, &bad, false, alg, dname, &["MESSAGE_DIGEST_MISMATCH"]);
            }
        }
    }
}

#[test]
fn encryption_key_preference_resolves_to_the_certificate() {
    let alice = identity(
        "rfc9216/alice.sign.key",
        &["rfc9216/alice.sign.crt", "rfc9216/alice.encrypt.crt"],
    );
    let opts = SignOptions {
        signing_time: Some(1_800_000_000),
        ..SignOptions::default()
    };
    let msg = sign(MESSAGE, &alice, &opts).expect("sign");
    let layer = verify_multipart_signed(&msg).expect("verify");
    let s = one_signer(&layer);
    assert!(s.signature_valid);
    let pref = s.encryption_key_preference.as_ref().expect("encrypKeyPref");
    assert_eq!(
        pref.certificate.as_ref(),
        Some(&cert("rfc9216/alice.encrypt.crt"))
    );
    assert!(pref.serial_hex.is_some());
    assert!(
        layer
            .certificates
            .contains(&cert("rfc9216/alice.encrypt.crt"))
    );
}

// ------------------------------------------------------------------ tampering

/// Finds `needle` in `hay` (the first occurrence).
fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| panic!("{needle:02x?} not found"))
}

#[test]
fn tampered_signature_and_attributes_fail() {
    let content = plain();
    let der = openssl_sign(
        "tamper",
        &content,
        &[&ALICE],
        &["-nodetach", "-outform", "DER"],
    );
    assert!(
        verify_signed_data(&der, None)
            .expect("ok")
            .all_signatures_valid()
    );

    // The last octet is the signature's (no unsigned attributes).
    let mut bad = der.clone();
    *bad.last_mut().expect("not empty") ^= 0x01;
    let layer = verify_signed_data(&bad, None).expect("parses");
    assert_signer(
        "signature",
        &layer,
        false,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &["SIGNATURE_INVALID"],
    );

    // A digit of signingTime (UTCTime after the attribute's OID).
    const SIGNING_TIME: &[u8] = &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05,
    ];
    let at = find(&der, SIGNING_TIME) + SIGNING_TIME.len() + 2 + 2 + 1; // SET, UTCTime headers, 2nd digit
    let mut bad = der.clone();
    bad[at] = if bad[at] == b'0' { b'1' } else { b'0' };
    let layer = verify_signed_data(&bad, None).expect("parses");
    assert_signer(
        "signingTime",
        &layer,
        false,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &["SIGNATURE_INVALID"],
    );

    // The messageDigest value.
    const MESSAGE_DIGEST: &[u8] = &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04,
    ];
    let at = find(&der, MESSAGE_DIGEST) + MESSAGE_DIGEST.len() + 2 + 2;
    let mut bad = der.clone();
    bad[at] ^= 0x01;
    let layer = verify_signed_data(&bad, None).expect("parses");
    assert_signer(
        "messageDigest",
        &layer,
        false,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &["MESSAGE_DIGEST_MISMATCH", "SIGNATURE_INVALID"],
    );

    // One octet of the eContent.
    let at = find(&der, &content[..20]);
    let mut bad = der.clone();
    bad[at] ^= 0x20;
    let layer = verify_signed_data(&bad, None).expect("parses");
    assert_signer(
        "eContent",
        &layer,
        false,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &["MESSAGE_DIGEST_MISMATCH"],
    );
    assert_ne!(layer.content, content);

    // eContentType changed (id-data -> 1.2.840.113549.1.7.5): the contentType attribute disagrees.
    const ID_DATA: &[u8] = &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
    ];
    let at = find(&der, ID_DATA) + ID_DATA.len() - 1;
    let mut bad = der.clone();
    bad[at] = 0x05;
    let layer = verify_signed_data(&bad, None).expect("parses");
    assert_signer(
        "eContentType",
        &layer,
        false,
        "rsa-pkcs1v15-sha256",
        "sha256",
        &["CONTENT_TYPE_MISMATCH"],
    );
}

#[test]
fn tampered_vectors_fail() {
    for file in [
        "generated/signed-detached-ecdsa-p256.eml",
        "generated/signed-detached-ed25519-bc.eml",
        "generated/signed-detached-pss-maxsalt.eml",
        "pkits/SignedValidDSAParameterInheritanceTest5.eml",
    ] {
        let msg = data(file);
        let layer = verify_multipart_signed(&tamper_signed_body(&msg)).expect(file);
        assert!(!layer.signers[0].signature_valid, "{file}");
        assert_eq!(
            layer.signers[0].problems.last(),
            Some(&"MESSAGE_DIGEST_MISMATCH"),
            "{file}"
        );
    }
}

// ------------------------------------------------------------------ the content returned

#[test]
fn only_the_signed_part_is_returned() {
    let msg = data("generated/signed-detached-rsa-sha256.eml");
    let text = String::from_utf8_lossy(&msg).to_string();
    let top = parse_entity(&msg);
    let boundary = top.ct_param("boundary").expect("boundary");
    // Text in the preamble and epilogue and a third part are outside the signature and never
    // returned; the signature still verifies over the first part.
    let close = format!("--{boundary}--");
    let evil = text
        .replacen(
            &format!("--{boundary}\r\n"),
            &format!("EVIL PREAMBLE\r\n--{boundary}\r\n"),
            1,
        )
        .replace(
            &close,
            &format!("--{boundary}\r\nContent-Type: text/html\r\n\r\n<img src=\"http://evil/\">\r\n{close}\r\nEVIL EPILOGUE"),
        );
    let layer = verify_multipart_signed(evil.as_bytes()).expect("verifies");
    assert!(layer.all_signatures_valid());
    assert_eq!(layer.content, plain());
    let shown = String::from_utf8_lossy(&layer.content);
    assert!(!shown.contains("EVIL") && !shown.contains("evil"));
}

#[test]
fn lf_stored_mail_verifies_in_crlf_form() {
    let msg = sign(
        MESSAGE,
        &identity("rfc9216/alice.sign.key", &["rfc9216/alice.sign.crt"]),
        &SignOptions {
            signing_time: Some(1_800_000_000),
            ..SignOptions::default()
        },
    )
    .expect("sign");
    let layer = verify_multipart_signed(&msg).expect("as sent");
    assert!(layer.all_signatures_valid() && !layer.line_ends_converted);
    let lf = crlf_to_lf(&msg);
    let layer = verify_multipart_signed(&lf).expect("LF");
    assert!(layer.all_signatures_valid());
    assert!(layer.line_ends_converted);
    assert_eq!(
        layer.content,
        first_part(&msg),
        "the CRLF bytes that were verified"
    );
    // A tampered LF copy stays invalid, and keeps the bytes as received.
    let bad = tamper_signed_body(&lf);
    let layer = verify_multipart_signed(&bad).expect("LF tampered");
    assert!(!layer.signers[0].signature_valid);
    assert!(!layer.line_ends_converted);
    assert_eq!(layer.content, first_part(&bad));
}

#[test]
fn limits_are_enforced() {
    use smime_wasm::policy::MAX_CMS_SIZE;
    let huge = vec![0u8; MAX_CMS_SIZE + 1]; // calloc: the pages are never touched
    assert!(matches!(
        verify_signed_data(&huge, None),
        Err(Error::InputTooLarge { .. })
    ));
    // Deep nesting: a chain of indefinite-length SEQUENCEs.
    let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 200).flatten().collect();
    assert!(matches!(
        verify_signed_data(&deep, None),
        Err(Error::NestingTooDeep { .. } | Error::MalformedCms(_))
    ));
}

// ------------------------------------------------------------------ mutations

/// Every truncation and every one-octet change (one bit flipped, which bit varying) of `cms`: never a panic,
/// always `Ok` or a documented code, and a signature that is still valid is over the original
/// content.
fn mutate_cms(name: &str, cms: &[u8], detached: Option<&[u8]>, content: &[u8]) -> (usize, usize) {
    let mut valid = 0;
    let mut total = 0;
    let mut check = |m: &[u8]| {
        total += 1;
        match verify_signed_data(m, detached) {
            Ok(layer) => {
                for s in &layer.signers {
                    if s.signature_valid {
                        assert_eq!(
                            layer.content, content,
                            "{name}: valid signature over other content"
                        );
                        valid += 1;
                    }
                    for p in &s.problems {
                        assert!(SIGNER_PROBLEMS.iter().any(|(c, _)| c == p), "{name}: {p}");
                    }
                }
            }
            Err(e) => assert!(Error::ALL_CODES.contains(&e.code()), "{name}: {e:?}"),
        }
    };
    for len in 0..cms.len() {
        check(&cms[..len]);
    }
    for i in 0..cms.len() {
        let mut m = cms.to_vec();
        m[i] ^= 1u8 << (i % 8);
        check(&m);
    }
    (valid, total)
}

/// (name, CMS, detached content, signed content)
type MutationCase = (String, Vec<u8>, Option<Vec<u8>>, Vec<u8>);

#[test]
fn mutated_cms_never_panics() {
    let content = plain();
    let mut cases: Vec<MutationCase> = Vec::new();
    for file in [
        "generated/signed-detached-ecdsa-p256.eml",
        "generated/signed-detached-ed25519-pyca.eml",
        "pkits/SignedValidDSAParameterInheritanceTest5.eml",
    ] {
        let msg = data(file);
        let top = parse_entity(&msg);
        let sig = parse_entity(top.parts()[1]).decoded_body();
        let signed = top.parts()[0].to_vec();
        cases.push((file.into(), sig, Some(signed.clone()), signed));
    }
    let ber = openssl_sign(
        "mutate-ber",
        &content,
        &[&ALICE],
        &["-nodetach", "-stream", "-outform", "DER"],
    );
    cases.push(("openssl BER".into(), ber, None, content.clone()));
    cases.push((
        "rfc4134 4.1 DSA".into(),
        data("rfc4134/4.1.bin"),
        None,
        data("rfc4134/ExContent.bin"),
    ));
    for (name, cms, detached, content) in &cases {
        let (valid, total) = mutate_cms(name, cms, detached.as_deref(), content);
        // Most changes break the signature; some (in certificates, unused fields) do not.
        assert!(
            valid > 0 && valid < total / 2,
            "{name}: {valid} of {total} still valid"
        );
    }
}

#[test]
fn mutated_mime_never_panics() {
    let msg = data("generated/signed-detached-rsa-sha256.eml");
    let original = first_part(&msg);
    let opaque = data("generated/signed-opaque-rsa-sha256.eml");
    for (name, m) in [("detached", &msg), ("opaque", &opaque)] {
        let check = |x: &[u8]| match verify_message_any(x) {
            Ok(layer) => {
                if layer.all_signatures_valid() {
                    assert_eq!(layer.content, data("generated/plain.txt"), "{name}");
                }
            }
            Err(e) => assert!(Error::ALL_CODES.contains(&e.code()), "{name}: {e:?}"),
        };
        for len in (0..m.len()).step_by(3) {
            check(&m[..len]);
        }
        // Every octet of the header and first part, then every 5th.
        let header_end = m
            .windows(3)
            .position(|w| w == b"\n\r\n")
            .or_else(|| m.windows(2).position(|w| w == b"\n\n"))
            .expect("a header block");
        let dense = header_end + original.len() + 200;
        for i in (0..m.len()).filter(|i| *i < dense || i % 5 == 0) {
            let mut x = m.to_vec();
            x[i] ^= 0x01;
            check(&x);
        }
    }
}

/// Like [`verify_message`], without trusting the (possibly mutated) structure.
fn verify_message_any(msg: &[u8]) -> Result<SignedLayer, Error> {
    match verify_multipart_signed(msg) {
        Err(Error::MalformedMime(_)) => verify_pkcs7_mime(msg),
        r => r,
    }
}

#[test]
fn extra_certificates_option_with_mime() {
    // The message carries its certificate: extra certificates do not change the verdict.
    let msg = data("generated/signed-detached-rsa-sha256.eml");
    let extra = [cert("rfc9216/bob.sign.crt")];
    let layer = verify_multipart_signed_with(
        &msg,
        &VerifyOptions {
            extra_certificates: &extra,
        },
    )
    .expect("ok");
    assert!(layer.all_signatures_valid());
    assert_eq!(
        layer.signers[0]
            .certificate
            .as_ref()
            .map(Certificate::to_der),
        Some(cert("rfc9216/alice.sign.crt").to_der())
    );
}

// ------------------------------------------------------------------ gpgsm and NSS during the test

/// Whether `tool` runs; without it the test is skipped, except in CI where it fails.
fn have(tool: &str) -> bool {
    let ok = Command::new(tool).arg("--version").output().is_ok();
    if !ok {
        assert!(!common::peers::ci_mode(), "{tool} is required in CI");
        eprintln!("skipped: {tool} not installed");
    }
    ok
}

/// Runs a tool and returns its stdout, failing with its stderr.
fn run(cmd: &mut Command, what: &str) -> Vec<u8> {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn gpgsm_made_messages_verify() {
    use std::io::Write;
    use std::process::Stdio;
    if !have("gpgsm") {
        return;
    }
    let home = common::peers::scratch_dir().join(format!("gnupg-verify-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).expect("GNUPGHOME");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    }
    std::fs::write(home.join("gpg-agent.conf"), "allow-loopback-pinentry\n").expect("conf");
    let gpgsm = |args: &[&str]| -> Vec<u8> {
        let mut child = Command::new("gpgsm")
            .env("GNUPGHOME", &home)
            .args([
                "--batch",
                "--no-tty",
                "--disable-dirmngr",
                "--disable-crl-checks",
            ])
            .args(["--disable-policy-checks", "--pinentry-mode", "loopback"])
            .args(["--passphrase-fd", "0"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gpgsm");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(b"test\n")
            .expect("passphrase");
        let out = child.wait_with_output().expect("gpgsm");
        assert!(
            out.status.success(),
            "gpgsm {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    // (gpgsm 2.2 signs with SHA-512 for this 2048-bit RSA key by default.)
    // Alice's signing key (tests/data/p12/legacy.p12, password "test") and a trusted root.
    gpgsm(&[
        "--import",
        data_path("p12/legacy.p12").to_str().expect("path"),
    ]);
    gpgsm(&[
        "--import",
        data_path("rfc9216/ca.rsa.crt").to_str().expect("path"),
    ]);
    let fpr = run(
        Command::new("openssl")
            .args(["x509", "-noout", "-fingerprint", "-sha1", "-in"])
            .arg(data_path("rfc9216/ca.rsa.crt")),
        "fingerprint",
    );
    let fpr = String::from_utf8_lossy(&fpr)
        .trim()
        .rsplit('=')
        .next()
        .expect("fpr")
        .to_string();
    std::fs::write(home.join("trustlist.txt"), format!("{fpr} S relax\n")).expect("trustlist");
    let listing = String::from_utf8(gpgsm(&["--list-secret-keys"])).expect("utf8");
    let id = listing
        .lines()
        .find_map(|l| l.trim().strip_prefix("ID: "))
        .expect("a secret key")
        .to_string();
    let content = plain();
    let input = scratch_file("verify-gpgsm.in", &content);
    let input = input.to_str().expect("path");
    let detached = gpgsm(&["-u", &id, "--detach-sign", "-o", "-", input]);
    let opaque = gpgsm(&["-u", &id, "--sign", "-o", "-", input]);
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", &home)
        .args(["--kill", "all"])
        .status();
    assert_eq!(opaque.get(1), Some(&0x80), "gpgsm writes BER");
    let layer = verify_signed_data(&detached, Some(&content)).expect("gpgsm detached");
    assert_signer(
        "gpgsm detached",
        &layer,
        true,
        "rsa-pkcs1v15-sha512",
        "sha512",
        &[],
    );
    let layer = verify_signed_data(&opaque, None).expect("gpgsm opaque");
    assert_signer(
        "gpgsm opaque",
        &layer,
        true,
        "rsa-pkcs1v15-sha512",
        "sha512",
        &[],
    );
    assert_eq!(layer.content, content);
    let mut other = content.clone();
    other[3] ^= 0x20;
    let layer = verify_signed_data(&detached, Some(&other)).expect("gpgsm other");
    assert_signer(
        "gpgsm other content",
        &layer,
        false,
        "rsa-pkcs1v15-sha512",
        "sha512",
        &["MESSAGE_DIGEST_MISMATCH"],
    );
}

#[test]
fn nss_cmsutil_made_messages_verify() {
    if !have("certutil") || !have("cmsutil") || !have("pk12util") {
        return;
    }
    let dir = common::peers::scratch_dir().join(format!("nssdb-verify-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("nssdb");
    let db = format!("sql:{}", dir.display());
    run(
        Command::new("certutil").args(["-N", "-d", &db, "--empty-password"]),
        "certutil -N",
    );
    run(
        Command::new("pk12util")
            .arg("-i")
            .arg(data_path("thunderbird-nss/Alice.p12"))
            .args(["-d", &db, "-W", "nss"]),
        "pk12util",
    );
    run(
        Command::new("certutil").args(["-M", "-n", "TestCA", "-t", "C,C,C", "-d", &db]),
        "trust",
    );
    let content = plain();
    let input = scratch_file("verify-nss.in", &content);
    for (hash, alg, digest, problems) in [
        ("SHA256", "rsa-pkcs1v15-sha256", "sha256", &[][..]),
        ("SHA384", "rsa-pkcs1v15-sha384", "sha384", &[]),
        ("SHA512", "rsa-pkcs1v15-sha512", "sha512", &[]),
        ("SHA1", "rsa-pkcs1v15-sha1", "sha1", &["WEAK_DIGEST"]),
    ] {
        let sign = |extra: &[&str]| {
            run(
                Command::new("cmsutil")
                    .args([
                        "-S", "-N", "Alice", "-d", &db, "-H", hash, "-G", "-P", "-Y", "Alice", "-i",
                    ])
                    .arg(&input)
                    .args(extra),
                "cmsutil -S",
            )
        };
        let opaque = sign(&[]);
        let layer = verify_signed_data(&opaque, None).expect(hash);
        assert_signer(hash, &layer, true, alg, digest, problems);
        assert_eq!(layer.content, content);
        let s = &layer.signers[0];
        assert!(s.signing_time.is_some(), "{hash}: -G");
        assert!(!s.capabilities.is_empty(), "{hash}: -P");
        let pref = s.encryption_key_preference.as_ref().expect("-Y");
        assert_eq!(pref.certificate.as_ref(), s.certificate.as_ref());
        let detached = sign(&["-T"]);
        let layer = verify_signed_data(&detached, Some(&content)).expect(hash);
        assert_signer(hash, &layer, true, alg, digest, problems);
        assert!(layer.detached);
    }
}
