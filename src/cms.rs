//! CMS (RFC 5652) structures this crate writes, on top of the `cms` crate's ASN.1 types.
//!
//! The `cms` crate's builders take synchronous `Signer`s; our signatures come from an async
//! [`crate::provider::Provider`] (WebCrypto returns promises), so SignedData is assembled here from
//! the crate's types: the signed attributes are encoded, handed to the provider, and the result is
//! placed in the SignerInfo.

pub(crate) mod attributes;
pub(crate) mod enveloped;
pub(crate) mod signed_data;
