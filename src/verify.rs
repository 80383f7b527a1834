//! Verifying the signatures of a CMS SignedData (RFC 5652 §5) and of the S/MIME entities that
//! carry one (RFC 8551 §3.5): multipart/signed and application/pkcs7-mime signed-data.
//!
//! This module checks the *signatures*: which signer signed what, with which algorithm, and
//! whether the signature and the signed attributes agree with the content. It does not decide
//! whether a certificate is trustworthy (path validation, validity dates, revocation: that is
//! the path module's job) and reads no clock. Every per-signer check is *reported* in
//! [`SignerReport::problems`] with a stable code from [`SIGNER_PROBLEMS`], never thrown; only input
//! that is not a SignedData (or not the MIME form asked for) is an [`Error`].
//!
//! The content returned in [`SignedLayer::content`] is exactly the bytes the signatures were
//! checked over (the eContent, or the detached content as it was digested): never anything from
//! outside the signed part (EFAIL, CVE-2018-18509).

mod algorithms;

use cms::cert::IssuerAndSerialNumber;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5911, rfc5912};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, EncodingRules, Tag, Tagged};
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::SubjectKeyIdentifier;

use crate::certificate::{Certificate, hex};
use crate::error::{Error, Result};
use crate::{mime, pem, policy};
use algorithms::{Hash, Kind, Outcome};

/// id-signedData (RFC 5652 §5.1).
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// smimeCapabilities (RFC 8551 §2.5.2).
const SMIME_CAPABILITIES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.15");
/// id-aa-encrypKeyPref (RFC 8551 §2.5.3).
const ID_AA_ENCRYP_KEY_PREF: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.11");

/// Every problem code a [`SignerReport`] can carry, with its meaning. The codes are stable API.
pub const SIGNER_PROBLEMS: &[(&str, &str)] = &[
    (
        "SIGNER_CERTIFICATE_MISSING",
        "no certificate matching the signer identifier is in the message or among the extra \
         certificates: the signature could not be checked",
    ),
    (
        "SIGNATURE_INVALID",
        "the signature does not verify with the signer certificate's public key",
    ),
    (
        "MESSAGE_DIGEST_MISMATCH",
        "the messageDigest signed attribute differs from the digest of the content",
    ),
    (
        "CONTENT_TYPE_MISMATCH",
        "the contentType signed attribute differs from the encapsulated content type",
    ),
    (
        "MISSING_SIGNED_ATTRIBUTE",
        "contentType or messageDigest is absent from the signed attributes, or there are no \
         signed attributes while the content type is not id-data (RFC 5652 §5.3)",
    ),
    (
        "MALFORMED_SIGNED_ATTRIBUTE",
        "a signed attribute does not decode, has other than one value, or occurs twice",
    ),
    (
        "WEAK_DIGEST",
        "the digest (or the signature's digest) is SHA-1 or MD5",
    ),
    (
        "WEAK_SIGNATURE",
        "DSA, or an RSA key shorter than 2048 bits",
    ),
    (
        "UNSUPPORTED_SIGNATURE_ALGORITHM",
        "the signature algorithm, its parameters or the key (curve, size, missing DSA \
         parameters) are not supported: the signature could not be checked",
    ),
    (
        "UNSUPPORTED_DIGEST_ALGORITHM",
        "the digest algorithm is not supported (MD5 or unknown): the content could not be checked",
    ),
    (
        "KEY_ALGORITHM_MISMATCH",
        "the signer certificate's key is not of the kind the signature algorithm needs",
    ),
];

/// Options of the `*_with` functions.
#[derive(Clone, Copy, Debug, Default)]
pub struct VerifyOptions<'a> {
    /// Certificates to look signers up in besides those the message carries (for example the
    /// sender's certificate from an address book, when the message omits it). The message's own
    /// certificates are searched first.
    pub extra_certificates: &'a [Certificate],
}

