//! The exported JS API: `Identity`, `Certificate`, `sign`, `compose`, `errorCodes`.

use std::rc::Rc;

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use zeroize::Zeroizing;

use super::convert::{self, Options};
use super::js_error::{js, to_js};
use super::webcrypto::{KeyCache, ProviderChoice, WebCryptoProvider};
use crate::error::Error;
use crate::provider::{DigestAlgorithm, RustCryptoProvider};
use crate::sign::{RsaPadding, SignOptions};

/// An X.509 certificate.
#[wasm_bindgen]
pub struct Certificate {
    inner: crate::Certificate,
}

#[wasm_bindgen]
impl Certificate {
    /// Parses exactly one certificate (PEM or DER). Resolves to a `Certificate`.
    #[wasm_bindgen(js_name = fromBytes, unchecked_return_type = "Promise<Certificate>")]
    pub fn from_bytes(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer | string")] input: JsValue,
    ) -> Promise {
        let parsed = convert::bytes(&input, "certificate")
            .and_then(|b| crate::Certificate::from_bytes(&b))
            .map(|inner| JsValue::from(Certificate { inner }));
        settle(parsed)
    }

    /// Parses every certificate in PEM text or concatenated DER. Resolves to `Certificate[]`.
    #[wasm_bindgen(js_name = allFromBytes, unchecked_return_type = "Promise<Certificate[]>")]
    pub fn all_from_bytes(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer | string")] input: JsValue,
    ) -> Promise {
        let parsed = convert::bytes(&input, "certificates")
            .and_then(|b| crate::Certificate::all_from_bytes(&b))
            .map(|all| {
                all.into_iter()
                    .map(|inner| JsValue::from(Certificate { inner }))
                    .collect::<Array>()
                    .into()
            });
        settle(parsed)
    }

    /// E-mail addresses: subjectAltName rfc822Name entries, then subject emailAddress attributes.
    #[wasm_bindgen(getter)]
    pub fn emails(&self) -> Vec<String> {
        self.inner.emails()
    }

    /// Subject DN (RFC 4514).
    #[wasm_bindgen(getter)]
    pub fn subject(&self) -> String {
        self.inner.subject()
    }

    /// Issuer DN (RFC 4514).
    #[wasm_bindgen(getter)]
    pub fn issuer(&self) -> String {
        self.inner.issuer()
    }

    /// Start of validity.
    #[wasm_bindgen(getter, js_name = notBefore)]
    pub fn not_before(&self) -> js_sys::Date {
        js_sys::Date::new(&JsValue::from_f64(self.inner.not_before() as f64 * 1000.0))
    }

    /// End of validity.
    #[wasm_bindgen(getter, js_name = notAfter)]
    pub fn not_after(&self) -> js_sys::Date {
        js_sys::Date::new(&JsValue::from_f64(self.inner.not_after() as f64 * 1000.0))
    }

    /// SHA-256 fingerprint of the DER, lowercase hex.
    #[wasm_bindgen(getter, js_name = fingerprintSha256)]
    pub fn fingerprint_sha256(&self) -> String {
        self.inner.fingerprint_sha256()
    }

    /// Public key algorithm and size, e.g. `RSA-2048`, `P-256`, `Ed25519`.
    #[wasm_bindgen(getter, js_name = keyAlgorithm)]
    pub fn key_algorithm(&self) -> String {
        self.inner.key_algorithm()
    }

    /// The DER encoding.
    #[wasm_bindgen(js_name = toDer)]
    pub fn to_der(&self) -> Uint8Array {
        Uint8Array::from(self.inner.as_der())
    }

    /// PEM text.
    #[wasm_bindgen(js_name = toPem)]
    pub fn to_pem(&self) -> String {
        self.inner.to_pem()
    }
}

/// The user's signing identity: a private key (kept inside the module; never returned) and its
/// certificate chain.
#[wasm_bindgen]
pub struct Identity {
    inner: Rc<crate::Identity>,
    webcrypto_keys: Rc<KeyCache>,
}

