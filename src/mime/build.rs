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

#[cfg(test)]
mod tests {
    use super::super::encoding::base64_decode_lenient;
    use super::super::header::parse_param_value;
    use super::super::parse::{split_entity, split_multipart};
    use super::*;

    fn ct_of(msg: &[u8]) -> ParamValue {
        let e = split_entity(msg).expect("message");
        let f = e
            .fields
            .iter()
            .find(|f| f.is("content-type"))
            .expect("content-type");
        parse_param_value(&f.value())
    }

    /// Re-splits a multipart/signed message as a verifier would: returns (signed bytes, signature part).
    fn resplit(msg: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let ct = ct_of(msg);
        assert_eq!(ct.main, b"multipart/signed");
        assert_eq!(
            ct.param("protocol"),
            Some(&b"application/pkcs7-signature"[..])
        );
        let boundary = ct.param("boundary").expect("boundary");
        let body = split_entity(msg).expect("message").body;
        let mp = split_multipart(body, boundary).expect("multipart");
        assert_eq!(mp.parts.len(), 2);
        assert_eq!(mp.epilogue, Some(&b""[..]));
        (mp.parts[0].to_vec(), mp.parts[1].to_vec())
    }

    #[test]
    fn multipart_signed_resplits_to_exactly_the_entity() {
        let outer = b"From: a@example.com\r\nSubject: folded\r\n subject\r\n";
        let sig: Vec<u8> = (0..=255u8).cycle().take(700).collect();
        let entities: [&[u8]; 4] = [
            b"Content-Type: text/plain\r\n\r\nHello\r\n",
            b"Content-Type: text/plain\r\n\r\nno final line end",
            b"Content-Type: text/plain\r\n\r\nends with blank lines\r\n\r\n\r\n",
            b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\na\r\n--x--\r\n",
        ];
        for entity in entities {
            let msg = multipart_signed(outer, entity, "sha-256", &sig).expect("build");
            assert!(msg.starts_with(outer));
            assert!(msg.ends_with(b"--\r\n"));
            assert_eq!(ct_of(&msg).param("micalg"), Some(&b"sha-256"[..]));
            let (signed, sig_part) = resplit(&msg);
            assert_eq!(signed, entity, "signed bytes differ");
            let e = split_entity(&sig_part).expect("signature part");
            let names: Vec<_> = e.fields.iter().map(|f| f.name().to_vec()).collect();
            assert_eq!(
                names,
                [
                    b"Content-Type".to_vec(),
                    b"Content-Transfer-Encoding".to_vec(),
                    b"Content-Disposition".to_vec()
                ]
            );
            assert_eq!(base64_decode_lenient(e.body), sig);
            for line in e.body.split(|&b| b == b'\n') {
                assert!(line.len() <= 77);
            }
            // The whole message is 7-bit CRLF.
            assert!(!msg.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'));
            assert!(msg.is_ascii());
        }
        // Two builds use different boundaries.
        let a = multipart_signed(b"", entities[0], "sha-256", &sig).expect("build");
        let b = multipart_signed(b"", entities[0], "sha-256", &sig).expect("build");
        assert_ne!(ct_of(&a).param("boundary"), ct_of(&b).param("boundary"));
    }

    #[test]
    fn multipart_signed_of_prepared_message() {
        let s = super::super::prepare_for_signing(
            "From: a@example.com\nTo: b@example.com\nSubject: x\n\nGrüße\nFrom here \n".as_bytes(),
        )
        .expect("prepare");
        let msg = multipart_signed(
            &s.outer_headers,
            &s.entity,
            "sha-512",
            b"\x30\x03\x02\x01\x01",
        )
        .expect("build");
        assert_eq!(resplit(&msg).0, s.entity);
        // The built message, fed to prepare_for_signing again, keeps the signed part intact.
        let again = super::super::prepare_for_signing(&msg).expect("prepare signed");
        assert_eq!(
            resplit(
                &[
                    &again.outer_headers[..],
                    b"MIME-Version: 1.0\r\n",
                    &again.entity
                ]
                .concat()
            )
            .0,
            s.entity
        );
    }

    #[test]
    fn micalg_list_and_bad_options() {
        let e = b"Content-Type: text/plain\r\n\r\nx";
        let msg = multipart_signed(b"", e, "sha-256, sha-512", b"\x30\x00").expect("list");
        assert_eq!(ct_of(&msg).param("micalg"), Some(&b"sha-256,sha-512"[..]));
        for bad in ["", "sha 256", "sha-256;x", "sha-256\r\nBcc: x"] {
            assert!(
                matches!(
                    multipart_signed(b"", e, bad, b"\x30\x00"),
                    Err(Error::InvalidOption(_))
                ),
                "{bad:?}"
            );
        }
        assert!(matches!(
            multipart_signed(b"", b"", "sha-256", b"\x30\x00"),
            Err(Error::InvalidOption(_))
        ));
        assert!(matches!(
            multipart_signed(b"", e, "sha-256", b""),
            Err(Error::InvalidOption(_))
        ));
        for bad in [
            &b"From: a@b"[..],
            b"From: a@b\n",
            b"From: a@b\r\n\r\n",
            b" folded: x\r\n",
            b"not a field\r\n",
            b"From: a@b\r\nContent-Type: text/plain\r\n",
            b"MIME-Version: 1.0\r\n",
            b"Subject: a\rb\r\n",
        ] {
            assert!(
                matches!(
                    multipart_signed(bad, e, "sha-256", b"\x30\x00"),
                    Err(Error::InvalidOption(_))
                ),
                "{bad:?}"
            );
        }
        assert!(check_outer_headers(b"Subject: x\r\n y\r\nTo: b@c\r\n").is_ok());
    }

    #[test]
    fn pkcs7_mime_layout() {
        let der = b"\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02\x00\x00";
        let msg = pkcs7_mime(b"To: b@example.com\r\n", "enveloped-data", der).expect("build");
        let text = String::from_utf8(msg.clone()).expect("ascii");
        assert!(
            text.starts_with(
                "To: b@example.com\r\nMIME-Version: 1.0\r\n\
                 Content-Type: application/pkcs7-mime; smime-type=enveloped-data;\r\n name=smime.p7m\r\n\
                 Content-Transfer-Encoding: base64\r\n\
                 Content-Disposition: attachment; filename=smime.p7m\r\n\r\n"
            ),
            "{text}"
        );
        assert!(text.ends_with("\r\n"));
        assert_eq!(
            base64_decode_lenient(split_entity(&msg).expect("parse").body),
            der
        );
        let long = pkcs7_mime(b"", "authEnveloped-data", der).expect("build");
        assert_eq!(
            ct_of(&long).param("smime-type"),
            Some(&b"authEnveloped-data"[..])
        );
        for bad in ["", "signed data", "a;b", "x\r\nBcc: y", "é"] {
            assert!(
                matches!(pkcs7_mime(b"", bad, der), Err(Error::InvalidOption(_))),
                "{bad:?}"
            );
        }
        assert!(matches!(
            pkcs7_mime(b"", "signed-data", b""),
            Err(Error::InvalidOption(_))
        ));
    }

    #[test]
    fn boundaries_avoid_content() {
        let b = new_boundary(|_| false).expect("boundary");
        assert!(b.starts_with(b"=_smime_") && b.len() == 40 && b.len() <= 70);
        assert!(occurs_as_line(b"x\r\n--abc--\r\n", b"abc"));
        assert!(occurs_as_line(b"--abcdef", b"abc"));
        assert!(!occurs_as_line(b"x--abc\r\n -abc", b"abc"));
        let calls = core::cell::Cell::new(0);
        let picked = new_boundary(|_| {
            calls.set(calls.get() + 1);
            calls.get() < 3
        });
        assert!(picked.is_ok());
        assert_eq!(calls.get(), 3, "clashing candidates are skipped");
        assert!(matches!(new_boundary(|_| true), Err(Error::Crypto(_))));
    }
}
