//! `encrypt`, `sign_and_encrypt`, `encrypt_file` and `decrypt_file`: the message-level encryption
//! operations, on top of [`crate::envelope`] (CMS EnvelopedData / AuthEnvelopedData) and the MIME
//! layer (RFC 9788 header protection, application/pkcs7-mime).
//!
//! The choices a caller usually leaves to us are made here, in [`plan`]:
//!
//! - the content cipher (`cipher: None`, "auto"): AES-256-GCM (AuthEnvelopedData) when every
//!   recipient other than the sender has advertised AES-GCM, AES-128-GCM when they all advertise
//!   only that one, otherwise AES-256-CBC (EnvelopedData), which every client reads;
//! - RSA key transport (`key_transport: None`, "auto"): RSAES-OAEP for a recipient that advertised
//!   it, PKCS#1 v1.5 otherwise;
//! - the sender's own encryption certificate is added as a recipient (`include_self`) so that the
//!   copy in the Sent folder stays readable.
//!
//! What a recipient has advertised is what the caller passes in `capabilities` (the
//! SMIMECapabilities harvested from their signed mail, see `open`), or else the SMIMECapabilities
//! extension of the recipient's certificate; with neither, nothing is assumed.

use crate::certificate::Certificate;
use crate::envelope::{
    self, ContentCipher, Decrypted, EnvelopeOptions, KeyTransport, Recipient, RecipientIdType,
    RecipientKeyKind,
};
use crate::error::{Error, Result};
use crate::identity::{Identity, PrivateKey};
use crate::mime::{self, HeaderProtection};
use crate::policy;
use crate::provider::Provider;
use crate::sign::SignOptions;

/// Options of [`encrypt_with`], [`sign_and_encrypt_with`] and [`encrypt_file_with`].
#[derive(Clone, Debug)]
pub struct EncryptOptions<'a> {
    /// The content cipher; `None` (the default) chooses from the recipients' capabilities (see
    /// the module documentation).
    pub cipher: Option<ContentCipher>,
    /// RSA key transport for every RSA recipient; `None` (the default) chooses per recipient.
    pub key_transport: Option<KeyTransport>,
    /// How recipients are identified in the RecipientInfos (default issuerAndSerialNumber).
    pub recipient_id: RecipientIdType,
    /// RFC 9788 header protection of encrypted mail (default hcp_baseline: the real Subject is
    /// only inside, the outside shows "[...]"). Not used by [`encrypt_file_with`].
    pub header_protection: HeaderProtection,
    /// The sender. With `include_self`, its encryption certificate becomes a recipient too.
    /// ([`sign_and_encrypt_with`] takes the signer as its own argument and uses that one.)
    pub identity: Option<&'a Identity>,
    /// Add the sender's own encryption certificate as a recipient (default `true`): the
    /// identity's separate encryption certificate, or its certificate when that allows
    /// keyEncipherment / keyAgreement. An identity with only a signing certificate adds nothing.
    pub include_self: bool,
    /// What each recipient advertised (same order as the recipients; `None` or missing entries:
    /// unknown): SMIMECapabilities names (`aes256-GCM`, `rsaes-OAEP`, ...) or dotted OIDs.
    pub capabilities: Vec<Option<Vec<String>>>,
}

impl Default for EncryptOptions<'_> {
    fn default() -> Self {
        Self {
            cipher: None,
            key_transport: None,
            recipient_id: RecipientIdType::IssuerAndSerialNumber,
            header_protection: HeaderProtection::Baseline,
            identity: None,
            include_self: true,
            capabilities: Vec::new(),
        }
    }
}

/// One recipient as the plan sees it.
#[derive(Clone, Debug)]
pub struct PlannedRecipient {
    /// The certificate encrypted to.
    pub certificate: Certificate,
    /// What kind of key it holds.
    pub key_kind: RecipientKeyKind,
    /// RSA key transport used for it (meaningless for ECDH/X25519 recipients).
    pub key_transport: KeyTransport,
    /// True for the sender's own certificate, added by `include_self`.
    pub is_self: bool,
    /// Why its key management was chosen, in words.
    pub reason: String,
}

