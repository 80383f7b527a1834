//! Verification of a signature made by a certificate's key (over a TBSCertificate, for example),
//! dispatched on the signatureAlgorithm: RSA PKCS#1 v1.5 and RSASSA-PSS with SHA-1/SHA-2, ECDSA on
//! P-256, P-384 and P-521, Ed25519, DSA (FIPS 186 sizes, SHA-1/224/256; the domain parameters must be in
//! the key: inheritance from an issuer is the caller's business, see `crate::path`).

use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5912, rfc8410};
use der::Decode;
use pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256, Sha384, Sha512};
use signature::Verifier;
use signature::hazmat::PrehashVerifier;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// ecdsa-with-SHA1 (ANSI X9.62); not in const-oid's RFC 5912 module.
const ECDSA_WITH_SHA_1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");

/// The digests a certificate signature may use.
#[derive(Clone, Copy)]
enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn from_oid(oid: ObjectIdentifier) -> Option<Self> {
        [
            (rfc5912::ID_SHA_1, Hash::Sha1),
            (rfc5912::ID_SHA_256, Hash::Sha256),
            (rfc5912::ID_SHA_384, Hash::Sha384),
            (rfc5912::ID_SHA_512, Hash::Sha512),
        ]
        .iter()
        .find(|(o, _)| *o == oid)
        .map(|(_, h)| *h)
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Hash::Sha256 => Sha256::digest(data).to_vec(),
            Hash::Sha384 => Sha384::digest(data).to_vec(),
            Hash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

/// dsa-with-SHA1 (RFC 3279).
const DSA_WITH_SHA_1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.3");
/// id-dsa-with-sha224 (RFC 5758).
const DSA_WITH_SHA_224: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.1");
/// id-dsa-with-sha256 (RFC 5758).
const DSA_WITH_SHA_256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.2");

/// The result of checking a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The signature verifies.
    Valid,
    /// The signature does not verify (or the key or signature is malformed).
    Invalid,
    /// The signature algorithm is not one this module verifies.
    Unsupported,
}

/// True when `signature` over `message` verifies with the key in `spki` under `algorithm`.
pub(crate) fn verify(
    algorithm: &AlgorithmIdentifierOwned,
    spki: &SubjectPublicKeyInfoOwned,
    message: &[u8],
    signature: &[u8],
) -> bool {
    verify_outcome(algorithm, spki, message, signature) == Outcome::Valid
}

/// Checks `signature` over `message` with the key in `spki` under `algorithm`, telling an
/// unsupported algorithm apart from a bad signature.
pub(crate) fn verify_outcome(
    algorithm: &AlgorithmIdentifierOwned,
    spki: &SubjectPublicKeyInfoOwned,
    message: &[u8],
    signature: &[u8],
) -> Outcome {
    let oid = algorithm.oid;
    let dsa = [
        (DSA_WITH_SHA_1, DsaHash::Sha1),
        (DSA_WITH_SHA_224, DsaHash::Sha224),
        (DSA_WITH_SHA_256, DsaHash::Sha256),
    ];
    if let Some((_, hash)) = dsa.iter().find(|(o, _)| *o == oid) {
        return if verify_dsa(*hash, spki, message, signature).unwrap_or(false) {
            Outcome::Valid
        } else {
            Outcome::Invalid
        };
    }
    let supported = [
        rfc5912::SHA_1_WITH_RSA_ENCRYPTION,
        rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
        rfc5912::SHA_384_WITH_RSA_ENCRYPTION,
        rfc5912::SHA_512_WITH_RSA_ENCRYPTION,
        rfc5912::ID_RSASSA_PSS,
        ECDSA_WITH_SHA_1,
        rfc5912::ECDSA_WITH_SHA_256,
        rfc5912::ECDSA_WITH_SHA_384,
        rfc5912::ECDSA_WITH_SHA_512,
        rfc8410::ID_ED_25519,
    ];
    if !supported.contains(&oid) {
        return Outcome::Unsupported;
    }
    if verify_known(algorithm, spki, message, signature) {
        Outcome::Valid
    } else {
        Outcome::Invalid
    }
}