/// A verified (or not) signed layer: the signed content and one report per signer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedLayer {
    /// The signed bytes: the eContent, or the detached content exactly as it was digested
    /// (CRLF-converted when [`SignedLayer::line_ends_converted`]).
    pub content: Vec<u8>,
    /// True when the content was detached (multipart/signed, or given by the caller).
    pub detached: bool,
    /// The eContentType (id-data for S/MIME).
    pub content_type: ObjectIdentifier,
    /// One report per SignerInfo, in message order.
    pub signers: Vec<SignerReport>,
    /// Every certificate the message carries, in message order.
    pub certificates: Vec<Certificate>,
    /// multipart/signed only: the first part's bytes did not verify as received but did after
    /// converting bare LF line ends to CRLF (mail stored with LF line ends).
    pub line_ends_converted: bool,
    /// multipart/signed only: the `micalg` parameter, lower-cased, when present.
    pub micalg: Option<String>,
}

impl SignedLayer {
    /// True when there is at least one signer and every signer's signature is valid.
    pub fn all_signatures_valid(&self) -> bool {
        !self.signers.is_empty() && self.signers.iter().all(|s| s.signature_valid)
    }

    fn any_signature_valid(&self) -> bool {
        self.signers.iter().any(|s| s.signature_valid)
    }
}

/// What one SignerInfo says and how its checks came out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignerReport {
    /// The signer's certificate, found by issuerAndSerialNumber or subjectKeyIdentifier among
    /// the message's certificates and the extra certificates.
    pub certificate: Option<Certificate>,
    /// True when the signature verifies with the certificate's key and covers this content:
    /// with signed attributes, the messageDigest matches the content and contentType the
    /// eContentType. Weak algorithms do not make it false (see `problems`); trust in the
    /// certificate is not part of it.
    pub signature_valid: bool,
    /// The digestAlgorithm: `md5`, `sha1`, `sha224`, `sha256`, `sha384`, `sha512`, or
    /// `unknown`.
    pub digest: &'static str,
    /// The signature algorithm: `rsa-pkcs1v15-sha256`, `rsa-pss-sha256`, `ecdsa-p256-sha256`,
    /// `ed25519`, `ed448`, `dsa-sha1`, ..., or the OID's name when unknown.
    pub signature_algorithm: String,
    /// The signingTime attribute, in seconds since the Unix epoch.
    pub signing_time: Option<i64>,
    /// The SMIMECapabilities attribute, named as [`Certificate::smime_capabilities`] names them.
    pub capabilities: Vec<String>,
    /// The SMIMEEncryptionKeyPreference attribute.
    pub encryption_key_preference: Option<EncryptionKeyPreference>,
    /// The first e-mail address of the signer's certificate.
    pub email: Option<String>,
    /// Problem codes from [`SIGNER_PROBLEMS`], in the order found.
    pub problems: Vec<&'static str>,
}

/// The SMIMEEncryptionKeyPreference signed attribute (RFC 8551 §2.5.3): the certificate the
/// signer wants replies encrypted to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptionKeyPreference {
    /// The preferred certificate, when the message (or the extra certificates) hold it.
    pub certificate: Option<Certificate>,
    /// The issuer name (RFC 4514) when given by issuerAndSerialNumber.
    pub issuer: Option<String>,
    /// The serial number in hex when given by issuerAndSerialNumber.
    pub serial_hex: Option<String>,
    /// The subject key identifier in hex when given by receipentKeyId or subjectAltKeyIdentifier.
    pub subject_key_id_hex: Option<String>,
}

/// Verifies a CMS ContentInfo SignedData (DER, BER or PEM) over its eContent or, when it has
/// none, over `detached_content`. See [`verify_signed_data_with`].
pub fn verify_signed_data(cms: &[u8], detached_content: Option<&[u8]>) -> Result<SignedLayer> {
    verify_signed_data_with(cms, detached_content, &VerifyOptions::default())
}

