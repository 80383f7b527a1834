//! The user's own signing identity: a private key and the certificate chain that goes with it.

use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5912, rfc8410};
use der::Decode;
use pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use zeroize::Zeroizing;

use crate::certificate::Certificate;
use crate::error::{Error, Result};
use crate::{pem, policy};

/// A private key of one of the supported types. The key material is zeroized when dropped (each
/// variant's type wipes itself), and nothing in the public API returns it.
pub struct PrivateKey {
    inner: KeyInner,
}

enum KeyInner {
    Rsa(Box<rsa::PrivateKey>),
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    Ed25519(Box<ed25519_dalek::SigningKey>),
    X25519(Box<x25519_dalek::StaticSecret>),
}

/// The type of a private key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyType {
    /// RSA with the given modulus size in bits.
    Rsa(usize),
    /// ECDSA on NIST P-256.
    P256,
    /// ECDSA on NIST P-384.
    P384,
    /// Ed25519 (RFC 8032, RFC 8419 in CMS).
    Ed25519,
    /// X25519 (RFC 7748), for key agreement only (RFC 8418 in CMS); it cannot sign.
    X25519,
}

impl core::fmt::Display for KeyType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            KeyType::Rsa(bits) => write!(f, "RSA-{bits}"),
            KeyType::P256 => f.write_str("P-256"),
            KeyType::P384 => f.write_str("P-384"),
            KeyType::Ed25519 => f.write_str("Ed25519"),
            KeyType::X25519 => f.write_str("X25519"),
        }
    }
}

impl core::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "PrivateKey({}, ..)", self.key_type())
    }
}

impl PrivateKey {
    /// Reads a private key: PKCS#8 (plain or PBES2-encrypted), PKCS#1 RSA or SEC1 EC, PEM or DER.
    /// A PEM file may also hold certificates and other blocks; the first key block is used.
    pub fn from_bytes(input: &[u8], passphrase: Option<&str>) -> Result<Self> {
        if input.len() > policy::MAX_KEY_INPUT_SIZE {
            return Err(Error::InputTooLarge {
                what: "private key input size in bytes",
                limit: policy::MAX_KEY_INPUT_SIZE,
            });
        }
        if pem::looks_like_pem(input) {
            for block in pem::blocks(input, Error::MalformedKey)? {
                let encrypted_legacy = block
                    .headers
                    .iter()
                    .any(|(k, v)| k.eq_ignore_ascii_case("Proc-Type") && v.contains("ENCRYPTED"));
                match block.label.as_str() {
                    _ if encrypted_legacy => {
                        return Err(Error::UnsupportedAlgorithm(
                            "legacy OpenSSL PEM encryption (Proc-Type: 4,ENCRYPTED); convert the key \
                             with `openssl pkcs8 -topk8 -v2 aes-256-cbc`"
                                .into(),
                        ));
                    }
                    "PRIVATE KEY" => return Self::from_pkcs8(&block.der),
                    "ENCRYPTED PRIVATE KEY" => {
                        return Self::from_encrypted_pkcs8(&block.der, passphrase);
                    }
                    "RSA PRIVATE KEY" => return Self::from_pkcs1(&block.der),
                    "EC PRIVATE KEY" => return Self::from_sec1(&block.der, None),
                    _ => {}
                }
            }
            return Err(Error::MalformedKey(
                "no private key block in the PEM input".into(),
            ));
        }
        Self::from_der(input, passphrase)
    }

