//! CMS encryption (RFC 5652 EnvelopedData, RFC 5083 AuthEnvelopedData) in both directions:
//! [`envelop`] writes, [`decrypt`] and [`inspect`] read.
//!
//! ```text
//!  content ─► fresh CEK + IV/nonce ─► encrypt_content ─► EncryptedContentInfo (+ mac for AEAD)
//!                 │
//!                 ├─ RSA recipient:   rsa_encrypt(CEK)                      ─► KeyTransRecipientInfo
//!                 └─ EC/X25519 recip: ecdh_ephemeral → KDF(SharedInfo) → AES-KW(CEK) ─► KeyAgreeRecipientInfo
//! ```
//!
//! Every primitive comes from a [`Provider`]. This module works on CMS only: the MIME wrapping
//! (`application/pkcs7-mime; smime-type=enveloped-data`) is the message layer's.
//!
//! Sending is strict (AES only, RSA ≥ 2048 bits, keyUsage honoured); receiving is tolerant (BER,
//! OAEP with any SHA hash, every X9.63 KDF hash, 3DES-CBC for old mail).

use cms::authenveloped_data::AuthEnvelopedData;
use cms::cert::IssuerAndSerialNumber;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::enveloped_data::{
    EncryptedContentInfo, EnvelopedData, KeyAgreeRecipientIdentifier, OriginatorIdentifierOrKey,
    RecipientIdentifier, RecipientInfo, RecipientInfos,
};
use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5911, rfc5912, rfc8410};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, EncodingRules};
use x509_cert::ext::pkix::{KeyUsage, KeyUsages, SubjectKeyIdentifier};
use zeroize::Zeroizing;

use crate::certificate::{Certificate, hex};
use crate::cms::enveloped::{self as cms_env, GcmParameters, Rid};
use crate::error::{Error, Result};
use crate::identity::{KeyType, PrivateKey};
use crate::policy;
use crate::provider::{EcdhCurve, Provider, RustCryptoProvider};

pub use crate::provider::{ContentCipher, KeyTransport};

/// id-envelopedData.
const ID_ENVELOPED_DATA: ObjectIdentifier = rfc5911::ID_ENVELOPED_DATA;
/// id-ct-authEnvelopedData (RFC 5083).
const ID_AUTH_ENVELOPED_DATA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.23");
/// id-data.
const ID_DATA: ObjectIdentifier = rfc5911::ID_DATA;
/// Length of the GCM / ChaCha20-Poly1305 tag we write and read.
const TAG_LEN: usize = 16;

/// How recipients are identified in the RecipientInfos written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RecipientIdType {
    /// The certificate's issuer and serial number (the default; every client reads it).
    #[default]
    IssuerAndSerialNumber,
    /// The certificate's subjectKeyIdentifier (KTRI `rid [0]`, KARI `rKeyId`). A certificate
    /// without that extension is refused with [`Error::RecipientKeyUnusable`] rather than
    /// silently identified another way.
    SubjectKeyIdentifier,
}

/// The kind of key a recipient certificate holds, as far as encryption is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecipientKeyKind {
    /// RSA key transport, with the modulus size.
    Rsa {
        /// Modulus size in bits.
        bits: usize,
    },
    /// ECDH on P-256 (X9.63 SHA-256 KDF, AES-128 wrap).
    EcdhP256,
    /// ECDH on P-384 (X9.63 SHA-384 KDF, AES-256 wrap).
    EcdhP384,
    /// X25519 (RFC 8418: HKDF-SHA-256, AES-128 wrap).
    X25519,
    /// X448 (never returned yet: no well-kept X448 crate; [`check_recipient`] refuses it).
    X448,
}

/// One recipient of an encrypted message.
#[derive(Clone, Copy, Debug)]
pub struct Recipient<'a> {
    /// The recipient's certificate.
    pub certificate: &'a Certificate,
    /// RSA key transport to use (ignored for EC and X25519 recipients).
    pub key_transport: KeyTransport,
}

impl<'a> Recipient<'a> {
    /// A recipient with the default key transport (RSA PKCS#1 v1.5).
    pub fn new(certificate: &'a Certificate) -> Self {
        Self {
            certificate,
            key_transport: KeyTransport::default(),
        }
    }
}

