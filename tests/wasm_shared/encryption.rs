//! Encryption through the JS API in a real JS engine (Chromium or Node): both providers decrypt
//! EnvelopedData / AuthEnvelopedData that OpenSSL and Bouncy Castle wrote (the kit's generated
//! vectors, one per key type and cipher), and what each provider encrypts the other decrypts. The
//! native interop tests (tests/encrypt_interop.rs) and the JS tests (tests/js/encrypt-suite.mjs)
//! check our output at the peers; this checks the browser's own WebCrypto paths.

use base64ct::{Base64, Encoding};
use js_sys::{Reflect, Uint8Array};
use smime_wasm::wasm::{Identity, decrypt_file, encrypt, encrypt_file, sign_and_encrypt};
use wasm_bindgen::{JsCast, JsValue};

use super::{FromJs, await_ok, identity, opts, rejected_code};

const PLAIN: &[u8] = include_bytes!("../data/generated/plain.txt");
const BOB_P12: &[u8] = include_bytes!("../data/rfc9216/bob.p12");
const BOB_CRT: &str = include_str!("../data/rfc9216/bob.encrypt.crt");
const ERIN_KEY: &str = include_str!("../data/generated/erin.ec.key");
const ERIN_CRT: &str = include_str!("../data/generated/erin.ec.crt");
const FRANK_KEY: &str = include_str!("../data/generated/frank.p384.key");
const FRANK_CRT: &str = include_str!("../data/generated/frank.p384.crt");
const CARLOS_ENC_KEY: &str = include_str!("../data/rfc9216/carlos.encrypt.key");
const CARLOS_ENC_CRT: &str = include_str!("../data/rfc9216/carlos.encrypt.crt");
const ALICE_KEY: &str = include_str!("../data/rfc9216/alice.sign.key");
const ALICE_CRT: &str = include_str!("../data/rfc9216/alice.sign.crt");
const ALICE_ENC_CRT: &str = include_str!("../data/rfc9216/alice.encrypt.crt");

/// (vector, who decrypts it, expected cipher, authenticated)
const VECTORS: &[(&str, &str, &str, bool)] = &[
    (
        include_str!("../data/generated/enveloped-aes256cbc.eml"),
        "bob",
        "aes-256-cbc",
        false,
    ),
    (
        include_str!("../data/generated/enveloped-rsaoaep-sha256.eml"),
        "bob",
        "",
        false,
    ),
    (
        include_str!("../data/generated/authenveloped-aes128gcm.eml"),
        "bob",
        "aes-128-gcm",
        true,
    ),
    (
        include_str!("../data/generated/enveloped-ecdh-p256.eml"),
        "erin",
        "",
        false,
    ),
    (
        include_str!("../data/generated/enveloped-ecdh-p384-aes256cbc-bc.eml"),
        "frank",
        "aes-256-cbc",
        false,
    ),
    (
        include_str!("../data/generated/authenveloped-x25519-hkdf-aes128gcm.eml"),
        "carlos",
        "aes-128-gcm",
        true,
    ),
    (
        include_str!("../data/generated/enveloped-x25519-hkdf-aes256cbc.eml"),
        "carlos",
        "aes-256-cbc",
        false,
    ),
];

/// The DER CMS inside an application/pkcs7-mime message (its base64 body).
fn cms_of(eml: &str) -> Vec<u8> {
    let eml = eml.replace("\r\n", "\n");
    let body = &eml[eml.find("\n\n").expect("header end") + 2..];
    let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    Base64::decode_vec(&b64).expect("base64 body")
}

fn bytes(v: &JsValue) -> Vec<u8> {
    v.clone()
        .dyn_into::<Uint8Array>()
        .expect("Uint8Array")
        .to_vec()
}

fn field(v: &JsValue, name: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(name)).expect(name)
}

async fn bob() -> Identity {
    let v = await_ok(Identity::from_pkcs12(
        Uint8Array::from(BOB_P12).into(),
        Some("bob".into()),
    ))
    .await;
    Identity::try_from_js(v)
}

async fn decrypt_with(cms: &[u8], who: &Identity, provider: &str) -> JsValue {
    await_ok(decrypt_file(
        Uint8Array::from(cms).into(),
        who,
        Some(opts(&[("provider", provider.into())]).unchecked_into()),
    ))
    .await
}

