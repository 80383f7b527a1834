//! Helpers shared by the integration tests (`mod common;`).
//!
//! - [`peers`] runs the independent S/MIME implementations of `tests/peers/peers.sh`
//!   (OpenSSL, gpgsm, NSS, pyca, Bouncy Castle) and judges their verdicts;
//! - [`mime`] is a small, strict reader of the MIME structure of a message, used to check
//!   what a signer wrote (headers, parts, decoded bodies) without trusting this crate;
//! - [`smime`] looks inside an S/MIME output: the signed bytes, the CMS SignedData fields.
//!
//! Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

pub mod mime;
pub mod peers;
pub mod smime;

use std::path::PathBuf;

/// A path inside the repository.
pub fn repo_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A path inside `tests/data/` (the vectors, see tests/data/README.md).
pub fn data_path(rel: &str) -> PathBuf {
    repo_path("tests/data").join(rel)
}

/// The bytes of a file in `tests/data/`; panics with the path when it is missing.
pub fn data(rel: &str) -> Vec<u8> {
    let p = data_path(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}
