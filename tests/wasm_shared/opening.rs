//! `open` in a real JS engine (Chromium or Node): an OpenSSL-made signed-then-enveloped message
//! (the kit's vector) and our own sign-then-encrypt output open with each provider: decrypted,
//! signer trusted at the RFC 9216 CA, protected Subject restored; problem codes are listed.

use js_sys::{Array, Reflect, Uint8Array};
use smime_wasm::wasm::{Identity, open, problem_codes, sign_and_encrypt};
use wasm_bindgen::{JsCast, JsValue};

use super::{await_ok, identity, opts};

const SIGNED_THEN_ENVELOPED: &[u8] = include_bytes!("../data/generated/signed-then-enveloped.eml");
const BOB_P12: &[u8] = include_bytes!("../data/rfc9216/bob.p12");
const BOB_CRT: &str = include_str!("../data/rfc9216/bob.encrypt.crt");
const CA_RSA: &str = include_str!("../data/rfc9216/ca.rsa.crt");
const ALICE_KEY: &str = include_str!("../data/rfc9216/alice.sign.key");
const ALICE_CRT: &str = include_str!("../data/rfc9216/alice.sign.crt");

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(k)).expect(k)
}

fn layer_types(result: &JsValue) -> Vec<String> {
    get(result, "layers")
        .unchecked_into::<Array>()
        .iter()
        .map(|l| get(&l, "type").as_string().expect("type"))
        .collect()
}

fn subject(result: &JsValue) -> Option<String> {
    get(&get(result, "headers"), "fields")
        .unchecked_into::<Array>()
        .iter()
        .find(|f| {
            get(f, "name")
                .as_string()
                .is_some_and(|n| n.eq_ignore_ascii_case("subject"))
        })
        .and_then(|f| get(&f, "value").as_string())
}

pub async fn run_open() {
    // The JS object itself (it owns the Rust value); `open` borrows it through its handle.
    let bob: JsValue = await_ok(Identity::from_pkcs12(
        Uint8Array::from(BOB_P12).into(),
        Some("bob".into()),
    ))
    .await;
    let alice = identity(ALICE_KEY, &[ALICE_CRT, CA_RSA]).await;
    let message = "From: alice@smime.example\r\nTo: bob@smime.example\r\nSubject: secret plan\r\n\r\nMeet at noon.\r\n";
    let ours = await_ok(sign_and_encrypt(
        JsValue::from_str(message),
        &alice,
        JsValue::from_str(BOB_CRT),
        Some(opts(&[("provider", "webcrypto".into())]).unchecked_into()),
    ))
    .await;
    for provider in ["webcrypto", "rustcrypto"] {
        for (name, msg) in [
            (
                "openssl",
                JsValue::from(Uint8Array::from(SIGNED_THEN_ENVELOPED)),
            ),
            ("ours", ours.clone()),
        ] {
            let options = opts(&[
                ("identity", bob.clone()),
                ("trust", JsValue::from_str(CA_RSA)),
                ("provider", provider.into()),
            ]);
            let r = await_ok(open(msg, Some(options.unchecked_into()))).await;
            assert_eq!(
                layer_types(&r),
                ["encrypted", "signed"],
                "{name} {provider}"
            );
            let signers = get(&r, "signers").unchecked_into::<Array>();
            assert_eq!(signers.length(), 1, "{name}");
            let s = signers.get(0);
            assert_eq!(
                get(&s, "signatureValid").as_bool(),
                Some(true),
                "{name} {provider}"
            );
            assert_eq!(
                get(&s, "trusted").as_bool(),
                Some(true),
                "{name} {provider}"
            );
            if name == "ours" {
                assert_eq!(subject(&r).as_deref(), Some("secret plan"));
                let content = get(&r, "content").unchecked_into::<Uint8Array>().to_vec();
                assert!(String::from_utf8_lossy(&content).contains("Meet at noon."));
            }
        }
    }
    let codes = problem_codes().unchecked_into::<Array>();
    assert!(
        codes
            .iter()
            .any(|c| get(&c, "code").as_string().as_deref() == Some("REVOCATION_NOT_CHECKED"))
    );
}