/// The choices [`encrypt_with`] makes, in advance, for a user interface to explain.
#[derive(Clone, Debug)]
pub struct EncryptionPlan {
    /// The content cipher.
    pub cipher: ContentCipher,
    /// Why that cipher, in words.
    pub cipher_reason: String,
    /// Every recipient, the sender's own certificate last.
    pub recipients: Vec<PlannedRecipient>,
}

const GCM_256: &[&str] = &["aes256-gcm", "2.16.840.1.101.3.4.1.46"];
const GCM_128: &[&str] = &["aes128-gcm", "2.16.840.1.101.3.4.1.6"];
const OAEP: &[&str] = &["rsaes-oaep", "id-rsaes-oaep", "1.2.840.113549.1.1.7"];

fn advertises(capabilities: &[String], names: &[&str]) -> bool {
    capabilities
        .iter()
        .any(|c| names.iter().any(|n| c.trim().eq_ignore_ascii_case(n)))
}

/// The sender's own encryption certificate, if it has one.
pub fn own_encryption_certificate(identity: &Identity) -> Option<&Certificate> {
    if let Some(cert) = identity.encryption_certificate() {
        return Some(cert);
    }
    let cert = identity.certificate();
    (cert.has_key_usage() && cert.allows_encryption() && envelope::check_recipient(cert).is_ok())
        .then_some(cert)
}

/// Decides cipher and key management for `recipients` (and, with `include_self`, the sender).
///
/// # Errors
///
/// [`Error::NoRecipients`] when there is no one to encrypt to, [`Error::InputTooLarge`] beyond
/// [`policy::MAX_RECIPIENTS`], [`Error::RecipientKeyUnusable`] for a certificate that cannot be
/// encrypted to, [`Error::InvalidOption`] when `capabilities` has more entries than recipients.
pub fn plan(recipients: &[&Certificate], options: &EncryptOptions<'_>) -> Result<EncryptionPlan> {
    if options.capabilities.len() > recipients.len() {
        return Err(Error::InvalidOption(format!(
            "`capabilities` has {} entries for {} recipients",
            options.capabilities.len(),
            recipients.len()
        )));
    }
    let mut planned: Vec<PlannedRecipient> = Vec::new();
    let mut advertised: Vec<Option<Vec<String>>> = Vec::new();
    for (i, cert) in recipients.iter().enumerate() {
        let key_kind = envelope::check_recipient(cert)?;
        let caps = options.capabilities.get(i).cloned().flatten().or_else(|| {
            let from_cert = cert.smime_capabilities();
            (!from_cert.is_empty()).then_some(from_cert)
        });
        if planned
            .iter()
            .any(|p| p.certificate.as_der() == cert.as_der())
        {
            continue;
        }
        let (key_transport, reason) = choose_key_transport(key_kind, caps.as_deref(), options);
        planned.push(PlannedRecipient {
            certificate: (*cert).clone(),
            key_kind,
            key_transport,
            is_self: false,
            reason,
        });
        advertised.push(caps);
    }
    if options.include_self
        && let Some(own) = options.identity.and_then(own_encryption_certificate)
        && !planned
            .iter()
            .any(|p| p.certificate.as_der() == own.as_der())
    {
        let key_kind = envelope::check_recipient(own)?;
        let key_transport = options.key_transport.unwrap_or(KeyTransport::RsaPkcs1v15);
        planned.push(PlannedRecipient {
            certificate: own.clone(),
            key_kind,
            key_transport,
            is_self: true,
            reason: format!(
                "{}: the sender's own encryption certificate, so the sent copy stays readable",
                management_words(key_kind, key_transport)
            ),
        });
    }
    if planned.is_empty() {
        return Err(Error::NoRecipients);
    }
    if planned.len() > policy::MAX_RECIPIENTS {
        return Err(Error::InputTooLarge {
            what: "number of recipients",
            limit: policy::MAX_RECIPIENTS,
        });
    }
    let (cipher, cipher_reason) = match options.cipher {
        Some(c) => (c, format!("{} was asked for", c.name())),
        None => choose_cipher(&advertised),
    };
    Ok(EncryptionPlan {
        cipher,
        cipher_reason,
        recipients: planned,
    })
}

