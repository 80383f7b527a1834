//! Limits and algorithm defaults, in one place.

/// Largest message `sign` and `compose` accept, in bytes (256 MiB; streaming comes later).
pub const MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;

/// Largest key or certificate input accepted, in bytes.
pub const MAX_KEY_INPUT_SIZE: usize = 1024 * 1024;

/// Deepest MIME nesting (multipart within multipart, message/rfc822) accepted.
pub const MAX_MIME_DEPTH: usize = 32;

/// Most header fields accepted in one header block.
pub const MAX_HEADER_FIELDS: usize = 1000;

/// Smallest RSA modulus accepted for signing, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// Largest RSA modulus accepted, in bits (bounds the work an input can cause).
pub const MAX_RSA_BITS: usize = 8192;

/// Most PBKDF2 iterations accepted in an encrypted key (bounds the work a hostile file causes).
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// Most memory an scrypt-encrypted key may ask for (128 · r · N bytes).
pub const MAX_SCRYPT_MEMORY: u64 = 256 * 1024 * 1024;

/// Largest PKCS#12 file accepted, in bytes.
pub const MAX_PKCS12_INPUT_SIZE: usize = 4 * 1024 * 1024;

/// Deepest ASN.1 nesting accepted in a PKCS#12 file (and nested SafeContents bags).
pub const MAX_PKCS12_DEPTH: usize = 32;

/// Most iterations accepted for a PKCS#12 MAC or legacy PBE key derivation (PBES2 uses
/// [`MAX_PBKDF2_ITERATIONS`]). The RFC 7292 KDF runs one hash per iteration.
pub const MAX_PKCS12_ITERATIONS: u32 = 10_000_000;

/// Most recipients one encrypted message may have (each costs a public-key operation).
pub const MAX_RECIPIENTS: usize = 1000;

/// Deepest nesting of CMS layers (signed within encrypted within signed ...) `open` follows.
pub const MAX_CMS_DEPTH: usize = 16;

/// Most certificates accepted in one message (all layers together).
pub const MAX_CERTIFICATES_PER_MESSAGE: usize = 256;

/// Largest CMS structure accepted, in bytes (a whole message is bounded by [`MAX_MESSAGE_SIZE`]).
pub const MAX_CMS_SIZE: usize = MAX_MESSAGE_SIZE;

/// Most certificates in a certification path, leaf and trust anchor included
/// ([`crate::path::validate`]).
pub const MAX_PATH_LENGTH: usize = 10;

/// Most candidate certificates (message certificates plus intermediates) path building looks at;
/// the rest are ignored.
pub const MAX_PATH_CANDIDATES: usize = 256;

/// Most units of work path building spends before it gives up: one per signature checked while
/// choosing issuers, one per step down to an intermediate, and one per certificate of each
/// complete path validated.
pub const MAX_PATH_BUILDING_ATTEMPTS: usize = 400;

/// Most SignerInfos accepted in one SignedData (each costs a public-key operation).
pub const MAX_SIGNERS: usize = 64;

/// Deepest ASN.1 nesting accepted in a CMS structure read for verification.
pub const MAX_CMS_ASN1_DEPTH: usize = 64;
