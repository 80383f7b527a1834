//! The WebCrypto provider: the page's (or Node's) `crypto.subtle` for digests and signatures,
//! with the RustCrypto provider as fallback for what the platform lacks.
//!
//! Private keys are imported into WebCrypto as **non-extractable** `CryptoKey`s, once per
//! identity and signature scheme, and cached with the identity (they go when it is freed).

use std::cell::RefCell;

use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

use crate::error::{Error, Result};
use crate::identity::{KeyType, PrivateKey};
use crate::provider::{DigestAlgorithm, Provider, RustCryptoProvider, SignatureScheme};

/// Which provider a call uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProviderChoice {
    /// WebCrypto where it can, RustCrypto for the rest (the default).
    Auto,
    /// WebCrypto only: an operation it cannot do is an error (for tests and benchmarks).
    WebCrypto,
    /// RustCrypto only.
    RustCrypto,
}

impl ProviderChoice {
    pub(crate) fn from_name(name: Option<&str>) -> Result<Self> {
        match name {
            None | Some("auto") => Ok(Self::Auto),
            Some("webcrypto") => Ok(Self::WebCrypto),
            Some("rustcrypto") => Ok(Self::RustCrypto),
            Some(other) => Err(Error::InvalidOption(format!(
                "option `provider` must be 'auto', 'webcrypto' or 'rustcrypto', not '{other}'"
            ))),
        }
    }
}

/// Non-extractable WebCrypto keys of one identity, by signature scheme.
#[derive(Default)]
pub(crate) struct KeyCache {
    keys: RefCell<Vec<(SignatureScheme, CryptoKey)>>,
}

/// `crypto.subtle` with a per-identity key cache.
pub(crate) struct WebCryptoProvider<'a> {
    subtle: Option<SubtleCrypto>,
    keys: &'a KeyCache,
    strict: bool,
}

impl<'a> WebCryptoProvider<'a> {
    /// `strict`: no RustCrypto fallback.
    pub(crate) fn new(keys: &'a KeyCache, strict: bool) -> Self {
        Self {
            subtle: subtle(),
            keys,
            strict,
        }
    }

    fn subtle(&self) -> Result<&SubtleCrypto> {
        self.subtle
            .as_ref()
            .ok_or_else(|| Error::Crypto("WebCrypto (crypto.subtle) is not available here".into()))
    }

    async fn web_digest(&self, algorithm: DigestAlgorithm, data: &[u8]) -> Result<Vec<u8>> {
        let promise = self
            .subtle()?
            .digest_with_str_and_u8_array(algorithm.webcrypto_name(), data)
            .map_err(js_failure)?;
        let buffer = JsFuture::from(promise).await.map_err(js_failure)?;
        Ok(array_buffer_bytes(&buffer))
    }

    async fn web_sign(
        &self,
        key: &PrivateKey,
        scheme: SignatureScheme,
        message: &[u8],
    ) -> Result<Vec<u8>> {
        let crypto_key = self.crypto_key(key, scheme).await?;
        let params = sign_params(scheme)?;
        let promise = self
            .subtle()?
            .sign_with_object_and_u8_array(&params, &crypto_key, message)
            .map_err(js_failure)?;
        let signature = array_buffer_bytes(&JsFuture::from(promise).await.map_err(js_failure)?);
        match scheme {
            // WebCrypto gives r || s (IEEE P1363); CMS carries Ecdsa-Sig-Value in DER.
            SignatureScheme::Ecdsa(_) => match key.key_type() {
                KeyType::P256 => p256::ecdsa::Signature::from_slice(&signature)
                    .map(|s| s.to_der().as_bytes().to_vec())
                    .map_err(|e| Error::Crypto(format!("WebCrypto ECDSA signature: {e}"))),
                _ => p384::ecdsa::Signature::from_slice(&signature)
                    .map(|s| s.to_der().as_bytes().to_vec())
                    .map_err(|e| Error::Crypto(format!("WebCrypto ECDSA signature: {e}"))),
            },
            _ => Ok(signature),
        }
    }