/// Verifies a CMS ContentInfo SignedData: DER, BER (indefinite lengths, constructed OCTET
/// STRING eContent, as Outlook, Apple Mail and `openssl cms -stream` write) or PEM (`PKCS7`,
/// `CMS`). The signed content is the eContent or, when there is none, `detached_content`.
///
/// Errors: `INPUT_TOO_LARGE` (over [`policy::MAX_CMS_SIZE`], more than
/// [`policy::MAX_SIGNERS`] signers or [`policy::MAX_CERTIFICATES_PER_MESSAGE`] certificates),
/// `MALFORMED_CMS` (not a SignedData; signers but no content anywhere), `CONTENT_MISMATCH`
/// (an eContent and a different detached content). Everything about the signers is reported.
pub fn verify_signed_data_with(
    cms: &[u8],
    detached_content: Option<&[u8]>,
    options: &VerifyOptions<'_>,
) -> Result<SignedLayer> {
    let (sd, normalized) = parse(cms)?;
    let signer_infos: Vec<&SignerInfo> = sd.signer_infos.0.iter().collect();
    if signer_infos.len() > policy::MAX_SIGNERS {
        return Err(Error::InputTooLarge {
            what: "number of signers",
            limit: policy::MAX_SIGNERS,
        });
    }
    let certificates = message_certificates(&sd, &normalized)?;
    let econtent = match &sd.encap_content_info.econtent {
        // After normalization eContent is a primitive OCTET STRING (chunks concatenated).
        Some(any) => Some(
            any.decode_as::<OctetString>()
                .map_err(|e| Error::MalformedCms(format!("eContent: {e}")))?
                .into_bytes(),
        ),
        None => None,
    };
    let (content, detached) = match (econtent, detached_content) {
        (Some(e), Some(d)) if e.as_ref() != d => {
            return Err(Error::ContentMismatch(
                "the SignedData encapsulates content that differs from the detached content".into(),
            ));
        }
        (Some(e), _) => (e.into_vec(), false),
        (None, Some(d)) => (d.to_vec(), true),
        (None, None) if signer_infos.is_empty() => (Vec::new(), true),
        (None, None) => {
            return Err(Error::MalformedCms(
                "detached signature, and the signed content was not given".into(),
            ));
        }
    };
    let content_type = sd.encap_content_info.econtent_type;
    let mut pool: Vec<&Certificate> = certificates.iter().collect();
    pool.extend(options.extra_certificates.iter());
    let mut digests = DigestCache::default();
    let signers = signer_infos
        .iter()
        .map(|si| check_signer(si, &content, content_type, &pool, &mut digests))
        .collect();
    Ok(SignedLayer {
        content,
        detached,
        content_type,
        signers,
        certificates,
        line_ends_converted: false,
        micalg: None,
    })
}

/// Verifies a multipart/signed entity (a whole message or a body part) whose protocol is
/// application/pkcs7-signature or application/x-pkcs7-signature, any micalg. The signed content
/// is the first part's exact bytes; when they do not verify and contain bare LF line ends (mail
/// stored with LF), the CRLF form is tried and, if it verifies, returned with
/// [`SignedLayer::line_ends_converted`] set.
pub fn verify_multipart_signed(entity: &[u8]) -> Result<SignedLayer> {
    verify_multipart_signed_with(entity, &VerifyOptions::default())
}

/// [`verify_multipart_signed`] with options.
pub fn verify_multipart_signed_with(
    entity: &[u8],
    options: &VerifyOptions<'_>,
) -> Result<SignedLayer> {
    check_message_size(entity)?;
    let parts = mime::split_multipart_signed(entity)?;
    let mut layer = verify_signed_data_with(&parts.signature, Some(parts.content), options)?;
    if !layer.any_signature_valid() && !layer.signers.is_empty() {
        let crlf = mime::to_crlf(parts.content);
        if crlf != parts.content {
            let converted = verify_signed_data_with(&parts.signature, Some(&crlf), options)?;
            if converted.any_signature_valid() {
                layer = converted;
                layer.line_ends_converted = true;
            }
        }
    }
    layer.micalg = parts.micalg;
    Ok(layer)
}

