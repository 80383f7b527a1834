//! `sign`: an RFC 5322 message (or a bare MIME entity) in, a signed RFC 5322 message out.

use crate::cms::signed_data::{self, Signer};
use crate::error::{Error, Result};
use crate::identity::{Identity, KeyType};
use crate::mime;
use crate::policy;
use crate::provider::{DigestAlgorithm, Provider, SignatureScheme};

/// RSA signature padding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RsaPadding {
    /// RSASSA-PKCS1-v1_5: read by every client (the default).
    #[default]
    Pkcs1v15,
    /// RSASSA-PSS (RFC 4055), salt length = digest length.
    Pss,
}

impl RsaPadding {
    /// Parses the option spelling `pkcs1v15` / `pss` (case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "pkcs1v15" | "pkcs1-v1_5" | "pkcs1" => Some(RsaPadding::Pkcs1v15),
            "pss" | "rsa-pss" => Some(RsaPadding::Pss),
            _ => None,
        }
    }
}

/// Options of [`sign`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignOptions {
    /// `true` (default): multipart/signed with a detached signature, readable by clients that do
    /// not understand S/MIME. `false`: application/pkcs7-mime signed-data (content inside the CMS).
    pub detached: bool,
    /// The digest for RSA and ECDSA signatures (default SHA-256). Ed25519 always uses SHA-512
    /// (RFC 8419), whatever is set here.
    pub digest: DigestAlgorithm,
    /// RSA padding (ignored for other key types).
    pub rsa_padding: RsaPadding,
    /// signingTime, in seconds since the Unix epoch. `None`: the current time, where the platform
    /// has a clock (native code); WebAssembly callers must give it (the JS bindings pass `Date.now()`).
    pub signing_time: Option<u64>,
    /// Include the issuer certificates of the identity's chain (default `true`). The signer's own
    /// certificate, and its separate encryption certificate, are always included.
    pub include_chain: bool,
    /// RFC 9788 header protection (default `true`): the signed entity carries a copy of the
    /// message's header fields (From, To, Subject, Date, Message-ID, ...) and its Content-Type
    /// gets `hp="clear"`, so the signature covers them; the outer header is unchanged
    /// ([`mime::prepare_for_signing_protected`]). `false`: only the Content-* fields and the
    /// body are signed ([`mime::prepare_for_signing`]).
    pub header_protection: bool,
}

impl Default for SignOptions {
    fn default() -> Self {
        Self {
            detached: true,
            digest: DigestAlgorithm::Sha256,
            rsa_padding: RsaPadding::Pkcs1v15,
            signing_time: None,
            include_chain: true,
            header_protection: true,
        }
    }
}

/// Signs a message with the pure-Rust provider (blocking). See [`sign_with`].
#[cfg(not(target_arch = "wasm32"))]
pub fn sign(message: &[u8], identity: &Identity, options: &SignOptions) -> Result<Vec<u8>> {
    crate::provider::block_on(sign_with(
        &crate::provider::RustCryptoProvider,
        message,
        identity,
        options,
    ))
}

/// Signs `message` — a whole RFC 5322 message or a bare MIME entity, LF or CRLF — with
/// `identity`, and returns a complete RFC 5322 message.
///
/// The outer header fields (From, To, Subject, Date, Message-ID, ...) stay outside; the
/// Content-* fields and the body form the signed MIME entity, which is first made canonical
/// (CRLF, 7-bit: quoted-printable or base64 where needed, "From " lines and trailing white space
/// protected) so no transport can change it afterwards. With `header_protection` (the default)
/// the entity also carries a signed copy of the outer header fields (RFC 9788, `hp="clear"`).
pub async fn sign_with<P: Provider>(
    provider: &P,
    message: &[u8],
    identity: &Identity,
    options: &SignOptions,
) -> Result<Vec<u8>> {
    check_identity(identity, options)?;
    let input = if options.header_protection {
        mime::prepare_for_signing_protected(message)?
    } else {
        mime::prepare_for_signing(message)?
    };
    sign_entity(provider, &input, identity, options).await
}

