//! `open`: reads any S/MIME message - verifies every signed layer, decrypts every encrypted layer
//! it has a key for, validates each signer's certificate path, restores RFC 9788 protected
//! header fields - and reports every check, so that a user interface can say "valid signature,
//! unknown signer" or "encrypted for someone else" in words.
//!
//! The walk goes from the outside in: an RFC 5322 message, a bare MIME entity, or a bare CMS
//! ContentInfo (DER, BER or PEM). At each step the entity's Content-Type decides:
//! multipart/signed and application/pkcs7-mime signed-data are verified ([`crate::verify`]) and
//! the walk continues inside the signed content; enveloped-data / authEnveloped-data is
//! decrypted with the identity's keys ([`crate::envelope::decrypt`]) and the walk continues
//! inside the plaintext, or - without a usable key - the layer is reported with its recipients
//! and the walk stops there; certs-only collects certificates; a message/rfc822 that is the whole
//! content of a layer (the RFC 8551 §3.1 wrapper) is unwrapped; anything else is the content.
//!
//! EFAIL rules: the content returned is only ever what the innermost layer produced (parts
//! outside a signed or encrypted layer are never merged in); a GCM/ChaCha20-Poly1305 tag failure
//! is an error with no plaintext; CBC content is reported `authenticated: false`; a signature
//! whose encapsulated content differs from the detached content is an error (`CONTENT_MISMATCH`).

use crate::certificate::Certificate;
use crate::envelope::{self, RecipientSummary};
use crate::error::{Error, Result};
use crate::identity::Identity;
use crate::mime::{self, EntityKind, RestoredHeaders};
use crate::path::{self, PathOptions, Purpose};
use crate::policy;
use crate::provider::Provider;
use crate::verify::{self, SignedLayer, SignerReport, VerifyOptions};

/// The signer's certificate does not hold the effective From address.
pub const EMAIL_MISMATCH: &str = "EMAIL_MISMATCH";

/// Problem codes `open` adds to those of [`crate::verify::SIGNER_PROBLEMS`] and
/// [`crate::path::PATH_PROBLEMS`].
pub const OPEN_PROBLEMS: &[(&str, &str)] = &[(
    EMAIL_MISMATCH,
    "the message's From address is not an e-mail address of the signer's certificate (or the message has no From)",
)];

/// Every problem code a signer can carry, with its meaning: signature checks, path validation,
/// and the From address check.
pub fn all_problem_codes() -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<(&str, &str)> = verify::SIGNER_PROBLEMS.to_vec();
    all.extend_from_slice(path::PATH_PROBLEMS);
    all.extend_from_slice(OPEN_PROBLEMS);
    all
}

/// Options of [`open_with`].
#[derive(Clone, Copy, Debug)]
pub struct OpenOptions<'a> {
    /// Our keys: encrypted layers addressed to them are decrypted.
    pub identity: Option<&'a Identity>,
    /// Trust anchors for signer validation. Empty: every signer is reported untrusted
    /// (`NO_PATH_TO_TRUST_ANCHOR`), with its signature still checked.
    pub trust: &'a [Certificate],
    /// Intermediate certificates to build paths with, besides those the message carries.
    pub intermediates: &'a [Certificate],
    /// Validate certificates at this time (Unix seconds). `None`: at each signer's signingTime
    /// when it has one, else at `now`. A signingTime is the sender's claim: pass `at` to judge
    /// old mail at a time you choose.
    pub at: Option<i64>,
    /// The current time (Unix seconds); this crate never reads a clock.
    pub now: i64,
    /// The signed content of a bare detached CMS signature.
    pub detached_content: Option<&'a [u8]>,
}

impl<'a> OpenOptions<'a> {
    /// Options with no identity, no trust anchors, validation at signing time or `now`.
    pub fn new(now: i64) -> Self {
        Self {
            identity: None,
            trust: &[],
            intermediates: &[],
            at: None,
            now,
            detached_content: None,
        }
    }
}

