//! The pure-Rust (RustCrypto) provider: the reference implementation, used natively and as the
//! browser's fallback.

use sha2::Digest;
use signature::Signer;
use signature::hazmat::PrehashSigner;

use super::{DigestAlgorithm, Provider, SignatureScheme};
use crate::error::{Error, Result};
use crate::identity::PrivateKey;

/// Primitives from the RustCrypto crates (`sha2`, `rsa`, `p256`, `p384`, `ed25519-dalek`).
#[derive(Clone, Copy, Debug, Default)]
pub struct RustCryptoProvider;

impl RustCryptoProvider {
    /// Synchronous digest (the async trait method calls this).
    pub fn digest_now(algorithm: DigestAlgorithm, data: &[u8]) -> Vec<u8> {
        match algorithm {
            DigestAlgorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
            DigestAlgorithm::Sha384 => sha2::Sha384::digest(data).to_vec(),
            DigestAlgorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    /// Synchronous signature (the async trait method calls this).
    pub fn sign_now(key: &PrivateKey, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>> {
        let mismatch = || {
            Error::InvalidOption(format!(
                "signature scheme {scheme:?} does not fit a {} key",
                key.key_type()
            ))
        };
        let failed = |e: signature::Error| Error::Crypto(format!("signing failed: {e}"));
        match scheme {
            SignatureScheme::RsaPkcs1v15(d) => {
                let k = key.rsa().ok_or_else(mismatch)?.clone();
                let sig = match d {
                    DigestAlgorithm::Sha256 => rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(k)
                        .try_sign(message)
                        .map(|s| Box::<[u8]>::from(s).into_vec()),
                    DigestAlgorithm::Sha384 => rsa::pkcs1v15::SigningKey::<sha2::Sha384>::new(k)
                        .try_sign(message)
                        .map(|s| Box::<[u8]>::from(s).into_vec()),
                    DigestAlgorithm::Sha512 => rsa::pkcs1v15::SigningKey::<sha2::Sha512>::new(k)
                        .try_sign(message)
                        .map(|s| Box::<[u8]>::from(s).into_vec()),
                };
                sig.map_err(failed)
            }
            SignatureScheme::RsaPss(d) => {
                let k = key.rsa().ok_or_else(mismatch)?.clone();
                let sig = match d {
                    DigestAlgorithm::Sha256 => rsa::pss::SigningKey::<sha2::Sha256>::new(k)
                        .try_sign(message)
                        .map(|s| Box::<[u8]>::from(s).into_vec()),
                    DigestAlgorithm::Sha384 => rsa::pss::SigningKey::<sha2::Sha384>::new(k)
                        .try_sign(message)
                        .map(|s| Box::<[u8]>::from(s).into_vec()),
                    DigestAlgorithm::Sha512 => rsa::pss::SigningKey::<sha2::Sha512>::new(k)
                        .try_sign(message)
                        .map(|s| Box::<[u8]>::from(s).into_vec()),
                };
                sig.map_err(failed)
            }
            SignatureScheme::Ecdsa(d) => {
                let prehash = Self::digest_now(d, message);
                if let Some(k) = key.p256() {
                    let sk = p256::ecdsa::SigningKey::from(k);
                    let sig: p256::ecdsa::Signature = sk.sign_prehash(&prehash).map_err(failed)?;
                    Ok(sig.to_der().as_bytes().to_vec())
                } else if let Some(k) = key.p384() {
                    let sk = p384::ecdsa::SigningKey::from(k);
                    let sig: p384::ecdsa::Signature = sk.sign_prehash(&prehash).map_err(failed)?;
                    Ok(sig.to_der().as_bytes().to_vec())
                } else {
                    Err(mismatch())
                }
            }
            SignatureScheme::Ed25519 => {
                let k = key.ed25519().ok_or_else(mismatch)?;
                Ok(k.try_sign(message).map_err(failed)?.to_bytes().to_vec())
            }
        }
    }
}

impl Provider for RustCryptoProvider {
    fn name(&self) -> &'static str {
        "rustcrypto"
    }

    async fn digest(&self, algorithm: DigestAlgorithm, data: &[u8]) -> Result<Vec<u8>> {
        Ok(Self::digest_now(algorithm, data))
    }

    async fn sign(
        &self,
        key: &PrivateKey,
        scheme: SignatureScheme,
        message: &[u8],
    ) -> Result<Vec<u8>> {
        Self::sign_now(key, scheme, message)
    }
}
