//! The JS API in headless Chromium (wasm-bindgen-test, WebCrypto of the browser).
#![cfg(target_arch = "wasm32")]

mod wasm_shared;

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn js_api_in_the_browser() {
    wasm_shared::run_all().await;
}

#[wasm_bindgen_test]
async fn encryption_in_the_browser() {
    wasm_shared::encryption::run_encryption().await;
}

#[wasm_bindgen_test]
async fn open_in_the_browser() {
    wasm_shared::opening::run_open().await;
}
