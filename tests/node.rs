//! The JS API in Node (wasm-bindgen-test, Node's WebCrypto).
#![cfg(target_arch = "wasm32")]

mod wasm_shared;

use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
async fn js_api_in_node() {
    wasm_shared::run_all().await;
}

#[wasm_bindgen_test]
async fn encryption_in_node() {
    wasm_shared::encryption::run_encryption().await;
}

#[wasm_bindgen_test]
async fn open_in_node() {
    wasm_shared::opening::run_open().await;
}