#[wasm_bindgen]
impl Identity {
    /// Imports a private key (PKCS#8 plain or encrypted, PKCS#1 RSA, SEC1 EC; PEM or DER) and its
    /// certificates (PEM text, DER, or an array of those; any order). Checks that the key matches a
    /// certificate and orders the chain leaf first. Resolves to an `Identity`.
    #[wasm_bindgen(js_name = fromPem, unchecked_return_type = "Promise<Identity>")]
    pub fn from_pem(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer | string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | string | (Uint8Array | string)[]")]
        certificates: JsValue,
        passphrase: Option<String>,
    ) -> Promise {
        let passphrase = passphrase.map(Zeroizing::new);
        let built = (|| {
            let key = convert::secret_bytes(&key, "key")?;
            let mut certs = Vec::new();
            for bytes in convert::byte_list(&certificates, "certificates")? {
                certs.extend(crate::Certificate::all_from_bytes(&bytes)?);
            }
            let key = crate::PrivateKey::from_bytes(&key, passphrase.as_ref().map(|p| p.as_str()))?;
            crate::Identity::from_parts(key, certs)
        })();
        settle(built.map(|inner| {
            JsValue::from(Identity {
                inner: Rc::new(inner),
                webcrypto_keys: Rc::new(KeyCache::default()),
            })
        }))
    }

    /// Imports a PKCS#12 (.p12/.pfx) file: PBES2 or the legacy PKCS#12 PBEs (3DES, RC2), any MAC
    /// digest, BER or DER. A file with a signing and an encryption key yields both, matched to their
    /// certificates by public key. `password` absent or `""` tries both the empty and the absent
    /// password, as OpenSSL does. Resolves to an `Identity`.
    #[wasm_bindgen(js_name = fromPkcs12, unchecked_return_type = "Promise<Identity>")]
    pub fn from_pkcs12(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: JsValue,
        password: Option<String>,
    ) -> Promise {
        let password = password.map(Zeroizing::new);
        let built = convert::secret_bytes(&bytes, "pkcs12")
            .and_then(|b| crate::Identity::from_pkcs12(&b, password.as_ref().map(|p| p.as_str())));
        settle(built.map(|inner| {
            JsValue::from(Identity {
                inner: Rc::new(inner),
                webcrypto_keys: Rc::new(KeyCache::default()),
            })
        }))
    }

    /// **Exports the private key(s)** with the certificates as a password-protected PKCS#12 file,
    /// for backup. Default: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) with a SHA-256 MAC;
    /// `{legacy: true}`: 3DES with a SHA-1 MAC, for old Windows. This is the only call that lets
    /// key material out of the module. Resolves to a `Uint8Array`.
    #[wasm_bindgen(js_name = toPkcs12, unchecked_return_type = "Promise<Uint8Array>")]
    pub fn to_pkcs12(&self, password: String, options: Option<Pkcs12ExportOptionsArg>) -> Promise {
        let password = Zeroizing::new(password);
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let exported = Options::new(&options, "toPkcs12", &["legacy"])
            .and_then(|o| o.bool("legacy", false))
            .and_then(|legacy| self.inner.to_pkcs12(&password, legacy));
        settle(exported.map(|bytes| Uint8Array::from(bytes.as_slice()).into()))
    }

    /// The friendlyName of the key (or its certificate) from a PKCS#12 file, if it had one.
    #[wasm_bindgen(getter, js_name = friendlyName)]
    pub fn friendly_name(&self) -> Option<String> {
        self.inner.friendly_name().map(str::to_owned)
    }

    /// True when the identity holds a separate encryption key (RFC 9216 style .p12 files).
    #[wasm_bindgen(getter, js_name = hasEncryptionKey)]
    pub fn has_encryption_key(&self) -> bool {
        self.inner.encryption_key().is_some()
    }

    /// The signing certificate.
    #[wasm_bindgen(getter)]
    pub fn certificate(&self) -> Certificate {
        Certificate {
            inner: self.inner.certificate().clone(),
        }
    }

    /// The chain, leaf first.
    #[wasm_bindgen(getter)]
    pub fn chain(&self) -> Vec<Certificate> {
        self.inner
            .chain()
            .iter()
            .map(|c| Certificate { inner: c.clone() })
            .collect()
    }