/// One signer of a signed layer, with every check's result.
#[derive(Clone, Debug)]
pub struct Signer {
    /// The signer's certificate, when the message (or `intermediates`) holds it.
    pub certificate: Option<Certificate>,
    /// The certification path found: leaf first, trust anchor last when one was reached (or the
    /// longest partial path).
    pub chain: Vec<Certificate>,
    /// The first e-mail address of the certificate.
    pub email: Option<String>,
    /// Whether the effective From address is one of the certificate's addresses.
    pub email_matches_from: bool,
    /// The signature verifies over this content (messageDigest and contentType agree).
    pub signature_valid: bool,
    /// The signature is valid and the certificate chains to a trust anchor with every check
    /// passed (revocation is not checked: `REVOCATION_NOT_CHECKED` is informational).
    pub trusted: bool,
    /// The trust anchor reached.
    pub trust_anchor: Option<Certificate>,
    /// The signingTime attribute (Unix seconds).
    pub signing_time: Option<i64>,
    /// The digest algorithm (`sha256`, ...).
    pub digest: &'static str,
    /// The signature algorithm (`rsa-pkcs1v15-sha256`, `ecdsa-p256-sha256`, `ed25519`, ...).
    pub signature_algorithm: String,
    /// The SMIMECapabilities the signer advertised (names as `encrypt`'s `capabilities` takes
    /// them).
    pub capabilities: Vec<String>,
    /// The certificate to encrypt to this sender: the SMIMEEncryptionKeyPreference one, else the
    /// signing certificate when it allows encryption, else a certificate in the message for the
    /// same address that does.
    pub encryption_certificate: Option<Certificate>,
    /// Problem codes (signature, path, From), each once; see [`all_problem_codes`].
    pub problems: Vec<&'static str>,
}

impl Signer {
    /// Whether anything but informational notes was found.
    pub fn has_problems(&self) -> bool {
        self.problems.iter().any(|p| !path::is_informational(p))
    }
}

/// A signed layer.
#[derive(Clone, Debug)]
pub struct SignedLayerReport {
    /// multipart/signed or a detached CMS signature (true), or signed-data with the content
    /// inside (false).
    pub detached: bool,
    /// Every signer.
    pub signers: Vec<Signer>,
    /// The content verified only after converting bare LF line ends to CRLF (stored mail).
    pub line_ends_converted: bool,
}

/// An encrypted layer.
#[derive(Clone, Debug)]
pub struct EncryptedLayer {
    /// Whether we had a key for it and decrypted it.
    pub decrypted: bool,
    /// The content cipher (`aes-256-cbc`, `aes-256-gcm`, `des-ede3-cbc`, ...).
    pub cipher: String,
    /// How the content key reached us, when decrypted (`rsa-oaep-sha256`, ...).
    pub key_management: Option<String>,
    /// AuthEnvelopedData (AES-GCM, ChaCha20-Poly1305): the content is authenticated. CBC
    /// content is not (EFAIL: treat it with care).
    pub authenticated: bool,
    /// Who the message is encrypted for.
    pub recipients: Vec<RecipientSummary>,
}

/// One layer of a message, outermost first.
#[derive(Clone, Debug)]
pub enum Layer {
    /// A signature.
    Signed(SignedLayerReport),
    /// Encryption.
    Encrypted(EncryptedLayer),
    /// A certs-only message (.p7c): certificates and nothing else.
    CertificatesOnly,
}

/// What [`open_with`] found.
#[derive(Clone, Debug)]
pub struct Opened {
    /// The innermost content: a MIME entity (or, for a bare CMS of a file, the file's bytes),
    /// or the encrypted entity when it could not be decrypted.
    pub content: Vec<u8>,
    /// The effective header fields (RFC 9788: protected fields win over the outer ones).
    pub headers: RestoredHeaders,
    /// The layers, outermost first.
    pub layers: Vec<Layer>,
    /// Every certificate the message carried (each once).
    pub certificates: Vec<Certificate>,
}

impl Opened {
    /// Every signer of every signed layer, outermost layer first.
    pub fn signers(&self) -> impl Iterator<Item = &Signer> {
        self.layers.iter().flat_map(|l| match l {
            Layer::Signed(s) => s.signers.as_slice(),
            _ => &[],
        })
    }

    /// Whether every layer is signed validly and trusted, or decrypted (no undecrypted layer,
    /// at least one signed layer, every signer trusted and without problems).
    pub fn fully_verified(&self) -> bool {
        let mut any_signer = false;
        for layer in &self.layers {
            match layer {
                Layer::Signed(s) => {
                    for signer in &s.signers {
                        any_signer = true;
                        if !signer.trusted || signer.has_problems() {
                            return false;
                        }
                    }
                }
                Layer::Encrypted(e) if !e.decrypted => return false,
                _ => {}
            }
        }
        any_signer
    }
}

