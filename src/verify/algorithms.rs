//! The digest and signature algorithms of a SignerInfo (RFC 5652 §5.3, RFC 3370, RFC 4055,
//! RFC 5754, RFC 5758, RFC 8419): their names, and the check of one signature with RustCrypto.

use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5912, rfc8410};
use der::{Decode, Encode};
use pkcs8::DecodePublicKey;
use sha2::Digest;
use signature::Verifier;
use signature::hazmat::PrehashVerifier;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// MD5 (RFC 1321): recognised to be named and refused.
const ID_MD5: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.5");
/// md5WithRSAEncryption.
const MD5_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.4");
/// ecdsa-with-SHA1 (ANSI X9.62).
const ECDSA_WITH_SHA_1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");
/// id-dsa (the key algorithm; some signers also use it as the signature algorithm).
pub(super) const ID_DSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");
/// id-dsa-with-sha1 (RFC 3370 §3.1).
const ID_DSA_WITH_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.3");
/// id-dsa-with-sha224 / sha256 (RFC 5758 §3.1).
const ID_DSA_WITH_SHA224: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.1");
const ID_DSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.2");

/// A digest algorithm of a SignerInfo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Hash {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    pub(super) fn from_oid(oid: ObjectIdentifier) -> Option<Self> {
        [
            (ID_MD5, Hash::Md5),
            (rfc5912::ID_SHA_1, Hash::Sha1),
            (rfc5912::ID_SHA_224, Hash::Sha224),
            (rfc5912::ID_SHA_256, Hash::Sha256),
            (rfc5912::ID_SHA_384, Hash::Sha384),
            (rfc5912::ID_SHA_512, Hash::Sha512),
        ]
        .iter()
        .find(|(o, _)| *o == oid)
        .map(|(_, h)| *h)
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Hash::Md5 => "md5",
            Hash::Sha1 => "sha1",
            Hash::Sha224 => "sha224",
            Hash::Sha256 => "sha256",
            Hash::Sha384 => "sha384",
            Hash::Sha512 => "sha512",
        }
    }

    /// MD5 and SHA-1 (RFC 8551 §2.1: SHOULD NOT / MUST NOT for new signatures).
    pub(super) fn is_weak(self) -> bool {
        matches!(self, Hash::Md5 | Hash::Sha1)
    }

    /// The digest of `data`; `None` for MD5, which is not computed here.
    pub(super) fn digest(self, data: &[u8]) -> Option<Vec<u8>> {
        Some(match self {
            Hash::Md5 => return None,
            Hash::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Hash::Sha224 => sha2::Sha224::digest(data).to_vec(),
            Hash::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Hash::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(data).to_vec(),
        })
    }
}

/// How a SignerInfo's signature is checked.
#[derive(Clone, Debug)]
pub(super) enum Kind {
    RsaPkcs1(Hash),
    RsaPss {
        hash: Hash,
        salt: usize,
    },
    Ecdsa(Hash),
    Ed25519,
    Ed448,
    Dsa(Hash),
    /// Not supported (the name says what it is).
    Unsupported,
}

/// A signature algorithm with its name (`rsa-pkcs1v15-sha256`, `ecdsa-p256-sha256`, ...).
#[derive(Clone, Debug)]
pub(super) struct Scheme {
    pub(super) kind: Kind,
    pub(super) name: String,
}

impl Scheme {
    /// The digest the signature itself uses (`None` for the EdDSA schemes and unsupported ones).
    pub(super) fn hash(&self) -> Option<Hash> {
        match &self.kind {
            Kind::RsaPkcs1(h) | Kind::Ecdsa(h) | Kind::Dsa(h) => Some(*h),
            Kind::RsaPss { hash, .. } => Some(*hash),
            Kind::Ed25519 | Kind::Ed448 | Kind::Unsupported => None,
        }
    }
}

