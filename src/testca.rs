//! Test identities: a self-signed test CA and S/MIME user certificates issued by it (or
//! self-signed), with freshly generated keys. For development and tests only; nothing here is a
//! production CA (no revocation, no policy, keys live only in memory).
//!
//! Time comes from the caller (`now_unix`), never from a clock, so this works in WebAssembly.

use core::time::Duration;

use const_oid::ObjectIdentifier;
use der::asn1::{Ia5String, OctetString, SetOfVec, Utf8StringRef};
use der::{Any, Decode, Encode};
use sha1::{Digest, Sha1};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::time::Validity;

use crate::certificate::Certificate;
use crate::error::{Error, Result};
use crate::identity::{Identity, KeyType, PrivateKey};

const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const EMAIL_ADDRESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");
const EMAIL_PROTECTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4");

/// Longest validity accepted, in days (about 100 years).
const MAX_VALID_DAYS: u32 = 36_525;

/// What [`Identity::generate_test`] makes.
#[derive(Clone, Copy, Debug)]
pub struct TestIdentityOptions<'a> {
    /// The e-mail address (subjectAltName rfc822Name and subject emailAddress).
    pub email: &'a str,
    /// The display name (subject commonName).
    pub name: &'a str,
    /// The key to generate: `Rsa(2048)`, `Rsa(3072)`, `Rsa(4096)`, `P256`, `P384` or `Ed25519`.
    pub key_type: KeyType,
    /// The CA that issues the certificate (its key signs it; it goes into the chain). `None`
    /// makes a self-signed user certificate.
    pub issuer: Option<&'a Identity>,
    /// Days of validity from `now_unix` (1..=36525).
    pub valid_days: u32,
    /// The current time in seconds since the Unix epoch (the start of the validity period).
    pub now_unix: u64,
}