/// Verifies an application/pkcs7-mime (or x-pkcs7-mime) entity with `smime-type=signed-data`
/// (or no smime-type): the body (base64, or binary) is a SignedData that must encapsulate its
/// content (`MALFORMED_CMS` otherwise).
pub fn verify_pkcs7_mime(entity: &[u8]) -> Result<SignedLayer> {
    verify_pkcs7_mime_with(entity, &VerifyOptions::default())
}

/// [`verify_pkcs7_mime`] with options.
pub fn verify_pkcs7_mime_with(entity: &[u8], options: &VerifyOptions<'_>) -> Result<SignedLayer> {
    check_message_size(entity)?;
    let der = mime::pkcs7_mime_signed_data(entity)?;
    let layer = verify_signed_data_with(&der, None, options)?;
    if layer.detached {
        return Err(Error::MalformedCms(
            "application/pkcs7-mime signed-data without encapsulated content".into(),
        ));
    }
    Ok(layer)
}

fn check_message_size(entity: &[u8]) -> Result<()> {
    if entity.len() > policy::MAX_MESSAGE_SIZE {
        return Err(Error::InputTooLarge {
            what: "message size in bytes",
            limit: policy::MAX_MESSAGE_SIZE,
        });
    }
    Ok(())
}

/// The SignedData of a ContentInfo in PEM, DER or BER. BER is first rewritten with definite
/// lengths and constructed strings concatenated (the `cms` crate keeps chunk headers in a BER
/// eContent otherwise).
fn parse(cms: &[u8]) -> Result<(SignedData, Vec<u8>)> {
    if cms.len() > policy::MAX_CMS_SIZE {
        return Err(Error::InputTooLarge {
            what: "CMS size in bytes",
            limit: policy::MAX_CMS_SIZE,
        });
    }
    let from_pem;
    let input = if pem::looks_like_pem(cms) {
        let blocks = pem::blocks(cms, Error::MalformedCms)?;
        from_pem = blocks
            .into_iter()
            .find(|b| {
                matches!(
                    b.label.as_str(),
                    "PKCS7" | "CMS" | "PKCS #7 SIGNED DATA" | "PKCS#7"
                )
            })
            .ok_or_else(|| Error::MalformedCms("no PKCS7 or CMS PEM block".into()))?
            .der;
        from_pem.as_slice()
    } else {
        cms
    };
    let normalized =
        crate::pkcs12::ber::normalize(input, policy::MAX_CMS_ASN1_DEPTH).map_err(|e| match e {
            Error::NestingTooDeep { .. } => Error::NestingTooDeep {
                limit: policy::MAX_CMS_ASN1_DEPTH,
            },
            // The normalizer was written for PKCS#12; its messages name it.
            Error::MalformedPkcs12(why) => Error::MalformedCms(why.replace("PKCS#12", "CMS")),
            other => other,
        })?;
    let malformed = |e: der::Error| Error::MalformedCms(e.to_string());
    let ci = ContentInfo::from_ber(&normalized).map_err(malformed)?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err(Error::MalformedCms(format!(
            "content type {} is not signedData",
            crate::identity::oid_name(ci.content_type)
        )));
    }
    let sd = ci
        .content
        .decode_as_encoding::<SignedData>(EncodingRules::Ber)
        .map_err(malformed)?;
    Ok((sd, normalized))
}

