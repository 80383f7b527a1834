//! The JS bindings of receiving: `open`, `extractCertificates`, `problemCodes`.

use js_sys::{Array, Date, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::api::{Certificate as JsCertificate, Identity};
use super::convert::{self, Options};
use super::encrypt::recipients as certificate_list;
use super::js_error::{js, to_js};
use super::webcrypto::{ProviderChoice, WebCryptoProvider};
use crate::certificate::Certificate;
use crate::error::Error;
use crate::open::{Harvested, Layer, OpenOptions, Opened, Signer};
use crate::provider::RustCryptoProvider;

#[wasm_bindgen(typescript_custom_section)]
const TS_OPEN: &'static str = r#"
/** Options of `open`. */
export interface OpenOptions {
  /** Our keys: encrypted layers addressed to them are decrypted. */
  identity?: Identity;
  /** Trust anchors (certificates). Without them every signer is "valid signature, unknown signer". */
  trust?: RecipientInput | RecipientInput[];
  /** More certificates to build paths with. */
  intermediates?: RecipientInput | RecipientInput[];
  /** Validate certificates at this time (default: each signer's signingTime, else now). */
  at?: Date | number;
  /** The signed content of a bare detached CMS signature. */
  detachedContent?: Uint8Array | ArrayBuffer | string;
  /** `'auto'` (default), `'webcrypto'`, `'rustcrypto'`: used for decryption. */
  provider?: 'auto' | 'webcrypto' | 'rustcrypto';
}
/** One signer, with every check's result. */
export interface OpenedSigner {
  certificate: Certificate | null;
  /** Leaf first, trust anchor last when one was reached. */
  chain: Certificate[];
  email: string | null;
  emailMatchesFrom: boolean;
  signatureValid: boolean;
  /** Valid signature, and the certificate chains to a trust anchor with every check passed. */
  trusted: boolean;
  trustAnchor: Certificate | null;
  signingTime: Date | null;
  digest: string;
  signatureAlgorithm: string;
  /** SMIMECapabilities the sender advertised: pass them to `encrypt`'s `capabilities`. */
  capabilities: string[];
  /** The certificate to encrypt replies to. */
  encryptionCertificate: Certificate | null;
  /** Problem codes (see `problemCodes()`); `REVOCATION_NOT_CHECKED` is informational. */
  problems: string[];
}
/** One recipient of an encrypted layer, as the message names it. */
export interface OpenedRecipient {
  keyManagement: string;
  issuer: string | null;
  serialNumber: string | null;
  subjectKeyIdentifier: string | null;
}
/** A layer of the message, outermost first. */
export type OpenedLayer =
  | { type: 'signed'; detached: boolean; lineEndsConverted: boolean; signers: OpenedSigner[] }
  | { type: 'encrypted'; decrypted: boolean; cipher: string; keyManagement: string | null; authenticated: boolean; recipients: OpenedRecipient[] }
  | { type: 'certificates' };
/** What `open` found. */
export interface OpenResult {
  /** The innermost MIME entity (or the encrypted entity when it could not be decrypted). */
  content: Uint8Array;
  headers: {
    /** The effective header fields: protected ones (RFC 9788) win over the outer ones. */
    fields: { name: string; value: string }[];
    /** `'cipher'`, `'clear'` or null. */
    mode: string | null;
    protected: string[];
    obscuredOutside: string[];
    unprotected: string[];
  };
  layers: OpenedLayer[];
  /** Every signer of every signed layer, outermost first (the same objects as in `layers`). */
  signers: OpenedSigner[];
  /** Every certificate the message carried. */
  certificates: Certificate[];
}
/** A sender's certificates, as `extractCertificates` returns them. */
export interface HarvestedCertificate {
  certificate: Certificate;
  chain: Certificate[];
  email: string | null;
  capabilities: string[];
  encryptionCertificate: Certificate | null;
  signatureValid: boolean;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// The options object of `open` (TypeScript `OpenOptions`).
    #[wasm_bindgen(typescript_type = "OpenOptions")]
    pub type OpenOptionsArg;
}

const OPEN_OPTIONS: &[&str] = &[
    "identity",
    "trust",
    "intermediates",
    "at",
    "detachedContent",
    "provider",
];

fn set(o: &Object, k: &str, v: JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(o, &JsValue::from_str(k), &v);
}

fn cert(c: &Certificate) -> JsValue {
    JsCertificate::from_inner(c.clone()).into()
}

fn opt_cert(c: Option<&Certificate>) -> JsValue {
    c.map_or(JsValue::NULL, cert)
}

fn certs(list: &[Certificate]) -> JsValue {
    list.iter().map(cert).collect::<Array>().into()
}

fn strings<S: AsRef<str>>(list: &[S]) -> JsValue {
    list.iter()
        .map(|s| JsValue::from_str(s.as_ref()))
        .collect::<Array>()
        .into()
}

fn opt_str(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::NULL, JsValue::from_str)
}