/// What a caller keeps of a sender to encrypt to them later (see [`extract_certificates`]).
#[derive(Clone, Debug)]
pub struct Harvested {
    /// The signing certificate.
    pub certificate: Certificate,
    /// Its chain as far as the message's certificates go.
    pub chain: Vec<Certificate>,
    /// The first e-mail address of the certificate.
    pub email: Option<String>,
    /// The SMIMECapabilities the sender advertised.
    pub capabilities: Vec<String>,
    /// The certificate to encrypt to (see [`Signer::encryption_certificate`]).
    pub encryption_certificate: Option<Certificate>,
    /// Whether the signature was valid (a caller should keep only those).
    pub signature_valid: bool,
}

/// Opens a message (pure-Rust provider, blocking). See [`open_with`].
#[cfg(not(target_arch = "wasm32"))]
pub fn open(message: &[u8], options: &OpenOptions<'_>) -> Result<Opened> {
    crate::provider::block_on(open_with(
        &crate::provider::RustCryptoProvider,
        message,
        options,
    ))
}

/// The signers' certificates, capabilities and encryption certificates of a signed message: what
/// to store to encrypt to its sender later (and what feeds `encrypt`'s automatic cipher choice).
/// Encrypted layers are not decrypted (pass an identity to [`open_with`] for that); signatures are
/// verified, trust is not evaluated.
#[cfg(not(target_arch = "wasm32"))]
pub fn extract_certificates(message: &[u8], now: i64) -> Result<Vec<Harvested>> {
    Ok(harvest(&open(message, &OpenOptions::new(now))?))
}

/// What [`extract_certificates`] returns, from an already opened message.
pub fn harvest(opened: &Opened) -> Vec<Harvested> {
    opened
        .signers()
        .filter_map(|s| {
            Some(Harvested {
                certificate: s.certificate.clone()?,
                chain: s.chain.clone(),
                email: s.email.clone(),
                capabilities: s.capabilities.clone(),
                encryption_certificate: s.encryption_certificate.clone(),
                signature_valid: s.signature_valid,
            })
        })
        .collect()
}

/// Opens `message`: an RFC 5322 message, a bare MIME entity, or a bare CMS ContentInfo (DER,
/// BER or PEM; `detached_content` for a bare detached signature).
///
/// # Errors
///
/// [`Error::InputTooLarge`] / [`Error::NestingTooDeep`] beyond the limits of
/// [`crate::policy`]; [`Error::MalformedMime`] / [`Error::MalformedCms`] for input that is
/// neither; [`Error::DecryptionFailed`] when a layer addressed to the identity does not decrypt
/// (no plaintext); [`Error::ContentMismatch`] when a signature's encapsulated content contradicts
/// the detached content. Invalid signatures and untrusted signers are not errors: they are
/// reported per signer.
pub async fn open_with<P: Provider>(
    provider: &P,
    message: &[u8],
    options: &OpenOptions<'_>,
) -> Result<Opened> {
    if message.len() > policy::MAX_MESSAGE_SIZE {
        return Err(Error::InputTooLarge {
            what: "message size in bytes",
            limit: policy::MAX_MESSAGE_SIZE,
        });
    }
    let mut walk = Walk {
        layers: Vec::new(),
        signed: Vec::new(),
        certificates: Vec::new(),
        decrypted_any: false,
        wrapper: None,
    };
    let bare_cms = looks_like_cms(message);
    let content = if bare_cms {
        walk.bare_cms(provider, message, options).await?
    } else {
        walk.entity(provider, message.to_vec(), true, options)
            .await?
    };
    let outer: &[u8] = if bare_cms { b"" } else { message };
    // A message/rfc822 wrapper is the Cryptographic Payload whose inner header is protected.
    let payload = walk.wrapper.as_deref().unwrap_or(&content);
    let headers = effective_headers(outer, payload, walk.decrypted_any);
    let from = effective_from(&headers);
    let mut layers = Vec::with_capacity(walk.layers.len());
    let mut signed = walk.signed.into_iter();
    for layer in walk.layers {
        layers.push(match layer {
            Pending::Signed => {
                let Some(s) = signed.next() else {
                    return Err(Error::Crypto("layer bookkeeping".into()));
                };
                Layer::Signed(judge_layer(s, from.as_deref(), options))
            }
            Pending::Encrypted(e) => Layer::Encrypted(e),
            Pending::CertificatesOnly => Layer::CertificatesOnly,
        });
    }
    Ok(Opened {
        content,
        headers,
        layers,
        certificates: walk.certificates,
    })
}