    async fn crypto_key(&self, key: &PrivateKey, scheme: SignatureScheme) -> Result<CryptoKey> {
        if let Some((_, k)) = self.keys.keys.borrow().iter().find(|(s, _)| *s == scheme) {
            return Ok(k.clone());
        }
        let pkcs8 = key.to_pkcs8_der()?;
        let params = import_params(key, scheme)?;
        let usages = Array::of1(&JsValue::from_str("sign"));
        // The PKCS#8 bytes are copied into a JS buffer only for the duration of the import call.
        let data = Uint8Array::from(pkcs8.as_slice());
        let promise = self
            .subtle()?
            .import_key_with_object("pkcs8", &data, &params, false, &usages)
            .map_err(js_failure)?;
        let result = JsFuture::from(promise).await;
        data.fill(0, 0, data.length());
        let crypto_key: CryptoKey = result.map_err(js_failure)?.unchecked_into();
        self.keys
            .keys
            .borrow_mut()
            .push((scheme, crypto_key.clone()));
        Ok(crypto_key)
    }
}

impl Provider for WebCryptoProvider<'_> {
    fn name(&self) -> &'static str {
        if self.strict { "webcrypto" } else { "auto" }
    }

    async fn digest(&self, algorithm: DigestAlgorithm, data: &[u8]) -> Result<Vec<u8>> {
        match self.web_digest(algorithm, data).await {
            Ok(d) => Ok(d),
            Err(e) if self.strict => Err(e),
            Err(_) => Ok(RustCryptoProvider::digest_now(algorithm, data)),
        }
    }

    async fn sign(
        &self,
        key: &PrivateKey,
        scheme: SignatureScheme,
        message: &[u8],
    ) -> Result<Vec<u8>> {
        match self.web_sign(key, scheme, message).await {
            Ok(s) => Ok(s),
            Err(e) if self.strict => Err(e),
            Err(_) => RustCryptoProvider::sign_now(key, scheme, message),
        }
    }
}

/// `globalThis.crypto.subtle`, in a window, a worker or Node.
fn subtle() -> Option<SubtleCrypto> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).ok()?;
    if crypto.is_undefined() || crypto.is_null() {
        return None;
    }
    let subtle = Reflect::get(&crypto, &JsValue::from_str("subtle")).ok()?;
    (!subtle.is_undefined() && !subtle.is_null()).then(|| subtle.unchecked_into())
}

fn object(pairs: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        // Defining a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

fn import_params(key: &PrivateKey, scheme: SignatureScheme) -> Result<Object> {
    let hash = |d: DigestAlgorithm| JsValue::from_str(d.webcrypto_name());
    Ok(match (scheme, key.key_type()) {
        (SignatureScheme::RsaPkcs1v15(d), KeyType::Rsa(_)) => {
            object(&[("name", "RSASSA-PKCS1-v1_5".into()), ("hash", hash(d))])
        }
        (SignatureScheme::RsaPss(d), KeyType::Rsa(_)) => {
            object(&[("name", "RSA-PSS".into()), ("hash", hash(d))])
        }
        (SignatureScheme::Ecdsa(_), KeyType::P256) => {
            object(&[("name", "ECDSA".into()), ("namedCurve", "P-256".into())])
        }
        (SignatureScheme::Ecdsa(_), KeyType::P384) => {
            object(&[("name", "ECDSA".into()), ("namedCurve", "P-384".into())])
        }
        (SignatureScheme::Ed25519, KeyType::Ed25519) => object(&[("name", "Ed25519".into())]),
        (scheme, key_type) => {
            return Err(Error::InvalidOption(format!(
                "signature scheme {scheme:?} does not fit a {key_type} key"
            )));
        }
    })
}

fn sign_params(scheme: SignatureScheme) -> Result<Object> {
    Ok(match scheme {
        SignatureScheme::RsaPkcs1v15(_) => object(&[("name", "RSASSA-PKCS1-v1_5".into())]),
        SignatureScheme::RsaPss(d) => object(&[
            ("name", "RSA-PSS".into()),
            ("saltLength", JsValue::from_f64(d.output_len() as f64)),
        ]),
        SignatureScheme::Ecdsa(d) => object(&[
            ("name", "ECDSA".into()),
            ("hash", JsValue::from_str(d.webcrypto_name())),
        ]),
        SignatureScheme::Ed25519 => object(&[("name", "Ed25519".into())]),
    })
}

fn array_buffer_bytes(value: &JsValue) -> Vec<u8> {
    match value.dyn_ref::<ArrayBuffer>() {
        Some(buf) => Uint8Array::new(buf).to_vec(),
        None => Uint8Array::new(value).to_vec(),
    }
}

fn js_failure(e: JsValue) -> Error {
    let message = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into());
    Error::Crypto(format!("WebCrypto: {message}"))
}
