//! Shared by tests/web.rs (headless Chromium) and tests/node.rs (Node): the JS API exercised
//! from Rust exactly as JavaScript sees it (Promises, JsValue options, SmimeError objects).

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Decode, Encode};
use js_sys::{Object, Reflect, Uint8Array};
use smime_wasm::wasm::{Certificate, Identity, SignOptionsArg, compose, error_codes, sign};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub mod encryption;
pub mod opening;

pub const ALICE_KEY: &str = include_str!("../data/rfc9216/alice.sign.key");
pub const ALICE_CRT: &str = include_str!("../data/rfc9216/alice.sign.crt");
pub const ALICE_ENC_CRT: &str = include_str!("../data/rfc9216/alice.encrypt.crt");
pub const CA_RSA: &str = include_str!("../data/rfc9216/ca.rsa.crt");
pub const ERIN_KEY: &str = include_str!("../data/generated/erin.ec.key");
pub const ERIN_CRT: &str = include_str!("../data/generated/erin.ec.crt");
pub const HEIDI_KEY: &str = include_str!("../data/keys/heidi.p384.key");
pub const HEIDI_CRT: &str = include_str!("../data/keys/heidi.p384.crt");
pub const CARLOS_KEY: &str = include_str!("../data/rfc9216/carlos.sign.key");
pub const CARLOS_CRT: &str = include_str!("../data/rfc9216/carlos.sign.crt");
pub const ALICE_P12: &[u8] = include_bytes!("../data/rfc9216/alice.p12");
pub const ENCRYPTED_KEY: &str = include_str!("../data/keys/alice.pbes2-aes256.pem");

pub const MESSAGE: &str = "From: alice@smime.example\nTo: bob@smime.example\nSubject: wasm test\n\nHello from wasm, caf\u{e9}.\n";

pub fn opts(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).expect("set");
    }
    o.into()
}

pub fn sign_opts(pairs: &[(&str, JsValue)]) -> SignOptionsArg {
    opts(pairs).unchecked_into()
}

pub async fn await_ok(p: js_sys::Promise) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => v,
        Err(e) => panic!("rejected: {:?}", Reflect::get(&e, &"message".into())),
    }
}

/// The `code` of the SmimeError a promise rejects with (its name is checked).
pub async fn rejected_code(p: js_sys::Promise) -> String {
    let e = JsFuture::from(p).await.expect_err("expected a rejection");
    let name = Reflect::get(&e, &"name".into()).expect("name").as_string();
    assert_eq!(name.as_deref(), Some("SmimeError"));
    Reflect::get(&e, &"code".into())
        .expect("code")
        .as_string()
        .expect("code is a string")
}

pub async fn identity(key: &str, certs: &[&str]) -> Identity {
    let list = js_sys::Array::new();
    for c in certs {
        list.push(&JsValue::from_str(c));
    }
    let v = await_ok(Identity::from_pem(
        JsValue::from_str(key),
        list.into(),
        None,
    ))
    .await;
    // a wasm-bindgen class instance comes back as a JS object; take ownership of the Rust value
    Identity::try_from_js(v)
}

pub trait FromJs: Sized {
    fn try_from_js(v: JsValue) -> Self;
}

impl FromJs for Identity {
    fn try_from_js(v: JsValue) -> Self {
        wasm_bindgen::convert::TryFromJsValue::try_from_js_value(v).expect("an Identity")
    }
}

/// Signs with the given provider and returns the output text.
pub async fn sign_text(id: &Identity, pairs: &[(&str, JsValue)]) -> String {
    let out = await_ok(sign(JsValue::from_str(MESSAGE), id, Some(sign_opts(pairs)))).await;
    let bytes = out.dyn_into::<Uint8Array>().expect("Uint8Array").to_vec();
    String::from_utf8(bytes).expect("7-bit output")
}

/// The SignedData of a multipart/signed message (base64 of the smime.p7s part).
pub fn signed_data_of(message: &str) -> (Vec<u8>, SignedData) {
    let start = message
        .find("Content-Type: application/pkcs7-signature")
        .expect("signature part");
    let body_start = start + message[start..].find("\r\n\r\n").expect("part header end") + 4;
    let body_end = body_start + message[body_start..].find("\r\n--").expect("boundary");
    let b64: String = message[body_start..body_end]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let der = <base64ct::Base64 as base64ct::Encoding>::decode_vec(&b64).expect("base64");
    let ci = ContentInfo::from_der(&der).expect("ContentInfo");
    let sd = ci.content.decode_as::<SignedData>().expect("SignedData");
    (der, sd)
}

