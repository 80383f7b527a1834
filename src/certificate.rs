//! X.509 certificates: parsing (PEM or DER, one or many) and the facts S/MIME needs.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912;
use const_oid::db::rfc8410;
use der::Decode;
use sha2::{Digest, Sha256};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName,
};
use x509_cert::spki::SubjectPublicKeyInfoOwned;

use crate::error::{Error, Result};
use crate::{pem, policy};

pub(crate) mod verify;

/// The emailAddress attribute of a distinguished name (PKCS #9), deprecated but still common.
const EMAIL_ADDRESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");

/// An X.509 certificate together with its exact DER encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    inner: x509_cert::Certificate,
    der: Vec<u8>,
}

impl Certificate {
    /// Parses exactly one certificate from PEM or DER. Input holding several certificates is an
    /// error (use [`Certificate::all_from_bytes`]).
    pub fn from_bytes(input: &[u8]) -> Result<Self> {
        let mut all = Self::all_from_bytes(input)?;
        match all.len() {
            1 => Ok(all.remove(0)),
            n => Err(Error::MalformedCertificate(format!(
                "expected one certificate, found {n}"
            ))),
        }
    }

    /// Parses every certificate in `input`: PEM text with one or more `CERTIFICATE` blocks (other
    /// text and other blocks are ignored), or one or more concatenated DER certificates.
    pub fn all_from_bytes(input: &[u8]) -> Result<Vec<Self>> {
        if input.len() > policy::MAX_KEY_INPUT_SIZE {
            return Err(Error::InputTooLarge {
                what: "certificate input size in bytes",
                limit: policy::MAX_KEY_INPUT_SIZE,
            });
        }
        let mut out = Vec::new();
        if pem::looks_like_pem(input) {
            for block in pem::blocks(input, Error::MalformedCertificate)? {
                if matches!(
                    block.label.as_str(),
                    "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE"
                ) {
                    out.push(Self::from_der(&block.der)?);
                }
            }
        } else {
            let mut rest = input;
            while !rest.is_empty() {
                let len = der_element_len(rest).ok_or_else(|| {
                    Error::MalformedCertificate("not PEM, and not a DER certificate".into())
                })?;
                let (one, tail) = rest.split_at(len);
                out.push(Self::from_der(one)?);
                rest = tail;
            }
        }
        if out.is_empty() {
            return Err(Error::NoCertificate);
        }
        Ok(out)
    }

