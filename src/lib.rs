//! smime-wasm: S/MIME (RFC 8551) in pure Rust, for native code and the browser.
//!
//! ```text
//!  key + certificates ──► Identity ─┐
//!                                   ├─► sign() ──► multipart/signed or application/pkcs7-mime
//!  RFC 5322 message ─► mime::prepare_for_signing (canonical, 7-bit entity)
//!                                   │
//!                       cms::signed_data ──► Provider (RustCrypto, or WebCrypto in the browser)
//! ```
//!
//! The library does no network I/O, has no clock of its own in WebAssembly (time comes from the
//! caller), and never returns private key material.
//!
//! ```no_run
//! # #[cfg(target_arch = "wasm32")] fn main() {}
//! # #[cfg(not(target_arch = "wasm32"))]
//! # fn main() -> Result<(), smime_wasm::Error> {
//! use smime_wasm::{Identity, SignOptions, sign};
//! let key = std::fs::read("alice.key").unwrap();
//! let certs = std::fs::read("alice.crt").unwrap();
//! let me = Identity::from_pem(&key, &certs, None)?;
//! let signed = sign(b"From: alice@example.com\r\nSubject: hi\r\n\r\nHello\r\n", &me, &SignOptions::default())?;
//! # let _ = signed; Ok(()) }
//! ```

pub mod certificate;
mod cms;
pub mod encrypt;
pub mod envelope;
pub mod error;
pub mod identity;
pub mod mime;
pub mod open;
pub mod path;
mod pem;
mod pkcs12;
pub mod policy;
pub mod provider;
pub mod sign;
pub mod testca;
pub mod verify;
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)] // wasm-bindgen's generated glue uses unsafe; our own code in it does not
pub mod wasm;

pub use certificate::Certificate;
pub use encrypt::{EncryptOptions, EncryptionPlan};
#[cfg(not(target_arch = "wasm32"))]
pub use encrypt::{decrypt_file, encrypt, encrypt_file, sign_and_encrypt};
pub use envelope::{
    ContentCipher, Decrypted, EnvelopeInfo, EnvelopeOptions, KeyTransport, Recipient,
    RecipientIdType, RecipientKeyKind, RecipientSummary, check_recipient, decrypt, envelop,
    inspect,
};
pub use error::{Error, Result};
pub use identity::{Identity, KeyType, PrivateKey};
pub use path::{PathOptions, PathResult, Purpose};
pub use provider::{DigestAlgorithm, Provider, RustCryptoProvider, SignatureScheme};
#[cfg(not(target_arch = "wasm32"))]
pub use sign::sign;
pub use sign::{RsaPadding, SignOptions, sign_with};
pub use testca::TestIdentityOptions;
pub use verify::{
    EncryptionKeyPreference, SIGNER_PROBLEMS, SignedLayer, SignerReport, VerifyOptions,
    verify_multipart_signed, verify_multipart_signed_with, verify_pkcs7_mime,
    verify_pkcs7_mime_with, verify_signed_data, verify_signed_data_with,
};
