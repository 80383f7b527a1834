//! Reading JS arguments: bytes, strings, dates and checked options objects.

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Secret bytes (a private key): as [`bytes`], wiped from wasm memory when dropped.
pub(crate) fn secret_bytes(value: &JsValue, what: &str) -> Result<Zeroizing<Vec<u8>>> {
    bytes(value, what).map(Zeroizing::new)
}

/// Bytes from a `Uint8Array`, `ArrayBuffer`, any typed-array view, or a string (UTF-8).
/// `what` names the argument in the error. Messages are not secret to the module (the caller
/// holds them anyway) and can be large, so they are not wiped: see [`secret_bytes`] for keys.
pub(crate) fn bytes(value: &JsValue, what: &str) -> Result<Vec<u8>> {
    if let Some(s) = value.as_string() {
        return Ok(s.into_bytes());
    }
    if let Some(u8a) = value.dyn_ref::<Uint8Array>() {
        return Ok(u8a.to_vec());
    }
    if let Some(buf) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(buf).to_vec());
    }
    if ArrayBufferViewLike::is(value) {
        let buffer = Reflect::get(value, &"buffer".into()).unwrap_or_default();
        let offset = Reflect::get(value, &"byteOffset".into())
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0);
        let length = Reflect::get(value, &"byteLength".into())
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0);
        if let Some(buf) = buffer.dyn_ref::<js_sys::ArrayBuffer>() {
            let view =
                Uint8Array::new_with_byte_offset_and_length(buf, offset as u32, length as u32);
            return Ok(view.to_vec());
        }
    }
    Err(Error::InvalidOption(format!(
        "{what} must be a Uint8Array, an ArrayBuffer or a string"
    )))
}

struct ArrayBufferViewLike;

impl ArrayBufferViewLike {
    fn is(value: &JsValue) -> bool {
        js_sys::ArrayBuffer::is_view(value)
    }
}

/// A list of byte inputs: one input, or an array of them.
pub(crate) fn byte_list(value: &JsValue, what: &str) -> Result<Vec<Vec<u8>>> {
    if Array::is_array(value) {
        let array: &Array = value.unchecked_ref();
        array
            .iter()
            .enumerate()
            .map(|(i, v)| bytes(&v, &format!("{what}[{i}]")))
            .collect()
    } else {
        Ok(vec![bytes(value, what)?])
    }
}

/// A checked options object: `undefined`/`null` mean "all defaults"; any key not in `allowed` is
/// an `INVALID_OPTION` error naming it.
pub(crate) struct Options {
    object: Option<Object>,
    call: &'static str,
}

impl Options {
    pub(crate) fn new(value: &JsValue, call: &'static str, allowed: &[&str]) -> Result<Self> {
        if value.is_undefined() || value.is_null() {
            return Ok(Self { object: None, call });
        }
        if !value.is_object() || Array::is_array(value) {
            return Err(Error::InvalidOption(format!(
                "the options of {call} must be an object"
            )));
        }
        let object: Object = value.clone().unchecked_into();
        for key in Object::keys(&object).iter() {
            let key = key.as_string().unwrap_or_default();
            if !allowed.contains(&key.as_str()) {
                return Err(Error::InvalidOption(format!(
                    "unknown option `{key}` for {call} (known: {})",
                    allowed.join(", ")
                )));
            }
        }
        Ok(Self {
            object: Some(object),
            call,
        })
    }

    /// The raw value of `key`, `None` when absent or `undefined`.
    pub(crate) fn get(&self, key: &str) -> Option<JsValue> {
        let object = self.object.as_ref()?;
        let v = Reflect::get(object, &JsValue::from_str(key)).ok()?;
        (!v.is_undefined()).then_some(v)
    }

    pub(crate) fn bool(&self, key: &str, default: bool) -> Result<bool> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v.as_bool().ok_or_else(|| self.bad(key, "a boolean")),
        }
    }

    pub(crate) fn string(&self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) if v.is_null() => Ok(None),
            Some(v) => v
                .as_string()
                .map(Some)
                .ok_or_else(|| self.bad(key, "a string")),
        }
    }

    /// A string or an array of strings.
    pub(crate) fn strings(&self, key: &str) -> Result<Vec<String>> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(v) if v.is_null() => Ok(Vec::new()),
            Some(v) if Array::is_array(&v) => {
                let array: Array = v.unchecked_into();
                array
                    .iter()
                    .map(|s| s.as_string().ok_or_else(|| self.bad(key, "strings")))
                    .collect()
            }
            Some(v) => v
                .as_string()
                .map(|s| vec![s])
                .ok_or_else(|| self.bad(key, "a string or an array of strings")),
        }
    }

    /// A `Date` or a number of milliseconds since the epoch, as whole seconds.
    pub(crate) fn time_secs(&self, key: &str) -> Result<Option<u64>> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let millis = if let Some(d) = v.dyn_ref::<js_sys::Date>() {
            d.get_time()
        } else if let Some(n) = v.as_f64() {
            n
        } else {
            return Err(self.bad(key, "a Date or milliseconds since 1970"));
        };
        if !millis.is_finite() || !(0.0..=253_402_300_799_000.0).contains(&millis) {
            return Err(self.bad(key, "a valid date between 1970 and 9999"));
        }
        Ok(Some((millis / 1000.0) as u64))
    }

    fn bad(&self, key: &str, expected: &str) -> Error {
        Error::InvalidOption(format!(
            "option `{key}` of {} must be {expected}",
            self.call
        ))
    }
}

/// Milliseconds now, from the JS clock, as whole seconds.
pub(crate) fn now_secs() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}
