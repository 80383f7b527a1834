//! The MIME layer: prepare a message for signing, build multipart/signed and
//! application/pkcs7-mime, and compose a simple message. No cryptography here.
//!
//! # Why this is written by hand
//!
//! A signature covers exact bytes. RFC 8551 §3.1 asks the signer to put the content into a
//! canonical, 7-bit form *before* signing and then to transmit those very bytes, because any
//! later change — a gateway converting 8-bit text, stripping trailing white space, escaping a
//! line that begins with "From ", re-wrapping long lines — breaks the signature. So this layer
//! must decide every byte of the signed entity and must leave untouched every byte it does not
//! need to change (boundaries, header folding, existing encodings, field order). The mail
//! crates we looked at (`mail-parser`, `mailparse`, `mail-builder`) parse into decoded
//! structures or serialize with their own layout, and none applies the RFC 8551 rules
//! ("From " escaping, trailing white space, 998-octet lines, 7-bit headers inside the signed
//! part); the CRLF-before-delimiter rule of RFC 2046 §5.1.1 also has to hold exactly. The
//! pieces needed (header splitting, RFC 2045 parameters, RFC 2046 multipart splitting,
//! base64, quoted-printable, RFC 2047 and RFC 2231 encoders) are small, and owning them keeps
//! the wasm build free of extra dependencies.
//!
//! # Overview
//!
//! - [`prepare_for_signing`] splits a message (or bare MIME entity) into the header fields that
//!   stay outside the signature and the canonical MIME entity to sign.
//! - [`build_multipart_signed`] wraps that entity and a detached CMS signature into
//!   multipart/signed (RFC 1847, RFC 8551 §3.5.3); the entity goes in verbatim.
//! - [`build_pkcs7_mime`] wraps a CMS object into application/pkcs7-mime (RFC 8551 §3.2).
//! - [`compose`] builds a message from fields, already in canonical form.
//!
//! Parsing never panics on any input: every index into input data is checked, and inputs are
//! bounded by [`crate::policy`] (size, header field count, nesting depth).

mod build;
mod canonicalize;
mod compose;
mod encoding;
mod header;
mod header_protection;
mod parse;
mod received;

use crate::error::Result;

pub use header_protection::{HeaderField, HeaderProtection, RestoredHeaders};
pub(crate) use parse::to_crlf;
pub(crate) use received::{
    EntityKind, entity_kind, pkcs7_mime_signed_data, split_multipart_signed,
};

/// A message split for signing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInput {
    /// Header fields that stay outside the signed entity: every field of the input's top header
    /// block that is not Content-* and not MIME-Version (From, To, Cc, Subject, Date,
    /// Message-ID, Received, X-..., etc.), in original order, folded lines kept, each line
    /// ending in CRLF. Empty for a bare MIME entity.
    pub outer_headers: Vec<u8>,
    /// The canonical MIME entity to be signed: its Content-* header fields, CRLF, body.
    pub entity: Vec<u8>,
}

/// Splits `message` into the outer header fields and the canonical MIME entity to sign.
///
/// `message` is a whole RFC 5322 message or a bare MIME entity (a header block with only
/// Content-* / MIME-Version fields, or none: the input then starts with a blank line), with
/// LF, CRLF or mixed line ends.
///
/// The entity satisfies RFC 8551 §3.1: CRLF line ends, only 7-bit octets (no NUL), lines of
/// at most 998 octets, and no line that starts with "From " or ends in white space (except
/// inside a nested multipart/signed, which is kept as signed). To get there, leaf parts are
/// re-encoded only when needed: text (and other line data declared 7bit/8bit without 8-bit
/// octets) as quoted-printable, other 8-bit or `binary` data as base64; quoted-printable and
/// base64 bodies are kept unless they break the rules; multiparts and message/rfc822 are
/// recursed into; 8-bit header text is encoded per RFC 2047 / RFC 2231. The top entity always
/// gets an explicit Content-Type (`text/plain; charset=us-ascii` if it had none, `utf-8` when
/// its body is 8-bit UTF-8). Everything else is kept byte for byte.
///
/// # Errors
///
/// [`crate::Error::InputTooLarge`] above [`crate::policy::MAX_MESSAGE_SIZE`] or
/// [`crate::policy::MAX_HEADER_FIELDS`] fields in one header block;
/// [`crate::Error::NestingTooDeep`] beyond [`crate::policy::MAX_MIME_DEPTH`];
/// [`crate::Error::MalformedMime`] if the first line is not a header field, the header block
/// does not end, a multipart has no boundary or no delimiter, a field is duplicated
/// (Content-Type, Content-Transfer-Encoding), or a part cannot be made 7-bit.
pub fn prepare_for_signing(message: &[u8]) -> Result<SignInput> {
    canonicalize::prepare(message)
}