/// Options of [`envelop`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnvelopeOptions {
    /// The content cipher (default AES-256-CBC).
    pub cipher: ContentCipher,
    /// How recipients are identified (default issuerAndSerialNumber).
    pub recipient_id: RecipientIdType,
}

impl Default for EnvelopeOptions {
    fn default() -> Self {
        Self {
            cipher: ContentCipher::Aes256Cbc,
            recipient_id: RecipientIdType::IssuerAndSerialNumber,
        }
    }
}

/// A name for a certificate in messages: its first e-mail address, else its subject.
fn who(certificate: &Certificate) -> String {
    certificate
        .emails()
        .into_iter()
        .next()
        .unwrap_or_else(|| certificate.subject())
}

/// Whether the certificate can be encrypted to, and how.
///
/// [`Error::RecipientKeyUnusable`] (naming the certificate's e-mail address or subject and the
/// reason) for: keyUsage present without keyEncipherment (RSA) / keyAgreement (EC, X25519), RSA
/// under [`policy::MIN_RSA_BITS`] or over [`policy::MAX_RSA_BITS`], signature-only key types
/// (RSA-PSS, Ed25519, Ed448, DSA), unsupported curves (P-521, X448).
pub fn check_recipient(certificate: &Certificate) -> Result<RecipientKeyKind> {
    let unusable =
        |why: String| Error::RecipientKeyUnusable(format!("{}: {why}", who(certificate)));
    let spki = certificate.public_key_info();
    let oid = spki.algorithm.oid;
    let ku = certificate.key_usage_bits();
    let allows = |bit: KeyUsages| ku.is_none_or(|k: KeyUsage| k.0.contains(bit));
    let key_algorithm = certificate.key_algorithm();
    if oid == rfc5912::RSA_ENCRYPTION {
        let bits = certificate
            .key_size()
            .ok_or_else(|| unusable("the RSA public key cannot be read".into()))?;
        if bits < policy::MIN_RSA_BITS {
            return Err(unusable(format!(
                "RSA-{bits} is too small (at least {} bits are required)",
                policy::MIN_RSA_BITS
            )));
        }
        if bits > policy::MAX_RSA_BITS {
            return Err(unusable(format!(
                "RSA-{bits} is larger than {} bits",
                policy::MAX_RSA_BITS
            )));
        }
        if !allows(KeyUsages::KeyEncipherment) {
            return Err(unusable(
                "its keyUsage does not allow keyEncipherment (a signing-only certificate)".into(),
            ));
        }
        return Ok(RecipientKeyKind::Rsa { bits });
    }
    let kind = match certificate.curve() {
        Some("P-256") if oid == rfc5912::ID_EC_PUBLIC_KEY => RecipientKeyKind::EcdhP256,
        Some("P-384") if oid == rfc5912::ID_EC_PUBLIC_KEY => RecipientKeyKind::EcdhP384,
        Some("X25519") => RecipientKeyKind::X25519,
        Some("X448") => {
            return Err(unusable("X448 key agreement is not supported".into()));
        }
        Some("Ed25519" | "Ed448") => {
            return Err(unusable(format!(
                "{key_algorithm} is a signature-only key type"
            )));
        }
        Some(curve) => {
            return Err(unusable(format!("the curve {curve} is not supported")));
        }
        None if oid == rfc5912::ID_EC_PUBLIC_KEY => {
            return Err(unusable("its elliptic curve is not supported".into()));
        }
        None => {
            return Err(unusable(format!(
                "{key_algorithm} keys cannot receive encrypted mail (signature-only or unknown)"
            )));
        }
    };
    if !allows(KeyUsages::KeyAgreement) {
        return Err(unusable(
            "its keyUsage does not allow keyAgreement (a signing-only certificate)".into(),
        ));
    }
    Ok(kind)
}

/// The subjectKeyIdentifier extension's value.
fn subject_key_id(certificate: &Certificate) -> Option<Vec<u8>> {
    certificate
        .x509()
        .tbs_certificate()
        .get_extension::<SubjectKeyIdentifier>()
        .ok()
        .flatten()
        .map(|(_, ski)| ski.0.as_bytes().to_vec())
}

