//! The JS bindings of encryption: `encrypt`, `signAndEncrypt`, `encryptFile`, `decryptFile`,
//! `planEncryption`.

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::api::{Identity, parse_sign_options};
use super::convert::{self, Options};
use super::js_error::{js, to_js};
use super::webcrypto::{ProviderChoice, WebCryptoProvider};
use crate::certificate::Certificate;
use crate::encrypt::{EncryptOptions, EncryptionPlan};
use crate::envelope::{ContentCipher, KeyTransport, RecipientIdType};
use crate::error::Error;
use crate::mime::HeaderProtection;
use crate::provider::RustCryptoProvider;

#[wasm_bindgen(typescript_custom_section)]
const TS_ENCRYPT: &'static str = r#"
/** A recipient: a `Certificate`, or its PEM / DER bytes. */
export type RecipientInput = Certificate | Uint8Array | ArrayBuffer | string;
/** Options of `encrypt`, `encryptFile` and `planEncryption`. */
export interface EncryptOptions {
  /** `'auto'` (default): AES-256-GCM when every recipient advertised it, else AES-256-CBC. */
  cipher?: 'auto' | 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
  /** RSA key transport: `'auto'` (default: OAEP when advertised), `'pkcs1v15'`, `'oaep'`. */
  keyTransport?: 'auto' | 'pkcs1v15' | 'oaep';
  /** How recipients are identified (default `'issuerAndSerialNumber'`). */
  recipientId?: 'issuerAndSerialNumber' | 'subjectKeyIdentifier';
  /** RFC 9788 header protection (default `'baseline'`). Ignored by `encryptFile`. */
  headerProtection?: 'baseline' | 'shy' | 'off';
  /** The sender: with `includeSelf` its encryption certificate is a recipient too. */
  identity?: Identity;
  /** Default `true`. */
  includeSelf?: boolean;
  /** Per recipient (same order): the SMIMECapabilities they advertised (names or OIDs), or null. */
  capabilities?: (string[] | null | undefined)[];
  /** `'auto'` (default), `'webcrypto'`, `'rustcrypto'`. */
  provider?: 'auto' | 'webcrypto' | 'rustcrypto';
}
/** Options of `signAndEncrypt`: the encryption options and the signing options. */
export interface SignAndEncryptOptions extends Omit<EncryptOptions, 'identity'>, Omit<SignOptions, 'provider' | 'headerProtection'> {}
/** What `planEncryption` decides. */
export interface EncryptionPlan {
  cipher: string;
  cipherReason: string;
  recipients: { certificate: Certificate; keyManagement: string; isSelf: boolean; reason: string }[];
}
/** Options of `decryptFile`. */
export interface DecryptFileOptions {
  /** `'auto'` (default), `'webcrypto'`, `'rustcrypto'`. */
  provider?: 'auto' | 'webcrypto' | 'rustcrypto';
}
/** The result of `decryptFile`. */
export interface DecryptedFile {
  content: Uint8Array;
  cipher: string;
  keyManagement: string;
  /** True for AES-GCM / ChaCha20-Poly1305 (AuthEnvelopedData); CBC content is not authenticated. */
  authenticated: boolean;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// The options object of `encrypt` / `encryptFile` (TypeScript `EncryptOptions`).
    #[wasm_bindgen(typescript_type = "EncryptOptions")]
    pub type EncryptOptionsArg;
    /// The options object of `signAndEncrypt` (TypeScript `SignAndEncryptOptions`).
    #[wasm_bindgen(typescript_type = "SignAndEncryptOptions")]
    pub type SignAndEncryptOptionsArg;
    /// The options object of `decryptFile` (TypeScript `DecryptFileOptions`).
    #[wasm_bindgen(typescript_type = "DecryptFileOptions")]
    pub type DecryptFileOptionsArg;
}

const ENCRYPT_OPTIONS: &[&str] = &[
    "cipher",
    "keyTransport",
    "recipientId",
    "headerProtection",
    "identity",
    "includeSelf",
    "capabilities",
    "provider",
];

const SIGN_AND_ENCRYPT_OPTIONS: &[&str] = &[
    "cipher",
    "keyTransport",
    "recipientId",
    "headerProtection",
    "includeSelf",
    "capabilities",
    "provider",
    "detached",
    "digest",
    "rsaPadding",
    "signingTime",
    "includeChain",
];

/// Encryption options without the identity (which is borrowed separately).
struct ParsedEncrypt {
    cipher: Option<ContentCipher>,
    key_transport: Option<KeyTransport>,
    recipient_id: RecipientIdType,
    header_protection: HeaderProtection,
    include_self: bool,
    capabilities: Vec<Option<Vec<String>>>,
    provider: ProviderChoice,
}