/// The named curve of an id-ecPublicKey SPKI.
fn named_curve(spki: &SubjectPublicKeyInfoOwned) -> Option<ObjectIdentifier> {
    if spki.algorithm.oid != rfc5912::ID_EC_PUBLIC_KEY {
        return None;
    }
    spki.algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
}

/// The curve of an id-ecPublicKey SPKI for algorithm names (`p256`, `p384`, `p521`, or `None`).
fn curve(spki: &SubjectPublicKeyInfoOwned) -> Option<&'static str> {
    match named_curve(spki)? {
        c if c == rfc5912::SECP_256_R_1 => Some("p256"),
        c if c == rfc5912::SECP_384_R_1 => Some("p384"),
        c if c == rfc5912::SECP_521_R_1 => Some("p521"),
        _ => None,
    }
}

/// The scheme of `algorithm` (the SignerInfo's signatureAlgorithm); `digest` is its
/// digestAlgorithm (used where the signature algorithm names no digest: rsaEncryption, id-dsa,
/// id-ecPublicKey). `spki`, when the signer's certificate is known, adds the curve to ECDSA names.
pub(super) fn scheme(
    algorithm: &AlgorithmIdentifierOwned,
    digest: Option<Hash>,
    spki: Option<&SubjectPublicKeyInfoOwned>,
) -> Scheme {
    let oid = algorithm.oid;
    let unsupported = |name: String| Scheme {
        kind: Kind::Unsupported,
        name,
    };
    let pkcs1 = [
        (MD5_WITH_RSA, Hash::Md5),
        (rfc5912::SHA_1_WITH_RSA_ENCRYPTION, Hash::Sha1),
        (rfc5912::SHA_224_WITH_RSA_ENCRYPTION, Hash::Sha224),
        (rfc5912::SHA_256_WITH_RSA_ENCRYPTION, Hash::Sha256),
        (rfc5912::SHA_384_WITH_RSA_ENCRYPTION, Hash::Sha384),
        (rfc5912::SHA_512_WITH_RSA_ENCRYPTION, Hash::Sha512),
    ];
    let ecdsa = [
        (ECDSA_WITH_SHA_1, Hash::Sha1),
        (rfc5912::ECDSA_WITH_SHA_224, Hash::Sha224),
        (rfc5912::ECDSA_WITH_SHA_256, Hash::Sha256),
        (rfc5912::ECDSA_WITH_SHA_384, Hash::Sha384),
        (rfc5912::ECDSA_WITH_SHA_512, Hash::Sha512),
    ];
    let dsa = [
        (ID_DSA_WITH_SHA1, Hash::Sha1),
        (ID_DSA_WITH_SHA224, Hash::Sha224),
        (ID_DSA_WITH_SHA256, Hash::Sha256),
    ];
    let from_table =
        |t: &[(ObjectIdentifier, Hash)]| t.iter().find(|(o, _)| *o == oid).map(|x| x.1);
    let rsa_hash = if oid == rfc5912::RSA_ENCRYPTION {
        Some(digest)
    } else {
        from_table(&pkcs1).map(Some)
    };
    if let Some(h) = rsa_hash {
        return match h {
            Some(h) => Scheme {
                kind: Kind::RsaPkcs1(h),
                name: format!("rsa-pkcs1v15-{}", h.name()),
            },
            None => unsupported("rsa-pkcs1v15".into()),
        };
    }
    if oid == rfc5912::ID_RSASSA_PSS {
        return pss_scheme(algorithm).unwrap_or_else(|| unsupported("rsa-pss".into()));
    }
    let ecdsa_hash = if oid == rfc5912::ID_EC_PUBLIC_KEY {
        Some(digest)
    } else {
        from_table(&ecdsa).map(Some)
    };
    if let Some(h) = ecdsa_hash {
        let curve = spki.and_then(curve);
        let name = match (curve, h) {
            (Some(c), Some(h)) => format!("ecdsa-{c}-{}", h.name()),
            (None, Some(h)) => format!("ecdsa-{}", h.name()),
            _ => "ecdsa".to_string(),
        };
        return match (curve, h) {
            (_, None) => unsupported(name),
            (_, Some(h)) => Scheme {
                kind: Kind::Ecdsa(h),
                name,
            },
        };
    }
    if oid == rfc8410::ID_ED_25519 {
        return Scheme {
            kind: Kind::Ed25519,
            name: "ed25519".into(),
        };
    }
    if oid == rfc8410::ID_ED_448 {
        return Scheme {
            kind: Kind::Ed448,
            name: "ed448".into(),
        };
    }
    let dsa_hash = if oid == ID_DSA {
        Some(digest)
    } else {
        from_table(&dsa).map(Some)
    };
    if let Some(h) = dsa_hash {
        return match h {
            Some(h) => Scheme {
                kind: Kind::Dsa(h),
                name: format!("dsa-{}", h.name()),
            },
            None => unsupported("dsa".into()),
        };
    }
    unsupported(crate::identity::oid_name(oid))
}

