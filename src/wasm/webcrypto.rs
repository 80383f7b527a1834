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
use zeroize::Zeroizing;

use crate::provider::{
    ContentCipher, DigestAlgorithm, EcdhCurve, KeyTransport, OaepDigest, Provider, RsaDecryption,
    RustCryptoProvider, SignatureScheme,
};

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

/// Non-extractable WebCrypto keys of one identity, by signature scheme (and, for decryption,
/// by key agreement or OAEP digest).
#[derive(Default)]
pub(crate) struct KeyCache {
    keys: RefCell<Vec<(SignatureScheme, CryptoKey)>>,
    decryption_keys: RefCell<Vec<(DecryptionUse, CryptoKey)>>,
}

/// What a private key was imported into WebCrypto for, besides signing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DecryptionUse {
    /// RSA-OAEP decryption with this digest (MGF1 with the same one, empty label).
    Oaep(OaepDigest),
    /// ECDH / X25519 deriveBits.
    Agreement,
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

    async fn encrypt_content(
        &self,
        cipher: ContentCipher,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>> {
        let Some(params) = cipher_params(cipher, iv, aad) else {
            // ChaCha20-Poly1305 is not in WebCrypto.
            return RustCryptoProvider::encrypt_content_now(cipher, key, iv, aad, plaintext);
        };
        let attempt = async {
            let k = self
                .import_secret(key, cipher_name(cipher), "encrypt")
                .await?;
            let promise = self
                .subtle()?
                .encrypt_with_object_and_u8_array(&params, &k, plaintext)
                .map_err(js_failure)?;
            Ok(array_buffer_bytes(
                &JsFuture::from(promise).await.map_err(js_failure)?,
            ))
        };
        match attempt.await {
            Ok(c) => Ok(c),
            Err(e) if self.strict => Err(e),
            Err(_) => RustCryptoProvider::encrypt_content_now(cipher, key, iv, aad, plaintext),
        }
    }

    async fn decrypt_content(
        &self,
        cipher: ContentCipher,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>> {
        let Some(params) = cipher_params(cipher, iv, aad) else {
            return RustCryptoProvider::decrypt_content_now(cipher, key, iv, aad, ciphertext);
        };
        let k = match self
            .import_secret(key, cipher_name(cipher), "decrypt")
            .await
        {
            Ok(k) => k,
            // The platform refused the key or the algorithm: not a property of the input.
            Err(e) if self.strict => return Err(e),
            Err(_) => {
                return RustCryptoProvider::decrypt_content_now(cipher, key, iv, aad, ciphertext);
            }
        };
        // From here on every failure is the input's (padding, tag): one opaque error, and no
        // second attempt that would time differently.
        let promise = self
            .subtle()?
            .decrypt_with_object_and_u8_array(&params, &k, ciphertext)
            .map_err(|_| Error::DecryptionFailed)?;
        let plain = JsFuture::from(promise)
            .await
            .map_err(|_| Error::DecryptionFailed)?;
        Ok(array_buffer_bytes(&plain))
    }

    async fn wrap_key(&self, kek: &[u8], key: &[u8]) -> Result<Vec<u8>> {
        let attempt = async {
            let wrapping = self.import_secret(kek, "AES-KW", "wrapKey").await?;
            // WebCrypto wraps CryptoKeys only: the CEK goes in as an extractable AES key (its
            // length is 16, 24 or 32 octets for every content cipher we write).
            let usages = Array::of1(&JsValue::from_str("encrypt"));
            let data = Uint8Array::from(key);
            let promise = self
                .subtle()?
                .import_key_with_object(
                    "raw",
                    &data,
                    &object(&[("name", "AES-CBC".into())]),
                    true,
                    &usages,
                )
                .map_err(js_failure)?;
            let imported = JsFuture::from(promise).await;
            data.fill(0, 0, data.length());
            let cek: CryptoKey = imported.map_err(js_failure)?.unchecked_into();
            let promise = self
                .subtle()?
                .wrap_key_with_str("raw", &cek, &wrapping, "AES-KW")
                .map_err(js_failure)?;
            Ok(array_buffer_bytes(
                &JsFuture::from(promise).await.map_err(js_failure)?,
            ))
        };
        match attempt.await {
            Ok(w) => Ok(w),
            Err(e) if self.strict => Err(e),
            Err(_) => RustCryptoProvider::wrap_key_now(kek, key),
        }
    }

    async fn unwrap_key(&self, kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let unwrapping = match self.import_secret(kek, "AES-KW", "unwrapKey").await {
            Ok(k) => k,
            Err(e) if self.strict => return Err(e),
            Err(_) => return RustCryptoProvider::unwrap_key_now(kek, wrapped),
        };
        // The unwrapped CEK must come back as bytes (the content cipher may be one WebCrypto
        // lacks), so it is made extractable; it lives in JS only until exported here.
        let usages = Array::of1(&JsValue::from_str("decrypt"));
        let promise = self
            .subtle()?
            .unwrap_key_with_u8_array_and_str_and_object(
                "raw",
                wrapped,
                &unwrapping,
                "AES-KW",
                &object(&[("name", "AES-CBC".into())]),
                true,
                &usages,
            )
            .map_err(|_| Error::DecryptionFailed)?;
        let cek: CryptoKey = JsFuture::from(promise)
            .await
            .map_err(|_| Error::DecryptionFailed)?
            .unchecked_into();
        let promise = self.subtle()?.export_key("raw", &cek).map_err(js_failure)?;
        let raw = JsFuture::from(promise).await.map_err(js_failure)?;
        let view = Uint8Array::new(&raw);
        let out = Zeroizing::new(view.to_vec());
        view.fill(0, 0, view.length());
        Ok(out)
    }

    async fn rsa_encrypt(
        &self,
        spki: &[u8],
        transport: KeyTransport,
        key: &[u8],
    ) -> Result<Vec<u8>> {
        if transport != KeyTransport::RsaOaep {
            // RSAES-PKCS1-v1_5 encryption is not in WebCrypto.
            return RustCryptoProvider::rsa_encrypt_now(spki, transport, key);
        }
        let attempt = async {
            let params = object(&[("name", "RSA-OAEP".into()), ("hash", "SHA-256".into())]);
            let usages = Array::of1(&JsValue::from_str("encrypt"));
            let data = Uint8Array::from(spki);
            let promise = self
                .subtle()?
                .import_key_with_object("spki", &data, &params, false, &usages)
                .map_err(js_failure)?;
            let public: CryptoKey = JsFuture::from(promise)
                .await
                .map_err(js_failure)?
                .unchecked_into();
            let promise = self
                .subtle()?
                .encrypt_with_object_and_u8_array(
                    &object(&[("name", "RSA-OAEP".into())]),
                    &public,
                    key,
                )
                .map_err(js_failure)?;
            Ok(array_buffer_bytes(
                &JsFuture::from(promise).await.map_err(js_failure)?,
            ))
        };
        match attempt.await {
            Ok(c) => Ok(c),
            Err(e) if self.strict => Err(e),
            Err(_) => RustCryptoProvider::rsa_encrypt_now(spki, transport, key),
        }
    }

    async fn rsa_decrypt(
        &self,
        key: &PrivateKey,
        scheme: &RsaDecryption,
        wrapped: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        let digest = match scheme {
            RsaDecryption::Oaep {
                digest,
                mgf1_digest,
                label,
            } if digest == mgf1_digest && label.is_empty() && *digest != OaepDigest::Sha224 => {
                *digest
            }
            // PKCS#1 v1.5 decryption (and OAEP with mixed digests or a label) is not in
            // WebCrypto; the RustCrypto one uses implicit rejection.
            _ => return RustCryptoProvider::rsa_decrypt_now(key, scheme, wrapped),
        };
        let k = match self.decryption_key(key, DecryptionUse::Oaep(digest)).await {
            Ok(k) => k,
            Err(e) if self.strict => return Err(e),
            Err(_) => return RustCryptoProvider::rsa_decrypt_now(key, scheme, wrapped),
        };
        let promise = self
            .subtle()?
            .decrypt_with_object_and_u8_array(&object(&[("name", "RSA-OAEP".into())]), &k, wrapped)
            .map_err(|_| Error::DecryptionFailed)?;
        let plain = JsFuture::from(promise)
            .await
            .map_err(|_| Error::DecryptionFailed)?;
        let view = Uint8Array::new(&plain);
        let out = Zeroizing::new(view.to_vec());
        view.fill(0, 0, view.length());
        Ok(out)
    }

    async fn ecdh_ephemeral(
        &self,
        curve: EcdhCurve,
        peer_public: &[u8],
    ) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>)> {
        let attempt = async {
            let algorithm = agreement_algorithm(curve);
            let usages = Array::of1(&JsValue::from_str("deriveBits"));
            let promise = self
                .subtle()?
                .generate_key_with_object(&algorithm, false, &usages)
                .map_err(js_failure)?;
            let pair = JsFuture::from(promise).await.map_err(js_failure)?;
            let private: CryptoKey = Reflect::get(&pair, &"privateKey".into())
                .map_err(js_failure)?
                .unchecked_into();
            let public: CryptoKey = Reflect::get(&pair, &"publicKey".into())
                .map_err(js_failure)?
                .unchecked_into();
            let promise = self
                .subtle()?
                .export_key("raw", &public)
                .map_err(js_failure)?;
            let ephemeral = array_buffer_bytes(&JsFuture::from(promise).await.map_err(js_failure)?);
            let shared = self.derive(curve, &private, peer_public).await?;
            Ok((ephemeral, shared))
        };
        match attempt.await {
            Ok(r) => Ok(r),
            Err(e) if self.strict => Err(e),
            Err(_) => RustCryptoProvider::ecdh_ephemeral_now(curve, peer_public),
        }
    }

    async fn ecdh(&self, key: &PrivateKey, peer_public: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let curve = match key.key_type() {
            KeyType::P256 => EcdhCurve::P256,
            KeyType::P384 => EcdhCurve::P384,
            KeyType::X25519 => EcdhCurve::X25519,
            _ => return RustCryptoProvider::ecdh_now(key, peer_public),
        };
        let attempt = async {
            let private = self.decryption_key(key, DecryptionUse::Agreement).await?;
            self.derive(curve, &private, peer_public).await
        };
        match attempt.await {
            Ok(z) => Ok(z),
            Err(e) if self.strict => Err(e),
            Err(_) => RustCryptoProvider::ecdh_now(key, peer_public),
        }
    }
}