/// Verifies the (only) signer's signature over its signed attributes with RustCrypto.
pub fn verify_signature(sd: &SignedData, signer_cert_pem: &str) {
    let si = sd.signer_infos.0.iter().next().expect("a signer");
    let attrs = si
        .signed_attrs
        .as_ref()
        .expect("signed attributes")
        .to_der()
        .expect("der");
    let sig = si.signature.as_bytes();
    let cert = smime_wasm::Certificate::from_bytes(signer_cert_pem.as_bytes()).expect("cert");
    let spki = cert.public_key_info().to_der().expect("spki");
    use signature::Verifier;
    use spki::DecodePublicKey;
    match cert.key_algorithm().as_str() {
        "RSA-2048" => {
            let pk = rsa::PublicKey::from_public_key_der(&spki).expect("rsa");
            if si.signature_algorithm.oid == const_oid::db::rfc5912::ID_RSASSA_PSS {
                let vk = rsa::pss::VerifyingKey::<sha2::Sha256>::new(pk);
                let s = rsa::pss::Signature::try_from(sig).expect("sig");
                vk.verify(&attrs, &s).expect("PSS signature verifies");
            } else {
                let vk = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(pk);
                let s = rsa::pkcs1v15::Signature::try_from(sig).expect("sig");
                vk.verify(&attrs, &s)
                    .expect("PKCS#1 v1.5 signature verifies");
            }
        }
        "P-256" => {
            let vk = p256::ecdsa::VerifyingKey::from_public_key_der(&spki).expect("p256");
            let s = p256::ecdsa::DerSignature::try_from(sig).expect("DER ECDSA signature");
            vk.verify(&attrs, &s).expect("ECDSA P-256 verifies");
        }
        "P-384" => {
            let vk = p384::ecdsa::VerifyingKey::from_public_key_der(&spki).expect("p384");
            let s = p384::ecdsa::DerSignature::try_from(sig).expect("DER ECDSA signature");
            use signature::hazmat::PrehashVerifier;
            let prehash = <sha2::Sha256 as sha2::Digest>::digest(&attrs);
            vk.verify_prehash(
                &prehash,
                &p384::ecdsa::Signature::from_der(s.as_bytes()).expect("sig"),
            )
            .expect("ECDSA P-384/SHA-256 verifies");
        }
        "Ed25519" => {
            let vk = ed25519_dalek::VerifyingKey::from_public_key_der(&spki).expect("ed25519");
            let s = ed25519_dalek::Signature::from_slice(sig).expect("sig");
            vk.verify(&attrs, &s).expect("Ed25519 verifies");
        }
        other => panic!("unexpected key {other}"),
    }
}