fn issuer_and_serial(certificate: &Certificate) -> IssuerAndSerialNumber {
    let tbs = certificate.x509().tbs_certificate();
    IssuerAndSerialNumber {
        issuer: tbs.issuer().clone(),
        serial_number: tbs.serial_number().clone(),
    }
}

fn random(len: usize) -> Result<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    getrandom::fill(&mut out).map_err(|e| Error::Crypto(format!("random numbers: {e}")))?;
    Ok(out)
}

/// Encrypts `content` to `recipients`: DER ContentInfo holding an EnvelopedData (CBC ciphers)
/// or AuthEnvelopedData (RFC 5083/5084 GCM, RFC 8103 ChaCha20-Poly1305), one RecipientInfo per
/// recipient.
///
/// [`Error::NoRecipients`] when `recipients` is empty, [`Error::InputTooLarge`] beyond
/// [`policy::MAX_RECIPIENTS`] or [`policy::MAX_CMS_SIZE`], [`Error::RecipientKeyUnusable`] from
/// [`check_recipient`]. The CEK, IV/nonce and ephemeral keys are fresh random values
/// (`getrandom`; `crypto.getRandomValues` in the browser).
pub async fn envelop<P: Provider>(
    provider: &P,
    content: &[u8],
    recipients: &[Recipient<'_>],
    options: &EnvelopeOptions,
) -> Result<Vec<u8>> {
    if recipients.is_empty() {
        return Err(Error::NoRecipients);
    }
    if recipients.len() > policy::MAX_RECIPIENTS {
        return Err(Error::InputTooLarge {
            what: "number of recipients",
            limit: policy::MAX_RECIPIENTS,
        });
    }
    if content.len() > policy::MAX_CMS_SIZE {
        return Err(Error::InputTooLarge {
            what: "content size in bytes",
            limit: policy::MAX_CMS_SIZE,
        });
    }
    // Check every recipient before any (slow) public-key operation.
    let mut plan = Vec::with_capacity(recipients.len());
    for r in recipients {
        let kind = check_recipient(r.certificate)?;
        let rid = match options.recipient_id {
            RecipientIdType::IssuerAndSerialNumber => {
                Rid::IssuerSerial(issuer_and_serial(r.certificate))
            }
            RecipientIdType::SubjectKeyIdentifier => {
                Rid::SubjectKeyId(subject_key_id(r.certificate).ok_or_else(|| {
                    Error::RecipientKeyUnusable(format!(
                        "{}: the certificate has no subjectKeyIdentifier to identify it by",
                        who(r.certificate)
                    ))
                })?)
            }
        };
        plan.push((r, kind, rid));
    }
    let cipher = options.cipher;
    let cek = random(cipher.key_len())?;
    let iv = random(cipher.iv_len())?;
    let mut infos = Vec::with_capacity(plan.len());
    for (r, kind, rid) in plan {
        let spki = r.certificate.public_key_info();
        let info = match kind {
            RecipientKeyKind::Rsa { .. } => {
                let spki_der = spki.to_der()?;
                cms_env::ktri(provider, &spki_der, r.key_transport, rid, &cek).await?
            }
            RecipientKeyKind::EcdhP256 | RecipientKeyKind::EcdhP384 | RecipientKeyKind::X25519 => {
                let curve = match kind {
                    RecipientKeyKind::EcdhP256 => EcdhCurve::P256,
                    RecipientKeyKind::EcdhP384 => EcdhCurve::P384,
                    _ => EcdhCurve::X25519,
                };
                let public = spki.subject_public_key.raw_bytes();
                cms_env::kari(provider, curve, public, rid, &cek).await?
            }
            RecipientKeyKind::X448 => {
                return Err(Error::RecipientKeyUnusable(format!(
                    "{}: X448 key agreement is not supported",
                    who(r.certificate)
                )));
            }
        };
        infos.push(info);
    }
    let all_v0 = infos
        .iter()
        .all(|i| matches!(i, RecipientInfo::Ktri(k) if k.version == CmsVersion::V0));
    let recip_infos =
        RecipientInfos(SetOfVec::try_from(infos).map_err(|e| Error::Encoding(e.to_string()))?);
    let sealed = provider
        .encrypt_content(cipher, &cek, &iv, &[], content)
        .await?;
    let (content_type, inner) = if cipher.is_authenticated() {
        let split = sealed
            .len()
            .checked_sub(TAG_LEN)
            .ok_or_else(|| Error::Crypto("AEAD output shorter than its tag".into()))?;
        let (ciphertext, tag) = sealed.split_at(split);
        let params = match cipher {
            ContentCipher::ChaCha20Poly1305 => Any::encode_from(&OctetString::new(iv.to_vec())?)?,
            _ => Any::encode_from(&GcmParameters {
                nonce: OctetString::new(iv.to_vec())?,
                icv_len: TAG_LEN as u8,
            })?,
        };
        let data = AuthEnvelopedData {
            version: CmsVersion::V0,
            originator_info: None,
            recip_infos,
            auth_encrypted_content_info: EncryptedContentInfo {
                content_type: ID_DATA,
                content_enc_alg: spki::AlgorithmIdentifierOwned {
                    oid: cipher.oid(),
                    parameters: Some(params),
                },
                encrypted_content: Some(OctetString::new(ciphertext.to_vec())?),
            },
            auth_attrs: None,
            mac: OctetString::new(tag.to_vec())?,
            unauth_attrs: None,
        };
        (ID_AUTH_ENVELOPED_DATA, Any::encode_from(&data)?)
    } else {
        let data = EnvelopedData {
            version: if all_v0 {
                CmsVersion::V0
            } else {
                CmsVersion::V2
            },
            originator_info: None,
            recip_infos,
            encrypted_content: EncryptedContentInfo {
                content_type: ID_DATA,
                content_enc_alg: spki::AlgorithmIdentifierOwned {
                    oid: cipher.oid(),
                    parameters: Some(Any::encode_from(&OctetString::new(iv.to_vec())?)?),
                },
                encrypted_content: Some(OctetString::new(sealed)?),
            },
            unprotected_attrs: None,
        };
        (ID_ENVELOPED_DATA, Any::encode_from(&data)?)
    };
    Ok(ContentInfo {
        content_type,
        content: inner,
    }
    .to_der()?)
}

/// What an encrypted ContentInfo says without decrypting it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeInfo {
    /// True for AuthEnvelopedData.
    pub authenticated: bool,
    /// The content cipher's name ([`ContentCipher::name`], `des-ede3-cbc`), or its OID.
    pub cipher: String,
    /// One entry per recipient (a KARI with several recipient keys gives several).
    pub recipients: Vec<RecipientSummary>,
}