impl WebCryptoProvider<'_> {
    /// Imports raw secret key bytes (a CEK or KEK) as a non-extractable key for one usage.
    async fn import_secret(&self, raw: &[u8], algorithm: &str, usage: &str) -> Result<CryptoKey> {
        let usages = Array::of1(&JsValue::from_str(usage));
        let data = Uint8Array::from(raw);
        let promise = self
            .subtle()?
            .import_key_with_object(
                "raw",
                &data,
                &object(&[("name", algorithm.into())]),
                false,
                &usages,
            )
            .map_err(js_failure)?;
        let result = JsFuture::from(promise).await;
        data.fill(0, 0, data.length());
        Ok(result.map_err(js_failure)?.unchecked_into())
    }

    /// The identity's private key imported (non-extractable, cached) for OAEP or key agreement.
    async fn decryption_key(&self, key: &PrivateKey, usage: DecryptionUse) -> Result<CryptoKey> {
        if let Some((_, k)) = self
            .keys
            .decryption_keys
            .borrow()
            .iter()
            .find(|(u, _)| *u == usage)
        {
            return Ok(k.clone());
        }
        let (params, usages) = match (usage, key.key_type()) {
            (DecryptionUse::Oaep(d), KeyType::Rsa(_)) => (
                object(&[("name", "RSA-OAEP".into()), ("hash", oaep_hash(d).into())]),
                Array::of1(&JsValue::from_str("decrypt")),
            ),
            (DecryptionUse::Agreement, KeyType::P256) => (
                agreement_algorithm(EcdhCurve::P256),
                Array::of1(&JsValue::from_str("deriveBits")),
            ),
            (DecryptionUse::Agreement, KeyType::P384) => (
                agreement_algorithm(EcdhCurve::P384),
                Array::of1(&JsValue::from_str("deriveBits")),
            ),
            (DecryptionUse::Agreement, KeyType::X25519) => (
                agreement_algorithm(EcdhCurve::X25519),
                Array::of1(&JsValue::from_str("deriveBits")),
            ),
            (u, t) => {
                return Err(Error::Crypto(format!(
                    "WebCrypto: a {t} key cannot be used for {u:?}"
                )));
            }
        };
        let pkcs8 = key.to_pkcs8_der()?;
        let data = Uint8Array::from(pkcs8.as_slice());
        let promise = self
            .subtle()?
            .import_key_with_object("pkcs8", &data, &params, false, &usages)
            .map_err(js_failure)?;
        let result = JsFuture::from(promise).await;
        data.fill(0, 0, data.length());
        let crypto_key: CryptoKey = result.map_err(js_failure)?.unchecked_into();
        self.keys
            .decryption_keys
            .borrow_mut()
            .push((usage, crypto_key.clone()));
        Ok(crypto_key)
    }

    /// deriveBits between `private` and the raw public key `peer_public` on `curve`.
    async fn derive(
        &self,
        curve: EcdhCurve,
        private: &CryptoKey,
        peer_public: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        let algorithm = agreement_algorithm(curve);
        let data = Uint8Array::from(peer_public);
        let promise = self
            .subtle()?
            .import_key_with_object("raw", &data, &algorithm, true, &Array::new())
            .map_err(js_failure)?;
        let public: CryptoKey = JsFuture::from(promise)
            .await
            .map_err(js_failure)?
            .unchecked_into();
        let name = Reflect::get(&algorithm, &"name".into()).unwrap_or_default();
        let params = object(&[("name", name), ("public", public.into())]);
        let bits = match curve {
            EcdhCurve::P384 => 384,
            _ => 256,
        };
        let promise = self
            .subtle()?
            .derive_bits_with_object(&params, private, bits)
            .map_err(js_failure)?;
        let secret = JsFuture::from(promise).await.map_err(js_failure)?;
        let view = Uint8Array::new(&secret);
        let out = Zeroizing::new(view.to_vec());
        view.fill(0, 0, view.length());
        Ok(out)
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

/// The WebCrypto name of a content cipher.
fn cipher_name(cipher: ContentCipher) -> &'static str {
    if cipher.is_authenticated() {
        "AES-GCM"
    } else {
        "AES-CBC"
    }
}