    /// Parses one DER-encoded certificate (the whole input must be the certificate).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let inner = x509_cert::Certificate::from_der(der)
            .map_err(|e| Error::MalformedCertificate(e.to_string()))?;
        Ok(Self {
            inner,
            der: der.to_vec(),
        })
    }

    /// The parsed certificate.
    pub fn x509(&self) -> &x509_cert::Certificate {
        &self.inner
    }

    /// The DER encoding, exactly as it was read.
    pub fn to_der(&self) -> Vec<u8> {
        self.der.clone()
    }

    /// The DER encoding, borrowed.
    pub fn as_der(&self) -> &[u8] {
        &self.der
    }

    /// PEM (`-----BEGIN CERTIFICATE-----`, 64 columns, LF line ends).
    pub fn to_pem(&self) -> String {
        pem::encode("CERTIFICATE", &self.der)
    }

    /// The subject distinguished name as an RFC 4514 string.
    pub fn subject(&self) -> String {
        self.inner.tbs_certificate().subject().to_string()
    }

    /// The issuer distinguished name as an RFC 4514 string.
    pub fn issuer(&self) -> String {
        self.inner.tbs_certificate().issuer().to_string()
    }

    /// Start of the validity period, in seconds since the Unix epoch.
    pub fn not_before(&self) -> u64 {
        self.inner
            .tbs_certificate()
            .validity()
            .not_before
            .to_unix_duration()
            .as_secs()
    }

    /// End of the validity period, in seconds since the Unix epoch.
    pub fn not_after(&self) -> u64 {
        self.inner
            .tbs_certificate()
            .validity()
            .not_after
            .to_unix_duration()
            .as_secs()
    }

    /// SHA-256 of the DER encoding, lowercase hex without separators.
    pub fn fingerprint_sha256(&self) -> String {
        hex(&Sha256::digest(&self.der))
    }

    /// The e-mail addresses the certificate holds: subjectAltName rfc822Name entries first, then the
    /// subject's emailAddress attributes; duplicates (ignoring ASCII case) removed, order kept.
    pub fn emails(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |s: String| {
            if !s.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(&s)) {
                out.push(s);
            }
        };
        if let Ok(Some((_, san))) = self
            .inner
            .tbs_certificate()
            .get_extension::<SubjectAltName>()
        {
            for name in san.0 {
                if let GeneralName::Rfc822Name(addr) = name {
                    push(addr.to_string());
                }
            }
        }
        for atv in self.inner.tbs_certificate().subject().iter() {
            if atv.oid == EMAIL_ADDRESS {
                if let Ok(s) = atv.value.decode_as::<der::asn1::Ia5String>() {
                    push(s.to_string());
                } else if let Ok(s) = atv.value.decode_as::<String>() {
                    push(s);
                }
            }
        }
        out
    }

    /// The subject public key's algorithm and size: `RSA-2048`, `RSA-PSS-3072`, `P-256`, `P-384`,
    /// `P-521`, `Ed25519`, `Ed448`, `X25519`, `X448`, `DSA-2048`, or the OID for anything else.
    pub fn key_algorithm(&self) -> String {
        describe_public_key(self.public_key_info())
    }

    /// The subjectPublicKeyInfo.
    pub fn public_key_info(&self) -> &SubjectPublicKeyInfoOwned {
        self.inner.tbs_certificate().subject_public_key_info()
    }

    /// The keyUsage extension's bits, when the certificate has one.
    pub(crate) fn key_usage_bits(&self) -> Option<KeyUsage> {
        self.inner
            .tbs_certificate()
            .get_extension::<KeyUsage>()
            .ok()
            .flatten()
            .map(|(_, ku)| ku)
    }

    /// True when basicConstraints says this is a CA certificate.
    pub fn is_ca(&self) -> bool {
        matches!(
            self.inner.tbs_certificate().get_extension::<BasicConstraints>(),
            Ok(Some((_, bc))) if bc.ca
        )
    }

    /// True when the key may be used for signatures (no keyUsage, or digitalSignature or
    /// nonRepudiation set).
    pub fn allows_signing(&self) -> bool {
        self.key_usage_bits().is_none_or(|ku| {
            ku.0.contains(KeyUsages::DigitalSignature) || ku.0.contains(KeyUsages::NonRepudiation)
        })
    }

    /// True when the key may be used to receive encrypted mail (keyEncipherment or keyAgreement;
    /// a certificate without keyUsage allows everything).
    pub fn allows_encryption(&self) -> bool {
        self.key_usage_bits().is_none_or(|ku| {
            ku.0.contains(KeyUsages::KeyEncipherment) || ku.0.contains(KeyUsages::KeyAgreement)
        })
    }

    /// True when `issuer` names this certificate's issuer (subject/issuer name match).
    pub(crate) fn is_issued_by(&self, issuer: &Certificate) -> bool {
        self.inner.tbs_certificate().issuer() == issuer.inner.tbs_certificate().subject()
    }

    /// The exact DER of the TBSCertificate (what the issuer signed).
    pub(crate) fn tbs_der(&self) -> Option<&[u8]> {
        tbs_bytes(&self.der)
    }

    /// True when subject and issuer names are equal.
    pub fn is_self_issued(&self) -> bool {
        self.is_issued_by(self)
    }
}

