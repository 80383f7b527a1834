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
use const_oid::db::{rfc5911, rfc5912};

use zeroize::Zeroizing;

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

/// A content-encryption algorithm for S/MIME (RFC 8551 §2.7). The CBC ciphers make an
/// EnvelopedData, the authenticated ones (GCM, ChaCha20-Poly1305) an AuthEnvelopedData (RFC 5083).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContentCipher {
    /// AES-128 in CBC mode (RFC 3565).
    Aes128Cbc,
    /// AES-192 in CBC mode (RFC 3565).
    Aes192Cbc,
    /// AES-256 in CBC mode (RFC 3565), the default: every S/MIME client reads it.
    Aes256Cbc,
    /// AES-128 in GCM mode, 12-byte nonce, 16-byte tag (RFC 5084).
    Aes128Gcm,
    /// AES-256 in GCM mode, 12-byte nonce, 16-byte tag (RFC 5084).
    Aes256Gcm,
    /// ChaCha20-Poly1305 (RFC 8103), 12-byte nonce, 16-byte tag.
    ChaCha20Poly1305,
}

impl ContentCipher {
    /// Every cipher, in order of preference for reading capability lists.
    pub const ALL: [ContentCipher; 6] = [
        ContentCipher::Aes256Gcm,
        ContentCipher::Aes128Gcm,
        ContentCipher::ChaCha20Poly1305,
        ContentCipher::Aes256Cbc,
        ContentCipher::Aes192Cbc,
        ContentCipher::Aes128Cbc,
    ];

    /// The option spelling: `aes-256-cbc`, `aes-128-gcm`, `chacha20-poly1305`, ...
    pub fn name(self) -> &'static str {
        match self {
            ContentCipher::Aes128Cbc => "aes-128-cbc",
            ContentCipher::Aes192Cbc => "aes-192-cbc",
            ContentCipher::Aes256Cbc => "aes-256-cbc",
            ContentCipher::Aes128Gcm => "aes-128-gcm",
            ContentCipher::Aes256Gcm => "aes-256-gcm",
            ContentCipher::ChaCha20Poly1305 => "chacha20-poly1305",
        }
    }

    /// Parses [`ContentCipher::name`] (case-insensitive; `aes256-cbc` without the first dash
    /// is accepted too).
    pub fn from_name(s: &str) -> Option<Self> {
        let lower = s.trim().to_ascii_lowercase();
        ContentCipher::ALL
            .into_iter()
            .find(|c| c.name() == lower || c.name().replacen('-', "", 1) == lower)
    }

    /// True for the AEAD ciphers (AuthEnvelopedData).
    pub fn is_authenticated(self) -> bool {
        matches!(
            self,
            ContentCipher::Aes128Gcm | ContentCipher::Aes256Gcm | ContentCipher::ChaCha20Poly1305
        )
    }

    /// The algorithm's OID (contentEncryptionAlgorithm).
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            ContentCipher::Aes128Cbc => rfc5911::ID_AES_128_CBC,
            ContentCipher::Aes192Cbc => rfc5911::ID_AES_192_CBC,
            ContentCipher::Aes256Cbc => rfc5911::ID_AES_256_CBC,
            ContentCipher::Aes128Gcm => rfc5911::ID_AES_128_GCM,
            ContentCipher::Aes256Gcm => rfc5911::ID_AES_256_GCM,
            ContentCipher::ChaCha20Poly1305 => OID_CHACHA20_POLY1305,
        }
    }

    /// The cipher for a contentEncryptionAlgorithm OID (of those this crate writes).
    pub fn from_oid(oid: ObjectIdentifier) -> Option<Self> {
        ContentCipher::ALL.into_iter().find(|c| c.oid() == oid)
    }

    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            ContentCipher::Aes128Cbc | ContentCipher::Aes128Gcm => 16,
            ContentCipher::Aes192Cbc => 24,
            ContentCipher::Aes256Cbc
            | ContentCipher::Aes256Gcm
            | ContentCipher::ChaCha20Poly1305 => 32,
        }
    }

    /// Length of the IV (CBC: 16) or nonce (GCM, ChaCha20-Poly1305: 12) written, in bytes.
    pub fn iv_len(self) -> usize {
        if self.is_authenticated() { 12 } else { 16 }
    }
}

/// id-alg-AEADChaCha20Poly1305 (RFC 8103).
pub const OID_CHACHA20_POLY1305: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.3.18");

/// RSA key transport written for a recipient (KeyTransRecipientInfo).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum KeyTransport {
    /// RSAES-PKCS1-v1_5 (rsaEncryption), the default: every client reads it.
    #[default]
    RsaPkcs1v15,
    /// RSAES-OAEP with SHA-256 and MGF1-SHA-256, empty label (RFC 4055 / RFC 8017).
    RsaOaep,
}

