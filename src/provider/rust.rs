//! The pure-Rust (RustCrypto) provider: the reference implementation, used natively and as the
//! browser's fallback.

use sha2::Digest;
use signature::Signer;
use signature::hazmat::PrehashSigner;

use zeroize::Zeroizing;

use super::{
    ContentCipher, DigestAlgorithm, EcdhCurve, KeyTransport, OaepDigest, Provider, RsaDecryption,
    SignatureScheme,
};
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

/// An RNG failure is a crypto failure (it never depends on the input).
fn rng_failed(e: getrandom::Error) -> Error {
    Error::Crypto(format!("random numbers: {e}"))
}

/// CBC encryption with PKCS#7 padding for one AES key size.
fn cbc_encrypt<C>(key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>>
where
    C: cbc::cipher::BlockCipherEncrypt + cbc::cipher::KeyInit,
{
    use cbc::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
    let enc = cbc::Encryptor::<C>::new_from_slices(key, iv)
        .map_err(|_| Error::Crypto("CBC key or IV of the wrong length".into()))?;
    Ok(enc.encrypt_padded_vec::<Pkcs7>(plaintext))
}

/// CBC decryption with PKCS#7 padding; any failure is the one opaque error.
pub(crate) fn cbc_decrypt<C>(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>>
where
    C: cbc::cipher::BlockCipherDecrypt + cbc::cipher::KeyInit,
{
    use cbc::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::Pkcs7};
    let dec = cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| Error::DecryptionFailed)?;
    dec.decrypt_padded_vec::<Pkcs7>(ciphertext)
        .map_err(|_| Error::DecryptionFailed)
}

