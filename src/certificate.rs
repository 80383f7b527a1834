//! X.509 certificates: parsing (PEM or DER, one or many) and the facts S/MIME needs.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912;
use der::Decode;
use sha2::{Digest, Sha256};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages, SubjectAltName};
use x509_cert::spki::SubjectPublicKeyInfoOwned;

use crate::error::{Error, Result};
use crate::{pem, policy};

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
    pub(crate) fn key_usage(&self) -> Option<KeyUsage> {
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
        self.key_usage().is_none_or(|ku| {
            ku.0.contains(KeyUsages::DigitalSignature) || ku.0.contains(KeyUsages::NonRepudiation)
        })
    }

    /// True when the key may be used to receive encrypted mail (keyEncipherment or keyAgreement;
    /// a certificate without keyUsage allows everything).
    pub fn allows_encryption(&self) -> bool {
        self.key_usage().is_none_or(|ku| {
            ku.0.contains(KeyUsages::KeyEncipherment) || ku.0.contains(KeyUsages::KeyAgreement)
        })
    }

    /// True when `issuer` names this certificate's issuer (subject/issuer name match).
    pub(crate) fn is_issued_by(&self, issuer: &Certificate) -> bool {
        self.inner.tbs_certificate().issuer() == issuer.inner.tbs_certificate().subject()
    }

    /// True when subject and issuer names are equal.
    pub fn is_self_issued(&self) -> bool {
        self.is_issued_by(self)
    }
}

/// Human-readable public key algorithm and size of an SPKI.
pub(crate) fn describe_public_key(spki: &SubjectPublicKeyInfoOwned) -> String {
    let oid = spki.algorithm.oid;
    let key_bits = spki.subject_public_key.raw_bytes();
    let rsa_bits = || {
        pkcs1::RsaPublicKey::<der::asn1::UintRef<'_>>::from_der(key_bits)
            .map(|k| {
                let m = k.modulus.as_bytes();
                let lead = m.iter().take_while(|b| **b == 0).count();
                let m = &m[lead..];
                m.first()
                    .map(|b| (m.len() - 1) * 8 + (8 - b.leading_zeros() as usize))
                    .unwrap_or(0)
            })
            .unwrap_or(0)
    };
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
