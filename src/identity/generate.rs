//! Key generation, for test identities ([`crate::testca`]).

use zeroize::Zeroizing;

use super::{KeyInner, KeyType, PrivateKey};
use crate::error::{Error, Result};

impl PrivateKey {
    /// A new random key from the system's random number generator (`crypto.getRandomValues` in
    /// WebAssembly). RSA: 2048, 3072 or 4096 bits.
    pub(crate) fn generate(key_type: KeyType) -> Result<Self> {
        use p256::elliptic_curve::Generate;
        let rng_failed = |e: getrandom::Error| Error::Crypto(format!("random numbers: {e}"));
        let inner = match key_type {
            KeyType::Rsa(bits @ (2048 | 3072 | 4096)) => KeyInner::Rsa(Box::new(
                rsa::PrivateKey::new(&mut getrandom::SysRng, bits)
                    .map_err(|e| Error::Crypto(format!("RSA-{bits} key generation: {e}")))?,
            )),
            KeyType::Rsa(bits) => {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "generating RSA-{bits} keys (2048, 3072 or 4096 bits)"
                )));
            }
            KeyType::P256 => KeyInner::P256(
                p256::SecretKey::try_generate_from_rng(&mut getrandom::SysRng)
                    .map_err(rng_failed)?,
            ),
            KeyType::P384 => KeyInner::P384(
                p384::SecretKey::try_generate_from_rng(&mut getrandom::SysRng)
                    .map_err(rng_failed)?,
            ),
            KeyType::Ed25519 => {
                let mut seed = Zeroizing::new([0u8; 32]);
                getrandom::fill(seed.as_mut_slice()).map_err(rng_failed)?;
                KeyInner::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&seed)))
            }
            KeyType::X25519 => {
                let mut seed = Zeroizing::new([0u8; 32]);
                getrandom::fill(seed.as_mut_slice()).map_err(rng_failed)?;
                KeyInner::X25519(Box::new(x25519_dalek::StaticSecret::from(*seed)))
            }
        };
        Ok(Self { inner })
    }
}
