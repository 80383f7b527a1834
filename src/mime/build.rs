//! Building the S/MIME containers: multipart/signed (RFC 1847 §2.1, RFC 8551 §3.5.3) and
//! application/pkcs7-mime (RFC 8551 §3.2), plus random boundaries.

use super::encoding::{CRLF, base64_lines};
use super::header::{Field, Param, ParamValue, is_token, lines_fit};
use crate::error::{Error, Result};

/// Preamble of multipart/signed (ignored by MIME readers, shown by others).
const SIGNED_PREAMBLE: &[u8] = b"This is an S/MIME signed message";

/// `n` random octets as lower-case hex.
pub(crate) fn random_hex(n: usize) -> Result<String> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf)
        .map_err(|e| Error::Crypto(format!("random number generator failed: {e}")))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// A fresh random boundary for which `clashes` is false. The boundary starts with "=_", which
/// can occur neither in base64 nor in quoted-printable text (RFC 2045 §6.7 note).
pub(crate) fn new_boundary(clashes: impl Fn(&[u8]) -> bool) -> Result<Vec<u8>> {
    for _ in 0..16 {
        let b = format!("=_smime_{}", random_hex(16)?).into_bytes();
        if !clashes(&b) {
            return Ok(b);
        }
    }
    Err(Error::Crypto(
        "no random boundary avoided the content (broken random number generator?)".into(),
    ))
}

/// Whether `data` has a line (CRLF-separated) that starts with `--boundary`.
pub(crate) fn occurs_as_line(data: &[u8], boundary: &[u8]) -> bool {
    super::parse::lines(data).any(|l| {
        l.text
            .strip_prefix(b"--")
            .is_some_and(|r| r.starts_with(boundary))
    })
}

/// Checks caller-given outer header fields: header field lines with CRLF line ends, no blank
/// line, and no field that the builder writes itself (Content-*, MIME-Version).
pub(crate) fn check_outer_headers(outer: &[u8]) -> Result<()> {
    let bad = |why: &str| Err(Error::InvalidOption(format!("outer_headers: {why}")));
    if outer.is_empty() {
        return Ok(());
    }
    for (i, l) in super::parse::lines(outer).enumerate() {
        let line = l.text;
        if l.eol != 2 {
            return bad("every line must end with CRLF");
        }
        if line.contains(&b'\r') || line.contains(&0) {
            return bad("bare CR or NUL");
        }
        if line.is_empty() {
            return bad("blank line (it would end the header block)");
        }
        if matches!(line.first(), Some(b' ' | b'\t')) {
            if i == 0 {
                return bad("starts with a continuation line");
            }
            continue;
        }
        let Some(f) = Field::start(line) else {
            return bad("a line is not a header field");
        };
        if f.is_content() || f.is("mime-version") {
            return bad("must not hold Content-* or MIME-Version fields");
        }
    }
    Ok(())
}

/// Builds multipart/signed (see [`super::build_multipart_signed`]).
pub(crate) fn multipart_signed(
    outer_headers: &[u8],
    entity: &[u8],
    micalg: &str,
    signature_der: &[u8],
) -> Result<Vec<u8>> {
    check_outer_headers(outer_headers)?;
    if entity.is_empty() {
        return Err(Error::InvalidOption("entity is empty".into()));
    }
    if signature_der.is_empty() {
        return Err(Error::InvalidOption("signature_der is empty".into()));
    }
    let algs: Vec<&str> = micalg.split(',').map(str::trim).collect();
    if !algs.iter().all(|a| is_token(a.as_bytes())) {
        return Err(Error::InvalidOption(format!(
            "micalg {micalg:?} is not a token or comma-separated list of tokens"
        )));
    }
    let boundary = new_boundary(|b| occurs_as_line(entity, b))?;
    let ct = ParamValue {
        main: b"multipart/signed".to_vec(),
        params: vec![
            Param {
                name: b"protocol".to_vec(),
                value: b"application/pkcs7-signature".to_vec(),
                quoted: true,
            },
            Param {
                name: b"micalg".to_vec(),
                value: algs.join(",").into_bytes(),
                quoted: algs.len() > 1,
            },
            Param {
                name: b"boundary".to_vec(),
                value: boundary.clone(),
                quoted: true,
            },
        ],
    }
    .render("Content-Type");
    let sig = base64_lines(signature_der);
    let mut out = Vec::with_capacity(outer_headers.len() + entity.len() + sig.len() + 600);
    out.extend_from_slice(outer_headers);
    out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    out.extend_from_slice(&ct);
    out.extend_from_slice(CRLF);
    out.extend_from_slice(SIGNED_PREAMBLE);
    let delimiter = [CRLF, b"--", &boundary].concat();
    out.extend_from_slice(&delimiter);
    out.extend_from_slice(CRLF);
    out.extend_from_slice(entity);
    out.extend_from_slice(&delimiter);
    out.extend_from_slice(CRLF);
    out.extend_from_slice(b"Content-Type: application/pkcs7-signature; name=smime.p7s\r\n");
    out.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n");
    out.extend_from_slice(b"Content-Disposition: attachment; filename=smime.p7s\r\n");
    out.extend_from_slice(CRLF);
    out.extend_from_slice(&sig);
    out.extend_from_slice(&delimiter);
    out.extend_from_slice(b"--\r\n");
    Ok(out)
}

/// Builds application/pkcs7-mime (see [`super::build_pkcs7_mime`]).
pub(crate) fn pkcs7_mime(outer_headers: &[u8], smime_type: &str, der: &[u8]) -> Result<Vec<u8>> {
    check_outer_headers(outer_headers)?;
    if !is_token(smime_type.as_bytes()) || smime_type.len() > 64 {
        return Err(Error::InvalidOption(format!(
            "smime_type {smime_type:?} is not a MIME token"
        )));
    }
    if der.is_empty() {
        return Err(Error::InvalidOption("der is empty".into()));
    }
    let ct = ParamValue {
        main: b"application/pkcs7-mime".to_vec(),
        params: vec![
            Param {
                name: b"smime-type".to_vec(),
                value: smime_type.as_bytes().to_vec(),
                quoted: false,
            },
            Param {
                name: b"name".to_vec(),
                value: b"smime.p7m".to_vec(),
                quoted: false,
            },
        ],
    }
    .render("Content-Type");
    debug_assert!(lines_fit(&ct));
    let body = base64_lines(der);
    let mut out = Vec::with_capacity(outer_headers.len() + body.len() + 300);
    out.extend_from_slice(outer_headers);
    out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    out.extend_from_slice(&ct);
    out.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n");
    out.extend_from_slice(b"Content-Disposition: attachment; filename=smime.p7m\r\n");
    out.extend_from_slice(CRLF);
    out.extend_from_slice(&body);
    out.extend_from_slice(CRLF);
    Ok(out)
}
