//! `crate::Error` → JS `Error { name: "SmimeError", code, message }`.

use wasm_bindgen::JsValue;

use crate::error::Error;

/// The JS error for `e`: an `Error` whose `name` is `"SmimeError"` and whose `code` is
/// [`Error::code`].
pub(crate) fn to_js(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("SmimeError");
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(
        &err,
        &JsValue::from_str("code"),
        &JsValue::from_str(e.code()),
    );
    err.into()
}

/// `Result<T, Error>` → `Result<T, JsValue>`.
pub(crate) fn js<T>(r: Result<T, Error>) -> Result<T, JsValue> {
    r.map_err(|e| to_js(&e))
}