impl Identity {
    /// A new self-signed test CA: basicConstraints critical CA:TRUE with pathLen 0, keyUsage
    /// critical keyCertSign and cRLSign, subjectKeyIdentifier; subject `CN=<name>`. Signed with
    /// sha256WithRSAEncryption, ecdsa-with-SHA256 (P-256), ecdsa-with-SHA384 (P-384) or Ed25519.
    pub fn generate_test_ca(
        name: &str,
        key_type: KeyType,
        valid_days: u32,
        now_unix: u64,
    ) -> Result<Identity> {
        check_valid_days(valid_days)?;
        let subject = name_of(name, None)?;
        let key = PrivateKey::generate(key_type)?;
        let spki = spki_of(&key)?;
        let ski = key_id(&spki);
        let extensions = vec![
            ext(
                &BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(0),
                },
                &subject,
            )?,
            ext(
                &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
                &subject,
            )?,
            ext(&SubjectKeyIdentifier(octets(&ski)?), &subject)?,
        ];
        let profile = Profile {
            subject: subject.clone(),
            issuer: subject,
            extensions,
        };
        let cert = build(profile, spki, &key, valid_days, now_unix)?;
        Identity::from_parts(key, vec![cert])
    }

    /// A new S/MIME user identity: basicConstraints CA:FALSE; keyUsage critical
    /// digitalSignature + nonRepudiation, plus keyEncipherment (RSA) or keyAgreement (P-256,
    /// P-384); extendedKeyUsage emailProtection; subjectAltName rfc822Name; subjectKeyIdentifier
    /// and authorityKeyIdentifier (the issuer's key identifier); subject `CN=<name>,
    /// emailAddress=<email>`. Issued by `options.issuer` (its chain follows the leaf) or
    /// self-signed. The identity signs with [`crate::sign`] at once.
    pub fn generate_test(options: TestIdentityOptions<'_>) -> Result<Identity> {
        let email = Ia5String::new(options.email)
            .ok()
            .filter(|e| is_plausible_email(e.as_ref()))
            .ok_or_else(|| {
                Error::InvalidOption(format!(
                    "email: {:?} is not an ASCII address like user@example.com",
                    options.email
                ))
            })?;
        if options.issuer.is_some_and(|ca| !ca.certificate().is_ca()) {
            return Err(Error::InvalidOption(
                "issuer: the issuer's certificate is not a CA certificate".into(),
            ));
        }
        check_valid_days(options.valid_days)?;
        let subject = name_of(options.name, Some(&email))?;
        let key = PrivateKey::generate(options.key_type)?;
        let spki = spki_of(&key)?;
        let ski = key_id(&spki);
        let (issuer_name, issuer_key_id, chain) = match options.issuer {
            Some(ca) => {
                let ca_cert = ca.certificate();
                let id = ca_cert
                    .x509()
                    .tbs_certificate()
                    .get_extension::<SubjectKeyIdentifier>()
                    .ok()
                    .flatten()
                    .map(|(_, ski)| ski.0.as_bytes().to_vec())
                    .unwrap_or_else(|| key_id(ca_cert.public_key_info()));
                let chain: Vec<Certificate> = ca.chain().to_vec();
                (
                    ca_cert.x509().tbs_certificate().subject().clone(),
                    id,
                    chain,
                )
            }
            None => (subject.clone(), ski.clone(), Vec::new()),
        };
        let mut usages = KeyUsages::DigitalSignature | KeyUsages::NonRepudiation;
        match options.key_type {
            KeyType::Rsa(_) => usages |= KeyUsages::KeyEncipherment,
            KeyType::P256 | KeyType::P384 => usages |= KeyUsages::KeyAgreement,
            KeyType::Ed25519 => {}
            // Key agreement only: an X25519 key cannot sign.
            KeyType::X25519 => usages = KeyUsages::KeyAgreement.into(),
        }
        let extensions = vec![
            ext(
                &BasicConstraints {
                    ca: false,
                    path_len_constraint: None,
                },
                &subject,
            )?,
            ext(&KeyUsage(usages), &subject)?,
            ext(&ExtendedKeyUsage(vec![EMAIL_PROTECTION]), &subject)?,
            ext(
                &SubjectAltName(vec![GeneralName::Rfc822Name(email)]),
                &subject,
            )?,
            ext(&SubjectKeyIdentifier(octets(&ski)?), &subject)?,
            ext(
                &AuthorityKeyIdentifier {
                    key_identifier: Some(octets(&issuer_key_id)?),
                    authority_cert_issuer: None,
                    authority_cert_serial_number: None,
                },
                &subject,
            )?,
        ];
        let profile = Profile {
            subject,
            issuer: issuer_name,
            extensions,
        };
        let signer = options.issuer.map_or(&key, |ca| ca.private_key());
        let cert = build(profile, spki, signer, options.valid_days, options.now_unix)?;
        let mut certs = vec![cert];
        certs.extend(chain);
        Identity::from_parts(key, certs)
    }
}

/// The fixed subject, issuer and extensions of one certificate.
struct Profile {
    subject: Name,
    issuer: Name,
    extensions: Vec<Extension>,
}

impl BuilderProfile for Profile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &x509_cert::TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(self.extensions.clone())
    }
}

/// Builds the certificate for `spki` under `profile` and signs it with `signer`.
fn build(
    profile: Profile,
    spki: SubjectPublicKeyInfoOwned,
    signer: &PrivateKey,
    valid_days: u32,
    now_unix: u64,
) -> Result<Certificate> {
    check_valid_days(valid_days)?;
    let start = Duration::from_secs(now_unix);
    let end = start + Duration::from_secs(u64::from(valid_days) * 86_400);
    let validity = Validity::new(x509_time(start)?, x509_time(end)?);
    let builder = CertificateBuilder::new(profile, random_serial()?, validity, spki)
        .map_err(|e| Error::Encoding(e.to_string()))?;
    let failed = |e: x509_cert::builder::Error| Error::Crypto(format!("certificate signing: {e}"));
    let cert = match signer.key_type() {
        KeyType::Rsa(_) => {
            let k = signer
                .rsa()
                .ok_or_else(|| Error::Crypto("no RSA key".into()))?;
            let s = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(k.clone());
            builder.build::<_, rsa::pkcs1v15::Signature>(&s)
        }
        KeyType::P256 => {
            let k = signer
                .p256()
                .ok_or_else(|| Error::Crypto("no P-256 key".into()))?;
            let s = p256::ecdsa::SigningKey::from(k);
            builder.build::<_, p256::ecdsa::DerSignature>(&s)
        }
        KeyType::P384 => {
            let k = signer
                .p384()
                .ok_or_else(|| Error::Crypto("no P-384 key".into()))?;
            let s = p384::ecdsa::SigningKey::from(k);
            builder.build::<_, p384::ecdsa::DerSignature>(&s)
        }
        KeyType::Ed25519 => {
            let s = signer
                .ed25519()
                .ok_or_else(|| Error::Crypto("no Ed25519 key".into()))?;
            builder.build::<_, ed25519_dalek::Signature>(s)
        }
        KeyType::X25519 => {
            return Err(Error::UnsupportedAlgorithm(
                "an X25519 key cannot sign certificates".into(),
            ));
        }
    }
    .map_err(failed)?;
    Certificate::from_der(&cert.to_der()?)
}

