//! Taking a received S/MIME signed entity apart for verification (`crate::verify`): the exact
//! bytes of the first part of a multipart/signed (RFC 1847, RFC 8551 §3.5.3) with its detached
//! signature, or the CMS object of an application/pkcs7-mime signed-data (RFC 8551 §3.5.2).
//! Nothing is decoded but the signature or CMS body (by its Content-Transfer-Encoding).

use super::encoding::base64_decode_lenient;
use super::header::{ParamValue, parse_param_value};
use super::parse::{split_entity, split_multipart};
use crate::error::{Error, Result};

/// A multipart/signed taken apart.
pub(crate) struct SignedParts<'a> {
    /// The first body part, exactly as received (header fields, blank line, body).
    pub(crate) content: &'a [u8],
    /// The CMS SignedData of the second part, transfer-decoded.
    pub(crate) signature: Vec<u8>,
    /// The `micalg` parameter, lower-cased, when present.
    pub(crate) micalg: Option<String>,
}

/// An entity's Content-Type (parsed), its media type (lower-cased), body and
/// Content-Transfer-Encoding (lower-cased, empty when absent).
type Head<'a> = (ParamValue, (String, String), &'a [u8], String);

/// The Content-Type of an entity (parsed), `text/plain` when it has none (RFC 2045 §5.2), and the
/// body and lower-cased Content-Transfer-Encoding.
fn head(entity: &[u8]) -> Result<Head<'_>> {
    let e = split_entity(entity)?;
    let ct = e
        .fields
        .iter()
        .find(|f| f.is("content-type"))
        .map(|f| parse_param_value(&f.value()))
        .unwrap_or_else(|| parse_param_value(b"text/plain"));
    let media = ct
        .media_type()
        .unwrap_or_else(|| ("text".to_string(), "plain".to_string()));
    let cte = e
        .fields
        .iter()
        .find(|f| f.is("content-transfer-encoding"))
        .map(|f| {
            String::from_utf8_lossy(&f.value())
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    Ok((ct, media, e.body, cte))
}

/// The body decoded by its Content-Transfer-Encoding: base64 decoded; binary, 7bit, 8bit as
/// they are. A body with no (or an unknown) encoding that does not start like DER (a SEQUENCE)
/// is tried as base64, as some senders omit the field.
fn decode_body(body: &[u8], cte: &str) -> Vec<u8> {
    match cte {
        "base64" => base64_decode_lenient(body),
        "binary" | "7bit" | "8bit" => body.to_vec(),
        _ if body.first() == Some(&0x30) => body.to_vec(),
        _ => base64_decode_lenient(body),
    }
}

fn is_pkcs7(media: &(String, String), subtype: &str) -> bool {
    media.0 == "application" && (media.1 == subtype || media.1.strip_prefix("x-") == Some(subtype))
}

/// Splits a multipart/signed entity (a whole message or a body part). Errors (`MALFORMED_MIME`):
/// not multipart/signed, a `protocol` other than application/(x-)pkcs7-signature, no boundary,
/// fewer than two parts, a second part that is not application/(x-)pkcs7-signature.
pub(crate) fn split_multipart_signed(entity: &[u8]) -> Result<SignedParts<'_>> {
    let (ct, media, body, _) = head(entity)?;
    if media != ("multipart".to_string(), "signed".to_string()) {
        return Err(Error::MalformedMime(format!(
            "{}/{} is not multipart/signed",
            media.0, media.1
        )));
    }
    if let Some(protocol) = ct.param("protocol") {
        let p = String::from_utf8_lossy(protocol)
            .trim()
            .to_ascii_lowercase();
        if p != "application/pkcs7-signature" && p != "application/x-pkcs7-signature" {
            return Err(Error::MalformedMime(format!(
                "multipart/signed with protocol {p}, not an S/MIME signature"
            )));
        }
    }
    let boundary = ct
        .param("boundary")
        .filter(|b| !b.is_empty())
        .ok_or_else(|| Error::MalformedMime("multipart/signed without a boundary".into()))?;
    let multipart = split_multipart(body, boundary)?;
    let (Some(content), Some(sig_part)) = (multipart.parts.first(), multipart.parts.get(1)) else {
        return Err(Error::MalformedMime(
            "multipart/signed with fewer than two parts".into(),
        ));
    };
    let (_, sig_media, sig_body, sig_cte) = head(sig_part)?;
    if !is_pkcs7(&sig_media, "pkcs7-signature") {
        return Err(Error::MalformedMime(format!(
            "the signature part is {}/{}, not application/pkcs7-signature",
            sig_media.0, sig_media.1
        )));
    }
    Ok(SignedParts {
        content,
        signature: decode_body(sig_body, &sig_cte),
        micalg: ct
            .param("micalg")
            .map(|m| String::from_utf8_lossy(m).trim().to_ascii_lowercase()),
    })
}