/// The message's X.509 certificates (other formats are skipped), each with its encoding exactly as
/// the message carried it: re-encoding the parsed types is not the identity (x509-cert rewrites a
/// GeneralizedTime before 2050 as UTCTime), and the issuer's signature covers the bytes as sent.
fn message_certificates(sd: &SignedData, normalized: &[u8]) -> Result<Vec<Certificate>> {
    let Some(set) = &sd.certificates else {
        return Ok(Vec::new());
    };
    if set.0.len() > policy::MAX_CERTIFICATES_PER_MESSAGE {
        return Err(Error::InputTooLarge {
            what: "number of certificates in a message",
            limit: policy::MAX_CERTIFICATES_PER_MESSAGE,
        });
    }
    let raw = raw_certificates(normalized).unwrap_or_default();
    let mut out = Vec::new();
    for der in raw {
        if let Ok(cert) = Certificate::from_der(der) {
            out.push(cert);
        }
    }
    Ok(out)
}

/// The encodings of the SEQUENCE elements of SignedData's `certificates [0] IMPLICIT SET` in a
/// (normalized, definite-length) ContentInfo.
fn raw_certificates(content_info: &[u8]) -> Option<Vec<&[u8]>> {
    use crate::pkcs12::ber::{children, next_tlv};
    let (ci, _) = next_tlv(content_info).ok()?;
    let ci_parts = children(ci.content).ok()?;
    let explicit = ci_parts.iter().find(|t| t.tag == 0xA0)?;
    let (sd, _) = next_tlv(explicit.content).ok()?;
    let set = children(sd.content)
        .ok()?
        .into_iter()
        .find(|t| t.tag == 0xA0)?;
    Some(
        children(set.content)
            .ok()?
            .into_iter()
            .filter(|t| t.tag == 0x30)
            .map(|t| t.whole)
            .collect(),
    )
}

/// Digests of the content, computed once per algorithm.
#[derive(Default)]
struct DigestCache(Vec<(Hash, Option<Vec<u8>>)>);

impl DigestCache {
    fn get(&mut self, hash: Hash, content: &[u8]) -> Option<Vec<u8>> {
        if let Some((_, d)) = self.0.iter().find(|(h, _)| *h == hash) {
            return d.clone();
        }
        let d = hash.digest(content);
        self.0.push((hash, d.clone()));
        d
    }
}

fn same_ias(cert: &Certificate, ias: &IssuerAndSerialNumber) -> bool {
    let tbs = cert.x509().tbs_certificate();
    tbs.issuer() == &ias.issuer && tbs.serial_number() == &ias.serial_number
}

/// True when `cert`'s subjectKeyIdentifier is `ski` or, without the extension, when `ski` is the
/// SHA-1 of its subjectPublicKey (RFC 5280 §4.2.1.2 method 1).
fn has_ski(cert: &Certificate, ski: &[u8]) -> bool {
    match cert
        .x509()
        .tbs_certificate()
        .get_extension::<SubjectKeyIdentifier>()
    {
        Ok(Some((_, id))) => id.0.as_bytes() == ski,
        _ => {
            use sha1::Digest;
            let bits = cert.public_key_info().subject_public_key.raw_bytes();
            sha1::Sha1::digest(bits).as_slice() == ski
        }
    }
}

fn find_by_ias<'a>(
    pool: &[&'a Certificate],
    ias: &IssuerAndSerialNumber,
) -> Option<&'a Certificate> {
    pool.iter().copied().find(|c| same_ias(c, ias))
}

fn find_by_ski<'a>(pool: &[&'a Certificate], ski: &[u8]) -> Option<&'a Certificate> {
    pool.iter().copied().find(|c| has_ski(c, ski))
}

/// The Dss-Parms a DSA key without parameters inherits (RFC 3279 §2.3.2): those of the
/// nearest issuer up the chain (found by name among `pool`) whose DSA key has them.
fn inherited_dsa_params(cert: &Certificate, pool: &[&Certificate]) -> Option<Any> {
    let mut current = cert;
    // Each step moves to a different certificate; the pool bounds the walk.
    for _ in 0..=pool.len() {
        let alg = &current.public_key_info().algorithm;
        if alg.oid != algorithms::ID_DSA {
            return None;
        }
        if let Some(p) = &alg.parameters {
            return (!core::ptr::eq(current, cert)).then(|| p.clone());
        }
        let issuer_name = current.x509().tbs_certificate().issuer();
        current = pool.iter().copied().find(|c| {
            !core::ptr::eq(*c, current) && c.x509().tbs_certificate().subject() == issuer_name
        })?;
    }
    None
}