/// RSASSA-PSS with RFC 4055 parameters; MGF1 must use the same digest.
fn pss_scheme(algorithm: &AlgorithmIdentifierOwned) -> Option<Scheme> {
    let params = match &algorithm.parameters {
        Some(p) => pkcs1::RsaPssParamsOwned::from_der(&p.to_der().ok()?).ok()?,
        None => pkcs1::RsaPssParamsOwned::default(),
    };
    let hash = Hash::from_oid(params.hash.oid)?;
    if params.mask_gen.oid != rfc5912::ID_MGF_1 {
        return None;
    }
    let mgf_hash = params.mask_gen.parameters.as_ref().map(|p| p.oid);
    if mgf_hash.and_then(Hash::from_oid) != Some(hash) || hash == Hash::Md5 {
        return None;
    }
    Some(Scheme {
        kind: Kind::RsaPss {
            hash,
            salt: usize::from(params.salt_len),
        },
        name: format!("rsa-pss-{}", hash.name()),
    })
}

/// The result of checking one signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    Valid,
    Invalid,
    /// The algorithm (or the key's parameters, curve or size) is not supported here.
    Unsupported,
    /// The certificate's key is not of the kind the signature algorithm needs.
    KeyMismatch,
}

fn outcome(ok: bool) -> Outcome {
    if ok { Outcome::Valid } else { Outcome::Invalid }
}

/// An RSA public key from an rsaEncryption or id-RSASSA-PSS SPKI.
fn rsa_key(spki: &SubjectPublicKeyInfoOwned) -> Option<rsa::PublicKey> {
    use pkcs1::DecodeRsaPublicKey;
    let oid = spki.algorithm.oid;
    if oid == rfc5912::RSA_ENCRYPTION || oid == rfc5912::ID_RSASSA_PSS {
        rsa::PublicKey::from_pkcs1_der(spki.subject_public_key.raw_bytes()).ok()
    } else {
        None
    }
}