fn choose_cipher(advertised: &[Option<Vec<String>>]) -> (ContentCipher, String) {
    let known: Vec<&Vec<String>> = advertised.iter().flatten().collect();
    if advertised.is_empty() || known.len() < advertised.len() {
        return (
            ContentCipher::Aes256Cbc,
            "aes-256-cbc: not every recipient's capabilities are known, and every client reads AES-CBC"
                .into(),
        );
    }
    if known.iter().all(|c| advertises(c, GCM_256)) {
        return (
            ContentCipher::Aes256Gcm,
            "aes-256-gcm: every recipient advertised AES-256-GCM (authenticated encryption)".into(),
        );
    }
    if known.iter().all(|c| advertises(c, GCM_128)) {
        return (
            ContentCipher::Aes128Gcm,
            "aes-128-gcm: every recipient advertised AES-128-GCM (authenticated encryption)".into(),
        );
    }
    (
        ContentCipher::Aes256Cbc,
        "aes-256-cbc: not every recipient advertised AES-GCM".into(),
    )
}

fn choose_key_transport(
    kind: RecipientKeyKind,
    capabilities: Option<&[String]>,
    options: &EncryptOptions<'_>,
) -> (KeyTransport, String) {
    if let Some(t) = options.key_transport {
        return (t, format!("{} (asked for)", management_words(kind, t)));
    }
    let oaep = capabilities.is_some_and(|c| advertises(c, OAEP));
    let t = if oaep {
        KeyTransport::RsaOaep
    } else {
        KeyTransport::RsaPkcs1v15
    };
    let why = match (kind, oaep) {
        (RecipientKeyKind::Rsa { .. }, true) => "the recipient advertised RSAES-OAEP",
        (RecipientKeyKind::Rsa { .. }, false) => {
            "the recipient did not advertise RSAES-OAEP; PKCS#1 v1.5 is what every client reads"
        }
        _ => "the recipient's key is for key agreement",
    };
    (t, format!("{}: {why}", management_words(kind, t)))
}

fn management_words(kind: RecipientKeyKind, transport: KeyTransport) -> String {
    match kind {
        RecipientKeyKind::Rsa { bits } => match transport {
            KeyTransport::RsaOaep => format!("RSA-{bits} with RSAES-OAEP (SHA-256)"),
            _ => format!("RSA-{bits} with PKCS#1 v1.5"),
        },
        RecipientKeyKind::EcdhP256 => "ECDH P-256 (ephemeral-static, SHA-256 KDF)".into(),
        RecipientKeyKind::EcdhP384 => "ECDH P-384 (ephemeral-static, SHA-384 KDF)".into(),
        RecipientKeyKind::X25519 => "X25519 (HKDF-SHA-256)".into(),
        RecipientKeyKind::X448 => "X448 (HKDF-SHA-512)".into(),
        #[allow(unreachable_patterns)] // the enum is non-exhaustive
        _ => "key agreement".into(),
    }
}

/// Encrypts `content` for the plan: a DER ContentInfo.
async fn envelop_for<P: Provider>(
    provider: &P,
    content: &[u8],
    plan: &EncryptionPlan,
    options: &EncryptOptions<'_>,
) -> Result<Vec<u8>> {
    let recipients: Vec<Recipient<'_>> = plan
        .recipients
        .iter()
        .map(|r| Recipient {
            certificate: &r.certificate,
            key_transport: r.key_transport,
        })
        .collect();
    envelope::envelop(
        provider,
        content,
        &recipients,
        &EnvelopeOptions {
            cipher: plan.cipher,
            recipient_id: options.recipient_id,
        },
    )
    .await
}