fn signer_value(s: &Signer) -> JsValue {
    let o = Object::new();
    set(&o, "certificate", opt_cert(s.certificate.as_ref()));
    set(&o, "chain", certs(&s.chain));
    set(&o, "email", opt_str(s.email.as_deref()));
    set(&o, "emailMatchesFrom", s.email_matches_from.into());
    set(&o, "signatureValid", s.signature_valid.into());
    set(&o, "trusted", s.trusted.into());
    set(&o, "trustAnchor", opt_cert(s.trust_anchor.as_ref()));
    set(
        &o,
        "signingTime",
        s.signing_time.map_or(JsValue::NULL, |t| {
            Date::new(&JsValue::from_f64(t as f64 * 1000.0)).into()
        }),
    );
    set(&o, "digest", JsValue::from_str(s.digest));
    set(
        &o,
        "signatureAlgorithm",
        JsValue::from_str(&s.signature_algorithm),
    );
    set(&o, "capabilities", strings(&s.capabilities));
    set(
        &o,
        "encryptionCertificate",
        opt_cert(s.encryption_certificate.as_ref()),
    );
    set(&o, "problems", strings(&s.problems));
    o.into()
}

fn opened_value(opened: &Opened) -> JsValue {
    let o = Object::new();
    set(
        &o,
        "content",
        Uint8Array::from(opened.content.as_slice()).into(),
    );
    let h = Object::new();
    let fields = Array::new();
    for f in &opened.headers.fields {
        let e = Object::new();
        set(&e, "name", JsValue::from_str(&f.name));
        set(&e, "value", JsValue::from_str(&f.value));
        fields.push(&e);
    }
    set(&h, "fields", fields.into());
    set(&h, "mode", opt_str(opened.headers.mode.as_deref()));
    set(&h, "protected", strings(&opened.headers.protected));
    set(
        &h,
        "obscuredOutside",
        strings(&opened.headers.obscured_outside),
    );
    set(&h, "unprotected", strings(&opened.headers.unprotected));
    set(&o, "headers", h.into());
    let layers = Array::new();
    let all_signers = Array::new();
    for layer in &opened.layers {
        let l = Object::new();
        match layer {
            Layer::Signed(s) => {
                set(&l, "type", "signed".into());
                set(&l, "detached", s.detached.into());
                set(&l, "lineEndsConverted", s.line_ends_converted.into());
                let signers = Array::new();
                for signer in &s.signers {
                    // The same object in the layer and in the flat list.
                    let v = signer_value(signer);
                    signers.push(&v);
                    all_signers.push(&v);
                }
                set(&l, "signers", signers.into());
            }
            Layer::Encrypted(e) => {
                set(&l, "type", "encrypted".into());
                set(&l, "decrypted", e.decrypted.into());
                set(&l, "cipher", JsValue::from_str(&e.cipher));
                set(&l, "keyManagement", opt_str(e.key_management.as_deref()));
                set(&l, "authenticated", e.authenticated.into());
                let recipients = Array::new();
                for r in &e.recipients {
                    let ro = Object::new();
                    set(&ro, "keyManagement", JsValue::from_str(&r.key_management));
                    set(&ro, "issuer", opt_str(r.issuer.as_deref()));
                    set(&ro, "serialNumber", opt_str(r.serial_hex.as_deref()));
                    set(
                        &ro,
                        "subjectKeyIdentifier",
                        opt_str(r.subject_key_id_hex.as_deref()),
                    );
                    recipients.push(&ro);
                }
                set(&l, "recipients", recipients.into());
            }
            Layer::CertificatesOnly => set(&l, "type", "certificates".into()),
        }
        layers.push(&l);
    }
    set(&o, "layers", layers.into());
    set(&o, "signers", all_signers.into());
    set(&o, "certificates", certs(&opened.certificates));
    o.into()
}

fn harvested_value(h: &Harvested) -> JsValue {
    let o = Object::new();
    set(&o, "certificate", cert(&h.certificate));
    set(&o, "chain", certs(&h.chain));
    set(&o, "email", opt_str(h.email.as_deref()));
    set(&o, "capabilities", strings(&h.capabilities));
    set(
        &o,
        "encryptionCertificate",
        opt_cert(h.encryption_certificate.as_ref()),
    );
    set(&o, "signatureValid", h.signature_valid.into());
    o.into()
}