/// The CMS object of an application/(x-)pkcs7-mime entity whose `smime-type` is `signed-data`
/// (or absent: the CMS content type decides). Errors (`MALFORMED_MIME`): another media type, or
/// another smime-type (enveloped-data, ...).
pub(crate) fn pkcs7_mime_signed_data(entity: &[u8]) -> Result<Vec<u8>> {
    let (ct, media, body, cte) = head(entity)?;
    if !is_pkcs7(&media, "pkcs7-mime") {
        return Err(Error::MalformedMime(format!(
            "{}/{} is not application/pkcs7-mime",
            media.0, media.1
        )));
    }
    if let Some(t) = ct.param("smime-type") {
        let t = String::from_utf8_lossy(t).trim().to_ascii_lowercase();
        if t != "signed-data" {
            return Err(Error::MalformedMime(format!(
                "application/pkcs7-mime with smime-type={t}, not signed-data"
            )));
        }
    }
    Ok(decode_body(body, &cte))
}

/// What a received entity is, for `open`'s walk through the layers.
#[derive(Debug)]
pub(crate) enum EntityKind<'a> {
    /// multipart/signed (any protocol: [`split_multipart_signed`] checks it).
    MultipartSigned,
    /// application/(x-)pkcs7-mime, or application/octet-stream named `*.p7m` / `*.p7c` /
    /// `*.p7s`: the transfer-decoded CMS object and the lower-cased `smime-type`, if any.
    Pkcs7 {
        /// The `smime-type` parameter, lower-cased.
        smime_type: Option<String>,
        /// The CMS object (DER or BER).
        cms: Vec<u8>,
    },
    /// message/rfc822: the enclosed message.
    Message(&'a [u8]),
    /// Anything else: content, not a layer.
    Other,
}

fn has_smime_name(ct: &ParamValue, entity: &[u8]) -> bool {
    let named = |v: &[u8]| {
        let v = String::from_utf8_lossy(v).trim().to_ascii_lowercase();
        v.ends_with(".p7m") || v.ends_with(".p7c") || v.ends_with(".p7s")
    };
    if ct.param("name").is_some_and(named) {
        return true;
    }
    split_entity(entity).is_ok_and(|e| {
        e.fields
            .iter()
            .filter(|f| f.is("content-disposition"))
            .any(|f| {
                parse_param_value(&f.value())
                    .param("filename")
                    .is_some_and(named)
            })
    })
}

/// Classifies an entity by its Content-Type (text/plain when absent).
pub(crate) fn entity_kind(entity: &[u8]) -> Result<EntityKind<'_>> {
    let (ct, media, body, cte) = head(entity)?;
    if media.0 == "multipart" && media.1 == "signed" {
        return Ok(EntityKind::MultipartSigned);
    }
    if media.0 == "message" && media.1 == "rfc822" {
        return Ok(EntityKind::Message(body));
    }
    let octet_stream = media.0 == "application" && media.1 == "octet-stream";
    if is_pkcs7(&media, "pkcs7-mime") || (octet_stream && has_smime_name(&ct, entity)) {
        return Ok(EntityKind::Pkcs7 {
            smime_type: ct
                .param("smime-type")
                .map(|t| String::from_utf8_lossy(t).trim().to_ascii_lowercase()),
            cms: decode_body(body, &cte),
        });
    }
    Ok(EntityKind::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGNED: &[u8] = b"From: a@example\r\nContent-Type: multipart/signed; micalg=SHA-256;\r\n protocol=\"application/x-pkcs7-signature\"; boundary=b\r\n\r\npre\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\nMAMCAQE=\r\n--b--\r\n";

    #[test]
    fn multipart_signed_parts() {
        let p = split_multipart_signed(SIGNED).expect("ok");
        assert_eq!(p.content, b"Content-Type: text/plain\r\n\r\nhi");
        assert_eq!(p.signature, [0x30, 0x03, 0x02, 0x01, 0x01]);
        assert_eq!(p.micalg.as_deref(), Some("sha-256"));
        let pgp = String::from_utf8_lossy(SIGNED)
            .replace("application/x-pkcs7-signature", "application/pgp-signature")
            .into_bytes();
        assert!(
            matches!(split_multipart_signed(&pgp), Err(Error::MalformedMime(m)) if m.contains("pgp"))
        );
        let one_part =
            b"Content-Type: multipart/signed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n";
        assert!(split_multipart_signed(one_part).is_err());
        assert!(split_multipart_signed(b"Content-Type: text/plain\r\n\r\nx").is_err());
    }

    #[test]
    fn pkcs7_mime_body() {
        let m = b"Content-Type: application/x-pkcs7-mime; smime-type=signed-data\r\nContent-Transfer-Encoding: base64\r\n\r\nMAMC\r\nAQE=\r\n";
        assert_eq!(
            pkcs7_mime_signed_data(m).expect("ok"),
            [0x30, 0x03, 0x02, 0x01, 0x01]
        );
        let binary = b"Content-Type: application/pkcs7-mime\r\nContent-Transfer-Encoding: binary\r\n\r\n\x30\x00";
        assert_eq!(pkcs7_mime_signed_data(binary).expect("ok"), [0x30, 0x00]);
        let env = b"Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\nMAA=";
        assert!(
            matches!(pkcs7_mime_signed_data(env), Err(Error::MalformedMime(m)) if m.contains("enveloped-data"))
        );
    }
}