fn smime_type(cipher: ContentCipher) -> &'static str {
    if cipher.is_authenticated() {
        "authEnveloped-data"
    } else {
        "enveloped-data"
    }
}

/// Encrypts a message (pure-Rust provider, blocking). See [`encrypt_with`].
#[cfg(not(target_arch = "wasm32"))]
pub fn encrypt(
    message: &[u8],
    recipients: &[&Certificate],
    options: &EncryptOptions<'_>,
) -> Result<Vec<u8>> {
    crate::provider::block_on(encrypt_with(
        &crate::provider::RustCryptoProvider,
        message,
        recipients,
        options,
    ))
}

/// Encrypts `message` — a whole RFC 5322 message or a bare MIME entity — to `recipients` (and
/// the sender, see [`EncryptOptions::include_self`]) and returns a complete RFC 5322 message:
/// `application/pkcs7-mime; smime-type=enveloped-data` (or `authEnveloped-data`), base64.
///
/// With header protection (the default), the encrypted entity carries every header field of the
/// message and `hp="cipher"`; the outer header shows what the policy allows (baseline: the
/// Subject becomes "[...]").
pub async fn encrypt_with<P: Provider>(
    provider: &P,
    message: &[u8],
    recipients: &[&Certificate],
    options: &EncryptOptions<'_>,
) -> Result<Vec<u8>> {
    let plan = plan(recipients, options)?;
    let input = mime::prepare_for_encryption(message, options.header_protection)?;
    let der = envelop_for(provider, &input.entity, &plan, options).await?;
    mime::build_pkcs7_mime(&input.outer_headers, smime_type(plan.cipher), &der)
}

/// Signs, then encrypts (pure-Rust provider, blocking). See [`sign_and_encrypt_with`].
#[cfg(not(target_arch = "wasm32"))]
pub fn sign_and_encrypt(
    message: &[u8],
    identity: &Identity,
    recipients: &[&Certificate],
    sign_options: &SignOptions,
    options: &EncryptOptions<'_>,
) -> Result<Vec<u8>> {
    crate::provider::block_on(sign_and_encrypt_with(
        &crate::provider::RustCryptoProvider,
        message,
        identity,
        recipients,
        sign_options,
        options,
    ))
}

/// Signs `message` with `identity`, then encrypts the signed entity to `recipients` (and, with
/// `include_self`, to the signer's own encryption certificate): one RFC 5322 message out, whose
/// decrypted content is a multipart/signed (or, with `detached: false`, signed-data) entity.
///
/// Header protection applies to the signed entity (`hp="cipher"`): the signature covers the
/// protected header fields too.
pub async fn sign_and_encrypt_with<P: Provider>(
    provider: &P,
    message: &[u8],
    identity: &Identity,
    recipients: &[&Certificate],
    sign_options: &SignOptions,
    options: &EncryptOptions<'_>,
) -> Result<Vec<u8>> {
    let options = EncryptOptions {
        identity: Some(identity),
        ..options.clone()
    };
    let plan = plan(recipients, &options)?;
    let input = mime::prepare_for_encryption(message, options.header_protection)?;
    // The signed entity alone (no outer header fields): it is the content to encrypt, and the
    // outer header block of the encrypted message is the one header protection made.
    let to_sign = mime::SignInput {
        outer_headers: Vec::new(),
        entity: input.entity,
    };
    let signed = crate::sign::sign_entity(provider, &to_sign, identity, sign_options).await?;
    let der = envelop_for(provider, &signed, &plan, &options).await?;
    mime::build_pkcs7_mime(&input.outer_headers, smime_type(plan.cipher), &der)
}

/// Encrypts a file (pure-Rust provider, blocking). See [`encrypt_file_with`].
#[cfg(not(target_arch = "wasm32"))]
pub fn encrypt_file(
    bytes: &[u8],
    recipients: &[&Certificate],
    options: &EncryptOptions<'_>,
) -> Result<Vec<u8>> {
    crate::provider::block_on(encrypt_file_with(
        &crate::provider::RustCryptoProvider,
        bytes,
        recipients,
        options,
    ))
}

