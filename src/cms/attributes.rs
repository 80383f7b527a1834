//! Signed attributes of S/MIME signatures and the ASN.1 types the `cms` crate lacks.

use cms::cert::IssuerAndSerialNumber;
use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5911, rfc5912};
use der::asn1::{OctetString, SetOfVec, UtcTime};
use der::{Any, Choice, Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use crate::certificate::Certificate;
use crate::error::Result;
use crate::provider::RustCryptoProvider;
use crate::provider::{DigestAlgorithm, SignatureScheme};

/// id-aa-signingCertificateV2 (RFC 5035).
const ID_AA_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
/// id-aa-encrypKeyPref (RFC 8551 §2.5.3).
const ID_AA_ENCRYP_KEY_PREF: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.11");
/// smimeCapabilities (RFC 8551 §2.5.2).
const SMIME_CAPABILITIES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.15");

/// The content-encryption and key-transport algorithms we advertise, most preferred first
/// (RFC 8551 §2.7.1: AES-GCM, then AES-CBC; RSAES-OAEP for key transport).
const ADVERTISED_CAPABILITIES: &[ObjectIdentifier] = &[
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.46"), // aes256-GCM
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.6"),  // aes128-GCM
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.42"), // aes256-CBC
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.22"), // aes192-CBC
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.2"),  // aes128-CBC
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.7"),    // id-RSAES-OAEP
];

/// ```text
/// SMIMECapability ::= SEQUENCE {
///    capabilityID OBJECT IDENTIFIER,
///    parameters ANY DEFINED BY capabilityID OPTIONAL }
/// SMIMECapabilities ::= SEQUENCE OF SMIMECapability
/// ```
/// [RFC 8551 §2.5.2](https://www.rfc-editor.org/rfc/rfc8551#section-2.5.2)
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SmimeCapability {
    pub capability_id: ObjectIdentifier,
    #[asn1(optional = "true")]
    pub parameters: Option<Any>,
}

/// ```text
/// SMIMEEncryptionKeyPreference ::= CHOICE {
///    issuerAndSerialNumber   [0] IssuerAndSerialNumber,
///    receipentKeyId          [1] RecipientKeyIdentifier,
///    subjectAltKeyIdentifier [2] SubjectKeyIdentifier }
/// ```
/// [RFC 8551 §2.5.3](https://www.rfc-editor.org/rfc/rfc8551#section-2.5.3) (the module uses
/// IMPLICIT tags). Only the issuerAndSerialNumber form is written.
#[derive(Clone, Debug, Eq, PartialEq, Choice)]
pub(crate) enum SmimeEncryptionKeyPreference {
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", constructed = "true")]
    IssuerAndSerialNumber(IssuerAndSerialNumber),
}

/// ```text
/// IssuerSerial ::= SEQUENCE {
///     issuer                   GeneralNames,
///     serialNumber             CertificateSerialNumber }
/// ```
/// [RFC 5035 §4](https://www.rfc-editor.org/rfc/rfc5035#section-4)
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct IssuerSerial {
    pub issuer: Vec<GeneralName>,
    pub serial_number: SerialNumber,
}

/// ```text
/// ESSCertIDv2 ::=  SEQUENCE {
///     hashAlgorithm           AlgorithmIdentifier DEFAULT {algorithm id-sha256},
///     certHash                Hash,
///     issuerSerial            IssuerSerial OPTIONAL }
/// ```
/// [RFC 5035 §4](https://www.rfc-editor.org/rfc/rfc5035#section-4). SHA-256 is always used, so
/// hashAlgorithm is always the DEFAULT and DER omits it.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct EssCertIdV2 {
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// ```text
/// SigningCertificateV2 ::=  SEQUENCE {
///     certs        SEQUENCE OF ESSCertIDv2,
///     policies     SEQUENCE OF PolicyInformation OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
}

/// What goes into the signed attributes of one SignerInfo.
pub(crate) struct SignedAttributeValues<'a> {
    pub content_digest: &'a [u8],
    pub signing_time: u64,
    pub signer: &'a Certificate,
    pub encryption_certificate: Option<&'a Certificate>,
}