/// One recipient of an encrypted message, as the message names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientSummary {
    /// `rsa-pkcs1v15`, `rsa-oaep-sha256`, `ecdh-p256-sha256kdf-aes128wrap`,
    /// `x25519-hkdf-sha256-aes128wrap`, ..., `kekri`, `pwri`, `ori`, or the algorithm OID.
    pub key_management: String,
    /// The issuer name (RFC 4514 string) when identified by issuerAndSerialNumber.
    pub issuer: Option<String>,
    /// The serial number in hex when identified by issuerAndSerialNumber.
    pub serial_hex: Option<String>,
    /// The subjectKeyIdentifier in hex when identified by it.
    pub subject_key_id_hex: Option<String>,
}

/// A parsed encrypted ContentInfo.
struct Parsed {
    authenticated: bool,
    recip_infos: Vec<RecipientInfo>,
    content: EncryptedContentInfo,
    /// DER of authAttrs as a SET OF (the AAD), when present.
    aad: Vec<u8>,
    mac: Option<Vec<u8>>,
}

fn parse(cms: &[u8]) -> Result<Parsed> {
    if cms.len() > policy::MAX_CMS_SIZE {
        return Err(Error::InputTooLarge {
            what: "CMS size in bytes",
            limit: policy::MAX_CMS_SIZE,
        });
    }
    let malformed = |e: der::Error| Error::MalformedCms(e.to_string());
    let ci = ContentInfo::from_ber(cms).map_err(malformed)?;
    let parsed = if ci.content_type == ID_ENVELOPED_DATA {
        let ed: EnvelopedData = ci
            .content
            .decode_as_encoding(EncodingRules::Ber)
            .map_err(malformed)?;
        Parsed {
            authenticated: false,
            recip_infos: ed.recip_infos.0.into_vec(),
            content: ed.encrypted_content,
            aad: Vec::new(),
            mac: None,
        }
    } else if ci.content_type == ID_AUTH_ENVELOPED_DATA {
        let ad: AuthEnvelopedData = ci
            .content
            .decode_as_encoding(EncodingRules::Ber)
            .map_err(malformed)?;
        // RFC 5083 §2.2: the AAD is the DER of authAttrs with the SET OF tag (0x31).
        let aad = match &ad.auth_attrs {
            Some(attrs) => attrs.to_der()?,
            None => Vec::new(),
        };
        Parsed {
            authenticated: true,
            recip_infos: ad.recip_infos.0.into_vec(),
            content: ad.auth_encrypted_content_info,
            aad,
            mac: Some(ad.mac.into_bytes().into_vec()),
        }
    } else {
        return Err(Error::MalformedCms(format!(
            "content type {} is neither envelopedData nor authEnvelopedData",
            crate::identity::oid_name(ci.content_type)
        )));
    };
    if parsed.recip_infos.len() > policy::MAX_RECIPIENTS {
        return Err(Error::InputTooLarge {
            what: "number of recipients",
            limit: policy::MAX_RECIPIENTS,
        });
    }
    Ok(parsed)
}