/// Encrypts arbitrary bytes (a file before upload: no MIME around them) and returns the DER CMS
/// ContentInfo (EnvelopedData, or AuthEnvelopedData for GCM), as `openssl cms -encrypt -outform
/// DER` writes it. Cipher, key transport and `include_self` work as for [`encrypt_with`].
pub async fn encrypt_file_with<P: Provider>(
    provider: &P,
    bytes: &[u8],
    recipients: &[&Certificate],
    options: &EncryptOptions<'_>,
) -> Result<Vec<u8>> {
    if bytes.len() > policy::MAX_MESSAGE_SIZE {
        return Err(Error::InputTooLarge {
            what: "file size in bytes",
            limit: policy::MAX_MESSAGE_SIZE,
        });
    }
    let plan = plan(recipients, options)?;
    envelop_for(provider, bytes, &plan, options).await
}

/// Decrypts a file (pure-Rust provider, blocking). See [`decrypt_file_with`].
#[cfg(not(target_arch = "wasm32"))]
pub fn decrypt_file(cms: &[u8], identity: &Identity) -> Result<Decrypted> {
    crate::provider::block_on(decrypt_file_with(
        &crate::provider::RustCryptoProvider,
        cms,
        identity,
    ))
}

/// Decrypts a CMS EnvelopedData or AuthEnvelopedData (DER, BER or PEM) with the identity's keys
/// (its encryption key and its main key). The result carries the content, the cipher and key
/// management used, and whether the content was authenticated (GCM) or not (CBC).
///
/// # Errors
///
/// [`Error::NotARecipient`] when no key of the identity is a recipient,
/// [`Error::DecryptionFailed`] when one is but decryption fails (never with plaintext),
/// [`Error::MalformedCms`] for input that is not such a structure.
pub async fn decrypt_file_with<P: Provider>(
    provider: &P,
    cms: &[u8],
    identity: &Identity,
) -> Result<Decrypted> {
    let der;
    let cms = if crate::pem::looks_like_pem(cms) {
        der = crate::pem::blocks(cms, Error::MalformedCms)?
            .into_iter()
            .find(|b| matches!(b.label.as_str(), "CMS" | "PKCS7"))
            .ok_or_else(|| Error::MalformedCms("no CMS or PKCS7 block in the PEM input".into()))?
            .der;
        der.as_slice()
    } else {
        cms
    };
    envelope::decrypt(provider, cms, &decryption_keys(identity)).await
}

/// The identity's keys with their certificates: the encryption key first, then the main key.
pub fn decryption_keys(identity: &Identity) -> Vec<(&PrivateKey, &Certificate)> {
    let mut keys = Vec::new();
    if let (Some(k), Some(c)) = (identity.encryption_key(), identity.encryption_certificate()) {
        keys.push((k, c));
    }
    keys.push((identity.private_key(), identity.certificate()));
    keys
}

/// The key-management name of a planned recipient, as [`crate::envelope::Decrypted`] reports it
/// after decryption (`rsa-pkcs1v15`, `rsa-oaep-sha256`, `ecdh-p256-sha256kdf-aes128wrap`, ...).
pub fn key_management_name(recipient: &PlannedRecipient) -> String {
    match recipient.key_kind {
        RecipientKeyKind::Rsa { .. } => match recipient.key_transport {
            KeyTransport::RsaOaep => "rsa-oaep-sha256".into(),
            _ => "rsa-pkcs1v15".into(),
        },
        RecipientKeyKind::EcdhP256 => "ecdh-p256-sha256kdf-aes128wrap".into(),
        RecipientKeyKind::EcdhP384 => "ecdh-p384-sha384kdf-aes256wrap".into(),
        RecipientKeyKind::X25519 => "x25519-hkdf-sha256-aes128wrap".into(),
        RecipientKeyKind::X448 => "x448-hkdf-sha512-aes256wrap".into(),
        #[allow(unreachable_patterns)] // the enum is non-exhaustive
        _ => "key-agreement".into(),
    }
}