pub async fn run_all() {
    // identity facts
    let alice = identity(ALICE_KEY, &[CA_RSA, ALICE_ENC_CRT, ALICE_CRT]).await;
    assert_eq!(alice.key_algorithm(), "RSA-2048");
    assert_eq!(
        alice.certificate().emails(),
        vec!["alice@smime.example".to_string()]
    );
    assert_eq!(alice.chain().len(), 2);
    assert!(alice.encryption_certificate().is_some());

    // RSA PKCS#1 v1.5 is deterministic: with the same signing time the WebCrypto and RustCrypto
    // providers must produce byte-identical SignedData.
    let t = JsValue::from_f64(1_764_000_000_000.0);
    let web = sign_text(
        &alice,
        &[("provider", "webcrypto".into()), ("signingTime", t.clone())],
    )
    .await;
    let rust = sign_text(
        &alice,
        &[
            ("provider", "rustcrypto".into()),
            ("signingTime", t.clone()),
        ],
    )
    .await;
    assert!(web.contains("micalg=sha-256"), "{web}");
    let (web_der, web_sd) = signed_data_of(&web);
    let (rust_der, _) = signed_data_of(&rust);
    assert_eq!(
        web_der, rust_der,
        "WebCrypto and RustCrypto RSA signatures differ"
    );
    verify_signature(&web_sd, ALICE_CRT);

    // randomized schemes: verify each provider's output
    for provider in ["webcrypto", "rustcrypto", "auto"] {
        let pss = sign_text(
            &alice,
            &[("provider", provider.into()), ("rsaPadding", "pss".into())],
        )
        .await;
        verify_signature(&signed_data_of(&pss).1, ALICE_CRT);
        for (key, crt) in [
            (ERIN_KEY, ERIN_CRT),
            (HEIDI_KEY, HEIDI_CRT),
            (CARLOS_KEY, CARLOS_CRT),
        ] {
            let id = identity(key, &[crt]).await;
            let out = sign_text(&id, &[("provider", provider.into())]).await;
            let expected_micalg = if id.key_algorithm() == "Ed25519" {
                "sha-512"
            } else {
                "sha-256"
            };
            assert!(
                out.contains(&format!("micalg={expected_micalg}")),
                "{provider} {}",
                id.key_algorithm()
            );
            verify_signature(&signed_data_of(&out).1, crt);
        }
    }

    // PKCS#12: RFC 9216 alice.p12 (3DES, SHA-1 MAC) holds a signing and an encryption key
    let p12 = Uint8Array::from(ALICE_P12);
    let from_p12 = Identity::try_from_js(
        await_ok(Identity::from_pkcs12(
            p12.clone().into(),
            Some("alice".into()),
        ))
        .await,
    );
    assert_eq!(
        from_p12.certificate().emails(),
        vec!["alice@smime.example".to_string()]
    );
    assert!(from_p12.has_encryption_key());
    assert!(from_p12.encryption_certificate().is_some());
    let signed = sign_text(&from_p12, &[("signingTime", t.clone())]).await;
    // the key from the .p12 signs, and the signature verifies against Alice's certificate
    verify_signature(&signed_data_of(&signed).1, ALICE_CRT);
    assert_eq!(
        rejected_code(Identity::from_pkcs12(
            p12.clone().into(),
            Some("bob".into())
        ))
        .await,
        "WRONG_PASSWORD"
    );
    assert_eq!(
        rejected_code(Identity::from_pkcs12(
            Uint8Array::from(&ALICE_P12[..100]).into(),
            Some("alice".into())
        ))
        .await,
        "MALFORMED_PKCS12"
    );
    // export, both modes, and import again
    for legacy in [false, true] {
        let exported = await_ok(from_p12.to_pkcs12(
            "backup pass".into(),
            Some(opts(&[("legacy", legacy.into())]).unchecked_into()),
        ))
        .await;
        let again = Identity::try_from_js(
            await_ok(Identity::from_pkcs12(exported, Some("backup pass".into()))).await,
        );
        assert_eq!(
            again.certificate().fingerprint_sha256(),
            from_p12.certificate().fingerprint_sha256()
        );
        assert!(again.has_encryption_key(), "legacy={legacy}");
    }
    assert_eq!(
        rejected_code(from_p12.to_pkcs12(
            "x".into(),
            Some(opts(&[("legacyy", true.into())]).unchecked_into())
        ))
        .await,
        "INVALID_OPTION"
    );

    // test identities: a P-256 CA issues an Ed25519 user; the CA stays usable afterwards
    // (generateTest borrows the issuer, it does not consume the JS object)
    let ca_js = await_ok(Identity::generate_test_ca(opts(&[
        ("name", "Wasm Test CA".into()),
        ("keyType", "P-256".into()),
    ])))
    .await;
    let user = Identity::try_from_js(
        await_ok(Identity::generate_test(opts(&[
            ("email", "carol@example.org".into()),
            ("keyType", "Ed25519".into()),
            ("issuer", ca_js.clone()),
        ])))
        .await,
    );
    let ca = Identity::try_from_js(ca_js);
    assert!(ca.certificate().is_ca() && ca.certificate().is_self_signed());
    assert_eq!(
        user.certificate().emails(),
        vec!["carol@example.org".to_string()]
    );
    assert!(user.certificate().is_signed_by(&ca.certificate()));
    assert_eq!(
        user.certificate().extended_key_usage(),
        vec!["emailProtection".to_string()]
    );
    assert!(
        user.certificate()
            .key_usage()
            .contains(&"digitalSignature".to_string())
    );
    assert_eq!(user.chain().len(), 2);
    let by_user = sign_text(&user, &[]).await;
    verify_signature(&signed_data_of(&by_user).1, &user.certificate().to_pem());
    assert_eq!(
        rejected_code(Identity::generate_test(opts(&[(
            "email",
            "not an address".into()
        )])))
        .await,
        "INVALID_OPTION"
    );
    assert_eq!(
        rejected_code(Identity::generate_test_ca(opts(&[(
            "keyType",
            "RSA-1024".into()
        )])))
        .await,
        "INVALID_OPTION"
    );

    // RFC 9788 header protection: on by default (hp="clear", a signed copy of the header fields),
    // off with headerProtection: false; a non-boolean is INVALID_OPTION.
    let protected = sign_text(&alice, &[]).await;
    assert!(protected.contains("hp=\"clear\""), "{protected}");
    assert_eq!(
        protected.matches("\r\nSubject: wasm test\r\n").count()
            + usize::from(protected.starts_with("Subject: wasm test\r\n")),
        2,
        "the Subject outside and its signed copy inside: {protected}"
    );
    let unprotected = sign_text(&alice, &[("headerProtection", false.into())]).await;
    assert!(!unprotected.contains("hp=\"clear\""), "{unprotected}");
    assert_eq!(unprotected.matches("Subject: wasm test\r\n").count(), 1);
    assert_eq!(
        rejected_code(sign(
            JsValue::from_str(MESSAGE),
            &alice,
            Some(sign_opts(&[("headerProtection", "yes".into())]))
        ))
        .await,
        "INVALID_OPTION"
    );

    // opaque signed-data
    let opaque = sign_text(&alice, &[("detached", false.into())]).await;
    assert!(
        opaque.contains("application/pkcs7-mime; smime-type=signed-data"),
        "{opaque}"
    );

    // certificates
    let c = await_ok(Certificate::from_bytes(JsValue::from_str(ALICE_CRT))).await;
    assert!(c.is_object());
    let all = await_ok(Certificate::all_from_bytes(JsValue::from_str(&format!(
        "{ALICE_CRT}{CA_RSA}"
    ))))
    .await;
    assert_eq!(js_sys::Array::from(&all).length(), 2);

    // errors: SmimeError with the documented codes
    assert_eq!(
        rejected_code(Certificate::from_bytes(JsValue::from_str("nope"))).await,
        "MALFORMED_CERTIFICATE"
    );
    assert_eq!(
        rejected_code(Identity::from_pem("garbage".into(), ALICE_CRT.into(), None)).await,
        "MALFORMED_KEY"
    );
    assert_eq!(
        rejected_code(Identity::from_pem(
            ENCRYPTED_KEY.into(),
            ALICE_CRT.into(),
            Some("wrong".into())
        ))
        .await,
        "WRONG_PASSPHRASE"
    );
    assert_eq!(
        rejected_code(Identity::from_pem(ERIN_KEY.into(), ALICE_CRT.into(), None)).await,
        "KEY_CERT_MISMATCH"
    );
    assert_eq!(
        rejected_code(sign(
            JsValue::from_str(MESSAGE),
            &alice,
            Some(sign_opts(&[("bogus", true.into())]))
        ))
        .await,
        "INVALID_OPTION"
    );
    assert_eq!(
        rejected_code(sign(
            JsValue::from_str(MESSAGE),
            &alice,
            Some(sign_opts(&[("digest", "md5".into())]))
        ))
        .await,
        "INVALID_OPTION"
    );
    assert_eq!(
        rejected_code(sign(JsValue::from_f64(3.0), &alice, None)).await,
        "INVALID_OPTION"
    );
    assert_eq!(
        rejected_code(sign(
            JsValue::from_str("no header end and no colon"),
            &alice,
            None
        ))
        .await,
        "MALFORMED_MIME"
    );
    let codes = error_codes();
    assert!(codes.contains(&"MALFORMED_MIME".to_string()));

    // compose, then sign what it built
    let fields = opts(&[
        ("from", "Alice <alice@smime.example>".into()),
        ("to", "bob@smime.example".into()),
        ("subject", "Grüße".into()),
        ("text", "Hallo Bob".into()),
    ]);
    let composed = await_ok(compose(fields)).await;
    let composed = composed.dyn_into::<Uint8Array>().expect("bytes").to_vec();
    assert!(composed.iter().all(|b| *b < 128), "compose output is 7-bit");
    let signed = await_ok(sign(
        Uint8Array::from(composed.as_slice()).into(),
        &alice,
        None,
    ))
    .await;
    assert!(signed.is_object());
}