/// Facts for a user interface: key usages, extended key usages, S/MIME capabilities, key size and
/// curve, and whether (and by whom) the certificate is signed.
impl Certificate {
    /// The keyUsage bits that are set, by their RFC 5280 names (`digitalSignature`,
    /// `nonRepudiation`, `keyEncipherment`, `dataEncipherment`, `keyAgreement`, `keyCertSign`,
    /// `cRLSign`, `encipherOnly`, `decipherOnly`), in that order. Empty when the certificate has
    /// no keyUsage extension (see [`Certificate::has_key_usage`]: no extension allows every use).
    pub fn key_usage(&self) -> Vec<&'static str> {
        let Some(ku) = self.key_usage_bits() else {
            return Vec::new();
        };
        KEY_USAGE_NAMES
            .iter()
            .filter(|(bit, _)| ku.0.contains(*bit))
            .map(|(_, name)| *name)
            .collect()
    }

    /// True when the certificate has a (decodable) keyUsage extension.
    pub fn has_key_usage(&self) -> bool {
        self.key_usage_bits().is_some()
    }

    /// The extendedKeyUsage purposes, in certificate order: `emailProtection`, `serverAuth`,
    /// `clientAuth`, `codeSigning`, `timeStamping`, `OCSPSigning`, `anyExtendedKeyUsage`, or the
    /// dotted OID for any other purpose. Empty when the extension is absent.
    pub fn extended_key_usage(&self) -> Vec<String> {
        match self
            .inner
            .tbs_certificate()
            .get_extension::<ExtendedKeyUsage>()
        {
            Ok(Some((_, eku))) => eku.0.iter().map(|oid| oid_label(*oid, EKU_NAMES)).collect(),
            _ => Vec::new(),
        }
    }

    /// True when the certificate has an extendedKeyUsage extension.
    pub fn has_extended_key_usage(&self) -> bool {
        matches!(
            self.inner
                .tbs_certificate()
                .get_extension::<ExtendedKeyUsage>(),
            Ok(Some(_))
        )
    }

    /// The capability OIDs of the SMIMECapabilities extension (1.2.840.113549.1.9.15, RFC 4262),
    /// in certificate order, named where known (`aes256-CBC`, `aes128-GCM`, `rsaes-OAEP`, ...),
    /// dotted otherwise. Empty when the extension is absent or cannot be decoded.
    pub fn smime_capabilities(&self) -> Vec<String> {
        let Some(exts) = self.inner.tbs_certificate().extensions() else {
            return Vec::new();
        };
        let Some(ext) = exts.iter().find(|e| e.extn_id == SMIME_CAPABILITIES) else {
            return Vec::new();
        };
        Vec::<SmimeCapability>::from_der(ext.extn_value.as_bytes())
            .map(|caps| {
                caps.iter()
                    .map(|c| oid_label(c.capability_id, CAPABILITY_NAMES))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The size of the public key in bits: the RSA modulus size, the field size of an elliptic
    /// curve (256, 384, 521), 256 for Ed25519/X25519 and 456/448 for Ed448/X448 (their key
    /// lengths). `None` for anything else.
    pub fn key_size(&self) -> Option<usize> {
        let spki = self.public_key_info();
        let oid = spki.algorithm.oid;
        if oid == rfc5912::RSA_ENCRYPTION || oid == rfc5912::ID_RSASSA_PSS {
            return rsa_modulus_bits(spki.subject_public_key.raw_bytes());
        }
        match self.curve()? {
            "P-256" => Some(256),
            "P-384" => Some(384),
            "P-521" => Some(521),
            "Ed25519" | "X25519" => Some(256),
            "Ed448" => Some(456),
            "X448" => Some(448),
            _ => None,
        }
    }

    /// The named curve of an EC key (`P-256`, `P-384`, `P-521`), or the algorithm that fixes the
    /// curve (`Ed25519`, `X25519`, `Ed448`, `X448`); `None` for RSA and unknown curves.
    pub fn curve(&self) -> Option<&'static str> {
        let spki = self.public_key_info();
        let oid = spki.algorithm.oid;
        if oid == rfc5912::ID_EC_PUBLIC_KEY {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())?;
            return if curve == rfc5912::SECP_256_R_1 {
                Some("P-256")
            } else if curve == rfc5912::SECP_384_R_1 {
                Some("P-384")
            } else if curve == rfc5912::SECP_521_R_1 {
                Some("P-521")
            } else {
                None
            };
        }
        [
            (rfc8410::ID_ED_25519, "Ed25519"),
            (rfc8410::ID_X_25519, "X25519"),
            (rfc8410::ID_ED_448, "Ed448"),
            (rfc8410::ID_X_448, "X448"),
        ]
        .iter()
        .find(|(o, _)| *o == oid)
        .map(|(_, name)| *name)
    }

    /// True when subject and issuer are equal and the certificate's signature verifies with its
    /// own public key.
    pub fn is_self_signed(&self) -> bool {
        self.is_self_issued() && self.is_signed_by(self)
    }

    /// True when `issuer`'s public key verifies this certificate's signature (over the exact
    /// TBSCertificate bytes as read). Names are not compared. Supported: RSA PKCS#1 v1.5 with
    /// SHA-1/256/384/512, RSASSA-PSS (SHA-1/256/384/512, MGF1 with the same digest), ECDSA on
    /// P-256/P-384 with SHA-1/256/384/512, Ed25519, DSA with SHA-1/224/256 (the issuer's key must
    /// carry its domain parameters; [`crate::path`] handles inheritance). Anything else is
    /// `false`.
    pub fn is_signed_by(&self, issuer: &Certificate) -> bool {
        let cert = &self.inner;
        if cert.signature_algorithm() != cert.tbs_certificate().signature() {
            return false;
        }
        let Some(tbs) = tbs_bytes(&self.der) else {
            return false;
        };
        let Some(signature) = cert.signature().as_bytes() else {
            return false;
        };
        verify::verify(
            cert.signature_algorithm(),
            issuer.public_key_info(),
            tbs,
            signature,
        )
    }
}

