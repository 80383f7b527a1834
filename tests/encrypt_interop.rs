//! Interop tests of the message-level encryption operations (`encrypt`, `sign_and_encrypt`,
//! `encrypt_file`, `decrypt_file`): what we write is decrypted by the independent peers of
//! tests/peers (OpenSSL `cms` and `smime`, gpgsm, NSS `cmsutil`, pyca, Bouncy Castle) for the
//! combinations each supports, the decrypted entity carries RFC 9788 header protection, the inner
//! signature of sign-then-encrypt verifies at every peer, each of several recipients (and the
//! sender's own key) decrypts the same message, and OpenSSL-made EnvelopedData decrypts here.
//!
//! With `CI=true` a missing peer fails the test. A failing message is kept in
//! `$CARGO_TARGET_TMPDIR/peer-inputs/`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::mime::{param, parse_entity};
use common::peers::{
    self, PeerResult, Verdict, VerifyOpts, assert_peers_pass, peers_supporting, run_peers,
};
use common::{data, data_path};
use smime_wasm::encrypt::{
    self, EncryptOptions, decrypt_file, encrypt, encrypt_file, sign_and_encrypt,
};
use smime_wasm::envelope::{ContentCipher, KeyTransport, RecipientIdType};
use smime_wasm::mime::HeaderProtection;
use smime_wasm::{Certificate, Identity, SignOptions};

const MESSAGE: &[u8] = b"From: Alice <alice@smime.example>\r\n\
To: Bob <bob@smime.example>\r\n\
Cc: erin@kit.example\r\n\
Subject: Quarterly figures, confidential\r\n\
Date: Fri, 04 Dec 2026 10:00:00 +0000\r\n\
Message-ID: <encrypt-interop-1@smime.example>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\
\r\n\
Revenue up 3 %; d\xc3\xa9tails follow.\r\n\
From here on, nothing else.\r\n";

const REAL_SUBJECT: &str = "Quarterly figures, confidential";