/// The content algorithm of an EncryptedContentInfo.
enum Content {
    Modern(ContentCipher, Vec<u8>),
    Des3(Vec<u8>),
}

impl Content {
    fn name(&self) -> String {
        match self {
            Content::Modern(c, _) => c.name().to_string(),
            Content::Des3(_) => "des-ede3-cbc".to_string(),
        }
    }

    fn key_len(&self) -> usize {
        match self {
            Content::Modern(c, _) => c.key_len(),
            Content::Des3(_) => 24,
        }
    }
}

fn cipher_name(alg: &spki::AlgorithmIdentifierOwned) -> String {
    if let Some(c) = ContentCipher::from_oid(alg.oid) {
        c.name().to_string()
    } else if alg.oid == cms_env::DES_EDE3_CBC {
        "des-ede3-cbc".to_string()
    } else if alg.oid == cms_env::ID_AES_192_GCM {
        "aes-192-gcm".to_string()
    } else {
        alg.oid.to_string()
    }
}

fn content_algorithm(alg: &spki::AlgorithmIdentifierOwned, authenticated: bool) -> Result<Content> {
    let bad = |what: &str| Error::MalformedCms(format!("content encryption parameters: {what}"));
    let params = alg.parameters.as_ref().ok_or_else(|| bad("missing"))?;
    if alg.oid == cms_env::DES_EDE3_CBC && !authenticated {
        let iv = params.decode_as::<OctetString>().map_err(|_| bad("IV"))?;
        if iv.as_bytes().len() != 8 {
            return Err(bad("3DES IV length"));
        }
        return Ok(Content::Des3(iv.into_bytes().into_vec()));
    }
    let Some(cipher) = ContentCipher::from_oid(alg.oid) else {
        return Err(Error::UnsupportedAlgorithm(format!(
            "content encryption {}",
            crate::identity::oid_name(alg.oid)
        )));
    };
    if cipher.is_authenticated() != authenticated {
        return Err(Error::MalformedCms(format!(
            "{} in {}",
            cipher.name(),
            if authenticated {
                "AuthEnvelopedData"
            } else {
                "EnvelopedData"
            }
        )));
    }
    let iv = match cipher {
        ContentCipher::Aes128Gcm | ContentCipher::Aes256Gcm => {
            let p: GcmParameters = params.decode_as().map_err(|_| bad("GCMParameters"))?;
            if p.icv_len as usize != TAG_LEN {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "AES-GCM with a {}-byte tag",
                    p.icv_len
                )));
            }
            p.nonce.into_bytes()
        }
        _ => params
            .decode_as::<OctetString>()
            .map_err(|_| bad("IV"))?
            .into_bytes(),
    };
    if iv.len() != cipher.iv_len() {
        return Err(bad("IV or nonce length"));
    }
    Ok(Content::Modern(cipher, iv.into_vec()))
}