fn aead_encrypt<A>(key: &[u8], nonce: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>>
where
    A: aes_gcm::aead::Aead + aes_gcm::aead::KeyInit,
{
    let cipher =
        A::new_from_slice(key).map_err(|_| Error::Crypto("AEAD key of the wrong length".into()))?;
    let nonce = aes_gcm::aead::Nonce::<A>::try_from(nonce)
        .map_err(|_| Error::Crypto("AEAD nonce of the wrong length".into()))?;
    cipher
        .encrypt(
            &nonce,
            aes_gcm::aead::Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| Error::Crypto("AEAD encryption failed".into()))
}

fn aead_decrypt<A>(key: &[u8], nonce: &[u8], aad: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>>
where
    A: aes_gcm::aead::Aead + aes_gcm::aead::KeyInit,
{
    let cipher = A::new_from_slice(key).map_err(|_| Error::DecryptionFailed)?;
    let nonce = aes_gcm::aead::Nonce::<A>::try_from(nonce).map_err(|_| Error::DecryptionFailed)?;
    cipher
        .decrypt(
            &nonce,
            aes_gcm::aead::Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map_err(|_| Error::DecryptionFailed)
}

/// Runs `f` with the RustCrypto digest type for an OAEP digest.
macro_rules! with_oaep_digest {
    ($d:expr, $m:expr, |$D:ident, $M:ident| $body:expr) => {
        match ($d, $m) {
            (OaepDigest::Sha1, OaepDigest::Sha1) => {
                type $D = sha1::Sha1;
                type $M = sha1::Sha1;
                $body
            }
            (OaepDigest::Sha224, OaepDigest::Sha224) => {
                type $D = sha2::Sha224;
                type $M = sha2::Sha224;
                $body
            }
            (OaepDigest::Sha256, OaepDigest::Sha256) => {
                type $D = sha2::Sha256;
                type $M = sha2::Sha256;
                $body
            }
            (OaepDigest::Sha384, OaepDigest::Sha384) => {
                type $D = sha2::Sha384;
                type $M = sha2::Sha384;
                $body
            }
            (OaepDigest::Sha512, OaepDigest::Sha512) => {
                type $D = sha2::Sha512;
                type $M = sha2::Sha512;
                $body
            }
            (OaepDigest::Sha256, OaepDigest::Sha1) => {
                type $D = sha2::Sha256;
                type $M = sha1::Sha1;
                $body
            }
            (OaepDigest::Sha384, OaepDigest::Sha1) => {
                type $D = sha2::Sha384;
                type $M = sha1::Sha1;
                $body
            }
            (OaepDigest::Sha512, OaepDigest::Sha1) => {
                type $D = sha2::Sha512;
                type $M = sha1::Sha1;
                $body
            }
            (d, m) => Err(Error::UnsupportedAlgorithm(format!(
                "RSAES-OAEP with {} and MGF1-{}",
                d.name(),
                m.name()
            ))),
        }
    };
}

impl RustCryptoProvider {
    /// Synchronous content encryption (see [`Provider::encrypt_content`]).
    pub fn encrypt_content_now(
        cipher: ContentCipher,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>> {
        match cipher {
            ContentCipher::Aes128Cbc => cbc_encrypt::<aes::Aes128>(key, iv, plaintext),
            ContentCipher::Aes192Cbc => cbc_encrypt::<aes::Aes192>(key, iv, plaintext),
            ContentCipher::Aes256Cbc => cbc_encrypt::<aes::Aes256>(key, iv, plaintext),
            ContentCipher::Aes128Gcm => aead_encrypt::<aes_gcm::Aes128Gcm>(key, iv, aad, plaintext),
            ContentCipher::Aes256Gcm => aead_encrypt::<aes_gcm::Aes256Gcm>(key, iv, aad, plaintext),
            ContentCipher::ChaCha20Poly1305 => {
                aead_encrypt::<chacha20poly1305::ChaCha20Poly1305>(key, iv, aad, plaintext)
            }
        }
    }

    /// Synchronous content decryption (see [`Provider::decrypt_content`]).
    pub fn decrypt_content_now(
        cipher: ContentCipher,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>> {
        match cipher {
            ContentCipher::Aes128Cbc => cbc_decrypt::<aes::Aes128>(key, iv, ciphertext),
            ContentCipher::Aes192Cbc => cbc_decrypt::<aes::Aes192>(key, iv, ciphertext),
            ContentCipher::Aes256Cbc => cbc_decrypt::<aes::Aes256>(key, iv, ciphertext),
            ContentCipher::Aes128Gcm => {
                aead_decrypt::<aes_gcm::Aes128Gcm>(key, iv, aad, ciphertext)
            }
            ContentCipher::Aes256Gcm => {
                aead_decrypt::<aes_gcm::Aes256Gcm>(key, iv, aad, ciphertext)
            }
            ContentCipher::ChaCha20Poly1305 => {
                aead_decrypt::<chacha20poly1305::ChaCha20Poly1305>(key, iv, aad, ciphertext)
            }
        }
    }

    /// Triple-DES (des-ede3-cbc) decryption, for reading old mail only: nothing here writes it
    /// and WebCrypto has no 3DES, so it is not a provider method.
    pub fn decrypt_des3_cbc_now(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>> {
        cbc_decrypt::<des::TdesEde3>(key, iv, ciphertext)
    }

    /// Synchronous AES key wrap (RFC 3394).
    pub fn wrap_key_now(kek: &[u8], key: &[u8]) -> Result<Vec<u8>> {
        use aes_kw::KeyInit;
        let mut out = vec![0u8; key.len() + aes_kw::IV_LEN];
        let bad = |_| Error::Crypto("AES key wrap failed".into());
        let len = match kek.len() {
            16 => aes_kw::KwAes128::new_from_slice(kek)
                .map_err(|_| Error::Crypto("KEK length".into()))?
                .wrap_key(key, &mut out)
                .map_err(bad)?
                .len(),
            24 => aes_kw::KwAes192::new_from_slice(kek)
                .map_err(|_| Error::Crypto("KEK length".into()))?
                .wrap_key(key, &mut out)
                .map_err(bad)?
                .len(),
            32 => aes_kw::KwAes256::new_from_slice(kek)
                .map_err(|_| Error::Crypto("KEK length".into()))?
                .wrap_key(key, &mut out)
                .map_err(bad)?
                .len(),
            n => return Err(Error::Crypto(format!("AES key wrap with a {n}-byte KEK"))),
        };
        out.truncate(len);
        Ok(out)
    }

    /// Synchronous AES key unwrap (RFC 3394); any failure is [`Error::DecryptionFailed`].
    pub fn unwrap_key_now(kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        use aes_kw::KeyInit;
        if wrapped.len() < 16 || !wrapped.len().is_multiple_of(8) {
            return Err(Error::DecryptionFailed);
        }
        let mut out = Zeroizing::new(vec![0u8; wrapped.len() - aes_kw::IV_LEN]);
        let bad = |_| Error::DecryptionFailed;
        let len = match kek.len() {
            16 => aes_kw::KwAes128::new_from_slice(kek)
                .map_err(|_| Error::DecryptionFailed)?
                .unwrap_key(wrapped, &mut out)
                .map_err(bad)?
                .len(),
            24 => aes_kw::KwAes192::new_from_slice(kek)
                .map_err(|_| Error::DecryptionFailed)?
                .unwrap_key(wrapped, &mut out)
                .map_err(bad)?
                .len(),
            32 => aes_kw::KwAes256::new_from_slice(kek)
                .map_err(|_| Error::DecryptionFailed)?
                .unwrap_key(wrapped, &mut out)
                .map_err(bad)?
                .len(),
            _ => return Err(Error::DecryptionFailed),
        };
        out.truncate(len);
        Ok(out)
    }

    /// Synchronous RSA encryption of a content-encryption key.
    pub fn rsa_encrypt_now(spki: &[u8], transport: KeyTransport, key: &[u8]) -> Result<Vec<u8>> {
        use pkcs8::DecodePublicKey;
        let public = rsa::PublicKey::from_public_key_der(spki)
            .map_err(|e| Error::RecipientKeyUnusable(format!("RSA public key: {e}")))?;
        let failed = |e: rsa::Error| Error::Crypto(format!("RSA encryption: {e}"));
        match transport {
            KeyTransport::RsaPkcs1v15 => public
                .encrypt(&mut getrandom::SysRng, rsa::Pkcs1v15Encrypt, key)
                .map_err(failed),
            KeyTransport::RsaOaep => public
                .encrypt(
                    &mut getrandom::SysRng,
                    rsa::Oaep::<sha2::Sha256>::new(),
                    key,
                )
                .map_err(failed),
        }
    }

    /// Synchronous RSA decryption of a transported key; every failure is
    /// [`Error::DecryptionFailed`] (an unsupported OAEP hash pair is named instead).
    pub fn rsa_decrypt_now(
        key: &PrivateKey,
        scheme: &RsaDecryption,
        wrapped: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        let rsa_key = key.rsa().ok_or(Error::DecryptionFailed)?;
        let out = match scheme {
            RsaDecryption::Pkcs1v15 => rsa_key
                .decrypt_blinded(&mut getrandom::SysRng, rsa::Pkcs1v15Encrypt, wrapped)
                .map_err(|_| Error::DecryptionFailed)?,
            RsaDecryption::Oaep {
                digest,
                mgf1_digest,
                label,
            } => with_oaep_digest!(*digest, *mgf1_digest, |D, M| {
                let padding = rsa::Oaep::<D, M>::new_with_mgf_hash_and_label(label.clone());
                rsa_key
                    .decrypt_blinded(&mut getrandom::SysRng, padding, wrapped)
                    .map_err(|_| Error::DecryptionFailed)
            })?,
        };
        Ok(Zeroizing::new(out))
    }

    /// Synchronous ephemeral-static ECDH (see [`Provider::ecdh_ephemeral`]).
    pub fn ecdh_ephemeral_now(
        curve: EcdhCurve,
        peer_public: &[u8],
    ) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>)> {
        use p256::elliptic_curve::Generate;
        let unusable = || {
            Error::RecipientKeyUnusable(format!("the recipient's {curve:?} public key is invalid"))
        };
        match curve {
            EcdhCurve::P256 => {
                let peer = p256::PublicKey::from_sec1_bytes(peer_public).map_err(|_| unusable())?;
                let eph = p256::SecretKey::try_generate_from_rng(&mut getrandom::SysRng)
                    .map_err(rng_failed)?;
                let shared = p256::ecdh::diffie_hellman(eph.to_nonzero_scalar(), peer.as_affine());
                Ok((
                    eph.public_key().to_sec1_bytes().into_vec(),
                    Zeroizing::new(shared.raw_secret_bytes().to_vec()),
                ))
            }
            EcdhCurve::P384 => {
                let peer = p384::PublicKey::from_sec1_bytes(peer_public).map_err(|_| unusable())?;
                let eph = p384::SecretKey::try_generate_from_rng(&mut getrandom::SysRng)
                    .map_err(rng_failed)?;
                let shared = p384::ecdh::diffie_hellman(eph.to_nonzero_scalar(), peer.as_affine());
                Ok((
                    eph.public_key().to_sec1_bytes().into_vec(),
                    Zeroizing::new(shared.raw_secret_bytes().to_vec()),
                ))
            }
            EcdhCurve::X25519 => {
                let peer: [u8; 32] = peer_public.try_into().map_err(|_| unusable())?;
                let peer = x25519_dalek::PublicKey::from(peer);
                let mut seed = Zeroizing::new([0u8; 32]);
                getrandom::fill(seed.as_mut_slice()).map_err(rng_failed)?;
                let eph = x25519_dalek::StaticSecret::from(*seed);
                let public = x25519_dalek::PublicKey::from(&eph);
                let shared = eph.diffie_hellman(&peer);
                if !shared.was_contributory() {
                    return Err(unusable());
                }
                Ok((
                    public.as_bytes().to_vec(),
                    Zeroizing::new(shared.as_bytes().to_vec()),
                ))
            }
        }
    }

    /// Synchronous static-ephemeral ECDH (see [`Provider::ecdh`]).
    pub fn ecdh_now(key: &PrivateKey, peer_public: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if let Some(k) = key.p256() {
            let peer = p256::PublicKey::from_sec1_bytes(peer_public)
                .map_err(|_| Error::DecryptionFailed)?;
            let shared = p256::ecdh::diffie_hellman(k.to_nonzero_scalar(), peer.as_affine());
            Ok(Zeroizing::new(shared.raw_secret_bytes().to_vec()))
        } else if let Some(k) = key.p384() {
            let peer = p384::PublicKey::from_sec1_bytes(peer_public)
                .map_err(|_| Error::DecryptionFailed)?;
            let shared = p384::ecdh::diffie_hellman(k.to_nonzero_scalar(), peer.as_affine());
            Ok(Zeroizing::new(shared.raw_secret_bytes().to_vec()))
        } else if let Some(k) = key.x25519() {
            let peer: [u8; 32] = peer_public
                .try_into()
                .map_err(|_| Error::DecryptionFailed)?;
            let shared = k.diffie_hellman(&x25519_dalek::PublicKey::from(peer));
            if !shared.was_contributory() {
                return Err(Error::DecryptionFailed);
            }
            Ok(Zeroizing::new(shared.as_bytes().to_vec()))
        } else {
            Err(Error::DecryptionFailed)
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