/// Splits `message` for an encrypted (or signed-then-encrypted) message with RFC 9788 header
/// protection.
///
/// `entity` is the Cryptographic Payload's root MIME entity, canonical exactly as
/// [`prepare_for_signing`] makes it (so it can be signed too), with: its Content-* fields
/// (Content-Type gaining `hp="cipher"`), then a copy of every outer header field of the
/// message in its original order (From, To, Cc, Subject, Date, Message-ID, Received, ...;
/// 8-bit text RFC 2047-encoded, as [`prepare_for_signing`] does inside the entity), then one
/// `HP-Outer: <name>: <value>` field (RFC 9788 §2.2) for each field left outside, giving the
/// value shown there. `outer_headers` is the header block for the outside after the Header
/// Confidentiality Policy: fields the policy keeps unchanged stay byte for byte, changed ones
/// are rewritten (`hcp_baseline`: `Subject: [...]`, Keywords and Comments left out; `hcp_shy`
/// also strips display names from From, To and Cc and gives Date in UTC).
///
/// With [`HeaderProtection::Off`], or a bare MIME entity (no header field to protect), the
/// result is that of [`prepare_for_signing`]. Any `HP-Outer` fields of the input are dropped.
///
/// # Errors
///
/// Those of [`prepare_for_signing`], and [`crate::Error::MalformedMime`] if a header field
/// cannot be copied into the entity (a line over 998 octets without white space to fold at).
pub fn prepare_for_encryption(message: &[u8], protection: HeaderProtection) -> Result<SignInput> {
    header_protection::prepare_for_encryption(message, protection)
}

/// Splits a message to be signed only, with RFC 9788 header protection (`hp="clear"`).
///
/// As [`prepare_for_signing`], but the entity's Content-Type gains `hp="clear"` and a copy of
/// every outer header field follows its Content-* fields (no `HP-Outer`); `outer_headers` is
/// unchanged. A bare MIME entity is returned as [`prepare_for_signing`] returns it.
///
/// # Errors
///
/// As [`prepare_for_encryption`].
pub fn prepare_for_signing_protected(message: &[u8]) -> Result<SignInput> {
    header_protection::prepare_for_signing_protected(message)
}

/// The effective header fields of a received message (RFC 9788 §4).
///
/// `outer_header_block` is the outer message's header block (a whole message is accepted: its
/// body is ignored); `payload_entity` is the Cryptographic Payload's root entity (decrypted
/// and/or verified); `encrypted` says whether it came out of an encryption layer.
///
/// With `hp="cipher"` or `hp="clear"` on the payload's Content-Type, the payload's
/// non-structural fields (all but Content-*, MIME-Version and HP-Outer) are the protected
/// fields and win over the outer ones; outer fields with other names (added in transit, such
/// as Received) are kept after them and listed as unprotected. A field is reported obscured
/// when the values shown outside differ from the protected ones: for an encrypted `hp="cipher"`
/// payload, "outside" is what its HP-Outer fields record; otherwise the outer fields as
/// received (HP-Outer is ignored unless the payload was encrypted). Without an `hp`
/// parameter (legacy mail), a `message/rfc822; forwarded=no` payload's inner header is taken as
/// protected (the RFC 8551 §3.1 wrapping); anything else gets the outer fields, unprotected.
///
/// # Errors
///
/// [`crate::Error::MalformedMime`] if either header block is not a header block, or the
/// payload has more than one Content-Type; [`crate::Error::InputTooLarge`] beyond
/// [`crate::policy::MAX_MESSAGE_SIZE`] or [`crate::policy::MAX_HEADER_FIELDS`].
pub fn restore_headers(
    outer_header_block: &[u8],
    payload_entity: &[u8],
    encrypted: bool,
) -> Result<RestoredHeaders> {
    header_protection::restore_headers(outer_header_block, payload_entity, encrypted)
}