/// The curve of a KARI's originator key.
fn originator_curve(alg: &spki::AlgorithmIdentifierOwned, public: &[u8]) -> Option<EcdhCurve> {
    if alg.oid == rfc8410::ID_X_25519 {
        return Some(EcdhCurve::X25519);
    }
    if alg.oid != rfc5912::ID_EC_PUBLIC_KEY {
        return None;
    }
    let named = alg
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    match named {
        Some(c) if c == rfc5912::SECP_256_R_1 => Some(EcdhCurve::P256),
        Some(c) if c == rfc5912::SECP_384_R_1 => Some(EcdhCurve::P384),
        Some(_) => None,
        // Parameters absent (RFC 5753 allows it): the point's length tells the curve.
        None => match public.len() {
            65 | 33 => Some(EcdhCurve::P256),
            97 | 49 => Some(EcdhCurve::P384),
            _ => None,
        },
    }
}

fn summary_ias(ias: &IssuerAndSerialNumber, key_management: String) -> RecipientSummary {
    RecipientSummary {
        key_management,
        issuer: Some(ias.issuer.to_string()),
        serial_hex: Some(hex(ias.serial_number.as_bytes())),
        subject_key_id_hex: None,
    }
}

fn summary_ski(ski: &SubjectKeyIdentifier, key_management: String) -> RecipientSummary {
    RecipientSummary {
        key_management,
        issuer: None,
        serial_hex: None,
        subject_key_id_hex: Some(hex(ski.0.as_bytes())),
    }
}

fn kari_management(kari: &cms::enveloped_data::KeyAgreeRecipientInfo) -> String {
    let Ok(scheme) = cms_env::kari_scheme(&kari.key_enc_alg) else {
        return kari.key_enc_alg.oid.to_string();
    };
    let curve = match &kari.originator {
        OriginatorIdentifierOrKey::OriginatorKey(k) => {
            originator_curve(&k.algorithm, k.public_key.raw_bytes())
        }
        _ => None,
    };
    match curve {
        Some(c) => cms_env::kari_name(c, scheme.kdf, scheme.kek_len),
        None => format!("ecdh-{}-aes{}wrap", scheme.kdf.name(), scheme.kek_len * 8),
    }
}

/// What an encrypted ContentInfo (DER or BER) says without decrypting: AuthEnvelopedData or
/// not, the content cipher, and each recipient's identifier and key management. For a message
/// one has no key for (`open` lists who it is for).
pub fn inspect(cms: &[u8]) -> Result<EnvelopeInfo> {
    let parsed = parse(cms)?;
    let mut recipients = Vec::new();
    for ri in &parsed.recip_infos {
        match ri {
            RecipientInfo::Ktri(k) => {
                let km = cms_env::ktri_scheme(&k.key_enc_alg)
                    .map(|(_, n)| n)
                    .unwrap_or_else(|_| k.key_enc_alg.oid.to_string());
                recipients.push(match &k.rid {
                    RecipientIdentifier::IssuerAndSerialNumber(ias) => summary_ias(ias, km),
                    RecipientIdentifier::SubjectKeyIdentifier(ski) => summary_ski(ski, km),
                });
            }
            RecipientInfo::Kari(k) => {
                let km = kari_management(k);
                for rek in &k.recipient_enc_keys {
                    recipients.push(match &rek.rid {
                        KeyAgreeRecipientIdentifier::IssuerAndSerialNumber(ias) => {
                            summary_ias(ias, km.clone())
                        }
                        KeyAgreeRecipientIdentifier::RKeyId(r) => {
                            summary_ski(&r.subject_key_identifier, km.clone())
                        }
                    });
                }
            }
            RecipientInfo::Kekri(_) | RecipientInfo::Pwri(_) | RecipientInfo::Ori(_) => {
                let km = match ri {
                    RecipientInfo::Kekri(_) => "kekri",
                    RecipientInfo::Pwri(_) => "pwri",
                    _ => "ori",
                };
                recipients.push(RecipientSummary {
                    key_management: km.to_string(),
                    issuer: None,
                    serial_hex: None,
                    subject_key_id_hex: None,
                });
            }
        }
    }
    Ok(EnvelopeInfo {
        authenticated: parsed.authenticated,
        cipher: cipher_name(&parsed.content.content_enc_alg),
        recipients,
    })
}

