//! Test identity generation inside WebAssembly (Node): key generation through getrandom's
//! `crypto.getRandomValues`, no clock read (time is passed in), and the result signs.
#![cfg(target_arch = "wasm32")]

use smime_wasm::{
    Identity, KeyType, RustCryptoProvider, SignOptions, TestIdentityOptions, sign_with,
};
use wasm_bindgen_test::wasm_bindgen_test;

/// 2026-12-01T00:00:00Z.
const NOW: u64 = 1_796_083_200;

#[wasm_bindgen_test]
async fn generate_and_sign_in_wasm() {
    for key_type in [
        KeyType::P256,
        KeyType::P384,
        KeyType::Ed25519,
        KeyType::Rsa(2048),
    ] {
        let ca = Identity::generate_test_ca("Wasm Test CA", key_type, 30, NOW).expect("CA");
        let user = Identity::generate_test(TestIdentityOptions {
            email: "wasm@example.com",
            name: "Wasm User",
            key_type,
            issuer: Some(&ca),
            valid_days: 30,
            now_unix: NOW,
        })
        .expect("user");
        assert!(ca.certificate().is_self_signed());
        assert!(user.certificate().is_signed_by(ca.certificate()));
        assert_eq!(user.certificate().not_before(), NOW);
        let options = SignOptions {
            signing_time: Some(NOW),
            ..SignOptions::default()
        };
        let signed = sign_with(
            &RustCryptoProvider,
            b"Subject: hi\r\n\r\nhi\r\n",
            &user,
            &options,
        )
        .await
        .expect("sign");
        let needle = b"application/pkcs7-signature";
        assert!(signed.windows(needle.len()).any(|w| w == needle));
    }
}
