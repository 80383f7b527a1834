//! JavaScript bindings (wasm32 only). The only module that knows about JS: it converts arguments
//! and options, runs the core operations on the WebCrypto or RustCrypto provider, and turns
//! [`crate::Error`] into a JS `Error` named `SmimeError` with a stable `code`.
//!
//! Every operation returns a Promise. Options objects are checked: an unknown key is an
//! `INVALID_OPTION` error naming it (as OpenPGP.js does), so a typo never silently falls back to
//! a default.

mod api;
mod convert;
mod encrypt;
mod js_error;
mod open;
mod webcrypto;

pub use api::{
    Certificate, Identity, Pkcs12ExportOptionsArg, SignOptionsArg, compose, error_codes, sign,
};
pub use encrypt::{
    DecryptFileOptionsArg, EncryptOptionsArg, SignAndEncryptOptionsArg, decrypt_file, encrypt,
    encrypt_file, plan_encryption, sign_and_encrypt,
};
pub use open::{OpenOptionsArg, extract_certificates, open, problem_codes};