/// The result of [`decrypt`].
#[derive(Clone, PartialEq, Eq)]
pub struct Decrypted {
    /// The decrypted content (for S/MIME, a MIME entity).
    pub content: Vec<u8>,
    /// The content cipher's name (`aes-256-cbc`, `aes-128-gcm`, `des-ede3-cbc`, ...).
    pub cipher: String,
    /// How the CEK reached us (`rsa-pkcs1v15`, `rsa-oaep-sha256`,
    /// `ecdh-p256-sha256kdf-aes128wrap`, `x25519-hkdf-sha256-aes128wrap`, ...).
    pub key_management: String,
    /// True for AuthEnvelopedData (the content was authenticated by its tag).
    pub authenticated: bool,
}

impl core::fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Decrypted")
            .field("content_len", &self.content.len())
            .field("cipher", &self.cipher)
            .field("key_management", &self.key_management)
            .field("authenticated", &self.authenticated)
            .finish()
    }
}

fn rid_matches(rid: &RecipientIdentifier, cert: &Certificate) -> bool {
    match rid {
        RecipientIdentifier::IssuerAndSerialNumber(ias) => *ias == issuer_and_serial(cert),
        RecipientIdentifier::SubjectKeyIdentifier(ski) => {
            subject_key_id(cert).is_some_and(|s| s == ski.0.as_bytes())
        }
    }
}

fn kari_rid_matches(rid: &KeyAgreeRecipientIdentifier, cert: &Certificate) -> bool {
    match rid {
        KeyAgreeRecipientIdentifier::IssuerAndSerialNumber(ias) => *ias == issuer_and_serial(cert),
        KeyAgreeRecipientIdentifier::RKeyId(r) => {
            subject_key_id(cert).is_some_and(|s| s == r.subject_key_identifier.0.as_bytes())
        }
    }
}

/// One way to recover the CEK, found for one of our keys.
enum Candidate<'a> {
    Ktri {
        key: &'a PrivateKey,
        info: &'a cms::enveloped_data::KeyTransRecipientInfo,
    },
    Kari {
        key: &'a PrivateKey,
        info: &'a cms::enveloped_data::KeyAgreeRecipientInfo,
        wrapped: &'a [u8],
    },
}

/// Recovers the CEK for one candidate, with its key-management name.
async fn recover_cek<P: Provider>(
    provider: &P,
    candidate: &Candidate<'_>,
) -> Result<(Zeroizing<Vec<u8>>, String)> {
    match candidate {
        Candidate::Ktri { key, info } => {
            let (scheme, name) = cms_env::ktri_scheme(&info.key_enc_alg)?;
            let cek = provider
                .rsa_decrypt(key, &scheme, info.enc_key.as_bytes())
                .await
                .map_err(|_| Error::DecryptionFailed)?;
            Ok((cek, name))
        }
        Candidate::Kari { key, info, wrapped } => {
            let scheme = cms_env::kari_scheme(&info.key_enc_alg)?;
            let OriginatorIdentifierOrKey::OriginatorKey(originator) = &info.originator else {
                return Err(Error::UnsupportedAlgorithm(
                    "static-static key agreement (originator identified by certificate)".into(),
                ));
            };
            let public = originator.public_key.raw_bytes();
            let curve = originator_curve(&originator.algorithm, public).ok_or_else(|| {
                Error::UnsupportedAlgorithm(format!(
                    "originator key {}",
                    crate::identity::oid_name(originator.algorithm.oid)
                ))
            })?;
            let ukm = info.ukm.as_ref().map(|u| u.as_bytes());
            let cek = cms_env::kari_unwrap(provider, key, public, ukm, &scheme, wrapped)
                .await
                .map_err(|_| Error::DecryptionFailed)?;
            Ok((cek, cms_env::kari_name(curve, scheme.kdf, scheme.kek_len)))
        }
    }
}