    /// The separate encryption certificate, when one was given.
    #[wasm_bindgen(getter, js_name = encryptionCertificate)]
    pub fn encryption_certificate(&self) -> Option<Certificate> {
        self.inner
            .encryption_certificate()
            .map(|c| Certificate { inner: c.clone() })
    }

    /// The private key's type, e.g. `RSA-2048`.
    #[wasm_bindgen(getter, js_name = keyAlgorithm)]
    pub fn key_algorithm(&self) -> String {
        self.inner.key_algorithm()
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** Options of `sign`. */
export interface SignOptions {
  /** multipart/signed (true, default) or application/pkcs7-mime signed-data (false). */
  detached?: boolean;
  /** Digest for RSA and ECDSA (Ed25519 always uses SHA-512). Default 'sha256'. */
  digest?: 'sha256' | 'sha384' | 'sha512';
  /** RSA padding. Default 'pkcs1v15'. */
  rsaPadding?: 'pkcs1v15' | 'pss';
  /** signingTime attribute. Default: now (Date.now()). */
  signingTime?: Date | number;
  /** Include the issuer certificates. Default true. */
  includeChain?: boolean;
  /** Crypto provider. Default 'auto' (WebCrypto, RustCrypto for what it lacks). */
  provider?: 'auto' | 'webcrypto' | 'rustcrypto';
}
/** Options of `identity.toPkcs12`. */
export interface Pkcs12ExportOptions {
  /** 3DES + SHA-1 MAC for old Windows (default false: PBES2 AES-256-CBC + SHA-256 MAC). */
  legacy?: boolean;
}
/** An attachment of `compose`. */
export interface ComposeAttachment {
  filename: string;
  /** Default 'application/octet-stream'. */
  contentType?: string;
  data: Uint8Array | ArrayBuffer | string;
}
/** Fields of `compose`. */
export interface ComposeFields {
  from: string;
  to: string | string[];
  cc?: string | string[];
  subject: string;
  /** Default: now. */
  date?: Date | number;
  /** Default: generated. */
  messageId?: string;
  text?: string;
  html?: string;
  attachments?: ComposeAttachment[];
}
"#;

#[wasm_bindgen]
extern "C" {
    /// The options object of `sign` (typed in TypeScript as `SignOptions`).
    #[wasm_bindgen(typescript_type = "SignOptions")]
    pub type SignOptionsArg;
}

#[wasm_bindgen]
extern "C" {
    /// The options object of `toPkcs12` (typed in TypeScript as `Pkcs12ExportOptions`).
    #[wasm_bindgen(typescript_type = "Pkcs12ExportOptions")]
    pub type Pkcs12ExportOptionsArg;
}

const SIGN_OPTIONS: &[&str] = &[
    "detached",
    "digest",
    "rsaPadding",
    "signingTime",
    "includeChain",
    "provider",
];

/// Signs a message (RFC 5322 message or bare MIME entity; `Uint8Array` or string) and resolves to
/// the signed RFC 5322 message as a `Uint8Array`.
///
/// Options: `detached` (default `true`), `digest` (`'sha256'` default, `'sha384'`, `'sha512'`),
/// `rsaPadding` (`'pkcs1v15'` default, `'pss'`), `signingTime` (`Date` or ms; default now),
/// `includeChain` (default `true`), `provider` (`'auto'` default, `'webcrypto'`, `'rustcrypto'`).
#[wasm_bindgen(unchecked_return_type = "Promise<Uint8Array>")]
pub fn sign(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] message: JsValue,
    identity: &Identity,
    options: Option<SignOptionsArg>,
) -> Promise {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    let prepared = (|| {
        let message = convert::bytes(&message, "message")?;
        let opts = Options::new(&options, "sign", SIGN_OPTIONS)?;
        let digest = match opts.string("digest")? {
            None => DigestAlgorithm::Sha256,
            Some(d) => DigestAlgorithm::from_name(&d).ok_or_else(|| {
                Error::InvalidOption(format!(
                    "option `digest` must be 'sha256', 'sha384' or 'sha512', not '{d}'"
                ))
            })?,
        };
        let rsa_padding = match opts.string("rsaPadding")? {
            None => RsaPadding::Pkcs1v15,
            Some(p) => RsaPadding::from_name(&p).ok_or_else(|| {
                Error::InvalidOption(format!(
                    "option `rsaPadding` must be 'pkcs1v15' or 'pss', not '{p}'"
                ))
            })?,
        };
        let sign_options = SignOptions {
            detached: opts.bool("detached", true)?,
            digest,
            rsa_padding,
            signing_time: Some(
                opts.time_secs("signingTime")?
                    .unwrap_or_else(convert::now_secs),
            ),
            include_chain: opts.bool("includeChain", true)?,
        };
        let provider = ProviderChoice::from_name(opts.string("provider")?.as_deref())?;
        Ok((message, sign_options, provider))
    })();
    let (message, sign_options, provider) = match prepared {
        Ok(p) => p,
        Err(e) => return Promise::reject(&to_js(&e)),
    };
    let keys = Rc::clone(&identity.webcrypto_keys);
    let identity = Rc::clone(&identity.inner);
    future_to_promise(async move {
        let signed = match provider {
            ProviderChoice::RustCrypto => {
                crate::sign::sign_with(&RustCryptoProvider, &message, &identity, &sign_options)
                    .await
            }
            choice => {
                let p = WebCryptoProvider::new(&keys, choice == ProviderChoice::WebCrypto);
                crate::sign::sign_with(&p, &message, &identity, &sign_options).await
            }
        };
        js(signed).map(|bytes| Uint8Array::from(bytes.as_slice()).into())
    })
}

const COMPOSE_FIELDS: &[&str] = &[
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "messageId",
    "text",
    "html",
    "attachments",
];

/// Builds an RFC 5322 message from fields; resolves to a `Uint8Array`.
#[wasm_bindgen(unchecked_return_type = "Promise<Uint8Array>")]
pub fn compose(#[wasm_bindgen(unchecked_param_type = "ComposeFields")] fields: JsValue) -> Promise {
    let built = (|| {
        let f = Options::new(&fields, "compose", COMPOSE_FIELDS)?;
        let mut attachments = Vec::new();
        if let Some(list) = f.get("attachments") {
            if !Array::is_array(&list) {
                return Err(Error::InvalidOption(
                    "field `attachments` of compose must be an array".into(),
                ));
            }
            let list: Array = list.unchecked_into();
            for (i, a) in list.iter().enumerate() {
                let what = format!("attachments[{i}]");
                let a = Options::new(
                    &a,
                    "compose attachments",
                    &["filename", "contentType", "data"],
                )?;
                attachments.push(crate::mime::Attachment {
                    filename: a.string("filename")?.unwrap_or_default(),
                    content_type: a
                        .string("contentType")?
                        .unwrap_or_else(|| "application/octet-stream".into()),
                    data: convert::bytes(
                        &a.get("data").unwrap_or_default(),
                        &format!("{what}.data"),
                    )?
                    .to_vec(),
                });
            }
        }
        let fields = crate::mime::ComposeFields {
            from: f.string("from")?.unwrap_or_default(),
            to: f.strings("to")?,
            cc: f.strings("cc")?,
            subject: f.string("subject")?.unwrap_or_default(),
            date: f.time_secs("date")?.unwrap_or_else(convert::now_secs) as i64,
            message_id: f.string("messageId")?,
            text: f.string("text")?,
            html: f.string("html")?,
            attachments,
        };
        crate::mime::compose(&fields)
    })();
    settle(built.map(|bytes| Uint8Array::from(bytes.as_slice()).into()))
}

/// Every error `code` this module can produce.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    Error::ALL_CODES.iter().map(|c| (*c).to_owned()).collect()
}

fn settle(r: Result<JsValue, Error>) -> Promise {
    match r {
        Ok(v) => Promise::resolve(&v),
        Err(e) => Promise::reject(&to_js(&e)),
    }
}