/// The WebCrypto parameters of a content cipher; `None` for ChaCha20-Poly1305 (not in WebCrypto).
fn cipher_params(cipher: ContentCipher, iv: &[u8], aad: &[u8]) -> Option<Object> {
    let iv = JsValue::from(Uint8Array::from(iv));
    match cipher {
        ContentCipher::ChaCha20Poly1305 => None,
        c if c.is_authenticated() => Some(object(&[
            ("name", "AES-GCM".into()),
            ("iv", iv),
            ("additionalData", Uint8Array::from(aad).into()),
            ("tagLength", JsValue::from_f64(128.0)),
        ])),
        _ => Some(object(&[("name", "AES-CBC".into()), ("iv", iv)])),
    }
}

fn oaep_hash(digest: OaepDigest) -> &'static str {
    match digest {
        OaepDigest::Sha1 => "SHA-1",
        OaepDigest::Sha256 => "SHA-256",
        OaepDigest::Sha384 => "SHA-384",
        OaepDigest::Sha512 => "SHA-512",
        // Not offered by WebCrypto; callers fall back before getting here.
        _ => "SHA-224",
    }
}

fn agreement_algorithm(curve: EcdhCurve) -> Object {
    match curve {
        EcdhCurve::P256 => object(&[("name", "ECDH".into()), ("namedCurve", "P-256".into())]),
        EcdhCurve::P384 => object(&[("name", "ECDH".into()), ("namedCurve", "P-384".into())]),
        _ => object(&[("name", "X25519".into())]),
    }
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
