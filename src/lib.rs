//! smime-wasm: S/MIME (RFC 8551) in pure Rust, for native code and the browser.

pub mod error;
pub mod mime;
pub mod policy;

pub use error::{Error, Result};