fn list_option(o: &Options, key: &str) -> Result<Vec<Certificate>, Error> {
    match o.get(key) {
        None => Ok(Vec::new()),
        Some(v) if v.is_null() => Ok(Vec::new()),
        Some(v) => certificate_list(&v).map_err(|e| match e {
            Error::InvalidOption(m) => Error::InvalidOption(format!("option `{key}`: {m}")),
            other => other,
        }),
    }
}

/// Opens a received message (RFC 5322, a bare MIME entity, or a bare CMS in DER, BER or PEM):
/// verifies every signed layer, decrypts what `identity` can, validates each signer against
/// `trust`, restores protected header fields. Resolves to an `OpenResult`; invalid signatures
/// and unknown signers are reported, not thrown.
#[wasm_bindgen(unchecked_return_type = "Promise<OpenResult>")]
pub fn open(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer | string")] message: JsValue,
    options: Option<OpenOptionsArg>,
) -> Promise {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    let prepared = (|| {
        let message = convert::bytes(&message, "message")?;
        let o = Options::new(&options, "open", OPEN_OPTIONS)?;
        let identity = match o.get("identity") {
            None => None,
            Some(v) if v.is_null() => None,
            Some(v) => Some(Identity::borrowed_with_keys(&v).ok_or_else(|| {
                Error::InvalidOption(
                    "option `identity` must be a live Identity (not freed) from this module".into(),
                )
            })?),
        };
        let trust = list_option(&o, "trust")?;
        let intermediates = list_option(&o, "intermediates")?;
        let at = o.time_secs("at")?.map(|t| t as i64);
        let detached = match o.get("detachedContent") {
            None => None,
            Some(v) => Some(convert::bytes(&v, "detachedContent")?),
        };
        let provider = ProviderChoice::from_name(o.string("provider")?.as_deref())?;
        Ok((
            message,
            identity,
            trust,
            intermediates,
            at,
            detached,
            provider,
        ))
    })();
    let (message, identity, trust, intermediates, at, detached, provider) = match prepared {
        Ok(p) => p,
        Err(e) => return Promise::reject(&to_js(&e)),
    };
    future_to_promise(async move {
        let mut options = OpenOptions::new(convert::now_secs() as i64);
        options.identity = identity.as_ref().map(|(i, _)| i.as_ref());
        options.trust = &trust;
        options.intermediates = &intermediates;
        options.at = at;
        options.detached_content = detached.as_deref();
        let opened = match provider {
            ProviderChoice::RustCrypto => {
                crate::open::open_with(&RustCryptoProvider, &message, &options).await
            }
            choice => {
                let fresh = Default::default();
                let keys = identity.as_ref().map_or(&fresh, |(_, k)| k.as_ref());
                let p = WebCryptoProvider::new(keys, choice == ProviderChoice::WebCrypto);
                crate::open::open_with(&p, &message, &options).await
            }
        };
        Ok(opened_value(&js(opened)?))
    })
}

/// The signers' certificates of a signed message, with their chains, advertised capabilities
/// and encryption certificates: what to keep to encrypt to the sender later. Signatures are
/// verified (`signatureValid`); trust is not evaluated; encrypted layers are not opened.
#[wasm_bindgen(js_name = extractCertificates, unchecked_return_type = "Promise<HarvestedCertificate[]>")]
pub fn extract_certificates(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer | string")] message: JsValue,
) -> Promise {
    let message = match convert::bytes(&message, "message") {
        Ok(m) => m,
        Err(e) => return Promise::reject(&to_js(&e)),
    };
    future_to_promise(async move {
        let options = OpenOptions::new(convert::now_secs() as i64);
        let opened = js(crate::open::open_with(&RustCryptoProvider, &message, &options).await)?;
        Ok(crate::open::harvest(&opened)
            .iter()
            .map(harvested_value)
            .collect::<Array>()
            .into())
    })
}

/// Every problem code a signer can carry: `{code, meaning}` (synchronous).
#[wasm_bindgen(js_name = problemCodes, unchecked_return_type = "{ code: string; meaning: string }[]")]
pub fn problem_codes() -> JsValue {
    crate::open::all_problem_codes()
        .into_iter()
        .map(|(code, meaning)| {
            let o = Object::new();
            set(&o, "code", JsValue::from_str(code));
            set(&o, "meaning", JsValue::from_str(meaning));
            JsValue::from(o)
        })
        .collect::<Array>()
        .into()
}