enum Pending {
    Signed,
    Encrypted(EncryptedLayer),
    CertificatesOnly,
}

struct Walk {
    layers: Vec<Pending>,
    signed: Vec<SignedLayer>,
    certificates: Vec<Certificate>,
    decrypted_any: bool,
    /// The message/rfc822 entity the innermost content was unwrapped from, if it was.
    wrapper: Option<Vec<u8>>,
}

/// What a CMS object is.
enum CmsKind {
    Signed,
    Encrypted,
}

fn cms_kind(cms: &[u8], smime_type: Option<&str>) -> Result<CmsKind> {
    match smime_type {
        Some("enveloped-data" | "authenveloped-data") => return Ok(CmsKind::Encrypted),
        Some("signed-data" | "certs-only") => return Ok(CmsKind::Signed),
        _ => {}
    }
    // No (or an unknown) smime-type: the ContentInfo's contentType decides.
    use der::Decode;
    let input = crate::pem::looks_like_pem(cms)
        .then(|| crate::pem::blocks(cms, Error::MalformedCms).ok())
        .flatten()
        .and_then(|b| b.into_iter().next().map(|b| b.der.to_vec()));
    let bytes: &[u8] = input.as_deref().unwrap_or(cms);
    let ci = ::cms::content_info::ContentInfo::from_ber(bytes)
        .map_err(|e| Error::MalformedCms(e.to_string()))?;
    let oid = ci.content_type;
    if oid == const_oid::db::rfc5911::ID_SIGNED_DATA {
        Ok(CmsKind::Signed)
    } else if oid == const_oid::db::rfc5911::ID_ENVELOPED_DATA
        || oid == const_oid::db::rfc5911::ID_CT_AUTH_ENVELOPED_DATA
    {
        Ok(CmsKind::Encrypted)
    } else {
        Err(Error::MalformedCms(format!(
            "content type {} is not signed, enveloped or authEnveloped data",
            crate::identity::oid_name(oid)
        )))
    }
}

fn looks_like_cms(message: &[u8]) -> bool {
    let trimmed = message
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(&[][..], |i| &message[i..]);
    trimmed.first() == Some(&0x30)
        || trimmed.starts_with(b"-----BEGIN PKCS7")
        || trimmed.starts_with(b"-----BEGIN CMS")
        || trimmed.starts_with(b"-----BEGIN PKCS #7")
}

impl Walk {
    fn depth_check(&self) -> Result<()> {
        if self.layers.len() >= policy::MAX_CMS_DEPTH {
            return Err(Error::NestingTooDeep {
                limit: policy::MAX_CMS_DEPTH,
            });
        }
        Ok(())
    }

    fn add_certificates(&mut self, certs: &[Certificate]) -> Result<()> {
        for c in certs {
            if !self.certificates.iter().any(|k| k.as_der() == c.as_der()) {
                if self.certificates.len() >= policy::MAX_CERTIFICATES_PER_MESSAGE {
                    return Err(Error::InputTooLarge {
                        what: "number of certificates in a message",
                        limit: policy::MAX_CERTIFICATES_PER_MESSAGE,
                    });
                }
                self.certificates.push(c.clone());
            }
        }
        Ok(())
    }

    /// Records a verified layer; returns the content to continue with, if any.
    fn signed_layer(&mut self, layer: SignedLayer) -> Result<Option<Vec<u8>>> {
        self.add_certificates(&layer.certificates)?;
        if layer.signers.is_empty() {
            // certs-only: certificates, no content.
            self.layers.push(Pending::CertificatesOnly);
            return Ok(None);
        }
        let content = layer.content.clone();
        self.layers.push(Pending::Signed);
        self.signed.push(layer);
        Ok(Some(content))
    }