    /// Reads a DER private key of any supported encoding, trying each in turn.
    fn from_der(der: &[u8], passphrase: Option<&str>) -> Result<Self> {
        if pkcs8::PrivateKeyInfoRef::from_der(der).is_ok() {
            return Self::from_pkcs8(der);
        }
        if RawEncryptedPrivateKeyInfo::from_der(der).is_ok() {
            return Self::from_encrypted_pkcs8(der, passphrase);
        }
        if pkcs1::RsaPrivateKey::<der::asn1::UintRef<'_>>::from_der(der).is_ok() {
            return Self::from_pkcs1(der);
        }
        if sec1::EcPrivateKey::from_der(der).is_ok() {
            return Self::from_sec1(der, None);
        }
        Err(Error::MalformedKey(
            "not a PEM or DER private key (PKCS#8, encrypted PKCS#8, PKCS#1 or SEC1)".into(),
        ))
    }

    /// Reads an unencrypted DER PKCS#8 key (a PKCS#12 keyBag or decrypted shrouded key bag).
    pub(crate) fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        Self::from_pkcs8(der)
    }

    fn from_pkcs8(der: &[u8]) -> Result<Self> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der)
            .map_err(|e| Error::MalformedKey(format!("PKCS#8: {e}")))?;
        let oid = info.algorithm.oid;
        let malformed = |e: pkcs8::Error| Error::MalformedKey(format!("PKCS#8 {oid}: {e}"));
        let inner = if oid == rfc5912::RSA_ENCRYPTION {
            KeyInner::Rsa(Box::new(
                rsa::PrivateKey::from_pkcs8_der(der).map_err(malformed)?,
            ))
        } else if oid == rfc5912::ID_RSASSA_PSS {
            // RSA-PSS-restricted keys carry a plain PKCS#1 RSAPrivateKey inside.
            return Self::from_pkcs1(info.private_key.as_bytes());
        } else if oid == rfc5912::ID_EC_PUBLIC_KEY {
            let curve = info
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            match curve {
                Some(c) if c == rfc5912::SECP_256_R_1 => {
                    KeyInner::P256(p256::SecretKey::from_pkcs8_der(der).map_err(malformed)?)
                }
                Some(c) if c == rfc5912::SECP_384_R_1 => {
                    KeyInner::P384(p384::SecretKey::from_pkcs8_der(der).map_err(malformed)?)
                }
                other => {
                    return Err(Error::UnsupportedAlgorithm(format!(
                        "elliptic curve {}",
                        other.map_or_else(|| "(none given)".to_string(), |c| c.to_string())
                    )));
                }
            }
        } else if oid == rfc8410::ID_ED_25519 {
            KeyInner::Ed25519(Box::new(
                ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(malformed)?,
            ))
        } else if oid == rfc8410::ID_X_25519 {
            // CurvePrivateKey ::= OCTET STRING inside the privateKey OCTET STRING (RFC 8410 §7).
            let inner = der::asn1::OctetString::from_der(info.private_key.as_bytes())
                .map_err(|e| Error::MalformedKey(format!("X25519 private key: {e}")))?;
            let bytes: [u8; 32] = inner.as_bytes().try_into().map_err(|_| {
                Error::MalformedKey("X25519 private key is not 32 bytes long".into())
            })?;
            let bytes = Zeroizing::new(bytes);
            KeyInner::X25519(Box::new(x25519_dalek::StaticSecret::from(*bytes)))
        } else {
            return Err(Error::UnsupportedAlgorithm(format!(
                "private key algorithm {}",
                oid_name(oid)
            )));
        };
        Self::checked(inner)
    }

    fn from_encrypted_pkcs8(der: &[u8], passphrase: Option<&str>) -> Result<Self> {
        let info = pkcs8::EncryptedPrivateKeyInfoRef::from_der(der).map_err(|e| {
            // pkcs5 only parses the schemes it implements; name any other one.
            match RawEncryptedPrivateKeyInfo::from_der(der) {
                Ok(raw) => Error::UnsupportedAlgorithm(format!(
                    "key encryption {}",
                    oid_name(raw.encryption_algorithm.oid)
                )),
                Err(_) => Error::MalformedKey(format!("encrypted PKCS#8: {e}")),
            }
        })?;
        check_kdf_cost(&info.encryption_algorithm)?;
        let Some(passphrase) = passphrase else {
            return Err(Error::PassphraseRequired);
        };
        let plain =
            info.decrypt(passphrase.as_bytes()).map_err(|e| match e {
                pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::UnsupportedAlgorithm { oid })
                | pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::AlgorithmParametersInvalid {
                    oid,
                }) => Error::UnsupportedAlgorithm(format!("key encryption {}", oid_name(oid))),
                pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::NoPbes1CryptSupport) => {
                    Error::UnsupportedAlgorithm("PBES1 key encryption".into())
                }
                _ => Error::WrongPassphrase,
            })?;
        // A wrong passphrase passes the CBC padding check about once in 256 tries; the result
        // is then garbage, which must still read as a wrong passphrase.
        let plain = Zeroizing::new(plain.as_bytes().to_vec());
        if pkcs8::PrivateKeyInfoRef::from_der(&plain).is_err() {
            return Err(Error::WrongPassphrase);
        }
        Self::from_pkcs8(&plain)
    }

    fn from_pkcs1(der: &[u8]) -> Result<Self> {
        use pkcs1::DecodeRsaPrivateKey;
        let key = rsa::PrivateKey::from_pkcs1_der(der)
            .map_err(|e| Error::MalformedKey(format!("PKCS#1 RSA: {e}")))?;
        Self::checked(KeyInner::Rsa(Box::new(key)))
    }

    fn from_sec1(der: &[u8], curve_hint: Option<ObjectIdentifier>) -> Result<Self> {
        let parsed = sec1::EcPrivateKey::from_der(der)
            .map_err(|e| Error::MalformedKey(format!("SEC1: {e}")))?;
        let curve = parsed
            .parameters
            .and_then(|p| p.named_curve())
            .or(curve_hint);
        let inner = match curve {
            Some(c) if c == rfc5912::SECP_256_R_1 => KeyInner::P256(
                p256::SecretKey::from_sec1_der(der)
                    .map_err(|e| Error::MalformedKey(format!("SEC1 P-256: {e}")))?,
            ),
            Some(c) if c == rfc5912::SECP_384_R_1 => KeyInner::P384(
                p384::SecretKey::from_sec1_der(der)
                    .map_err(|e| Error::MalformedKey(format!("SEC1 P-384: {e}")))?,
            ),
            Some(c) => return Err(Error::UnsupportedAlgorithm(format!("elliptic curve {c}"))),
            None => {
                return Err(Error::MalformedKey(
                    "SEC1 EC key without a named curve".into(),
                ));
            }
        };
        Self::checked(inner)
    }

    fn checked(inner: KeyInner) -> Result<Self> {
        if let KeyInner::Rsa(k) = &inner {
            use rsa::traits::PublicKeyParts;
            let bits = k.n().bit_width() as usize;
            if bits > policy::MAX_RSA_BITS {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "RSA-{bits} (larger than {} bits)",
                    policy::MAX_RSA_BITS
                )));
            }
        }
        Ok(Self { inner })
    }

    /// The key's type and size.
    pub fn key_type(&self) -> KeyType {
        match &self.inner {
            KeyInner::Rsa(k) => {
                use rsa::traits::PublicKeyParts;
                KeyType::Rsa(k.n().bit_width() as usize)
            }
            KeyInner::P256(_) => KeyType::P256,
            KeyInner::P384(_) => KeyType::P384,
            KeyInner::Ed25519(_) => KeyType::Ed25519,
            KeyInner::X25519(_) => KeyType::X25519,
        }
    }

    /// The DER subjectPublicKeyInfo of the matching public key.
    pub fn public_key_der(&self) -> Result<Vec<u8>> {
        let doc = match &self.inner {
            KeyInner::Rsa(k) => rsa::PublicKey::from(k.as_ref()).to_public_key_der(),
            KeyInner::P256(k) => k.public_key().to_public_key_der(),
            KeyInner::P384(k) => k.public_key().to_public_key_der(),
            KeyInner::Ed25519(k) => k.verifying_key().to_public_key_der(),
            KeyInner::X25519(k) => {
                let public = x25519_dalek::PublicKey::from(k.as_ref());
                let info = spki::SubjectPublicKeyInfoOwned {
                    algorithm: spki::AlgorithmIdentifierOwned {
                        oid: rfc8410::ID_X_25519,
                        parameters: None,
                    },
                    subject_public_key: der::asn1::BitString::from_bytes(public.as_bytes())?,
                };
                return Ok(der::Encode::to_der(&info)?);
            }
        }
        .map_err(|e| Error::Encoding(e.to_string()))?;
        Ok(doc.as_bytes().to_vec())
    }

    /// True when `cert` holds this key's public key. Compares the subjectPublicKey bits (and, for
    /// EC, the decoded point, so a compressed point in the certificate still matches).
    pub fn matches(&self, cert: &Certificate) -> bool {
        let Ok(ours) = self.public_key_der() else {
            return false;
        };
        let Ok(ours) = spki::SubjectPublicKeyInfoRef::from_der(&ours) else {
            return false;
        };
        let theirs = cert.public_key_info();
        let their_bits = theirs.subject_public_key.raw_bytes();
        if ours.subject_public_key.raw_bytes() == their_bits {
            return true;
        }
        match &self.inner {
            KeyInner::P256(k) => {
                p256::PublicKey::from_sec1_bytes(their_bits).is_ok_and(|p| p == k.public_key())
            }
            KeyInner::P384(k) => {
                p384::PublicKey::from_sec1_bytes(their_bits).is_ok_and(|p| p == k.public_key())
            }
            _ => false,
        }
    }

    /// The key as unencrypted PKCS#8 DER, for handing to another crypto provider (WebCrypto
    /// imports it as non-extractable). Crate-internal: no public API exports key material.
    pub(crate) fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let doc = match &self.inner {
            KeyInner::Rsa(k) => k.to_pkcs8_der(),
            KeyInner::P256(k) => k.to_pkcs8_der(),
            KeyInner::P384(k) => k.to_pkcs8_der(),
            KeyInner::Ed25519(k) => {
                // RFC 8410 §7 v1 form without the optional public key: WebCrypto implementations
                // (Node's among them) reject the v2 OneAsymmetricKey that ed25519-dalek writes.
                const PREFIX: [u8; 16] = [
                    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04,
                    0x22, 0x04, 0x20,
                ];
                let mut der = Zeroizing::new(Vec::with_capacity(48));
                der.extend_from_slice(&PREFIX);
                der.extend_from_slice(k.as_bytes());
                return Ok(der);
            }
            KeyInner::X25519(k) => {
                // RFC 8410 §7 v1 form (id-X25519, CurvePrivateKey).
                const PREFIX: [u8; 16] = [
                    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04,
                    0x22, 0x04, 0x20,
                ];
                let mut der = Zeroizing::new(Vec::with_capacity(48));
                der.extend_from_slice(&PREFIX);
                der.extend_from_slice(k.as_bytes());
                return Ok(der);
            }
        }
        .map_err(|e| Error::Encoding(e.to_string()))?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    pub(crate) fn rsa(&self) -> Option<&rsa::PrivateKey> {
        match &self.inner {
            KeyInner::Rsa(k) => Some(k),
            _ => None,
        }
    }

    pub(crate) fn p256(&self) -> Option<&p256::SecretKey> {
        match &self.inner {
            KeyInner::P256(k) => Some(k),
            _ => None,
        }
    }

    pub(crate) fn p384(&self) -> Option<&p384::SecretKey> {
        match &self.inner {
            KeyInner::P384(k) => Some(k),
            _ => None,
        }
    }

    pub(crate) fn ed25519(&self) -> Option<&ed25519_dalek::SigningKey> {
        match &self.inner {
            KeyInner::Ed25519(k) => Some(k),
            _ => None,
        }
    }

    pub(crate) fn x25519(&self) -> Option<&x25519_dalek::StaticSecret> {
        match &self.inner {
            KeyInner::X25519(k) => Some(k),
            _ => None,
        }
    }
}

