//! The one error type of the crate, with stable machine-readable codes.
//!
//! Every failure maps to exactly one [`Error`] variant, and every variant has a
//! stable [`Error::code`] string (`"MALFORMED_KEY"`, ...). The codes are part of
//! the public API: JavaScript callers receive them as `error.code`, and the
//! README lists them. Messages (`Display`) are stable English for humans; do not
//! match on them.

use core::fmt;

/// Everything that can go wrong in this crate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The private key could not be parsed (not PEM/DER PKCS#8, PKCS#1 or SEC1).
    MalformedKey(String),
    /// The private key is encrypted and the passphrase does not decrypt it.
    WrongPassphrase,
    /// The private key is encrypted and no passphrase was given.
    PassphraseRequired,
    /// None of the given certificates holds the public key of the given private key.
    KeyCertMismatch,
    /// A certificate could not be parsed.
    MalformedCertificate(String),
    /// No certificate was given where one is required.
    NoCertificate,
    /// An algorithm, key type, curve or key encryption scheme that this crate does not support.
    UnsupportedAlgorithm(String),
    /// The message is not valid MIME / RFC 5322 (for example, no end of the header block).
    MalformedMime(String),
    /// An input exceeds a limit of [`crate::policy`] (a size in bytes, or a count).
    InputTooLarge {
        /// What was too large, with its unit ("message size in bytes", ...).
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// MIME nesting deeper than [`crate::policy::MAX_MIME_DEPTH`].
    NestingTooDeep {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// An option has a value this crate does not accept (the option is named).
    InvalidOption(String),
    /// The certificate's keyUsage forbids the operation (for example signing with a certificate
    /// that only allows key encipherment).
    KeyUsage(String),
    /// A cryptographic primitive failed (provider error, RNG failure, key rejected by the provider).
    Crypto(String),
    /// An ASN.1 structure could not be encoded (should not happen with valid inputs).
    Encoding(String),
    /// The PKCS#12 password is wrong: the MAC does not verify, or (in a file without MAC) the
    /// contents do not decrypt with it.
    WrongPassword,
    /// The PKCS#12 file uses a password-based encryption, MAC or integrity mode this crate does not
    /// support (the algorithm is named), or a cost beyond the policy's limits.
    UnsupportedPbe(String),
    /// The PKCS#12 file holds no private key.
    NoPrivateKey,
    /// The input is not a well-formed PKCS#12 (PFX) file.
    MalformedPkcs12(String),
    /// Encryption was asked for with no recipient certificate (and no own encryption certificate).
    NoRecipients,
    /// A recipient's certificate cannot be encrypted to: its key type is not supported for key
    /// transport or agreement, its key is too small, or its keyUsage forbids keyEncipherment /
    /// keyAgreement. The recipient and the reason are named.
    RecipientKeyUnusable(String),
    /// The input is not well-formed CMS (RFC 5652) where CMS was expected: bad ASN.1, a content
    /// type other than the one required, or missing fields.
    MalformedCms(String),
    /// None of the identity's keys matches a recipient of the encrypted message.
    NotARecipient,
    /// Decryption failed: wrong key, corrupted key transport, bad padding or a failed
    /// authentication tag. Deliberately one opaque error (no padding or MAC oracle); no
    /// plaintext is ever returned with it.
    DecryptionFailed,
    /// The content a signature covers differs from the content the message shows (eContent
    /// confusion), or a messageDigest / contentType attribute contradicts the content.
    ContentMismatch(String),
}

impl Error {
    /// The stable, documented code of this error (`SCREAMING_SNAKE_CASE`).
    pub fn code(&self) -> &'static str {
        match self {
            Error::MalformedKey(_) => "MALFORMED_KEY",
            Error::WrongPassphrase => "WRONG_PASSPHRASE",
            Error::PassphraseRequired => "PASSPHRASE_REQUIRED",
            Error::KeyCertMismatch => "KEY_CERT_MISMATCH",
            Error::MalformedCertificate(_) => "MALFORMED_CERTIFICATE",
            Error::NoCertificate => "NO_CERTIFICATE",
            Error::UnsupportedAlgorithm(_) => "UNSUPPORTED_ALGORITHM",
            Error::MalformedMime(_) => "MALFORMED_MIME",
            Error::InputTooLarge { .. } => "INPUT_TOO_LARGE",
            Error::NestingTooDeep { .. } => "NESTING_TOO_DEEP",
            Error::InvalidOption(_) => "INVALID_OPTION",
            Error::KeyUsage(_) => "KEY_USAGE",
            Error::Crypto(_) => "CRYPTO_FAILURE",
            Error::Encoding(_) => "ENCODING_FAILURE",
            Error::WrongPassword => "WRONG_PASSWORD",
            Error::UnsupportedPbe(_) => "UNSUPPORTED_PBE",
            Error::NoPrivateKey => "NO_PRIVATE_KEY",
            Error::MalformedPkcs12(_) => "MALFORMED_PKCS12",
            Error::NoRecipients => "NO_RECIPIENTS",
            Error::RecipientKeyUnusable(_) => "RECIPIENT_KEY_UNUSABLE",
            Error::MalformedCms(_) => "MALFORMED_CMS",
            Error::NotARecipient => "NOT_A_RECIPIENT",
            Error::DecryptionFailed => "DECRYPTION_FAILED",
            Error::ContentMismatch(_) => "CONTENT_MISMATCH",
        }
    }

    /// Every code [`Error::code`] can return, for documentation and tests.
    pub const ALL_CODES: &'static [&'static str] = &[
        "MALFORMED_KEY",
        "WRONG_PASSPHRASE",
        "PASSPHRASE_REQUIRED",
        "KEY_CERT_MISMATCH",
        "MALFORMED_CERTIFICATE",
        "NO_CERTIFICATE",
        "UNSUPPORTED_ALGORITHM",
        "MALFORMED_MIME",
        "INPUT_TOO_LARGE",
        "NESTING_TOO_DEEP",
        "INVALID_OPTION",
        "KEY_USAGE",
        "CRYPTO_FAILURE",
        "ENCODING_FAILURE",
        "WRONG_PASSWORD",
        "UNSUPPORTED_PBE",
        "NO_PRIVATE_KEY",
        "MALFORMED_PKCS12",
        "NO_RECIPIENTS",
        "RECIPIENT_KEY_UNUSABLE",
        "MALFORMED_CMS",
        "NOT_A_RECIPIENT",
        "DECRYPTION_FAILED",
        "CONTENT_MISMATCH",
    ];
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::MalformedKey(why) => write!(f, "malformed private key: {why}"),
            Error::WrongPassphrase => {
                f.write_str("the passphrase does not decrypt the private key")
            }
            Error::PassphraseRequired => {
                f.write_str("the private key is encrypted and no passphrase was given")
            }
            Error::KeyCertMismatch => {
                f.write_str("no given certificate holds the public key of the private key")
            }
            Error::MalformedCertificate(why) => write!(f, "malformed certificate: {why}"),
            Error::NoCertificate => f.write_str("no certificate was given"),
            Error::UnsupportedAlgorithm(what) => write!(f, "unsupported algorithm: {what}"),
            Error::MalformedMime(why) => write!(f, "malformed MIME message: {why}"),
            Error::InputTooLarge { what, limit } => {
                write!(f, "{what} exceeds the limit of {limit}")
            }
            Error::NestingTooDeep { limit } => {
                write!(f, "MIME nesting is deeper than the limit of {limit}")
            }
            Error::InvalidOption(why) => write!(f, "invalid option: {why}"),
            Error::KeyUsage(why) => write!(f, "key usage: {why}"),
            Error::Crypto(why) => write!(f, "cryptographic operation failed: {why}"),
            Error::Encoding(why) => write!(f, "ASN.1 encoding failed: {why}"),
            Error::WrongPassword => f.write_str("the password does not open the PKCS#12 file"),
            Error::UnsupportedPbe(what) => {
                write!(f, "unsupported PKCS#12 protection: {what}")
            }
            Error::NoPrivateKey => f.write_str("the PKCS#12 file holds no private key"),
            Error::MalformedPkcs12(why) => write!(f, "malformed PKCS#12 file: {why}"),
            Error::NoRecipients => f.write_str("no recipient certificate was given"),
            Error::RecipientKeyUnusable(why) => {
                write!(f, "cannot encrypt to this recipient: {why}")
            }
            Error::MalformedCms(why) => write!(f, "malformed CMS: {why}"),
            Error::NotARecipient => {
                f.write_str("the message is not encrypted to any key of this identity")
            }
            Error::DecryptionFailed => f.write_str(
                "decryption failed (wrong key, or the message was corrupted or tampered with)",
            ),
            Error::ContentMismatch(why) => {
                write!(f, "the signed content does not match the message: {why}")
            }
        }
    }
}