/// A digest used inside RSAES-OAEP (the label hash or MGF1), as read from RSAES-OAEP-params.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OaepDigest {
    /// SHA-1 (the RFC 8017 default).
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl OaepDigest {
    /// The digest for an OID.
    pub fn from_oid(oid: ObjectIdentifier) -> Option<Self> {
        [
            (rfc5912::ID_SHA_1, OaepDigest::Sha1),
            (rfc5912::ID_SHA_224, OaepDigest::Sha224),
            (rfc5912::ID_SHA_256, OaepDigest::Sha256),
            (rfc5912::ID_SHA_384, OaepDigest::Sha384),
            (rfc5912::ID_SHA_512, OaepDigest::Sha512),
        ]
        .into_iter()
        .find(|(o, _)| *o == oid)
        .map(|(_, d)| d)
    }

    /// Lower-case name without dash (`sha256`), as used in key-management names.
    pub fn name(self) -> &'static str {
        match self {
            OaepDigest::Sha1 => "sha1",
            OaepDigest::Sha224 => "sha224",
            OaepDigest::Sha256 => "sha256",
            OaepDigest::Sha384 => "sha384",
            OaepDigest::Sha512 => "sha512",
        }
    }
}

/// The RSA decryption a KeyTransRecipientInfo asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RsaDecryption {
    /// RSAES-PKCS1-v1_5. rsa 0.10 uses implicit rejection: a wrong key or bad padding gives
    /// pseudo-random bytes, not an error, and the failure shows later (CEK length, padding, tag).
    Pkcs1v15,
    /// RSAES-OAEP with the given label hash, MGF1 hash and label.
    Oaep {
        /// The hash of the label.
        digest: OaepDigest,
        /// The hash MGF1 runs on.
        mgf1_digest: OaepDigest,
        /// The label (pSpecified; usually empty).
        label: Vec<u8>,
    },
}

/// The key-agreement curves this crate does ECDH on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EcdhCurve {
    /// NIST P-256 (public keys as uncompressed SEC1 points).
    P256,
    /// NIST P-384 (public keys as uncompressed SEC1 points).
    P384,
    /// X25519 (RFC 7748; 32-byte public keys).
    X25519,
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

    /// Encrypts content with a fresh `key` and `iv` (CBC: 16 bytes, PKCS#7 padding; GCM and
    /// ChaCha20-Poly1305: a 12-byte nonce, `aad` authenticated, the 16-byte tag appended to the
    /// ciphertext). A separate method per operation (rather than one "envelop" primitive) keeps
    /// a chunked or streaming CBC/GCM possible later.
    async fn encrypt_content(
        &self,
        cipher: ContentCipher,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>> {
        RustCryptoProvider::encrypt_content_now(cipher, key, iv, aad, plaintext)
    }

    /// Decrypts what [`Provider::encrypt_content`] made (for GCM/ChaCha the input is
    /// ciphertext‖tag). Any failure (padding, tag, lengths) is [`crate::Error::DecryptionFailed`];
    /// no plaintext is returned unless the tag verified.
    async fn decrypt_content(
        &self,
        cipher: ContentCipher,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>> {
        RustCryptoProvider::decrypt_content_now(cipher, key, iv, aad, ciphertext)
    }

    /// AES key wrap (RFC 3394) of `key` under `kek` (16, 24 or 32 bytes).
    async fn wrap_key(&self, kek: &[u8], key: &[u8]) -> Result<Vec<u8>> {
        RustCryptoProvider::wrap_key_now(kek, key)
    }

    /// AES key unwrap (RFC 3394); an integrity failure is [`crate::Error::DecryptionFailed`].
    async fn unwrap_key(&self, kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        RustCryptoProvider::unwrap_key_now(kek, wrapped)
    }

    /// RSA-encrypts `key` (a content-encryption key) to the RSA public key in `spki` (DER
    /// SubjectPublicKeyInfo) with the given padding.
    async fn rsa_encrypt(
        &self,
        spki: &[u8],
        transport: KeyTransport,
        key: &[u8],
    ) -> Result<Vec<u8>> {
        RustCryptoProvider::rsa_encrypt_now(spki, transport, key)
    }

    /// RSA-decrypts a transported key with `key`. Failures are
    /// [`crate::Error::DecryptionFailed`]; with PKCS#1 v1.5 a wrong key usually "succeeds" with
    /// random bytes (implicit rejection), which the caller must treat like any other failure.
    async fn rsa_decrypt(
        &self,
        key: &PrivateKey,
        scheme: &RsaDecryption,
        wrapped: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        RustCryptoProvider::rsa_decrypt_now(key, scheme, wrapped)
    }

    /// Makes a fresh ephemeral key pair on `curve` and agrees a secret with the recipient's
    /// public key `peer_public` (SEC1 point or 32 X25519 bytes). Returns the ephemeral public key
    /// (same encoding) and the shared secret (the x-coordinate for P-256/P-384).
    async fn ecdh_ephemeral(
        &self,
        curve: EcdhCurve,
        peer_public: &[u8],
    ) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>)> {
        RustCryptoProvider::ecdh_ephemeral_now(curve, peer_public)
    }

    /// Agrees a secret between our `key` and the originator's public key `peer_public` (SEC1
    /// point or 32 X25519 bytes). A point not on the curve is [`crate::Error::DecryptionFailed`].
    async fn ecdh(&self, key: &PrivateKey, peer_public: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        RustCryptoProvider::ecdh_now(key, peer_public)
    }
}

/// Runs a provider future to completion on the current thread (native code only; in the browser
/// the JS event loop drives the futures).
#[cfg(not(target_arch = "wasm32"))]
pub fn block_on<F: core::future::Future>(future: F) -> F::Output {
    pollster::block_on(future)
}