/// The exact DER of the TBSCertificate inside a certificate's DER (the first element of the
/// outer SEQUENCE).
fn tbs_bytes(der: &[u8]) -> Option<&[u8]> {
    let (_, body) = <der::Header as Decode>::from_der_partial(der).ok()?;
    let len = der_element_len(body)?;
    Some(&body[..len])
}

/// RFC 5280 names of the keyUsage bits, in bit order.
const KEY_USAGE_NAMES: &[(KeyUsages, &str)] = &[
    (KeyUsages::DigitalSignature, "digitalSignature"),
    (KeyUsages::NonRepudiation, "nonRepudiation"),
    (KeyUsages::KeyEncipherment, "keyEncipherment"),
    (KeyUsages::DataEncipherment, "dataEncipherment"),
    (KeyUsages::KeyAgreement, "keyAgreement"),
    (KeyUsages::KeyCertSign, "keyCertSign"),
    (KeyUsages::CRLSign, "cRLSign"),
    (KeyUsages::EncipherOnly, "encipherOnly"),
    (KeyUsages::DecipherOnly, "decipherOnly"),
];

/// The SMIMECapabilities certificate extension / attribute (RFC 4262, RFC 8551 §2.5.2).
pub(crate) const SMIME_CAPABILITIES: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.15");

/// `SMIMECapability ::= SEQUENCE { capabilityID OBJECT IDENTIFIER, parameters ANY OPTIONAL }`
#[derive(der::Sequence)]
struct SmimeCapability {
    capability_id: ObjectIdentifier,
    #[asn1(optional = "true")]
    #[allow(dead_code)] // parsed to skip it
    parameters: Option<der::Any>,
}

/// Names of extendedKeyUsage purposes (RFC 5280 §4.2.1.12).
const EKU_NAMES: &[(&str, &str)] = &[
    ("1.3.6.1.5.5.7.3.1", "serverAuth"),
    ("1.3.6.1.5.5.7.3.2", "clientAuth"),
    ("1.3.6.1.5.5.7.3.3", "codeSigning"),
    ("1.3.6.1.5.5.7.3.4", "emailProtection"),
    ("1.3.6.1.5.5.7.3.8", "timeStamping"),
    ("1.3.6.1.5.5.7.3.9", "OCSPSigning"),
    ("2.5.29.37.0", "anyExtendedKeyUsage"),
];

/// Names of S/MIME capabilities (RFC 8551, RFC 5753, RFC 8418, RFC 5084, RFC 8103, RFC 4055).
const CAPABILITY_NAMES: &[(&str, &str)] = &[
    ("2.16.840.1.101.3.4.1.2", "aes128-CBC"),
    ("2.16.840.1.101.3.4.1.22", "aes192-CBC"),
    ("2.16.840.1.101.3.4.1.42", "aes256-CBC"),
    ("2.16.840.1.101.3.4.1.6", "aes128-GCM"),
    ("2.16.840.1.101.3.4.1.26", "aes192-GCM"),
    ("2.16.840.1.101.3.4.1.46", "aes256-GCM"),
    ("2.16.840.1.101.3.4.1.5", "aes128-wrap"),
    ("2.16.840.1.101.3.4.1.25", "aes192-wrap"),
    ("2.16.840.1.101.3.4.1.45", "aes256-wrap"),
    ("1.2.840.113549.1.9.16.3.18", "chacha20-poly1305"),
    ("1.2.840.113549.3.7", "des-ede3-cbc"),
    ("1.2.840.113549.3.2", "rc2-cbc"),
    ("1.2.840.113549.1.1.1", "rsaEncryption"),
    ("1.2.840.113549.1.1.7", "rsaes-OAEP"),
    ("1.2.840.113549.1.1.10", "rsassa-PSS"),
    ("1.2.840.113549.1.1.11", "sha256WithRSAEncryption"),
    ("1.2.840.113549.1.1.12", "sha384WithRSAEncryption"),
    ("1.2.840.113549.1.1.13", "sha512WithRSAEncryption"),
    ("1.2.840.10045.4.3.2", "ecdsa-with-SHA256"),
    ("1.2.840.10045.4.3.3", "ecdsa-with-SHA384"),
    ("1.2.840.10045.4.3.4", "ecdsa-with-SHA512"),
    ("1.3.101.112", "Ed25519"),
    ("1.3.101.113", "Ed448"),
    ("1.3.133.16.840.63.0.2", "dhSinglePass-stdDH-sha1kdf-scheme"),
    ("1.3.132.1.11.1", "dhSinglePass-stdDH-sha256kdf-scheme"),
    ("1.3.132.1.11.2", "dhSinglePass-stdDH-sha384kdf-scheme"),
    ("1.3.132.1.11.3", "dhSinglePass-stdDH-sha512kdf-scheme"),
    (
        "1.2.840.113549.1.9.16.3.19",
        "dhSinglePass-stdDH-hkdf-sha256-scheme",
    ),
    (
        "1.2.840.113549.1.9.16.3.20",
        "dhSinglePass-stdDH-hkdf-sha384-scheme",
    ),
    (
        "1.2.840.113549.1.9.16.3.21",
        "dhSinglePass-stdDH-hkdf-sha512-scheme",
    ),
    ("1.2.840.113549.1.9.16.3.28", "id-alg-hkdf-with-sha256"),
    ("1.2.840.113549.1.9.16.3.29", "id-alg-hkdf-with-sha384"),
    ("1.2.840.113549.1.9.16.3.30", "id-alg-hkdf-with-sha512"),
    ("1.2.840.113549.1.9.15.1", "preferSignedData"),
    ("1.2.840.113549.1.9.15.2", "canNotDecryptAny"),
    ("1.2.840.113549.1.9.15.3", "sMIMECapabilitiesVersions"),
];