/// The signed attributes, as the DER SET OF that gets signed (RFC 5652 §5.4) — contentType,
/// signingTime, messageDigest, SMIMECapabilities, SMIMEEncryptionKeyPreference (with a separate
/// encryption certificate) and signingCertificateV2.
pub(crate) fn signed_attributes(v: &SignedAttributeValues<'_>) -> Result<SetOfVec<Attribute>> {
    let mut attrs = vec![
        attribute(rfc5911::ID_CONTENT_TYPE, &rfc5911::ID_DATA)?,
        attribute(rfc5911::ID_SIGNING_TIME, &signing_time(v.signing_time)?)?,
        attribute(
            rfc5911::ID_MESSAGE_DIGEST,
            &OctetString::new(v.content_digest.to_vec())?,
        )?,
        attribute(SMIME_CAPABILITIES, &capabilities())?,
    ];
    if let Some(enc) = v.encryption_certificate {
        let pref = SmimeEncryptionKeyPreference::IssuerAndSerialNumber(issuer_and_serial(enc));
        attrs.push(attribute(ID_AA_ENCRYP_KEY_PREF, &pref)?);
    }
    let tbs = v.signer.x509().tbs_certificate();
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(RustCryptoProvider::digest_now(
                DigestAlgorithm::Sha256,
                v.signer.as_der(),
            ))?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                serial_number: tbs.serial_number().clone(),
            }),
        }],
    };
    attrs.push(attribute(ID_AA_SIGNING_CERTIFICATE_V2, &ess)?);
    Ok(SetOfVec::try_from(attrs)?)
}

/// The IssuerAndSerialNumber of a certificate.
pub(crate) fn issuer_and_serial(cert: &Certificate) -> IssuerAndSerialNumber {
    let tbs = cert.x509().tbs_certificate();
    IssuerAndSerialNumber {
        issuer: tbs.issuer().clone(),
        serial_number: tbs.serial_number().clone(),
    }
}

/// An AlgorithmIdentifier without parameters (RFC 5754: SHA-2 parameters are absent).
pub(crate) fn algorithm(oid: ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

/// The signatureAlgorithm of a SignerInfo for `scheme`.
pub(crate) fn signature_algorithm(scheme: SignatureScheme) -> Result<AlgorithmIdentifierOwned> {
    Ok(match scheme {
        // rsaEncryption, as OpenSSL, NSS and Outlook write it (RFC 3370 §3.2 allows both forms).
        SignatureScheme::RsaPkcs1v15(_) => AlgorithmIdentifierOwned {
            oid: rfc5912::RSA_ENCRYPTION,
            parameters: Some(Any::null()),
        },
        SignatureScheme::RsaPss(d) => {
            let params = match d {
                DigestAlgorithm::Sha256 => pkcs1::RsaPssParams::new::<sha2::Sha256>(32),
                DigestAlgorithm::Sha384 => pkcs1::RsaPssParams::new::<sha2::Sha384>(48),
                DigestAlgorithm::Sha512 => pkcs1::RsaPssParams::new::<sha2::Sha512>(64),
            };
            AlgorithmIdentifierOwned {
                oid: rfc5912::ID_RSASSA_PSS,
                parameters: Some(Any::encode_from(&params)?),
            }
        }
        SignatureScheme::Ecdsa(d) => algorithm(match d {
            DigestAlgorithm::Sha256 => rfc5912::ECDSA_WITH_SHA_256,
            DigestAlgorithm::Sha384 => rfc5912::ECDSA_WITH_SHA_384,
            DigestAlgorithm::Sha512 => rfc5912::ECDSA_WITH_SHA_512,
        }),
        SignatureScheme::Ed25519 => algorithm(const_oid::db::rfc8410::ID_ED_25519),
    })
}

fn attribute<T: Encode>(oid: ObjectIdentifier, value: &T) -> Result<Attribute> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![Any::from_der(&value.to_der()?)?])?,
    })
}

/// signingTime: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5652 §11.3).
fn signing_time(unix_secs: u64) -> Result<x509_cert::time::Time> {
    let t = core::time::Duration::from_secs(unix_secs);
    Ok(match UtcTime::from_unix_duration(t) {
        Ok(utc) => x509_cert::time::Time::UtcTime(utc),
        Err(_) => {
            x509_cert::time::Time::GeneralTime(der::asn1::GeneralizedTime::from_unix_duration(t)?)
        }
    })
}

fn capabilities() -> Vec<SmimeCapability> {
    ADVERTISED_CAPABILITIES
        .iter()
        .map(|oid| SmimeCapability {
            capability_id: *oid,
            parameters: None,
        })
        .collect()
}