fn cert(rel: &str) -> Certificate {
    Certificate::from_bytes(&data(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn alice() -> Identity {
    Identity::from_pkcs12(&data("rfc9216/alice.p12"), Some("alice")).expect("alice.p12")
}

/// A recipient key for the peers: key file, certificate file.
struct Key {
    key: &'static str,
    cert: &'static str,
}

const BOB: Key = Key {
    key: "rfc9216/bob.encrypt.key",
    cert: "rfc9216/bob.encrypt.crt",
};
const ALICE_ENC: Key = Key {
    key: "rfc9216/alice.encrypt.key",
    cert: "rfc9216/alice.encrypt.crt",
};
const ERIN: Key = Key {
    key: "generated/erin.ec.key",
    cert: "generated/erin.ec.crt",
};
const FRANK: Key = Key {
    key: "generated/frank.p384.key",
    cert: "generated/frank.p384.crt",
};
const DANA: Key = Key {
    key: "rfc9216/dana.encrypt.key",
    cert: "rfc9216/dana.encrypt.crt",
};

/// Runs `peers.sh decrypt` on `msg` with `key`; returns the verdicts and, per passing peer, what
/// it decrypted.
fn peers_decrypt(
    name: &str,
    msg: &[u8],
    key: &Key,
    only: Option<&[&str]>,
) -> (Vec<PeerResult>, Vec<(String, Vec<u8>)>) {
    let file = peers::scratch_file(&format!("{name}.eml"), msg);
    let outdir = peers::scratch_dir().join(format!("{name}.out"));
    let _ = std::fs::remove_dir_all(&outdir);
    let args: Vec<OsString> = vec![
        "decrypt".into(),
        file.into(),
        data_path(key.key).into(),
        data_path(key.cert).into(),
        "--outdir".into(),
        outdir.clone().into(),
    ];
    let run = run_peers(&args, only, &[]);
    let mut outputs = Vec::new();
    if let Ok(dir) = std::fs::read_dir(&outdir) {
        for entry in dir.flatten() {
            let bytes = std::fs::read(entry.path()).expect("peer output");
            outputs.push((entry.file_name().to_string_lossy().into_owned(), bytes));
        }
    }
    (run.results, outputs)
}

/// The peers that decrypt a message of this kind, as measured with `peers.sh decrypt` on our
/// messages and on OpenSSL's (tests/peers/README.md): OpenSSL 3.0 `smime`, gpgsm 2.2, NSS 3.87
/// and pyca read only RSA PKCS#1 v1.5 with AES-CBC (pyca: 128 and 256 bits); RSAES-OAEP, ECDH
/// and AuthEnvelopedData are read by OpenSSL `cms` and Bouncy Castle; X25519 (RFC 8418) and
/// ChaCha20-Poly1305 (RFC 8103) by Bouncy Castle alone.
fn decrypting_peers(
    cipher: ContentCipher,
    key: &Key,
    transport: KeyTransport,
) -> Vec<&'static str> {
    let rsa = key.key.contains("bob") || key.key.contains("alice");
    let x25519 = key.key.contains("dana");
    // ChaCha20-Poly1305 (RFC 8103): Bouncy Castle alone (OpenSSL 3.0 cms: "unknown cipher").
    if x25519 || cipher == ContentCipher::ChaCha20Poly1305 {
        return vec!["bouncycastle"];
    }
    if cipher.is_authenticated() || !rsa || transport == KeyTransport::RsaOaep {
        return vec!["openssl-cms", "bouncycastle"];
    }
    if cipher == ContentCipher::Aes192Cbc {
        return vec![
            "openssl-cms",
            "openssl-smime",
            "gpgsm",
            "nss-cmsutil",
            "bouncycastle",
        ];
    }
    peers::ALL_PEERS.to_vec()
}

fn lf(b: &[u8]) -> Vec<u8> {
    common::mime::crlf_to_lf(b)
}

/// Checks the outer message: pkcs7-mime with the right smime-type and name, attachment
/// disposition, base64, and the outer header as header protection leaves it.
fn check_outer(msg: &[u8], smime_type: &str, protection: HeaderProtection) {
    let e = parse_entity(msg);
    assert_eq!(e.mime_type(), "application/pkcs7-mime");
    assert_eq!(e.ct_param("smime-type").as_deref(), Some(smime_type));
    assert_eq!(e.ct_param("name").as_deref(), Some("smime.p7m"));
    assert_eq!(e.cte(), "base64");
    let disposition = e
        .header("Content-Disposition")
        .expect("Content-Disposition");
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert_eq!(param(disposition, "filename").as_deref(), Some("smime.p7m"));
    // hcp_shy (RFC 9788) leaves only the addresses outside; the others keep the fields as they are.
    let (from, to) = match protection {
        HeaderProtection::Shy => ("<alice@smime.example>", "<bob@smime.example>"),
        _ => ("Alice <alice@smime.example>", "Bob <bob@smime.example>"),
    };
    assert_eq!(e.header("From"), Some(from));
    assert_eq!(e.header("To"), Some(to));
    let subject = e.header("Subject").expect("outer Subject");
    match protection {
        HeaderProtection::Off => assert_eq!(subject, REAL_SUBJECT),
        _ => assert_eq!(subject, "[...]", "the real Subject must not be outside"),
    }
    assert!(
        !String::from_utf8_lossy(msg).contains(REAL_SUBJECT) || protection == HeaderProtection::Off,
        "the real Subject leaks outside"
    );
}

/// Checks a decrypted (or verified inner) entity: it carries the real header fields and
/// hp="cipher", and its text is the message's.
fn check_protected_inner(inner: &[u8]) {
    let e = parse_entity(inner);
    assert_eq!(e.header("Subject"), Some(REAL_SUBJECT), "inner Subject");
    assert_eq!(e.header("From"), Some("Alice <alice@smime.example>"));
    assert_eq!(
        e.header("Message-ID"),
        Some("<encrypt-interop-1@smime.example>")
    );
    assert_eq!(e.ct_param("hp").as_deref(), Some("cipher"), "hp=\"cipher\"");
    let text = String::from_utf8_lossy(&e.decoded_body()).into_owned();
    assert!(
        text.contains("Revenue up 3 %; d\u{e9}tails follow."),
        "{text}"
    );
}

fn assert_decrypts(name: &str, msg: &[u8], key: &Key, peers_required: &[&str]) -> Vec<Vec<u8>> {
    let (results, outputs) = peers_decrypt(name, msg, key, Some(peers_required));
    assert_peers_pass(&results, peers_required);
    let passed: Vec<&str> = results
        .iter()
        .filter(|r| r.verdict == Verdict::Pass)
        .map(|r| r.peer.as_str())
        .collect();
    assert!(
        outputs.len() >= passed.len().min(1),
        "{name}: no peer output kept ({passed:?})"
    );
    outputs.into_iter().map(|(_, b)| b).collect()
}

// ------------------------------------------------------------------ encrypt

#[test]
fn rsa_default_is_aes256_cbc_pkcs1v15_and_every_peer_decrypts() {
    let bob = cert(BOB.cert);
    let plan = encrypt::plan(&[&bob], &EncryptOptions::default()).expect("plan");
    assert_eq!(plan.cipher, ContentCipher::Aes256Cbc);
    assert_eq!(plan.recipients.len(), 1);
    assert_eq!(plan.recipients[0].key_transport, KeyTransport::RsaPkcs1v15);

    let out = encrypt(MESSAGE, &[&bob], &EncryptOptions::default()).expect("encrypt");
    check_outer(&out, "enveloped-data", HeaderProtection::Baseline);
    let required = decrypting_peers(ContentCipher::Aes256Cbc, &BOB, KeyTransport::RsaPkcs1v15);
    for inner in assert_decrypts("rsa-default", &out, &BOB, &required) {
        check_protected_inner(&inner);
    }
}

#[test]
fn every_key_type_and_cipher_decrypts_at_the_peers() {
    let cases: &[(&Key, ContentCipher, KeyTransport)] = &[
        (&BOB, ContentCipher::Aes128Cbc, KeyTransport::RsaPkcs1v15),
        (&BOB, ContentCipher::Aes192Cbc, KeyTransport::RsaOaep),
        (&BOB, ContentCipher::Aes256Cbc, KeyTransport::RsaOaep),
        (&BOB, ContentCipher::Aes128Gcm, KeyTransport::RsaPkcs1v15),
        (&BOB, ContentCipher::Aes256Gcm, KeyTransport::RsaOaep),
        (&ERIN, ContentCipher::Aes256Cbc, KeyTransport::RsaPkcs1v15),
        (&ERIN, ContentCipher::Aes256Gcm, KeyTransport::RsaPkcs1v15),
        (&FRANK, ContentCipher::Aes256Cbc, KeyTransport::RsaPkcs1v15),
        (&FRANK, ContentCipher::Aes128Gcm, KeyTransport::RsaPkcs1v15),
        (&DANA, ContentCipher::Aes256Cbc, KeyTransport::RsaPkcs1v15),
        (&DANA, ContentCipher::Aes256Gcm, KeyTransport::RsaPkcs1v15),
        (&BOB, ContentCipher::ChaCha20Poly1305, KeyTransport::RsaOaep),
        (
            &DANA,
            ContentCipher::ChaCha20Poly1305,
            KeyTransport::RsaPkcs1v15,
        ),
    ];
    for (i, (key, cipher, transport)) in cases.iter().enumerate() {
        let recipient = cert(key.cert);
        let options = EncryptOptions {
            cipher: Some(*cipher),
            key_transport: Some(*transport),
            ..EncryptOptions::default()
        };
        let out = encrypt(MESSAGE, &[&recipient], &options)
            .unwrap_or_else(|e| panic!("{} {cipher:?}: {e}", key.cert));
        let smime_type = if cipher.is_authenticated() {
            "authEnveloped-data"
        } else {
            "enveloped-data"
        };
        check_outer(&out, smime_type, HeaderProtection::Baseline);
        let required = decrypting_peers(*cipher, key, *transport);
        let name = format!("case{i}-{}-{}", key.cert.replace('/', "_"), cipher.name());
        for inner in assert_decrypts(&name, &out, key, &required) {
            check_protected_inner(&inner);
        }
    }
}

#[test]
fn auto_cipher_and_key_transport_follow_the_capabilities() {
    let bob = cert(BOB.cert);
    let erin = cert(ERIN.cert);
    let gcm = |extra: &[&str]| {
        let mut v = vec!["aes256-GCM".to_string(), "aes256-CBC".to_string()];
        v.extend(extra.iter().map(|s| s.to_string()));
        Some(v)
    };
    // Everyone advertised GCM: AES-256-GCM, and OAEP for the RSA recipient who advertised it.
    let options = EncryptOptions {
        capabilities: vec![gcm(&["rsaes-OAEP"]), gcm(&[])],
        ..EncryptOptions::default()
    };
    let plan = encrypt::plan(&[&bob, &erin], &options).expect("plan");
    assert_eq!(
        plan.cipher,
        ContentCipher::Aes256Gcm,
        "{}",
        plan.cipher_reason
    );
    assert_eq!(plan.recipients[0].key_transport, KeyTransport::RsaOaep);
    let out = encrypt(MESSAGE, &[&bob, &erin], &options).expect("encrypt");
    check_outer(&out, "authEnveloped-data", HeaderProtection::Baseline);
    for inner in assert_decrypts("auto-gcm-bob", &out, &BOB, &["openssl-cms", "bouncycastle"]) {
        check_protected_inner(&inner);
    }
    assert_decrypts("auto-gcm-erin", &out, &ERIN, &["openssl-cms"]);

    // One recipient unknown: AES-256-CBC; OAEP only where advertised (dotted OID accepted).
    let options = EncryptOptions {
        capabilities: vec![Some(vec!["1.2.840.113549.1.1.7".into()])],
        ..EncryptOptions::default()
    };
    let plan = encrypt::plan(&[&bob, &erin], &options).expect("plan");
    assert_eq!(plan.cipher, ContentCipher::Aes256Cbc);
    assert_eq!(plan.recipients[0].key_transport, KeyTransport::RsaOaep);
    // Only AES-128-GCM in common: AES-128-GCM.
    let options = EncryptOptions {
        capabilities: vec![
            Some(vec!["aes128-GCM".into()]),
            Some(vec!["aes128-GCM".into(), "aes256-GCM".into()]),
        ],
        ..EncryptOptions::default()
    };
    assert_eq!(
        encrypt::plan(&[&bob, &erin], &options)
            .expect("plan")
            .cipher,
        ContentCipher::Aes128Gcm
    );
    // GCM for one, CBC only for the other: CBC.
    let options = EncryptOptions {
        capabilities: vec![
            Some(vec!["aes256-GCM".into()]),
            Some(vec!["aes256-CBC".into()]),
        ],
        ..EncryptOptions::default()
    };
    assert_eq!(
        encrypt::plan(&[&bob, &erin], &options)
            .expect("plan")
            .cipher,
        ContentCipher::Aes256Cbc
    );
    // The caller's choice wins.
    let options = EncryptOptions {
        cipher: Some(ContentCipher::Aes128Cbc),
        key_transport: Some(KeyTransport::RsaOaep),
        ..EncryptOptions::default()
    };
    let plan = encrypt::plan(&[&bob], &options).expect("plan");
    assert_eq!(plan.cipher, ContentCipher::Aes128Cbc);
    assert_eq!(plan.recipients[0].key_transport, KeyTransport::RsaOaep);
}

#[test]
fn two_recipients_plus_self_each_decrypt_the_same_message() {
    let me = alice();
    let bob = cert(BOB.cert);
    let erin = cert(ERIN.cert);
    let options = EncryptOptions {
        identity: Some(&me),
        ..EncryptOptions::default()
    };
    let plan = encrypt::plan(&[&bob, &erin], &options).expect("plan");
    assert_eq!(plan.recipients.len(), 3);
    assert!(plan.recipients[2].is_self);
    assert_eq!(
        plan.recipients[2].certificate.as_der(),
        cert(ALICE_ENC.cert).as_der(),
        "alice's separate encryption certificate is the self recipient"
    );
    let out = encrypt(MESSAGE, &[&bob, &erin], &options).expect("encrypt");
    let mut inners = Vec::new();
    for (name, key) in [("bob", &BOB), ("erin", &ERIN), ("alice", &ALICE_ENC)] {
        for inner in assert_decrypts(&format!("three-{name}"), &out, key, &["openssl-cms"]) {
            inners.push(inner);
        }
    }
    assert_eq!(inners.len(), 3);
    assert!(
        inners.iter().all(|i| lf(i) == lf(&inners[0])),
        "same content for all"
    );
    check_protected_inner(&inners[0]);

    // includeSelf: false leaves alice out; an identity with only a signing certificate adds
    // nothing and is no error.
    let options = EncryptOptions {
        identity: Some(&me),
        include_self: false,
        ..EncryptOptions::default()
    };
    assert_eq!(
        encrypt::plan(&[&bob], &options)
            .expect("plan")
            .recipients
            .len(),
        1
    );
    let signer_only = Identity::from_pem(
        &data("rfc9216/alice.sign.key"),
        &data("rfc9216/alice.sign.crt"),
        None,
    )
    .expect("alice signing identity");
    let options = EncryptOptions {
        identity: Some(&signer_only),
        ..EncryptOptions::default()
    };
    assert_eq!(
        encrypt::plan(&[&bob], &options)
            .expect("plan")
            .recipients
            .len(),
        1
    );
}

#[test]
fn header_protection_modes() {
    let bob = cert(BOB.cert);
    for protection in [HeaderProtection::Shy, HeaderProtection::Off] {
        let options = EncryptOptions {
            header_protection: protection,
            ..EncryptOptions::default()
        };
        let out = encrypt(MESSAGE, &[&bob], &options).expect("encrypt");
        check_outer(&out, "enveloped-data", protection);
        let name = format!("hp-{}", protection.name());
        for inner in assert_decrypts(&name, &out, &BOB, &["openssl-cms", "nss-cmsutil"]) {
            let e = parse_entity(&inner);
            match protection {
                HeaderProtection::Off => {
                    assert_eq!(e.header("Subject"), None);
                    assert_eq!(e.ct_param("hp"), None);
                }
                _ => check_protected_inner(&inner),
            }
        }
    }
}

// ------------------------------------------------------------------ sign, then encrypt

#[test]
fn sign_then_encrypt_decrypts_and_the_inner_signature_verifies_everywhere() {
    // Alice from her PEM files with the self-signed RSA CA: alice.p12 carries the RSA CA
    // cross-certified by the Ed25519 CA instead, and gpgsm 2.2 follows that certificate to a
    // root it cannot verify ("issuer certificate not found") even with both roots as anchors.
    let mut certs = data("rfc9216/alice.sign.crt");
    certs.extend(data("rfc9216/alice.encrypt.crt"));
    certs.extend(data("rfc9216/ca.rsa.crt"));
    let me = Identity::from_pem(&data("rfc9216/alice.sign.key"), &certs, None).expect("alice");
    assert!(
        me.encryption_certificate().is_some(),
        "alice's encryption certificate"
    );
    let bob = cert(BOB.cert);
    for detached in [true, false] {
        let sign_options = SignOptions {
            detached,
            signing_time: Some(1_796_000_000),
            ..SignOptions::default()
        };
        let out = sign_and_encrypt(
            MESSAGE,
            &me,
            &[&bob],
            &sign_options,
            &EncryptOptions::default(),
        )
        .expect("sign and encrypt");
        check_outer(&out, "enveloped-data", HeaderProtection::Baseline);
        let name = format!(
            "sign-encrypt-{}",
            if detached { "detached" } else { "opaque" }
        );
        let required = decrypting_peers(ContentCipher::Aes256Cbc, &BOB, KeyTransport::RsaPkcs1v15);
        let inners = assert_decrypts(&name, &out, &BOB, &required);
        let inner = inners.first().expect("a decrypted entity").clone();
        let e = parse_entity(&inner);
        if detached {
            assert_eq!(e.mime_type(), "multipart/signed");
            let signed_part = e.parts()[0];
            check_protected_inner(signed_part);
        } else {
            assert_eq!(e.mime_type(), "application/pkcs7-mime");
            assert_eq!(e.ct_param("smime-type").as_deref(), Some("signed-data"));
        }
        let anchor = data_path("rfc9216/ca.rsa.crt");
        let results = peers::verify(
            &inner,
            &[anchor.as_path()],
            &VerifyOpts {
                name: Some(&format!("{name}-inner")),
                ..VerifyOpts::default()
            },
        );
        assert_peers_pass(&results, &peers_supporting(peers::SigAlg::RsaPkcs1v15));
        // The sender's own key decrypts the Sent copy too.
        assert_decrypts(&format!("{name}-self"), &out, &ALICE_ENC, &["openssl-cms"]);
    }
}

// ------------------------------------------------------------------ files

fn openssl(args: &[&str]) -> std::process::Output {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    peers::scratch_file(name, bytes)
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn encrypt_file_output_decrypts_with_openssl_der() {
    let mut file = Vec::new();
    for i in 0..50_000u32 {
        file.extend_from_slice(&i.to_le_bytes());
    }
    let bob = cert(BOB.cert);
    let erin = cert(ERIN.cert);
    for (i, (cipher, key)) in [
        (ContentCipher::Aes256Cbc, &BOB),
        (ContentCipher::Aes256Gcm, &BOB),
        (ContentCipher::Aes128Cbc, &ERIN),
    ]
    .iter()
    .enumerate()
    {
        let options = EncryptOptions {
            cipher: Some(*cipher),
            recipient_id: if i == 2 {
                RecipientIdType::SubjectKeyIdentifier
            } else {
                RecipientIdType::IssuerAndSerialNumber
            },
            ..EncryptOptions::default()
        };
        let der = encrypt_file(&file, &[&bob, &erin], &options).expect("encrypt_file");
        let input = scratch(&format!("file{i}.der"), &der);
        let output = peers::scratch_dir().join(format!("file{i}.out"));
        openssl(&[
            "cms",
            "-decrypt",
            "-inform",
            "DER",
            "-binary",
            "-in",
            path_str(&input),
            "-recip",
            path_str(&data_path(key.cert)),
            "-inkey",
            path_str(&data_path(key.key)),
            "-out",
            path_str(&output),
        ]);
        assert_eq!(
            std::fs::read(&output).expect("openssl output"),
            file,
            "case {i}"
        );
    }
}

#[test]
fn openssl_enveloped_data_decrypts_with_decrypt_file() {
    let bob_identity =
        Identity::from_pkcs12(&data("rfc9216/bob.p12"), Some("bob")).expect("bob.p12");
    let plain: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    let input = scratch("openssl-plain.bin", &plain);
    for (i, extra) in [
        &["-aes256"][..],
        &["-aes-256-gcm"][..],
        &["-aes128", "-keyopt", "rsa_padding_mode:oaep"][..],
        &["-aes256", "-stream"][..],
    ]
    .iter()
    .enumerate()
    {
        let output = peers::scratch_dir().join(format!("openssl-env{i}.der"));
        let mut args = vec!["cms", "-encrypt", "-binary", "-outform", "DER"];
        args.extend_from_slice(&["-in", path_str(&input), "-out", path_str(&output)]);
        // -keyopt applies to the -recip before it.
        let recip = data_path(BOB.cert);
        args.extend_from_slice(&["-recip", path_str(&recip)]);
        args.extend_from_slice(extra);
        openssl(&args);
        let der = std::fs::read(&output).expect("openssl output");
        let decrypted =
            decrypt_file(&der, &bob_identity).unwrap_or_else(|e| panic!("case {i} {extra:?}: {e}"));
        assert_eq!(decrypted.content, plain, "case {i}");
        assert_eq!(
            decrypted.authenticated,
            extra.contains(&"-aes-256-gcm"),
            "case {i}"
        );
    }
}

// ------------------------------------------------------------------ errors

#[test]
fn refusals_have_their_codes() {
    let bob = cert(BOB.cert);
    let err = encrypt(MESSAGE, &[], &EncryptOptions::default()).expect_err("no recipients");
    assert_eq!(err.code(), "NO_RECIPIENTS");
    // Alice's signing certificate: keyUsage digitalSignature + nonRepudiation only.
    let signing = cert("rfc9216/alice.sign.crt");
    let err = encrypt(MESSAGE, &[&signing], &EncryptOptions::default()).expect_err("signing cert");
    assert_eq!(err.code(), "RECIPIENT_KEY_UNUSABLE");
    assert!(err.to_string().contains("alice@smime.example"), "{err}");
    // Ed25519 signing certificate.
    let ed = cert("rfc9216/dana.sign.crt");
    let err = encrypt(MESSAGE, &[&ed], &EncryptOptions::default()).expect_err("ed25519");
    assert_eq!(err.code(), "RECIPIENT_KEY_UNUSABLE");
    // More capability entries than recipients.
    let options = EncryptOptions {
        capabilities: vec![None, None],
        ..EncryptOptions::default()
    };
    assert_eq!(
        encrypt(MESSAGE, &[&bob], &options)
            .expect_err("capabilities")
            .code(),
        "INVALID_OPTION"
    );
    // A message that is not MIME.
    let err = encrypt(
        b"no header block at all",
        &[&bob],
        &EncryptOptions::default(),
    )
    .expect_err("not MIME");
    assert_eq!(err.code(), "MALFORMED_MIME");
    // decrypt_file: not CMS; not a recipient.
    let me = alice();
    assert_eq!(
        decrypt_file(b"not cms", &me).expect_err("not cms").code(),
        "MALFORMED_CMS"
    );
    let to_bob = encrypt_file(b"secret", &[&bob], &EncryptOptions::default()).expect("encrypt");
    assert_eq!(
        decrypt_file(&to_bob, &me)
            .expect_err("not for alice")
            .code(),
        "NOT_A_RECIPIENT"
    );
}