/// Options are checked before the (possibly slow) key generation.
fn check_valid_days(valid_days: u32) -> Result<()> {
    if (1..=MAX_VALID_DAYS).contains(&valid_days) {
        Ok(())
    } else {
        Err(Error::InvalidOption(format!(
            "validDays: {valid_days} (1 to {MAX_VALID_DAYS})"
        )))
    }
}

/// UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5).
fn x509_time(t: Duration) -> Result<x509_cert::time::Time> {
    Ok(match der::asn1::UtcTime::from_unix_duration(t) {
        Ok(utc) => x509_cert::time::Time::UtcTime(utc),
        Err(_) => {
            x509_cert::time::Time::GeneralTime(der::asn1::GeneralizedTime::from_unix_duration(t)?)
        }
    })
}

/// A random positive 16-octet serial number (top bit clear, second bit set so that it is
/// always exactly 16 octets).
fn random_serial() -> Result<SerialNumber> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| Error::Crypto(format!("random numbers: {e}")))?;
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    Ok(SerialNumber::new(&bytes)?)
}

/// `CN=<common_name>` (UTF8String), then `emailAddress=<email>` (IA5String) when given.
fn name_of(common_name: &str, email: Option<&Ia5String>) -> Result<Name> {
    if common_name.is_empty() || common_name.chars().count() > 64 {
        return Err(Error::InvalidOption(
            "name: 1 to 64 characters (the commonName limit)".into(),
        ));
    }
    let mut rdns: Vec<SetOfVec<x509_cert::attr::AttributeTypeAndValue>> = Vec::new();
    let mut push = |oid: ObjectIdentifier, value: Any| -> Result<()> {
        let mut set = SetOfVec::new();
        set.insert(x509_cert::attr::AttributeTypeAndValue { oid, value })?;
        rdns.push(set);
        Ok(())
    };
    push(
        COMMON_NAME,
        Any::encode_from(&Utf8StringRef::new(common_name)?)?,
    )?;
    if let Some(email) = email {
        push(EMAIL_ADDRESS, Any::encode_from(email)?)?;
    }
    Ok(Name::from_der(&rdns.to_der()?)?)
}

/// The subjectPublicKeyInfo of `key`.
fn spki_of(key: &PrivateKey) -> Result<SubjectPublicKeyInfoOwned> {
    Ok(SubjectPublicKeyInfoOwned::from_der(&key.public_key_der()?)?)
}

/// RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
fn key_id(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    Sha1::digest(spki.subject_public_key.raw_bytes()).to_vec()
}

fn octets(bytes: &[u8]) -> Result<OctetString> {
    Ok(OctetString::new(bytes)?)
}

/// An extension with its standard criticality (x509-cert's: basicConstraints and keyUsage
/// critical; subjectAltName critical only under an empty subject, RFC 5280 §4.2.1.6).
fn ext<T>(value: &T, subject: &Name) -> Result<Extension>
where
    for<'a> &'a T: ToExtension<Error = der::Error>,
{
    Ok(value.to_extension(subject, &[])?)
}

/// `local@domain`, printable ASCII without spaces, one `@`, a non-empty domain with a dot or not.
fn is_plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && s.bytes().all(|b| b.is_ascii_graphic())
}