/// Signs an already prepared [`mime::SignInput`] and wraps it: multipart/signed (detached) or
/// application/pkcs7-mime signed-data, with `input.outer_headers` outside.
///
/// For sign-then-encrypt: prepare the message with [`mime::prepare_for_encryption`] (its
/// entity is canonical and carries the protected header fields, `hp="cipher"` and HP-Outer),
/// sign that with this function, and encrypt the result. Pass an **empty** `outer_headers` in
/// `input` to get the signed entity alone (multipart/signed or application/pkcs7-mime with its
/// MIME-Version and Content-Type, nothing else) as the content to encrypt; the outer header
/// block of [`mime::prepare_for_encryption`] then goes on the encrypted message.
/// `options.header_protection` is not used here (the input is already prepared).
///
/// # Errors
///
/// As [`sign_with`], except the message preparation errors.
pub(crate) async fn sign_entity<P: Provider>(
    provider: &P,
    input: &mime::SignInput,
    identity: &Identity,
    options: &SignOptions,
) -> Result<Vec<u8>> {
    let scheme = check_identity(identity, options)?;
    let signing_time = match options.signing_time {
        Some(t) => t,
        None => now()?,
    };
    let certificate = identity.certificate();
    let extra_certificates = if options.include_chain {
        identity.chain().iter().skip(1).collect()
    } else {
        Vec::new()
    };
    let signer = Signer {
        key: identity.private_key(),
        certificate,
        extra_certificates,
        encryption_certificate: identity.encryption_certificate(),
        scheme,
        signing_time,
    };
    let der = signed_data::sign(provider, &signer, &input.entity, options.detached).await?;
    if options.detached {
        mime::build_multipart_signed(
            &input.outer_headers,
            &input.entity,
            scheme.digest().micalg(),
            &der,
        )
    } else {
        mime::build_pkcs7_mime(&input.outer_headers, "signed-data", &der)
    }
}

/// The signature scheme, once the key and certificate are known to be usable for signing.
fn check_identity(identity: &Identity, options: &SignOptions) -> Result<SignatureScheme> {
    let scheme = signature_scheme(identity, options)?;
    if !identity.certificate().allows_signing() {
        return Err(Error::KeyUsage(
            "the certificate's keyUsage allows neither digitalSignature nor nonRepudiation".into(),
        ));
    }
    Ok(scheme)
}

/// The signature scheme for the identity's key and the options.
pub fn signature_scheme(identity: &Identity, options: &SignOptions) -> Result<SignatureScheme> {
    Ok(match identity.private_key().key_type() {
        KeyType::Rsa(bits) => {
            if bits < policy::MIN_RSA_BITS {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "RSA-{bits} for signing (at least {} bits are required)",
                    policy::MIN_RSA_BITS
                )));
            }
            match options.rsa_padding {
                RsaPadding::Pkcs1v15 => SignatureScheme::RsaPkcs1v15(options.digest),
                RsaPadding::Pss => SignatureScheme::RsaPss(options.digest),
            }
        }
        KeyType::P256 | KeyType::P384 => SignatureScheme::Ecdsa(options.digest),
        KeyType::Ed25519 => SignatureScheme::Ed25519,
        KeyType::X25519 => {
            return Err(Error::UnsupportedAlgorithm(
                "signing with an X25519 key (X25519 is for key agreement only)".into(),
            ));
        }
    })
}

#[cfg(not(target_arch = "wasm32"))]
fn now() -> Result<u64> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| Error::InvalidOption("the system clock is before 1970".into()))
}

#[cfg(target_arch = "wasm32")]
fn now() -> Result<u64> {
    // `SystemTime::now()` traps on wasm32-unknown-unknown; the bindings always pass the time.
    Err(Error::InvalidOption(
        "signingTime is required in WebAssembly (the bindings pass Date.now())".into(),
    ))
}