/// The digests DSA certificate signatures use.
#[derive(Clone, Copy)]
enum DsaHash {
    Sha1,
    Sha224,
    Sha256,
}

/// DSA: `spki` must hold the domain parameters (Dss-Parms) and the public key y; the signature is
/// `Dss-Sig-Value` (DER SEQUENCE of r and s).
fn verify_dsa(
    hash: DsaHash,
    spki: &SubjectPublicKeyInfoOwned,
    message: &[u8],
    signature: &[u8],
) -> Option<bool> {
    if spki.algorithm.oid != rfc5912::ID_DSA {
        return Some(false);
    }
    let params = der::Encode::to_der(spki.algorithm.parameters.as_ref()?).ok()?;
    let components = dsa::Components::from_der(&params).ok()?;
    let y = der::asn1::UintRef::from_der(spki.subject_public_key.as_bytes()?).ok()?;
    let y = dsa::BoxedUint::from_be_slice_vartime(y.as_bytes());
    let key = dsa::VerifyingKey::from_components(components, y).ok()?;
    let sig = dsa::Signature::from_der(signature).ok()?;
    let prehash = match hash {
        DsaHash::Sha1 => sha1::Sha1::digest(message).to_vec(),
        DsaHash::Sha224 => sha2::Sha224::digest(message).to_vec(),
        DsaHash::Sha256 => Sha256::digest(message).to_vec(),
    };
    Some(key.verify_prehash(&prehash, &sig).is_ok())
}

/// The RSA, ECDSA and Ed25519 algorithms.
fn verify_known(
    algorithm: &AlgorithmIdentifierOwned,
    spki: &SubjectPublicKeyInfoOwned,
    message: &[u8],
    signature: &[u8],
) -> bool {
    let oid = algorithm.oid;
    let pkcs1 = [
        (rfc5912::SHA_1_WITH_RSA_ENCRYPTION, Hash::Sha1),
        (rfc5912::SHA_256_WITH_RSA_ENCRYPTION, Hash::Sha256),
        (rfc5912::SHA_384_WITH_RSA_ENCRYPTION, Hash::Sha384),
        (rfc5912::SHA_512_WITH_RSA_ENCRYPTION, Hash::Sha512),
    ];
    let ecdsa = [
        (ECDSA_WITH_SHA_1, Hash::Sha1),
        (rfc5912::ECDSA_WITH_SHA_256, Hash::Sha256),
        (rfc5912::ECDSA_WITH_SHA_384, Hash::Sha384),
        (rfc5912::ECDSA_WITH_SHA_512, Hash::Sha512),
    ];
    if let Some((_, hash)) = pkcs1.iter().find(|(o, _)| *o == oid) {
        let Some(key) = rsa_key(spki) else {
            return false;
        };
        let hashed = hash.digest(message);
        let scheme = match hash {
            Hash::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
            Hash::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
            Hash::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
            Hash::Sha512 => rsa::Pkcs1v15Sign::new::<Sha512>(),
        };
        key.verify(scheme, &hashed, signature).is_ok()
    } else if oid == rfc5912::ID_RSASSA_PSS {
        verify_pss(algorithm, spki, message, signature).unwrap_or(false)
    } else if let Some((_, hash)) = ecdsa.iter().find(|(o, _)| *o == oid) {
        if spki.algorithm.oid != rfc5912::ID_EC_PUBLIC_KEY {
            return false;
        }
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        let point = spki.subject_public_key.raw_bytes();
        let prehash = hash.digest(message);
        curve
            .and_then(|c| ecdsa_verify_prehash(c, point, &prehash, signature))
            .unwrap_or(false)
    } else if oid == rfc8410::ID_ED_25519 {
        if spki.algorithm.oid != rfc8410::ID_ED_25519 || algorithm.parameters.is_some() {
            return false;
        }
        let Ok(point) = <[u8; 32]>::try_from(spki.subject_public_key.raw_bytes()) else {
            return false;
        };
        let (Ok(key), Ok(sig)) = (
            ed25519_dalek::VerifyingKey::from_bytes(&point),
            ed25519_dalek::Signature::from_slice(signature),
        ) else {
            return false;
        };
        key.verify(message, &sig).is_ok()
    } else {
        false
    }
}

