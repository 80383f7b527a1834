//! Cryptographic primitives behind one small async trait.
//!
//! The CMS and MIME code never calls a cipher or signature crate directly; it asks a [`Provider`].
//! [`RustCryptoProvider`] (pure Rust, everywhere) is the reference implementation. In the browser
//! build a WebCrypto provider (`src/wasm/webcrypto.rs`) does the same work in the page's native
//! crypto, which is many times faster than Rust compiled to wasm, and falls back to RustCrypto for
//! what WebCrypto lacks. Native code drives the async operations with a trivial executor, since
//! RustCrypto futures are always ready.

mod rust;

pub use rust::RustCryptoProvider;

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912;

use crate::error::Result;
use crate::identity::PrivateKey;

/// A message digest algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-256 (the default).
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    /// The algorithm's OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            DigestAlgorithm::Sha256 => rfc5912::ID_SHA_256,
            DigestAlgorithm::Sha384 => rfc5912::ID_SHA_384,
            DigestAlgorithm::Sha512 => rfc5912::ID_SHA_512,
        }
    }

    /// The `micalg` parameter value for multipart/signed (RFC 8551 §3.5.3).
    pub fn micalg(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "sha-256",
            DigestAlgorithm::Sha384 => "sha-384",
            DigestAlgorithm::Sha512 => "sha-512",
        }
    }

    /// The WebCrypto name (`SHA-256`, ...).
    pub fn webcrypto_name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sha384 => "SHA-384",
            DigestAlgorithm::Sha512 => "SHA-512",
        }
    }

    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            DigestAlgorithm::Sha256 => 32,
            DigestAlgorithm::Sha384 => 48,
            DigestAlgorithm::Sha512 => 64,
        }
    }

    /// Parses the option spelling `sha256` / `sha-256` (case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "sha256" | "sha-256" => Some(DigestAlgorithm::Sha256),
            "sha384" | "sha-384" => Some(DigestAlgorithm::Sha384),
            "sha512" | "sha-512" => Some(DigestAlgorithm::Sha512),
            _ => None,
        }
    }
}

/// A signature scheme: key type, padding and the digest the signature is computed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1v15(DigestAlgorithm),
    /// RSASSA-PSS with MGF1 over the same digest and a salt as long as the digest (RFC 4055).
    RsaPss(DigestAlgorithm),
    /// ECDSA (P-256 or P-384, as the key says); DER-encoded signature.
    Ecdsa(DigestAlgorithm),
    /// Pure Ed25519 (RFC 8032); in CMS the content digest is SHA-512 (RFC 8419).
    Ed25519,
}

impl SignatureScheme {
    /// The digest the signature hashes with.
    pub fn digest(self) -> DigestAlgorithm {
        match self {
            SignatureScheme::RsaPkcs1v15(d)
            | SignatureScheme::RsaPss(d)
            | SignatureScheme::Ecdsa(d) => d,
            SignatureScheme::Ed25519 => DigestAlgorithm::Sha512,
        }
    }
}

/// The primitives the message operations need. Implementations must be constant-time where the
/// underlying primitive is, and must never expose key material.
///
/// The futures are not `Send`: in the browser they wrap JavaScript promises.
#[allow(async_fn_in_trait)] // wasm futures hold JsValues and cannot be Send; callers are generic
pub trait Provider {
    /// A short name for diagnostics and benchmarks (`rustcrypto`, `webcrypto`).
    fn name(&self) -> &'static str;

    /// Hashes `data`.
    async fn digest(&self, algorithm: DigestAlgorithm, data: &[u8]) -> Result<Vec<u8>>;

    /// Signs `message` (the provider hashes it as the scheme says). ECDSA signatures are returned
    /// DER-encoded (`Ecdsa-Sig-Value`), as CMS carries them.
    async fn sign(
        &self,
        key: &PrivateKey,
        scheme: SignatureScheme,
        message: &[u8],
    ) -> Result<Vec<u8>>;
}

/// Runs a provider future to completion on the current thread (native code only; in the browser
/// the JS event loop drives the futures).
#[cfg(not(target_arch = "wasm32"))]
pub fn block_on<F: core::future::Future>(future: F) -> F::Output {
    pollster::block_on(future)
}