/// Checks `signature` over `message` (the DER signed attributes, or the content) with the key
/// in `spki`. `dsa_params` are Dss-Parms inherited from the issuer when the signer's DSA key
/// has none (RFC 3279 §2.3.2).
pub(super) fn verify(
    scheme: &Scheme,
    spki: &SubjectPublicKeyInfoOwned,
    dsa_params: Option<&der::Any>,
    message: &[u8],
    signature: &[u8],
) -> Outcome {
    let is_rsa = matches!(
        spki.algorithm.oid,
        o if o == rfc5912::RSA_ENCRYPTION || o == rfc5912::ID_RSASSA_PSS
    );
    match &scheme.kind {
        Kind::Unsupported | Kind::Ed448 => Outcome::Unsupported,
        Kind::RsaPkcs1(h) | Kind::RsaPss { hash: h, .. } => {
            if !is_rsa {
                return Outcome::KeyMismatch;
            }
            let (Some(key), Some(hashed)) = (rsa_key(spki), h.digest(message)) else {
                return Outcome::Unsupported;
            };
            let ok = match (&scheme.kind, h) {
                (Kind::RsaPkcs1(_), Hash::Sha1) => {
                    key.verify(rsa::Pkcs1v15Sign::new::<sha1::Sha1>(), &hashed, signature)
                }
                (Kind::RsaPkcs1(_), Hash::Sha224) => {
                    key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha224>(), &hashed, signature)
                }
                (Kind::RsaPkcs1(_), Hash::Sha256) => {
                    key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &hashed, signature)
                }
                (Kind::RsaPkcs1(_), Hash::Sha384) => {
                    key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha384>(), &hashed, signature)
                }
                (Kind::RsaPkcs1(_), Hash::Sha512) => {
                    key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha512>(), &hashed, signature)
                }
                (Kind::RsaPss { salt, .. }, h) => {
                    let salt = *salt;
                    match h {
                        Hash::Sha1 => key.verify(
                            rsa::Pss::<sha1::Sha1>::new_with_salt(salt),
                            &hashed,
                            signature,
                        ),
                        Hash::Sha224 => key.verify(
                            rsa::Pss::<sha2::Sha224>::new_with_salt(salt),
                            &hashed,
                            signature,
                        ),
                        Hash::Sha256 => key.verify(
                            rsa::Pss::<sha2::Sha256>::new_with_salt(salt),
                            &hashed,
                            signature,
                        ),
                        Hash::Sha384 => key.verify(
                            rsa::Pss::<sha2::Sha384>::new_with_salt(salt),
                            &hashed,
                            signature,
                        ),
                        Hash::Sha512 => key.verify(
                            rsa::Pss::<sha2::Sha512>::new_with_salt(salt),
                            &hashed,
                            signature,
                        ),
                        Hash::Md5 => return Outcome::Unsupported,
                    }
                }
                _ => return Outcome::Unsupported,
            };
            outcome(ok.is_ok())
        }
        Kind::Ecdsa(h) => {
            let Some(prehash) = h.digest(message) else {
                return Outcome::Unsupported;
            };
            if spki.algorithm.oid != rfc5912::ID_EC_PUBLIC_KEY {
                return Outcome::KeyMismatch;
            }
            let point = spki.subject_public_key.raw_bytes();
            match named_curve(spki).and_then(|c| {
                crate::certificate::verify::ecdsa_verify_prehash(c, point, &prehash, signature)
            }) {
                Some(valid) => outcome(valid),
                None => Outcome::Unsupported,
            }
        }
        Kind::Ed25519 => {
            if spki.algorithm.oid != rfc8410::ID_ED_25519 {
                return Outcome::KeyMismatch;
            }
            let Ok(point) = <[u8; 32]>::try_from(spki.subject_public_key.raw_bytes()) else {
                return Outcome::Invalid;
            };
            let (Ok(key), Ok(sig)) = (
                ed25519_dalek::VerifyingKey::from_bytes(&point),
                ed25519_dalek::Signature::from_slice(signature),
            ) else {
                return Outcome::Invalid;
            };
            outcome(key.verify(message, &sig).is_ok())
        }
        Kind::Dsa(h) => {
            if spki.algorithm.oid != ID_DSA {
                return Outcome::KeyMismatch;
            }
            let mut spki = spki.clone();
            if spki.algorithm.parameters.is_none() {
                match dsa_params {
                    Some(p) => spki.algorithm.parameters = Some(p.clone()),
                    None => return Outcome::Unsupported,
                }
            }
            let Ok(der) = spki.to_der() else {
                return Outcome::Unsupported;
            };
            // Unsupported sizes (other than 1024/160, 2048/224, 2048/256, 3072/256) fail here.
            let Ok(key) = dsa::VerifyingKey::from_public_key_der(&der) else {
                return Outcome::Unsupported;
            };
            let Some(prehash) = h.digest(message) else {
                return Outcome::Unsupported;
            };
            let Ok(sig) = dsa::Signature::try_from(signature) else {
                return Outcome::Invalid;
            };
            outcome(key.verify_prehash(&prehash, &sig).is_ok())
        }
    }
}