fn key_fits_ktri(key: &PrivateKey) -> bool {
    matches!(key.key_type(), KeyType::Rsa(_))
}

fn key_fits_kari(key: &PrivateKey) -> bool {
    matches!(
        key.key_type(),
        KeyType::P256 | KeyType::P384 | KeyType::X25519
    )
}

/// Decrypts an EnvelopedData or AuthEnvelopedData ContentInfo (DER or BER) with one of `keys`
/// (each private key with its certificate).
///
/// The RecipientInfo is found by the certificate's issuerAndSerialNumber or subjectKeyIdentifier
/// ([`Error::NotARecipient`] when none matches). After that every failure - wrong key, bad
/// padding, a failed tag or key-wrap check, a CEK of the wrong length - is the one opaque
/// [`Error::DecryptionFailed`], and no plaintext is returned with it. Structural problems found
/// before any key is used are [`Error::MalformedCms`] or [`Error::UnsupportedAlgorithm`].
pub async fn decrypt<P: Provider>(
    provider: &P,
    cms: &[u8],
    keys: &[(&PrivateKey, &Certificate)],
) -> Result<Decrypted> {
    let parsed = parse(cms)?;
    let content = content_algorithm(&parsed.content.content_enc_alg, parsed.authenticated)?;
    let mut candidates = Vec::new();
    for (key, cert) in keys {
        for ri in &parsed.recip_infos {
            match ri {
                RecipientInfo::Ktri(info) if key_fits_ktri(key) && rid_matches(&info.rid, cert) => {
                    candidates.push(Candidate::Ktri { key, info });
                }
                RecipientInfo::Kari(info) if key_fits_kari(key) => {
                    for rek in &info.recipient_enc_keys {
                        if kari_rid_matches(&rek.rid, cert) {
                            candidates.push(Candidate::Kari {
                                key,
                                info,
                                wrapped: rek.enc_key.as_bytes(),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }
    if candidates.is_empty() {
        return Err(Error::NotARecipient);
    }
    let ciphertext = parsed
        .content
        .encrypted_content
        .as_ref()
        .ok_or_else(|| {
            Error::MalformedCms("no encryptedContent (detached content is not supported)".into())
        })?
        .as_bytes();
    let sealed: Vec<u8>;
    let input = match &parsed.mac {
        Some(mac) => {
            if mac.len() != TAG_LEN {
                return Err(Error::DecryptionFailed);
            }
            sealed = [ciphertext, mac.as_slice()].concat();
            &sealed[..]
        }
        None => ciphertext,
    };
    let mut first_error = None;
    for candidate in &candidates {
        // A key that does not unwrap (bad PKCS#1 v1.5 padding, a failed key-wrap check) or
        // unwraps to the wrong length is replaced by a random one and the content is decrypted
        // all the same, then refused: every failure takes the same path and time, so no
        // padding oracle is offered (RFC 3218 §2.3; the garbage is never returned).
        let (cek, key_management, unwrapped) = match recover_cek(provider, candidate).await {
            Ok((cek, name)) if cek.len() == content.key_len() => (cek, name, true),
            Ok((_, name)) => (random(content.key_len())?, name, false),
            Err(Error::DecryptionFailed) => (random(content.key_len())?, String::new(), false),
            Err(e) => {
                first_error.get_or_insert(e);
                continue;
            }
        };
        let plain = match &content {
            Content::Modern(cipher, iv) => {
                provider
                    .decrypt_content(*cipher, &cek, iv, &parsed.aad, input)
                    .await
            }
            Content::Des3(iv) => RustCryptoProvider::decrypt_des3_cbc_now(&cek, iv, input),
        };
        match plain {
            Ok(content_bytes) if unwrapped => {
                return Ok(Decrypted {
                    content: content_bytes,
                    cipher: content.name(),
                    key_management,
                    authenticated: parsed.authenticated,
                });
            }
            _ => {
                first_error.get_or_insert(Error::DecryptionFailed);
            }
        }
    }
    Err(match first_error {
        Some(e @ (Error::UnsupportedAlgorithm(_) | Error::MalformedCms(_))) => e,
        _ => Error::DecryptionFailed,
    })
}