/// The single value of a signed attribute, or a problem.
fn single_value(attr: &Attribute) -> Option<&Any> {
    if attr.values.len() == 1 {
        attr.values.iter().next()
    } else {
        None
    }
}

fn push(problems: &mut Vec<&'static str>, code: &'static str) {
    if !problems.contains(&code) {
        problems.push(code);
    }
}

/// What the signed attributes say.
#[derive(Default)]
struct Attrs {
    content_type: Option<ObjectIdentifier>,
    message_digest: Option<Vec<u8>>,
    signing_time: Option<i64>,
    capabilities: Vec<String>,
    key_preference: Option<EncryptionKeyPreference>,
}

fn read_attributes(
    attrs: &SetOfVec<Attribute>,
    pool: &[&Certificate],
    problems: &mut Vec<&'static str>,
) -> Attrs {
    let mut out = Attrs::default();
    let mut seen: Vec<ObjectIdentifier> = Vec::new();
    for attr in attrs.iter() {
        let known = [
            rfc5911::ID_CONTENT_TYPE,
            rfc5911::ID_MESSAGE_DIGEST,
            rfc5911::ID_SIGNING_TIME,
        ];
        if seen.contains(&attr.oid) && known.contains(&attr.oid) {
            push(problems, "MALFORMED_SIGNED_ATTRIBUTE");
            continue;
        }
        seen.push(attr.oid);
        let value = single_value(attr);
        let bad = |problems: &mut Vec<&'static str>| push(problems, "MALFORMED_SIGNED_ATTRIBUTE");
        if attr.oid == rfc5911::ID_CONTENT_TYPE {
            match value.and_then(|v| v.decode_as::<ObjectIdentifier>().ok()) {
                Some(oid) => out.content_type = Some(oid),
                None => bad(problems),
            }
        } else if attr.oid == rfc5911::ID_MESSAGE_DIGEST {
            match value.and_then(|v| v.decode_as::<OctetString>().ok()) {
                Some(d) => out.message_digest = Some(d.into_bytes().into_vec()),
                None => bad(problems),
            }
        } else if attr.oid == rfc5911::ID_SIGNING_TIME {
            match value.and_then(|v| v.decode_as::<x509_cert::time::Time>().ok()) {
                Some(t) => out.signing_time = i64::try_from(t.to_unix_duration().as_secs()).ok(),
                None => bad(problems),
            }
        } else if attr.oid == SMIME_CAPABILITIES {
            match value
                .and_then(|v| v.to_der().ok())
                .and_then(|d| crate::certificate::capability_names(&d))
            {
                Some(names) => out.capabilities = names,
                None => bad(problems),
            }
        } else if attr.oid == ID_AA_ENCRYP_KEY_PREF {
            match value.and_then(|v| key_preference(v, pool)) {
                Some(p) => out.key_preference = Some(p),
                None => bad(problems),
            }
        }
    }
    out
}