impl std::error::Error for Error {}

impl From<der::Error> for Error {
    fn from(e: der::Error) -> Self {
        Error::Encoding(e.to_string())
    }
}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_listed() {
        let samples = [
            Error::MalformedKey(String::new()),
            Error::WrongPassphrase,
            Error::PassphraseRequired,
            Error::KeyCertMismatch,
            Error::MalformedCertificate(String::new()),
            Error::NoCertificate,
            Error::UnsupportedAlgorithm(String::new()),
            Error::MalformedMime(String::new()),
            Error::InputTooLarge {
                what: "x",
                limit: 1,
            },
            Error::NestingTooDeep { limit: 1 },
            Error::InvalidOption(String::new()),
            Error::KeyUsage(String::new()),
            Error::Crypto(String::new()),
            Error::Encoding(String::new()),
            Error::WrongPassword,
            Error::UnsupportedPbe(String::new()),
            Error::NoPrivateKey,
            Error::MalformedPkcs12(String::new()),
            Error::NoRecipients,
            Error::RecipientKeyUnusable(String::new()),
            Error::MalformedCms(String::new()),
            Error::NotARecipient,
            Error::DecryptionFailed,
            Error::ContentMismatch(String::new()),
        ];
        let codes: Vec<_> = samples.iter().map(Error::code).collect();
        assert_eq!(codes, Error::ALL_CODES);
        let mut dedup = codes.clone();
        dedup.sort_unstable();
        dedup.dedup();
        assert_eq!(dedup.len(), codes.len());
        for c in codes {
            assert!(
                c.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
                "{c}"
            );
        }
    }
}