/// The names of the capabilities in a DER `SMIMECapabilities` (as [`Certificate::smime_capabilities`]
/// names them); `None` when it does not decode. Used for the signed attribute of the same type.
pub(crate) fn capability_names(der: &[u8]) -> Option<Vec<String>> {
    Vec::<SmimeCapability>::from_der(der).ok().map(|caps| {
        caps.iter()
            .map(|c| oid_label(c.capability_id, CAPABILITY_NAMES))
            .collect()
    })
}

/// The name of `oid` in `table`, or its dotted form.
fn oid_label(oid: ObjectIdentifier, table: &[(&str, &str)]) -> String {
    let dotted = oid.to_string();
    table
        .iter()
        .find(|(o, _)| *o == dotted)
        .map_or(dotted, |(_, name)| (*name).to_string())
}

/// Bits in the modulus of a PKCS#1 RSAPublicKey.
fn rsa_modulus_bits(key_bits: &[u8]) -> Option<usize> {
    let k = pkcs1::RsaPublicKey::<der::asn1::UintRef<'_>>::from_der(key_bits).ok()?;
    let m = k.modulus.as_bytes();
    let lead = m.iter().take_while(|b| **b == 0).count();
    let m = &m[lead..];
    m.first()
        .map(|b| (m.len() - 1) * 8 + (8 - b.leading_zeros() as usize))
}

/// Human-readable public key algorithm and size of an SPKI.
pub(crate) fn describe_public_key(spki: &SubjectPublicKeyInfoOwned) -> String {
    let oid = spki.algorithm.oid;
    let key_bits = spki.subject_public_key.raw_bytes();
    let rsa_bits = || rsa_modulus_bits(key_bits).unwrap_or(0);
    if oid == rfc5912::RSA_ENCRYPTION {
        format!("RSA-{}", rsa_bits())
    } else if oid == rfc5912::ID_RSASSA_PSS {
        format!("RSA-PSS-{}", rsa_bits())
    } else if oid == rfc5912::ID_EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        match curve {
            Some(c) if c == rfc5912::SECP_256_R_1 => "P-256".into(),
            Some(c) if c == rfc5912::SECP_384_R_1 => "P-384".into(),
            Some(c) if c == rfc5912::SECP_521_R_1 => "P-521".into(),
            Some(c) => format!("EC-{c}"),
            None => "EC".into(),
        }
    } else if oid == const_oid::db::rfc8410::ID_ED_25519 {
        "Ed25519".into()
    } else if oid == const_oid::db::rfc8410::ID_ED_448 {
        "Ed448".into()
    } else if oid == const_oid::db::rfc8410::ID_X_25519 {
        "X25519".into()
    } else if oid == const_oid::db::rfc8410::ID_X_448 {
        "X448".into()
    } else if oid == rfc5912::ID_DSA {
        "DSA".into()
    } else {
        oid.to_string()
    }
}

/// Length of the DER TLV at the start of `input` (definite lengths only), if it fits in `input`.
fn der_element_len(input: &[u8]) -> Option<usize> {
    let (header, rest) = <der::Header as Decode>::from_der_partial(input).ok()?;
    let header_len = input.len() - rest.len();
    let value_len = usize::try_from(u32::from(header.length())).ok()?;
    let total = header_len.checked_add(value_len)?;
    (total <= input.len()).then_some(total)
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}