/// Checks a DER ECDSA `signature` over `prehash` with the SEC1 `point` on the named `curve`
/// (P-256, P-384, P-521): `Some(valid)`, where a point or signature that does not decode is
/// `Some(false)`; `None` for any other curve. Shared with the SignerInfo check (`crate::verify`).
pub(crate) fn ecdsa_verify_prehash(
    curve: ObjectIdentifier,
    point: &[u8],
    prehash: &[u8],
    signature: &[u8],
) -> Option<bool> {
    macro_rules! check {
        ($curve:ident) => {{
            let (Ok(key), Ok(sig)) = (
                $curve::ecdsa::VerifyingKey::from_sec1_bytes(point),
                $curve::ecdsa::Signature::from_der(signature),
            ) else {
                return Some(false);
            };
            key.verify_prehash(prehash, &sig).is_ok()
        }};
    }
    Some(match curve {
        c if c == rfc5912::SECP_256_R_1 => check!(p256),
        c if c == rfc5912::SECP_384_R_1 => check!(p384),
        c if c == rfc5912::SECP_521_R_1 => check!(p521),
        _ => return None,
    })
}

/// An RSA public key from an rsaEncryption or id-RSASSA-PSS subjectPublicKeyInfo.
fn rsa_key(spki: &SubjectPublicKeyInfoOwned) -> Option<rsa::PublicKey> {
    let oid = spki.algorithm.oid;
    if oid == rfc5912::RSA_ENCRYPTION {
        let der = der::Encode::to_der(spki).ok()?;
        rsa::PublicKey::from_public_key_der(&der).ok()
    } else if oid == rfc5912::ID_RSASSA_PSS {
        use pkcs1::DecodeRsaPublicKey;
        rsa::PublicKey::from_pkcs1_der(spki.subject_public_key.raw_bytes()).ok()
    } else {
        None
    }
}

/// RSASSA-PSS with the RFC 4055 parameters of `algorithm` (MGF1 must use the same digest).
fn verify_pss(
    algorithm: &AlgorithmIdentifierOwned,
    spki: &SubjectPublicKeyInfoOwned,
    message: &[u8],
    signature: &[u8],
) -> Option<bool> {
    let params = match &algorithm.parameters {
        Some(p) => pkcs1::RsaPssParamsOwned::from_der(&der::Encode::to_der(p).ok()?).ok()?,
        None => pkcs1::RsaPssParamsOwned::default(),
    };
    let hash = Hash::from_oid(params.hash.oid)?;
    if params.mask_gen.oid != rfc5912::ID_MGF_1 {
        return None;
    }
    let mgf_hash = params.mask_gen.parameters.as_ref().map(|p| p.oid);
    if mgf_hash.and_then(Hash::from_oid).map(|h| h as u8) != Some(hash as u8) {
        return None;
    }
    let key = rsa_key(spki)?;
    let hashed = hash.digest(message);
    let salt = usize::from(params.salt_len);
    let ok = match hash {
        Hash::Sha1 => key.verify(
            rsa::Pss::<sha1::Sha1>::new_with_salt(salt),
            &hashed,
            signature,
        ),
        Hash::Sha256 => key.verify(rsa::Pss::<Sha256>::new_with_salt(salt), &hashed, signature),
        Hash::Sha384 => key.verify(rsa::Pss::<Sha384>::new_with_salt(salt), &hashed, signature),
        Hash::Sha512 => key.verify(rsa::Pss::<Sha512>::new_with_salt(salt), &hashed, signature),
    };
    Some(ok.is_ok())
}