/// SMIMEEncryptionKeyPreference (IMPLICIT tags): [0] IssuerAndSerialNumber,
/// [1] RecipientKeyIdentifier, [2] SubjectKeyIdentifier.
fn key_preference(value: &Any, pool: &[&Certificate]) -> Option<EncryptionKeyPreference> {
    let Tag::ContextSpecific { number, .. } = value.tag() else {
        return None;
    };
    let body = value.value();
    let mut pref = EncryptionKeyPreference {
        certificate: None,
        issuer: None,
        serial_hex: None,
        subject_key_id_hex: None,
    };
    let ski = match number.value() {
        0 => {
            let ias = IssuerAndSerialNumber::from_der(
                &Any::new(Tag::Sequence, body).ok()?.to_der().ok()?,
            )
            .ok()?;
            pref.issuer = Some(ias.issuer.to_string());
            pref.serial_hex = Some(hex(ias.serial_number.as_bytes()));
            pref.certificate = find_by_ias(pool, &ias).cloned();
            return Some(pref);
        }
        // RecipientKeyIdentifier ::= SEQUENCE { subjectKeyIdentifier, date OPTIONAL, other OPTIONAL }
        1 => {
            let mut reader = der::SliceReader::new(body).ok()?;
            let ski = <OctetString as der::Decode>::decode(&mut reader).ok()?;
            ski.into_bytes().into_vec()
        }
        2 => body.to_vec(),
        _ => return None,
    };
    pref.subject_key_id_hex = Some(hex(&ski));
    pref.certificate = find_by_ski(pool, &ski).cloned();
    Some(pref)
}

/// The DER encodings of the signed attributes to try: the DER `SET OF` (elements sorted, as
/// RFC 5652 §5.4 requires), then, if it differs, the attributes in the order received with the
/// SET OF tag (some signers sign that).
fn signed_attrs_encodings(attrs: &SetOfVec<Attribute>) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut elems: Vec<Vec<u8>> = attrs.iter().filter_map(|a| a.to_der().ok()).collect();
    let received: Vec<u8> = elems.concat();
    elems.sort();
    let sorted: Vec<u8> = elems.concat();
    for body in [sorted, received] {
        let mut enc = Vec::with_capacity(body.len() + 6);
        crate::pkcs12::ber::write_element(&mut enc, 0x31, &body);
        if !out.contains(&enc) {
            out.push(enc);
        }
    }
    out
}

