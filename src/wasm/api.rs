//! The exported JS API: `Identity`, `Certificate`, `sign`, `compose`, `errorCodes`.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

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

impl Certificate {
    /// Wraps a core certificate for JS.
    pub(super) fn from_inner(inner: crate::Certificate) -> Self {
        Self { inner }
    }
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

    /// keyUsage bits by their RFC 5280 names (`digitalSignature`, ...); empty without the extension.
    #[wasm_bindgen(getter, js_name = keyUsage)]
    pub fn key_usage(&self) -> Vec<String> {
        self.inner
            .key_usage()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// extendedKeyUsage purposes by name (`emailProtection`, ...) or dotted OID.
    #[wasm_bindgen(getter, js_name = extendedKeyUsage)]
    pub fn extended_key_usage(&self) -> Vec<String> {
        self.inner.extended_key_usage()
    }

    /// The S/MIME capabilities the certificate advertises (extension 1.2.840.113549.1.9.15), if any.
    #[wasm_bindgen(getter, js_name = smimeCapabilities)]
    pub fn smime_capabilities(&self) -> Vec<String> {
        self.inner.smime_capabilities()
    }

    /// RSA modulus or EC field size in bits.
    #[wasm_bindgen(getter, js_name = keySize)]
    pub fn key_size(&self) -> Option<u32> {
        self.inner.key_size().and_then(|n| u32::try_from(n).ok())
    }

    /// The curve (`P-256`, `P-384`, `Ed25519`, ...) for EC and Edwards keys.
    #[wasm_bindgen(getter)]
    pub fn curve(&self) -> Option<String> {
        self.inner.curve().map(str::to_owned)
    }

    /// basicConstraints says CA.
    #[wasm_bindgen(getter, js_name = isCa)]
    pub fn is_ca(&self) -> bool {
        self.inner.is_ca()
    }

    /// Subject equals issuer and the signature verifies with the certificate's own key.
    #[wasm_bindgen(getter, js_name = isSelfSigned)]
    pub fn is_self_signed(&self) -> bool {
        self.inner.is_self_signed()
    }

    /// True when `issuer`'s key verifies this certificate's signature (names are checked too).
    #[wasm_bindgen(js_name = isSignedBy)]
    pub fn is_signed_by(&self, issuer: &Certificate) -> bool {
        self.inner.is_signed_by(&issuer.inner)
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
    handle: u32,
}

/// A registered identity and its WebCrypto key cache, held weakly (the JS object owns them).
type LiveIdentity = (Weak<crate::Identity>, Weak<KeyCache>);

thread_local! {
    /// Live identities by handle, so that an `Identity` passed inside an options object (the
    /// `issuer` of `generateTest`) can be borrowed: converting the JS object itself would move the
    /// Rust value out of it and leave the caller's object dead.
    static IDENTITIES: RefCell<HashMap<u32, LiveIdentity>> = RefCell::new(HashMap::new());
    static NEXT_HANDLE: Cell<u32> = const { Cell::new(1) };
}

impl Drop for Identity {
    fn drop(&mut self) {
        IDENTITIES.with(|m| m.borrow_mut().remove(&self.handle));
    }
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
        settle(built.map(|inner| JsValue::from(Identity::new(inner))))
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
        settle(built.map(|inner| JsValue::from(Identity::new(inner))))
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

    /// Generates a self-signed **test** CA (basicConstraints CA, keyCertSign/cRLSign). `keyType`:
    /// `'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'P-256' | 'P-384' | 'Ed25519'`. RSA key generation
    /// takes seconds in the browser: run it in a Worker. Resolves to an `Identity`.
    #[wasm_bindgen(js_name = generateTestCa, unchecked_return_type = "Promise<Identity>")]
    pub fn generate_test_ca(
        #[wasm_bindgen(unchecked_param_type = "TestCaOptions")] options: JsValue,
    ) -> Promise {
        let built = (|| {
            let o = Options::new(
                &options,
                "generateTestCa",
                &["name", "keyType", "validDays"],
            )?;
            let name = o
                .string("name")?
                .unwrap_or_else(|| "smime-wasm Test CA".into());
            crate::Identity::generate_test_ca(
                &name,
                key_type(o.string("keyType")?.as_deref())?,
                valid_days(&o)?,
                convert::now_secs(),
            )
        })();
        settle(built.map(|inner| JsValue::from(Identity::new(inner))))
    }

    /// Generates a **test** S/MIME identity (keyUsage, extendedKeyUsage emailProtection, SAN
    /// rfc822Name, key identifiers), issued by `issuer` (a test CA) or self-signed. Resolves to an
    /// `Identity` whose chain includes the issuer.
    #[wasm_bindgen(js_name = generateTest, unchecked_return_type = "Promise<Identity>")]
    pub fn generate_test(
        #[wasm_bindgen(unchecked_param_type = "TestIdentityOptions")] options: JsValue,
    ) -> Promise {
        let built = (|| {
            let o = Options::new(
                &options,
                "generateTest",
                &["email", "name", "keyType", "issuer", "validDays"],
            )?;
            let email = o.string("email")?.ok_or_else(|| {
                Error::InvalidOption("option `email` of generateTest is required".into())
            })?;
            let name = o.string("name")?.unwrap_or_else(|| email.clone());
            let issuer = match o.get("issuer") {
                None => None,
                Some(v) if v.is_null() => None,
                Some(v) => Some(Identity::borrowed(&v).ok_or_else(|| {
                    Error::InvalidOption(
                        "option `issuer` of generateTest must be a live Identity".into(),
                    )
                })?),
            };
            crate::Identity::generate_test(crate::TestIdentityOptions {
                email: &email,
                name: &name,
                key_type: key_type(o.string("keyType")?.as_deref())?,
                issuer: issuer.as_deref(),
                valid_days: valid_days(&o)?,
                now_unix: convert::now_secs(),
            })
        })();
        settle(built.map(|inner| JsValue::from(Identity::new(inner))))
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

    /// Internal: lets the module find this identity when it is passed inside an options object.
    #[wasm_bindgen(getter, js_name = "__handle", skip_typescript)]
    pub fn handle(&self) -> u32 {
        self.handle
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
  /** RFC 9788 header protection: sign a copy of From, To, Subject, Date, Message-ID, ...
   * inside the signed part (hp="clear"). Default true. */
  headerProtection?: boolean;
  /** Crypto provider. Default 'auto' (WebCrypto, RustCrypto for what it lacks). */
  provider?: 'auto' | 'webcrypto' | 'rustcrypto';
}
/** Options of `identity.toPkcs12`. */
export interface Pkcs12ExportOptions {
  /** 3DES + SHA-1 MAC for old Windows (default false: PBES2 AES-256-CBC + SHA-256 MAC). */
  legacy?: boolean;
}
/** Options of `Identity.generateTestCa`. */
export interface TestCaOptions {
  /** Subject common name. Default 'smime-wasm Test CA'. */
  name?: string;
  /** Default 'P-256'. */
  keyType?: 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'P-256' | 'P-384' | 'Ed25519';
  /** Default 365. */
  validDays?: number;
}
/** Options of `Identity.generateTest`. */
export interface TestIdentityOptions {
  email: string;
  /** Subject common name. Default: the e-mail address. */
  name?: string;
  /** Default 'P-256'. */
  keyType?: 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'P-256' | 'P-384' | 'Ed25519';
  /** The test CA that issues the certificate; absent: self-signed. */
  issuer?: Identity;
  /** Default 365. */
  validDays?: number;
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
    "headerProtection",
    "provider",
];

/// Signs a message (RFC 5322 message or bare MIME entity; `Uint8Array` or string) and resolves to
/// the signed RFC 5322 message as a `Uint8Array`.
///
/// Options: `detached` (default `true`), `digest` (`'sha256'` default, `'sha384'`, `'sha512'`),
/// `rsaPadding` (`'pkcs1v15'` default, `'pss'`), `signingTime` (`Date` or ms; default now),
/// `includeChain` (default `true`), `headerProtection` (default `true`), `provider` (`'auto'` default, `'webcrypto'`, `'rustcrypto'`).
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
        let sign_options = SignOptions {
            header_protection: opts.bool("headerProtection", true)?,
            ..parse_sign_options(&opts)?
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

/// The signing options shared by `sign` and `signAndEncrypt`: `detached`, `digest`, `rsaPadding`,
/// `signingTime` (default now), `includeChain`.
pub(super) fn parse_sign_options(opts: &Options) -> Result<SignOptions, Error> {
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
    Ok(SignOptions {
        detached: opts.bool("detached", true)?,
        digest,
        rsa_padding,
        signing_time: Some(
            opts.time_secs("signingTime")?
                .unwrap_or_else(convert::now_secs),
        ),
        include_chain: opts.bool("includeChain", true)?,
        ..SignOptions::default()
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

impl Identity {
    /// The core identity (shared, for an operation that outlives the call).
    pub(super) fn inner(&self) -> Rc<crate::Identity> {
        Rc::clone(&self.inner)
    }

    /// The identity's WebCrypto key cache.
    pub(super) fn webcrypto_keys(&self) -> Rc<KeyCache> {
        Rc::clone(&self.webcrypto_keys)
    }

    fn new(inner: crate::Identity) -> Self {
        let inner = Rc::new(inner);
        let handle = NEXT_HANDLE.with(|n| {
            let h = n.get();
            n.set(h.wrapping_add(1).max(1));
            h
        });
        let webcrypto_keys = Rc::new(KeyCache::default());
        IDENTITIES.with(|m| {
            m.borrow_mut().insert(
                handle,
                (Rc::downgrade(&inner), Rc::downgrade(&webcrypto_keys)),
            )
        });
        Self {
            inner,
            webcrypto_keys,
            handle,
        }
    }

    /// The live identity behind a JS `Identity` object, borrowed through its handle.
    pub(super) fn borrowed(value: &JsValue) -> Option<Rc<crate::Identity>> {
        Self::borrowed_with_keys(value).map(|(identity, _)| identity)
    }

    /// The live identity behind a JS `Identity` object and its WebCrypto key cache (so that a
    /// borrowed identity reuses the keys already imported for it).
    pub(super) fn borrowed_with_keys(
        value: &JsValue,
    ) -> Option<(Rc<crate::Identity>, Rc<KeyCache>)> {
        let handle = js_sys::Reflect::get(value, &JsValue::from_str("__handle"))
            .ok()?
            .as_f64()?;
        IDENTITIES.with(|m| {
            let m = m.borrow();
            let (identity, keys) = m.get(&(handle as u32))?;
            Some((identity.upgrade()?, keys.upgrade()?))
        })
    }
}

fn key_type(name: Option<&str>) -> Result<crate::KeyType, Error> {
    Ok(match name.unwrap_or("P-256") {
        "RSA-2048" | "rsa-2048" => crate::KeyType::Rsa(2048),
        "RSA-3072" | "rsa-3072" => crate::KeyType::Rsa(3072),
        "RSA-4096" | "rsa-4096" => crate::KeyType::Rsa(4096),
        "P-256" | "p256" => crate::KeyType::P256,
        "P-384" | "p384" => crate::KeyType::P384,
        "Ed25519" | "ed25519" => crate::KeyType::Ed25519,
        other => {
            return Err(Error::InvalidOption(format!(
                "option `keyType` must be 'RSA-2048', 'RSA-3072', 'RSA-4096', 'P-256', 'P-384' or 'Ed25519', not '{other}'"
            )));
        }
    })
}

fn valid_days(o: &Options) -> Result<u32, Error> {
    match o.get("validDays") {
        None => Ok(365),
        Some(v) => v
            .as_f64()
            .filter(|d| d.fract() == 0.0 && (1.0..=36525.0).contains(d))
            .map(|d| d as u32)
            .ok_or_else(|| {
                Error::InvalidOption(
                    "option `validDays` must be a whole number of days, 1 to 36525".into(),
                )
            }),
    }
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