impl ParsedEncrypt {
    fn options<'a>(&self, identity: Option<&'a crate::Identity>) -> EncryptOptions<'a> {
        EncryptOptions {
            cipher: self.cipher,
            key_transport: self.key_transport,
            recipient_id: self.recipient_id,
            header_protection: self.header_protection,
            identity,
            include_self: self.include_self,
            capabilities: self.capabilities.clone(),
        }
    }
}

fn parse_encrypt(o: &Options) -> Result<ParsedEncrypt, Error> {
    let cipher = match o.string("cipher")?.as_deref() {
        None | Some("auto") => None,
        Some(name) => Some(ContentCipher::from_name(name).ok_or_else(|| {
            Error::InvalidOption(format!(
                "option `cipher` must be 'auto', 'aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc', \
                 'aes-128-gcm', 'aes-256-gcm' or 'chacha20-poly1305', not '{name}'"
            ))
        })?),
    };
    let key_transport = match o.string("keyTransport")?.as_deref() {
        None | Some("auto") => None,
        Some("pkcs1v15") | Some("pkcs1-v1_5") => Some(KeyTransport::RsaPkcs1v15),
        Some("oaep") | Some("rsa-oaep") => Some(KeyTransport::RsaOaep),
        Some(other) => {
            return Err(Error::InvalidOption(format!(
                "option `keyTransport` must be 'auto', 'pkcs1v15' or 'oaep', not '{other}'"
            )));
        }
    };
    let recipient_id = match o.string("recipientId")?.as_deref() {
        None | Some("issuerAndSerialNumber") => RecipientIdType::IssuerAndSerialNumber,
        Some("subjectKeyIdentifier") => RecipientIdType::SubjectKeyIdentifier,
        Some(other) => {
            return Err(Error::InvalidOption(format!(
                "option `recipientId` must be 'issuerAndSerialNumber' or 'subjectKeyIdentifier', not '{other}'"
            )));
        }
    };
    let header_protection = match o.string("headerProtection")? {
        None => HeaderProtection::Baseline,
        Some(name) => HeaderProtection::from_name(&name).ok_or_else(|| {
            Error::InvalidOption(format!(
                "option `headerProtection` must be 'baseline', 'shy' or 'off', not '{name}'"
            ))
        })?,
    };
    let mut capabilities = Vec::new();
    if let Some(list) = o.get("capabilities") {
        if !Array::is_array(&list) {
            return Err(Error::InvalidOption(
                "option `capabilities` must be an array (one entry per recipient)".into(),
            ));
        }
        let list: Array = list.unchecked_into();
        for (i, entry) in list.iter().enumerate() {
            if entry.is_null() || entry.is_undefined() {
                capabilities.push(None);
                continue;
            }
            if !Array::is_array(&entry) {
                return Err(Error::InvalidOption(format!(
                    "option `capabilities[{i}]` must be an array of strings or null"
                )));
            }
            let names: Array = entry.unchecked_into();
            let names = names
                .iter()
                .map(|n| {
                    n.as_string().ok_or_else(|| {
                        Error::InvalidOption(format!(
                            "option `capabilities[{i}]` must hold strings (capability names or OIDs)"
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            capabilities.push(Some(names));
        }
    }
    Ok(ParsedEncrypt {
        cipher,
        key_transport,
        recipient_id,
        header_protection,
        include_self: o.bool("includeSelf", true)?,
        capabilities,
        provider: ProviderChoice::from_name(o.string("provider")?.as_deref())?,
    })
}

/// The recipients argument: one recipient or an array; each a `Certificate` (anything with a
/// `toDer()` method) or PEM/DER bytes (a PEM bundle gives several).
pub(super) fn recipients(value: &JsValue) -> Result<Vec<Certificate>, Error> {
    let items: Vec<JsValue> = if Array::is_array(value) {
        value.unchecked_ref::<Array>().iter().collect()
    } else {
        vec![value.clone()]
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let what = format!("recipients[{i}]");
        let to_der = if item.is_object() {
            Reflect::get(item, &JsValue::from_str("toDer"))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
        } else {
            None
        };
        if let Some(to_der) = to_der {
            let der = to_der.call0(item).map_err(|_| {
                Error::InvalidOption(format!("{what}: toDer() of the certificate failed"))
            })?;
            out.push(Certificate::from_der(&convert::bytes(&der, &what)?)?);
        } else {
            out.extend(Certificate::all_from_bytes(&convert::bytes(item, &what)?)?);
        }
    }
    Ok(out)
}

fn borrowed_identity(o: &Options) -> Result<Option<std::rc::Rc<crate::Identity>>, Error> {
    match o.get("identity") {
        None => Ok(None),
        Some(v) if v.is_null() => Ok(None),
        Some(v) => Identity::borrowed(&v).map(Some).ok_or_else(|| {
            Error::InvalidOption(
                "option `identity` must be a live Identity (not freed) from this module".into(),
            )
        }),
    }
}

fn reject(e: &Error) -> Promise {
    Promise::reject(&to_js(e))
}

fn bytes_value(bytes: &[u8]) -> JsValue {
    Uint8Array::from(bytes).into()
}

/// Encrypts a message (RFC 5322 message or bare MIME entity) to `recipients` and resolves to the
/// encrypted RFC 5322 message (`Uint8Array`): application/pkcs7-mime enveloped-data or
/// authEnveloped-data, with RFC 9788 header protection by default.
#[wasm_bindgen(unchecked_return_type = "Promise<Uint8Array>")]
pub fn encrypt(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] message: JsValue,
    #[wasm_bindgen(unchecked_param_type = "RecipientInput | RecipientInput[]")]
    recipients_arg: JsValue,
    options: Option<EncryptOptionsArg>,
) -> Promise {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    let prepared = (|| {
        let message = convert::bytes(&message, "message")?;
        let certs = recipients(&recipients_arg)?;
        let o = Options::new(&options, "encrypt", ENCRYPT_OPTIONS)?;
        Ok((message, certs, parse_encrypt(&o)?, borrowed_identity(&o)?))
    })();
    let (message, certs, parsed, identity) = match prepared {
        Ok(p) => p,
        Err(e) => return reject(&e),
    };
    future_to_promise(async move {
        let refs: Vec<&Certificate> = certs.iter().collect();
        let opts = parsed.options(identity.as_deref());
        let out = match parsed.provider {
            ProviderChoice::RustCrypto => {
                crate::encrypt::encrypt_with(&RustCryptoProvider, &message, &refs, &opts).await
            }
            choice => {
                let cache = Default::default();
                let p = WebCryptoProvider::new(&cache, choice == ProviderChoice::WebCrypto);
                crate::encrypt::encrypt_with(&p, &message, &refs, &opts).await
            }
        };
        js(out).map(|b| bytes_value(&b))
    })
}

/// Signs with `identity`, then encrypts to `recipients` (and the signer's own encryption
/// certificate, unless `includeSelf: false`); resolves to the RFC 5322 message.
#[wasm_bindgen(js_name = signAndEncrypt, unchecked_return_type = "Promise<Uint8Array>")]
pub fn sign_and_encrypt(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] message: JsValue,
    identity: &Identity,
    #[wasm_bindgen(unchecked_param_type = "RecipientInput | RecipientInput[]")]
    recipients_arg: JsValue,
    options: Option<SignAndEncryptOptionsArg>,
) -> Promise {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    let prepared = (|| {
        let message = convert::bytes(&message, "message")?;
        let certs = recipients(&recipients_arg)?;
        let o = Options::new(&options, "signAndEncrypt", SIGN_AND_ENCRYPT_OPTIONS)?;
        Ok((message, certs, parse_encrypt(&o)?, parse_sign_options(&o)?))
    })();
    let (message, certs, parsed, sign_options) = match prepared {
        Ok(p) => p,
        Err(e) => return reject(&e),
    };
    let keys = identity.webcrypto_keys();
    let identity = identity.inner();
    future_to_promise(async move {
        let refs: Vec<&Certificate> = certs.iter().collect();
        let opts = parsed.options(Some(&identity));
        let out = match parsed.provider {
            ProviderChoice::RustCrypto => {
                crate::encrypt::sign_and_encrypt_with(
                    &RustCryptoProvider,
                    &message,
                    &identity,
                    &refs,
                    &sign_options,
                    &opts,
                )
                .await
            }
            choice => {
                let p = WebCryptoProvider::new(&keys, choice == ProviderChoice::WebCrypto);
                crate::encrypt::sign_and_encrypt_with(
                    &p,
                    &message,
                    &identity,
                    &refs,
                    &sign_options,
                    &opts,
                )
                .await
            }
        };
        js(out).map(|b| bytes_value(&b))
    })
}

/// Encrypts bytes (a file, no MIME) and resolves to the DER CMS ContentInfo (`Uint8Array`).
#[wasm_bindgen(js_name = encryptFile, unchecked_return_type = "Promise<Uint8Array>")]
pub fn encrypt_file(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer | string")] bytes: JsValue,
    #[wasm_bindgen(unchecked_param_type = "RecipientInput | RecipientInput[]")]
    recipients_arg: JsValue,
    options: Option<EncryptOptionsArg>,
) -> Promise {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    let prepared = (|| {
        let bytes = convert::bytes(&bytes, "bytes")?;
        let certs = recipients(&recipients_arg)?;
        let o = Options::new(&options, "encryptFile", ENCRYPT_OPTIONS)?;
        Ok((bytes, certs, parse_encrypt(&o)?, borrowed_identity(&o)?))
    })();
    let (bytes, certs, parsed, identity) = match prepared {
        Ok(p) => p,
        Err(e) => return reject(&e),
    };
    future_to_promise(async move {
        let refs: Vec<&Certificate> = certs.iter().collect();
        let opts = parsed.options(identity.as_deref());
        let out = match parsed.provider {
            ProviderChoice::RustCrypto => {
                crate::encrypt::encrypt_file_with(&RustCryptoProvider, &bytes, &refs, &opts).await
            }
            choice => {
                let cache = Default::default();
                let p = WebCryptoProvider::new(&cache, choice == ProviderChoice::WebCrypto);
                crate::encrypt::encrypt_file_with(&p, &bytes, &refs, &opts).await
            }
        };
        js(out).map(|b| bytes_value(&b))
    })
}

/// Decrypts a CMS EnvelopedData / AuthEnvelopedData (DER, BER or PEM) with `identity`; resolves
/// to `{content, cipher, keyManagement, authenticated}`.
#[wasm_bindgen(js_name = decryptFile, unchecked_return_type = "Promise<DecryptedFile>")]
pub fn decrypt_file(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer | string")] cms: JsValue,
    identity: &Identity,
    options: Option<DecryptFileOptionsArg>,
) -> Promise {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    let prepared = (|| {
        let cms = convert::bytes(&cms, "cms")?;
        let o = Options::new(&options, "decryptFile", &["provider"])?;
        Ok((
            cms,
            ProviderChoice::from_name(o.string("provider")?.as_deref())?,
        ))
    })();
    let (cms, provider) = match prepared {
        Ok(p) => p,
        Err(e) => return reject(&e),
    };
    let keys = identity.webcrypto_keys();
    let identity = identity.inner();
    future_to_promise(async move {
        let out = match provider {
            ProviderChoice::RustCrypto => {
                crate::encrypt::decrypt_file_with(&RustCryptoProvider, &cms, &identity).await
            }
            choice => {
                let p = WebCryptoProvider::new(&keys, choice == ProviderChoice::WebCrypto);
                crate::encrypt::decrypt_file_with(&p, &cms, &identity).await
            }
        };
        let d = js(out)?;
        let o = Object::new();
        let set = |k: &str, v: JsValue| {
            // Setting a property on a fresh plain object cannot fail.
            let _ = Reflect::set(&o, &JsValue::from_str(k), &v);
        };
        set("content", bytes_value(&d.content));
        set("cipher", JsValue::from_str(&d.cipher));
        set("keyManagement", JsValue::from_str(&d.key_management));
        set("authenticated", JsValue::from_bool(d.authenticated));
        Ok(o.into())
    })
}

/// What `encrypt` would choose for these recipients and options (cipher, key management per
/// recipient, and why), without encrypting anything.
#[wasm_bindgen(js_name = planEncryption, unchecked_return_type = "Promise<EncryptionPlan>")]
pub fn plan_encryption(
    #[wasm_bindgen(unchecked_param_type = "RecipientInput | RecipientInput[]")]
    recipients_arg: JsValue,
    options: Option<EncryptOptionsArg>,
) -> Promise {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    let planned = (|| {
        let certs = recipients(&recipients_arg)?;
        let o = Options::new(&options, "planEncryption", ENCRYPT_OPTIONS)?;
        let parsed = parse_encrypt(&o)?;
        let identity = borrowed_identity(&o)?;
        let refs: Vec<&Certificate> = certs.iter().collect();
        let plan = crate::encrypt::plan(&refs, &parsed.options(identity.as_deref()))?;
        Ok(plan_value(&plan))
    })();
    match planned {
        Ok(v) => Promise::resolve(&v),
        Err(e) => reject(&e),
    }
}

fn plan_value(plan: &EncryptionPlan) -> JsValue {
    let o = Object::new();
    let set = |o: &Object, k: &str, v: JsValue| {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(o, &JsValue::from_str(k), &v);
    };
    set(&o, "cipher", JsValue::from_str(plan.cipher.name()));
    set(&o, "cipherReason", JsValue::from_str(&plan.cipher_reason));
    let list = Array::new();
    for r in &plan.recipients {
        let e = Object::new();
        set(
            &e,
            "certificate",
            super::api::Certificate::from_inner(r.certificate.clone()).into(),
        );
        set(
            &e,
            "keyManagement",
            JsValue::from_str(&crate::encrypt::key_management_name(r)),
        );
        set(&e, "isSelf", JsValue::from_bool(r.is_self));
        set(&e, "reason", JsValue::from_str(&r.reason));
        list.push(&e);
    }
    set(&o, "recipients", list.into());
    o.into()
}