pub async fn run_encryption() {
    let bob = bob().await;
    let erin = identity(ERIN_KEY, &[ERIN_CRT]).await;
    let frank = identity(FRANK_KEY, &[FRANK_CRT]).await;
    let carlos = identity(CARLOS_ENC_KEY, &[CARLOS_ENC_CRT]).await;
    let who = |name: &str| match name {
        "bob" => &bob,
        "erin" => &erin,
        "frank" => &frank,
        _ => &carlos,
    };

    // Third-party vectors decrypt with each provider.
    for (eml, name, cipher, authenticated) in VECTORS {
        let cms = cms_of(eml);
        for provider in ["webcrypto", "rustcrypto", "auto"] {
            let d = decrypt_with(&cms, who(name), provider).await;
            assert_eq!(
                bytes(&field(&d, "content")).as_slice(),
                PLAIN,
                "{name} {cipher} {provider}"
            );
            assert_eq!(
                field(&d, "authenticated").as_bool(),
                Some(*authenticated),
                "{name} {provider}"
            );
            if !cipher.is_empty() {
                assert_eq!(field(&d, "cipher").as_string().as_deref(), Some(*cipher));
            }
        }
        // One changed octet near the end (ciphertext or tag) never yields the plaintext.
        let mut bad = cms.clone();
        let at = bad.len() - 5;
        bad[at] ^= 0x40;
        for provider in ["webcrypto", "rustcrypto"] {
            let result = wasm_bindgen_futures::JsFuture::from(decrypt_file(
                Uint8Array::from(bad.as_slice()).into(),
                who(name),
                Some(opts(&[("provider", provider.into())]).unchecked_into()),
            ))
            .await;
            if let Ok(d) = result {
                assert_ne!(
                    bytes(&field(&d, "content")).as_slice(),
                    PLAIN,
                    "{name} {provider}: a changed octet went unnoticed"
                );
                assert_eq!(
                    field(&d, "authenticated").as_bool(),
                    Some(false),
                    "{name} {provider}: tampered GCM content was returned"
                );
            }
        }
    }

    // What one provider encrypts, the other decrypts: every key type, CBC and GCM.
    let file: Vec<u8> = (0..200_000u32).map(|i| (i * 31 % 256) as u8).collect();
    for (cert, name) in [
        (BOB_CRT, "bob"),
        (ERIN_CRT, "erin"),
        (FRANK_CRT, "frank"),
        (CARLOS_ENC_CRT, "carlos"),
    ] {
        for cipher in ["aes-256-cbc", "aes-256-gcm", "aes-128-cbc"] {
            for (from, to) in [("webcrypto", "rustcrypto"), ("rustcrypto", "webcrypto")] {
                let transport = if name == "bob" { "oaep" } else { "auto" };
                let der = await_ok(encrypt_file(
                    Uint8Array::from(file.as_slice()).into(),
                    JsValue::from_str(cert),
                    Some(
                        opts(&[
                            ("provider", from.into()),
                            ("cipher", cipher.into()),
                            ("keyTransport", transport.into()),
                        ])
                        .unchecked_into(),
                    ),
                ))
                .await;
                let d = decrypt_with(&bytes(&der), who(name), to).await;
                assert_eq!(
                    bytes(&field(&d, "content")),
                    file,
                    "{name} {cipher} {from} -> {to}"
                );
                assert_eq!(field(&d, "cipher").as_string().as_deref(), Some(cipher));
            }
        }
    }

    // A message: sign, then encrypt, with the browser's WebCrypto; Bob reads it.
    let alice = identity(ALICE_KEY, &[ALICE_CRT, ALICE_ENC_CRT]).await;
    let message = "From: alice@smime.example\r\nTo: bob@smime.example\r\nSubject: secret plan\r\n\r\nMeet at noon.\r\n";
    let out = await_ok(sign_and_encrypt(
        JsValue::from_str(message),
        &alice,
        JsValue::from_str(BOB_CRT),
        Some(opts(&[("provider", "webcrypto".into())]).unchecked_into()),
    ))
    .await;
    let text = String::from_utf8(bytes(&out)).expect("7-bit");
    assert!(text.contains("smime-type=enveloped-data"), "{text}");
    assert!(text.contains("Subject: [...]"), "{text}");
    assert!(!text.contains("secret plan"), "the Subject leaks");
    let d = decrypt_with(&cms_of(&text), &bob, "webcrypto").await;
    let inner = String::from_utf8(bytes(&field(&d, "content"))).expect("inner");
    assert!(inner.contains("multipart/signed"), "{inner}");
    assert!(inner.contains("Subject: secret plan"), "{inner}");
    assert!(inner.contains("Meet at noon."), "{inner}");

    // Errors.
    assert_eq!(
        rejected_code(encrypt(
            JsValue::from_str(message),
            js_sys::Array::new().into(),
            None
        ))
        .await,
        "NO_RECIPIENTS"
    );
    assert_eq!(
        rejected_code(encrypt(
            JsValue::from_str(message),
            JsValue::from_str(BOB_CRT),
            Some(opts(&[("cipher", "des-ede3-cbc".into())]).unchecked_into()),
        ))
        .await,
        "INVALID_OPTION"
    );
    let to_bob = await_ok(encrypt_file(
        Uint8Array::from(&b"for bob"[..]).into(),
        JsValue::from_str(BOB_CRT),
        None,
    ))
    .await;
    assert_eq!(
        rejected_code(decrypt_file(to_bob, &erin, None)).await,
        "NOT_A_RECIPIENT"
    );
}