/// EncryptedPrivateKeyInfo (RFC 5958) with the algorithm left uninterpreted, to recognise the
/// structure and name an encryption scheme that `pkcs5` does not implement.
#[derive(der::Sequence)]
struct RawEncryptedPrivateKeyInfo {
    encryption_algorithm: spki::AlgorithmIdentifierOwned,
    #[allow(dead_code)] // parsed to recognise the structure
    encrypted_data: der::asn1::OctetString,
}

/// Refuses key-derivation parameters that would make a hostile file take minutes or gigabytes.
pub(crate) fn check_kdf_cost(scheme: &pkcs5::EncryptionScheme) -> Result<()> {
    let pkcs5::EncryptionScheme::Pbes2(params) = scheme else {
        return Ok(());
    };
    match &params.kdf {
        pkcs5::pbes2::Kdf::Pbkdf2(p) if p.iteration_count > policy::MAX_PBKDF2_ITERATIONS => {
            Err(Error::UnsupportedAlgorithm(format!(
                "PBKDF2 with {} iterations (the limit is {})",
                p.iteration_count,
                policy::MAX_PBKDF2_ITERATIONS
            )))
        }
        pkcs5::pbes2::Kdf::Scrypt(s) => {
            let memory = 128u64
                .saturating_mul(u64::from(s.block_size))
                .saturating_mul(s.cost_parameter)
                .saturating_mul(u64::from(s.parallelization.max(1)));
            if memory > policy::MAX_SCRYPT_MEMORY {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "scrypt needing {memory} bytes of memory (the limit is {})",
                    policy::MAX_SCRYPT_MEMORY
                )));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The index of the certificate holding `key`'s public key, preferring one that allows signing
/// and is not a CA, then the most recently issued.
fn leaf_for(key: &PrivateKey, certificates: &[Certificate]) -> Option<usize> {
    certificates
        .iter()
        .enumerate()
        .filter(|(_, c)| key.matches(c))
        .max_by_key(|(_, c)| (c.allows_signing() && !c.is_ca(), c.not_before()))
        .map(|(i, _)| i)
}

/// A short name for an algorithm OID in error messages.
pub(crate) fn oid_name(oid: ObjectIdentifier) -> String {
    const_oid::db::DB
        .by_oid(&oid)
        .map_or_else(|| oid.to_string(), |name| format!("{name} ({oid})"))
}

/// The user's own identity: a private key, the certificate for it with its chain (leaf first),
/// and optionally a separate encryption certificate (RFC 9216 users have one key to sign and one
/// to receive encrypted mail).
#[derive(Debug)]
pub struct Identity {
    key: PrivateKey,
    chain: Vec<Certificate>,
    encryption_certificate: Option<Certificate>,
    encryption_key: Option<PrivateKey>,
    friendly_name: Option<String>,
}

impl Identity {
    /// Builds an identity from a private key (see [`PrivateKey::from_bytes`]) and certificates
    /// (PEM with one or more certificates, or DER), in any order.
    pub fn from_pem(key: &[u8], certificates: &[u8], passphrase: Option<&str>) -> Result<Self> {
        let certs = Certificate::all_from_bytes(certificates)?;
        Self::from_parts(PrivateKey::from_bytes(key, passphrase)?, certs)
    }

    /// Builds an identity from a parsed key and certificates in any order. The certificate that
    /// holds the key's public key becomes the leaf (preferring one that allows signing and, among
    /// those, the most recently issued); issuers follow, found by name. A certificate for another
    /// key that shares an e-mail address with the leaf and allows encryption becomes the
    /// encryption certificate. Other certificates are kept after the chain.
    pub fn from_parts(key: PrivateKey, certificates: Vec<Certificate>) -> Result<Self> {
        if certificates.is_empty() {
            return Err(Error::NoCertificate);
        }
        let leaf_index = leaf_for(&key, &certificates).ok_or(Error::KeyCertMismatch)?;
        Ok(Self::assemble(key, certificates, leaf_index, None))
    }

    /// Opens a PKCS#12 (.p12/.pfx) file: its private key(s) and certificates.
    ///
    /// `password`: `Some(p)` is the password; `None` means the file has none. RFC 7292 tells an
    /// absent password (empty octet string) from `""` (two NUL octets); with `None` or `Some("")`
    /// both are tried, as OpenSSL does. A wrong password is [`Error::WrongPassword`] (the MAC
    /// fails, or, without a MAC, the contents do not decrypt).
    ///
    /// With several keys (RFC 9216 files hold a signing and an encryption key), the main key is
    /// the one whose certificate allows signing; another key whose certificate allows encryption
    /// becomes [`Identity::encryption_key`] with that certificate as
    /// [`Identity::encryption_certificate`] (paired by public key, not by order). The chain is
    /// built from the certificate bags, leaf first. [`Identity::friendly_name`] is the main key's
    /// friendlyName attribute (or its certificate's).
    pub fn from_pkcs12(bytes: &[u8], password: Option<&str>) -> Result<Self> {
        let contents = crate::pkcs12::read(bytes, password)?;
        if contents.keys.is_empty() {
            return Err(Error::NoPrivateKey);
        }
        if contents.certs.is_empty() {
            return Err(Error::NoCertificate);
        }
        let names: Vec<Option<String>> = contents
            .certs
            .iter()
            .map(|c| c.friendly_name.clone())
            .collect();
        let certs: Vec<Certificate> = contents.certs.into_iter().map(|c| c.cert).collect();
        // Each key with the index of its best certificate.
        let mut keys: Vec<(crate::pkcs12::KeyEntry, usize)> = Vec::new();
        for k in contents.keys {
            if let Some(i) = leaf_for(&k.key, &certs) {
                keys.push((k, i));
            }
        }
        if keys.is_empty() {
            return Err(Error::KeyCertMismatch);
        }
        let main = keys
            .iter()
            .position(|(_, i)| certs[*i].allows_signing() && !certs[*i].is_ca())
            .unwrap_or(0);
        let (main_entry, leaf_index) = keys.remove(main);
        let encryption = keys
            .into_iter()
            .find(|(_, i)| *i != leaf_index && certs[*i].allows_encryption() && !certs[*i].is_ca())
            .map(|(k, i)| (k.key, i));
        let friendly_name = main_entry
            .friendly_name
            .clone()
            .or_else(|| names[leaf_index].clone());
        let mut identity = Self::assemble(main_entry.key, certs, leaf_index, encryption);
        identity.friendly_name = friendly_name;
        Ok(identity)
    }

    /// Orders the chain from `certificates[leaf_index]` and picks the encryption certificate:
    /// the one of `encryption` (a second key and its certificate's index) when given, else one
    /// sharing an e-mail address with the leaf (see [`Identity::from_parts`]).
    fn assemble(
        key: PrivateKey,
        certificates: Vec<Certificate>,
        leaf_index: usize,
        encryption: Option<(PrivateKey, usize)>,
    ) -> Self {
        let mut rest: Vec<Option<Certificate>> = certificates.into_iter().map(Some).collect();
        let (encryption_key, mut encryption_certificate) = match encryption {
            Some((k, i)) => (Some(k), rest[i].take()),
            None => (None, None),
        };
        let mut chain = vec![rest[leaf_index].take().expect("leaf index is valid")];
        let mut rest: Vec<Certificate> = rest.into_iter().flatten().collect();
        while let Some(last) = chain.last() {
            if last.is_self_issued() {
                break;
            }
            let Some(i) = rest.iter().position(|c| last.is_issued_by(c)) else {
                break;
            };
            chain.push(rest.remove(i));
        }
        if encryption_certificate.is_none() {
            let emails = chain[0].emails();
            encryption_certificate = rest
                .iter()
                .position(|c| {
                    !c.is_ca()
                        && !key.matches(c)
                        && c.allows_encryption()
                        && c.emails()
                            .iter()
                            .any(|e| emails.iter().any(|m| m.eq_ignore_ascii_case(e)))
                })
                .map(|i| rest.remove(i));
        }
        chain.extend(rest);
        Self {
            key,
            chain,
            encryption_certificate,
            encryption_key,
            friendly_name: None,
        }
    }

    /// Exports the identity as a PKCS#12 file (DER) protected by `password`: the key(s), the
    /// chain and the encryption certificate, with friendlyName and localKeyId attributes.
    ///
    /// Default: PBES2 (PBKDF2-HMAC-SHA256, 10000 iterations, AES-256-CBC) for keys and
    /// certificates and an HMAC-SHA-256 MAC, as OpenSSL 3 writes. `legacy`:
    /// pbeWithSHAAnd3-KeyTripleDES-CBC for both and an HMAC-SHA-1 MAC, for old readers (Windows
    /// before 10 1709, macOS Keychain before 2023, Java before 8u301). Salts and IVs are random.
    pub fn to_pkcs12(&self, password: &str, legacy: bool) -> Result<Vec<u8>> {
        let mut keys = vec![crate::pkcs12::KeyOut {
            key: &self.key,
            cert: self.certificate(),
            friendly_name: self.friendly_name.as_deref(),
        }];
        if let (Some(key), Some(cert)) = (&self.encryption_key, &self.encryption_certificate) {
            keys.push(crate::pkcs12::KeyOut {
                key,
                cert,
                friendly_name: self.friendly_name.as_deref(),
            });
        }
        let certs: Vec<&Certificate> = self
            .chain
            .iter()
            .chain(self.encryption_certificate.as_ref())
            .collect();
        crate::pkcs12::write(&keys, &certs, password, legacy)
    }

    /// The private key of [`Identity::encryption_certificate`], when the identity came with one
    /// (a PKCS#12 file holding a separate encryption key). For decryption; never exported.
    pub fn encryption_key(&self) -> Option<&PrivateKey> {
        self.encryption_key.as_ref()
    }

    /// The friendlyName of the main key (or of its certificate) in the PKCS#12 file it came
    /// from; `None` for identities built from PEM.
    pub fn friendly_name(&self) -> Option<&str> {
        self.friendly_name.as_deref()
    }

    /// The signing certificate (the leaf).
    pub fn certificate(&self) -> &Certificate {
        &self.chain[0]
    }

    /// The leaf followed by its issuers (and any other certificates that were given).
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// The separate encryption certificate, if the identity has one.
    pub fn encryption_certificate(&self) -> Option<&Certificate> {
        self.encryption_certificate.as_ref()
    }

    /// The private key (usable for signing through a provider; it never leaves the crate).
    pub fn private_key(&self) -> &PrivateKey {
        &self.key
    }

    /// The key type, e.g. `RSA-2048`.
    pub fn key_algorithm(&self) -> String {
        self.key.key_type().to_string()
    }
}

// Key generation for test identities (`PrivateKey::generate`), in its own file.
mod generate;

#[cfg(test)]
mod tests {
    use zeroize::ZeroizeOnDrop;

    fn wipes_itself<T: ZeroizeOnDrop>() {}

    /// Every key type held by [`super::PrivateKey`] wipes its memory when dropped.
    #[test]
    fn key_types_zeroize_on_drop() {
        wipes_itself::<rsa::PrivateKey>();
        wipes_itself::<p256::SecretKey>();
        wipes_itself::<p384::SecretKey>();
        wipes_itself::<ed25519_dalek::SigningKey>();
        wipes_itself::<x25519_dalek::StaticSecret>();
        wipes_itself::<zeroize::Zeroizing<Vec<u8>>>();
    }
}