fn check_signer(
    si: &SignerInfo,
    content: &[u8],
    content_type: ObjectIdentifier,
    pool: &[&Certificate],
    digests: &mut DigestCache,
) -> SignerReport {
    // Problems in a fixed order: algorithm strength, then attributes, then the signature.
    let mut problems: Vec<&'static str> = Vec::new();
    let digest = Hash::from_oid(si.digest_alg.oid);

    // What the signature covers, and whether that covers the content.
    let mut covers_content = true;
    let mut attrs = Attrs::default();
    let content_digest = match digest {
        Some(h) => digests.get(h, content),
        None => None,
    };
    if content_digest.is_none() {
        push(&mut problems, "UNSUPPORTED_DIGEST_ALGORITHM");
        covers_content = false;
    }
    let signed_messages: Vec<Vec<u8>> = match &si.signed_attrs {
        Some(sa) => {
            attrs = read_attributes(sa, pool, &mut problems);
            match (&attrs.message_digest, &content_digest) {
                (None, _) => {
                    push(&mut problems, "MISSING_SIGNED_ATTRIBUTE");
                    covers_content = false;
                }
                (Some(md), Some(cd)) if md != cd => {
                    push(&mut problems, "MESSAGE_DIGEST_MISMATCH");
                    covers_content = false;
                }
                _ => {}
            }
            match attrs.content_type {
                None => {
                    push(&mut problems, "MISSING_SIGNED_ATTRIBUTE");
                    covers_content = false;
                }
                Some(ct) if ct != content_type => {
                    push(&mut problems, "CONTENT_TYPE_MISMATCH");
                    covers_content = false;
                }
                _ => {}
            }
            signed_attrs_encodings(sa)
        }
        None => {
            if content_type != rfc5911::ID_DATA {
                push(&mut problems, "MISSING_SIGNED_ATTRIBUTE");
                covers_content = false;
            }
            vec![content.to_vec()]
        }
    };

    // Every certificate the identifier matches (normally one); the first whose key verifies the
    // signature is the signer's, else the first found (the message's own come first).
    let candidates: Vec<&Certificate> = pool
        .iter()
        .copied()
        .filter(|c| match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => same_ias(c, ias),
            SignerIdentifier::SubjectKeyIdentifier(ski) => has_ski(c, ski.0.as_bytes()),
        })
        .collect();
    let signature = si.signature.as_bytes();
    let mut chosen: Option<(&Certificate, Outcome)> = None;
    for cert in &candidates {
        let scheme = algorithms::scheme(
            &si.signature_algorithm,
            digest,
            Some(cert.public_key_info()),
        );
        let dsa_params = inherited_dsa_params(cert, pool);
        let mut result = Outcome::Invalid;
        for message in &signed_messages {
            result = algorithms::verify(
                &scheme,
                cert.public_key_info(),
                dsa_params.as_ref(),
                message,
                signature,
            );
            if result != Outcome::Invalid {
                break;
            }
        }
        if chosen.is_none() || result == Outcome::Valid {
            chosen = Some((cert, result));
        }
        if result == Outcome::Valid {
            break;
        }
    }
    let certificate = chosen.map(|(c, _)| c);
    let scheme = algorithms::scheme(
        &si.signature_algorithm,
        digest,
        certificate.map(|c| c.public_key_info()),
    );
    let mut strength: Vec<&'static str> = Vec::new();
    if digest.is_some_and(Hash::is_weak) || scheme.hash().is_some_and(Hash::is_weak) {
        strength.push("WEAK_DIGEST");
    }
    let weak_rsa = matches!(scheme.kind, Kind::RsaPkcs1(_) | Kind::RsaPss { .. })
        && certificate
            .filter(|c| {
                let oid = c.public_key_info().algorithm.oid;
                oid == rfc5912::RSA_ENCRYPTION || oid == rfc5912::ID_RSASSA_PSS
            })
            .and_then(Certificate::key_size)
            .is_some_and(|bits| bits < policy::MIN_RSA_BITS);
    if matches!(scheme.kind, Kind::Dsa(_)) || weak_rsa {
        strength.push("WEAK_SIGNATURE");
    }
    strength.append(&mut problems);
    let mut problems = strength;
    let crypto_ok = match chosen {
        None => {
            push(&mut problems, "SIGNER_CERTIFICATE_MISSING");
            if matches!(scheme.kind, Kind::Unsupported | Kind::Ed448) {
                push(&mut problems, "UNSUPPORTED_SIGNATURE_ALGORITHM");
            }
            false
        }
        Some((_, Outcome::Valid)) => true,
        Some((_, outcome)) => {
            push(
                &mut problems,
                match outcome {
                    Outcome::Unsupported => "UNSUPPORTED_SIGNATURE_ALGORITHM",
                    Outcome::KeyMismatch => "KEY_ALGORITHM_MISMATCH",
                    _ => "SIGNATURE_INVALID",
                },
            );
            false
        }
    };
    SignerReport {
        certificate: certificate.cloned(),
        signature_valid: crypto_ok && covers_content,
        digest: digest.map_or("unknown", Hash::name),
        signature_algorithm: scheme.name,
        signing_time: attrs.signing_time,
        capabilities: attrs.capabilities,
        encryption_key_preference: attrs.key_preference,
        email: certificate.and_then(|c| c.emails().into_iter().next()),
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_codes_are_unique_and_well_formed() {
        let mut codes: Vec<&str> = SIGNER_PROBLEMS.iter().map(|(c, _)| *c).collect();
        for c in &codes {
            assert!(
                c.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'),
                "{c}"
            );
        }
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n);
    }

    #[test]
    fn not_signed_data_is_malformed_cms() {
        // ContentInfo { id-data, [0] OCTET STRING "x" }
        let data = [
            0x30, 0x12, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0,
            0x05, 0x04, 0x03, b'a', b'b', b'c',
        ];
        match verify_signed_data(&data, None) {
            Err(Error::MalformedCms(why)) => assert!(why.contains("signedData"), "{why}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            verify_signed_data(b"", None),
            Err(Error::MalformedCms(_))
        ));
    }
}