/// Builds an RFC 1847 / RFC 8551 multipart/signed message.
///
/// Output: `outer_headers`, `MIME-Version: 1.0`, `Content-Type: multipart/signed;
/// protocol="application/pkcs7-signature"; micalg=<micalg>; boundary="<random>"`, a short
/// preamble, then `entity` **exactly** as given (the signed bytes: the CRLF before each
/// delimiter belongs to the delimiter), then an `application/pkcs7-signature` part named
/// smime.p7s holding `signature_der` in base64.
///
/// `micalg` is the RFC 8551 §3.5.3.2 name of the digest, such as `"sha-256"` (a
/// comma-separated list for several signers). `entity` should come from
/// [`prepare_for_signing`].
///
/// # Errors
///
/// [`crate::Error::InvalidOption`] if `outer_headers` is not a CRLF header block without
/// Content-* / MIME-Version fields, `micalg` is not a token (list), or `entity` or
/// `signature_der` is empty; [`crate::Error::Crypto`] if the random number generator fails.
pub fn build_multipart_signed(
    outer_headers: &[u8],
    entity: &[u8],
    micalg: &str,
    signature_der: &[u8],
) -> Result<Vec<u8>> {
    build::multipart_signed(outer_headers, entity, micalg, signature_der)
}

/// Builds an RFC 8551 §3.2 application/pkcs7-mime message.
///
/// Output: `outer_headers`, `MIME-Version: 1.0`, `Content-Type: application/pkcs7-mime;
/// smime-type=<smime_type>; name=smime.p7m`, `Content-Transfer-Encoding: base64`,
/// `Content-Disposition: attachment; filename=smime.p7m`, then `der` in base64.
/// `smime_type` is for example `signed-data`, `enveloped-data`, `authEnveloped-data`,
/// `compressed-data` or `certs-only`.
///
/// # Errors
///
/// [`crate::Error::InvalidOption`] if `smime_type` is not a MIME token, `der` is empty, or
/// `outer_headers` is not acceptable (see [`build_multipart_signed`]).
pub fn build_pkcs7_mime(outer_headers: &[u8], smime_type: &str, der: &[u8]) -> Result<Vec<u8>> {
    build::pkcs7_mime(outer_headers, smime_type, der)
}

/// The fields of a message for [`compose`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComposeFields {
    /// Sender: `addr@example.com` or `Display Name <addr@example.com>` (the name may be
    /// quoted, and may be non-ASCII).
    pub from: String,
    /// Primary recipients, each written like `from`.
    pub to: Vec<String>,
    /// Copy recipients, each written like `from`.
    pub cc: Vec<String>,
    /// Subject (any Unicode; encoded per RFC 2047 when needed).
    pub subject: String,
    /// Seconds since the Unix epoch; formatted RFC 5322 "Thu, 03 Dec 2026 18:00:00 +0000".
    pub date: i64,
    /// Message-ID, without angle brackets or with; `None` = generate
    /// `<random-hex@domain-of-from>`.
    pub message_id: Option<String>,
    /// Plain-text body.
    pub text: Option<String>,
    /// HTML body (with `text`, the two become multipart/alternative).
    pub html: Option<String>,
    /// Attachments (the message becomes multipart/mixed, text parts first).
    pub attachments: Vec<Attachment>,
}

/// A file attached by [`compose`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attachment {
    /// File name (any Unicode; non-ASCII names are written per RFC 2231).
    pub filename: String,
    /// Media type such as `application/pdf` (parameters allowed; not multipart/* or
    /// message/rfc822).
    pub content_type: String,
    /// The file's content.
    pub data: Vec<u8>,
}

/// Builds an RFC 5322 message with CRLF line ends from `fields`.
///
/// Header: Date, From, To, Cc, Subject, Message-ID, MIME-Version (non-ASCII display names
/// and Subject as RFC 2047 encoded words, lines folded at 78). Body: text/plain and/or
/// text/html (multipart/alternative when both; charset=utf-8, 7bit when pure short-line
/// ASCII, quoted-printable otherwise), inside multipart/mixed with base64 attachments when
/// there are any. The result is already canonical: [`prepare_for_signing`] leaves its entity
/// unchanged.
///
/// # Errors
///
/// [`crate::Error::InvalidOption`] naming the field if any field holds CR, LF or NUL, `from`
/// is empty, there is no recipient, an address or Message-ID is malformed, the date is outside
/// the years 1900-9999, or an attachment's name or media type is unusable;
/// [`crate::Error::InputTooLarge`] if the content exceeds
/// [`crate::policy::MAX_MESSAGE_SIZE`]; [`crate::Error::Crypto`] if the random number
/// generator fails.
pub fn compose(fields: &ComposeFields) -> Result<Vec<u8>> {
    compose::compose(fields)
}

#[cfg(test)]
pub(crate) mod test_util {
    /// Small deterministic generator for test data (xorshift64*).
    pub(crate) struct Rng(pub(crate) u64);

    impl Rng {
        pub(crate) fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        pub(crate) fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }
}