    /// An encrypted CMS object: decrypted when the identity can, else reported. Returns the
    /// plaintext to continue with.
    async fn encrypted<P: Provider>(
        &mut self,
        provider: &P,
        cms: &[u8],
        options: &OpenOptions<'_>,
    ) -> Result<Option<Vec<u8>>> {
        let info = envelope::inspect(cms)?;
        let Some(identity) = options.identity else {
            self.layers.push(Pending::Encrypted(undecrypted(info)));
            return Ok(None);
        };
        let keys = crate::encrypt::decryption_keys(identity);
        match envelope::decrypt(provider, cms, &keys).await {
            Ok(d) => {
                self.decrypted_any = true;
                self.layers.push(Pending::Encrypted(EncryptedLayer {
                    decrypted: true,
                    cipher: d.cipher,
                    key_management: Some(d.key_management),
                    authenticated: d.authenticated,
                    recipients: info.recipients,
                }));
                Ok(Some(d.content))
            }
            Err(Error::NotARecipient) => {
                self.layers.push(Pending::Encrypted(undecrypted(info)));
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    async fn bare_cms<P: Provider>(
        &mut self,
        provider: &P,
        cms: &[u8],
        options: &OpenOptions<'_>,
    ) -> Result<Vec<u8>> {
        let verify_options = VerifyOptions {
            extra_certificates: options.intermediates,
        };
        let next = match cms_kind(cms, None)? {
            CmsKind::Signed => {
                let layer = verify::verify_signed_data_with(
                    cms,
                    options.detached_content,
                    &verify_options,
                )?;
                self.signed_layer(layer)?
            }
            CmsKind::Encrypted => {
                let der = pem_or_raw(cms)?;
                self.encrypted(provider, &der, options).await?
            }
        };
        match next {
            Some(inner) => Box::pin(self.entity(provider, inner, false, options)).await,
            None => Ok(cms.to_vec()),
        }
    }

    /// Walks from `entity` inwards; returns the innermost content. `top` is the message itself
    /// (its parse errors are errors; inside a layer, content that is not MIME is just content).
    async fn entity<P: Provider>(
        &mut self,
        provider: &P,
        mut current: Vec<u8>,
        top: bool,
        options: &OpenOptions<'_>,
    ) -> Result<Vec<u8>> {
        let verify_options = VerifyOptions {
            extra_certificates: options.intermediates,
        };
        let mut at_top = top;
        loop {
            let kind = match mime::entity_kind(&current) {
                Ok(k) => k,
                Err(e) if at_top => return Err(e),
                Err(_) => return Ok(current),
            };
            let is_wrapper = matches!(kind, EntityKind::Message(_));
            let next = match kind {
                EntityKind::Other => return Ok(current),
                EntityKind::Message(body) => {
                    // The RFC 8551 §3.1 wrapper: a layer's whole content is a message.
                    if at_top {
                        return Ok(current);
                    }
                    let inner = body.to_vec();
                    self.wrapper = Some(current.clone());
                    Some(inner)
                }
                EntityKind::MultipartSigned => {
                    self.depth_check()?;
                    let layer = verify::verify_multipart_signed_with(&current, &verify_options)?;
                    self.signed_layer(layer)?
                }
                EntityKind::Pkcs7 { smime_type, cms } => {
                    self.depth_check()?;
                    match cms_kind(&cms, smime_type.as_deref())? {
                        CmsKind::Signed => {
                            let layer =
                                verify::verify_signed_data_with(&cms, None, &verify_options)?;
                            self.signed_layer(layer)?
                        }
                        CmsKind::Encrypted => self.encrypted(provider, &cms, options).await?,
                    }
                }
            };
            match next {
                Some(inner) => {
                    if !is_wrapper {
                        // A crypto layer inside the wrapper: its content is the payload now.
                        self.wrapper = None;
                    }
                    current = inner;
                    at_top = false;
                }
                None => return Ok(current),
            }
        }
    }
}

fn pem_or_raw(cms: &[u8]) -> Result<Vec<u8>> {
    if crate::pem::looks_like_pem(cms) {
        crate::pem::blocks(cms, Error::MalformedCms)?
            .into_iter()
            .next()
            .map(|b| b.der.to_vec())
            .ok_or_else(|| Error::MalformedCms("no PEM block".into()))
    } else {
        Ok(cms.to_vec())
    }
}

fn undecrypted(info: envelope::EnvelopeInfo) -> EncryptedLayer {
    EncryptedLayer {
        decrypted: false,
        cipher: info.cipher,
        key_management: None,
        authenticated: info.authenticated,
        recipients: info.recipients,
    }
}

/// The effective header fields; content that is not MIME (a file) leaves the outer ones.
fn effective_headers(outer: &[u8], content: &[u8], encrypted: bool) -> RestoredHeaders {
    let outer_block: &[u8] = if outer.is_empty() { b"\r\n" } else { outer };
    mime::restore_headers(outer_block, content, encrypted)
        .or_else(|_| {
            mime::restore_headers(
                outer_block,
                b"Content-Type: application/octet-stream\r\n\r\n",
                false,
            )
        })
        .unwrap_or_default()
}

/// The addr-spec of the effective From field, lower-cased.
fn effective_from(headers: &RestoredHeaders) -> Option<String> {
    let value = &headers
        .fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case("from"))?
        .value;
    let addr = match (value.rfind('<'), value.rfind('>')) {
        (Some(a), Some(b)) if a < b => &value[a + 1..b],
        _ => value.as_str(),
    };
    let addr = addr.trim().to_ascii_lowercase();
    (!addr.is_empty()).then_some(addr)
}

fn judge_layer(
    layer: SignedLayer,
    from: Option<&str>,
    options: &OpenOptions<'_>,
) -> SignedLayerReport {
    let mut candidates: Vec<Certificate> = layer.certificates.clone();
    candidates.extend(options.intermediates.iter().cloned());
    let signers = layer
        .signers
        .into_iter()
        .map(|report| judge_signer(report, &candidates, &layer.certificates, from, options))
        .collect();
    SignedLayerReport {
        detached: layer.detached,
        signers,
        line_ends_converted: layer.line_ends_converted,
    }
}

fn judge_signer(
    report: SignerReport,
    candidates: &[Certificate],
    message_certificates: &[Certificate],
    from: Option<&str>,
    options: &OpenOptions<'_>,
) -> Signer {
    let mut problems = report.problems.clone();
    let push = |p: &'static str, problems: &mut Vec<&'static str>| {
        if !problems.contains(&p) {
            problems.push(p);
        }
    };
    let (chain, trusted, trust_anchor) = match &report.certificate {
        Some(cert) => {
            let at = options.at.or(report.signing_time).unwrap_or(options.now);
            let result = path::validate(
                cert,
                candidates,
                options.trust,
                &PathOptions::new(at, Purpose::EmailSigning),
            );
            for p in &result.problems {
                push(p, &mut problems);
            }
            (result.chain, result.trusted, result.trust_anchor)
        }
        None => (Vec::new(), false, None),
    };
    let emails: Vec<String> = report
        .certificate
        .as_ref()
        .map(|c| {
            c.emails()
                .into_iter()
                .map(|e| e.to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let email_matches_from = from.is_some_and(|f| emails.iter().any(|e| e == f));
    if !email_matches_from {
        push(EMAIL_MISMATCH, &mut problems);
    }
    let encryption_certificate = encryption_certificate(&report, message_certificates, &emails);
    Signer {
        email: report.email.clone().or_else(|| emails.first().cloned()),
        email_matches_from,
        signature_valid: report.signature_valid,
        trusted: trusted && report.signature_valid,
        trust_anchor,
        signing_time: report.signing_time,
        digest: report.digest,
        signature_algorithm: report.signature_algorithm.clone(),
        capabilities: report.capabilities.clone(),
        encryption_certificate,
        chain,
        certificate: report.certificate,
        problems,
    }
}

fn encryption_certificate(
    report: &SignerReport,
    message_certificates: &[Certificate],
    emails: &[String],
) -> Option<Certificate> {
    if let Some(cert) = report
        .encryption_key_preference
        .as_ref()
        .and_then(|p| p.certificate.clone())
    {
        return Some(cert);
    }
    let signer = report.certificate.as_ref()?;
    if envelope::check_recipient(signer).is_ok() {
        return Some(signer.clone());
    }
    message_certificates
        .iter()
        .filter(|c| c.as_der() != signer.as_der() && !c.is_ca())
        .find(|c| {
            envelope::check_recipient(c).is_ok()
                && c.emails()
                    .iter()
                    .any(|e| emails.contains(&e.to_ascii_lowercase()))
        })
        .cloned()
}
