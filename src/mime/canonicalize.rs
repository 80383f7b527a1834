//! RFC 8551 §3.1 canonicalization: turns a message into the outer header fields and a MIME
//! entity that is safe to sign (CRLF line ends, 7-bit, lines of at most 998 octets, no line
//! starting with "From ", no trailing white space in 7bit or quoted-printable text), changing
//! as little as possible.

use super::SignInput;
use super::build::{new_boundary, occurs_as_line};
use super::encoding::{
    CRLF, base64_decode_lenient, base64_lines, charset_of, qp_decode, qp_encode, trim_end_wsp,
};
use super::header::{Field, MAX_LINE, ParamValue, Unfixable, canonical_field, parse_param_value};
use super::parse::{lines, split_entity, split_multipart, to_crlf};
use crate::error::{Error, Result};
use crate::policy::{MAX_MESSAGE_SIZE, MAX_MIME_DEPTH};

/// Splits `message` into outer header fields and the canonical entity (see [`SignInput`]).
pub(crate) fn prepare(message: &[u8]) -> Result<SignInput> {
    if message.len() > MAX_MESSAGE_SIZE {
        return Err(Error::InputTooLarge {
            what: "message size in bytes",
            limit: MAX_MESSAGE_SIZE,
        });
    }
    let top = split_entity(message)?;
    if !top.terminated {
        return Err(Error::MalformedMime(
            "no end of the header block (no empty line after the header fields)".into(),
        ));
    }
    let mut outer_headers = Vec::new();
    let mut content = Vec::new();
    for f in top.fields {
        if f.is_content() {
            content.push(f);
        } else if !f.is("mime-version") {
            for (i, line) in f.lines.iter().enumerate() {
                // A continuation line of only white space would look like the end of the
                // header block to many readers: leave it out.
                if i > 0 && trim_end_wsp(line).is_empty() {
                    continue;
                }
                outer_headers.extend_from_slice(line);
                outer_headers.extend_from_slice(CRLF);
            }
        }
    }
    let entity = canon_entity(&content, top.body, 0, Kind::Top, Implicit::Text)?;
    Ok(SignInput {
        outer_headers,
        entity,
    })
}

/// Where an entity stands, which decides what its header block may need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The entity to sign: always gets an explicit Content-Type.
    Top,
    /// A body part of a multipart.
    Part,
    /// A message inside message/rfc822: gets MIME-Version if MIME fields are added.
    Message,
}

/// The Content-Type an entity has when it has no Content-Type field (RFC 2045 §5.2, RFC 2046 §5.1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Implicit {
    /// text/plain; charset=us-ascii
    Text,
    /// message/rfc822 (in multipart/digest)
    Message,
}

/// A declared Content-Transfer-Encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cte {
    Absent,
    SevenBit,
    EightBit,
    Binary,
    QuotedPrintable,
    Base64,
    Other(String),
}

impl Cte {
    fn of(field: Option<&Field<'_>>) -> Self {
        let Some(f) = field else {
            return Cte::Absent;
        };
        let main = parse_param_value(&f.value()).main.to_ascii_lowercase();
        match main.as_slice() {
            b"7bit" => Cte::SevenBit,
            b"8bit" => Cte::EightBit,
            b"binary" => Cte::Binary,
            b"quoted-printable" => Cte::QuotedPrintable,
            b"base64" => Cte::Base64,
            other => Cte::Other(String::from_utf8_lossy(other).into_owned()),
        }
    }

    /// 7bit, 8bit, binary or none: the body is not transformed.
    fn is_identity(&self) -> bool {
        matches!(
            self,
            Cte::Absent | Cte::SevenBit | Cte::EightBit | Cte::Binary
        )
    }

    /// The field to write once the body has been made 7-bit without changing the encoding.
    fn seven_bit(&self) -> Option<&'static str> {
        matches!(self, Cte::EightBit | Cte::Binary).then_some("7bit")
    }
}

/// A canonical body and the header changes it needs.
#[derive(Debug)]
struct Canon {
    body: Vec<u8>,
    /// New Content-Transfer-Encoding (replaces the field or is added).
    cte: Option<&'static str>,
    /// New Content-Type (replaces the field or is added).
    content_type: Option<ParamValue>,
}

impl Canon {
    fn keep(body: Vec<u8>) -> Self {
        Canon {
            body,
            cte: None,
            content_type: None,
        }
    }
}

/// What the lines of a body look like.
#[derive(Debug, Clone, Copy, Default)]
struct Scan {
    /// Every line is safe as it is (RFC 8551 §3.1 plus gateway rules).
    safe: bool,
    /// Every line is 7-bit, without NUL or bare CR, and at most 998 octets (RFC 2045 7bit).
    seven_bit: bool,
    /// Some octet is above 127.
    eight_bit: bool,
    /// Some octet is NUL or a CR not followed by LF.
    binary: bool,
}

fn scan(body: &[u8]) -> Scan {
    let mut s = Scan {
        safe: true,
        seven_bit: true,
        ..Scan::default()
    };
    for line in lines(body) {
        let t = line.text;
        let (eight, bin) = classify(t);
        s.eight_bit |= eight;
        s.binary |= bin;
        let hard = !eight && !bin && t.len() <= MAX_LINE;
        s.seven_bit &= hard;
        s.safe &= hard && !matches!(t.last(), Some(b' ' | b'\t')) && !t.starts_with(b"From ");
    }
    s
}

/// (some octet > 127, some NUL or CR) of a line, eight octets at a time: this runs over every
/// byte of every message, and wasm has no vector instructions in our baseline.
fn classify(t: &[u8]) -> (bool, bool) {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    const CRS: u64 = 0x0d0d_0d0d_0d0d_0d0d;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH != 0;
    let (mut eight, mut bin) = (false, false);
    let mut words = t.chunks_exact(8);
    for w in words.by_ref() {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(w);
        let x = u64::from_le_bytes(bytes);
        eight |= x & HIGH != 0;
        // exact as a yes/no answer for any octets (a borrow only starts at a zero octet)
        bin |= has_zero(x) || has_zero(x ^ CRS);
    }
    for &b in words.remainder() {
        eight |= b >= 128;
        bin |= b == 0 || b == b'\r';
    }
    (eight, bin)
}

/// Base64 body of `data`, ending in CRLF if `like` ends in a line end.
fn base64_body(data: &[u8], like: &[u8]) -> Vec<u8> {
    let mut b = base64_lines(data);
    if like.ends_with(b"\n") {
        b.extend_from_slice(CRLF);
    }
    b
}

fn field_bytes(f: &Field<'_>) -> Result<Vec<u8>> {
    canonical_field(f, false).map_err(|e| {
        let name = String::from_utf8_lossy(f.name());
        Error::MalformedMime(match e {
            Unfixable::LongLine => {
                format!("header field {name} has a line over 998 octets that cannot be folded")
            }
            Unfixable::EightBitAddress => format!("8-bit address in header field {name}"),
        })
    })
}

fn only_one<'f, 'a>(fields: &'f [Field<'a>], name: &str) -> Result<Option<&'f Field<'a>>> {
    let mut found = fields.iter().filter(|f| f.is(name));
    let first = found.next();
    if found.next().is_some() {
        return Err(Error::MalformedMime(format!("more than one {name} field")));
    }
    Ok(first)
}

/// Canonicalizes an entity given its header fields and raw body.
fn canon_entity(
    fields: &[Field<'_>],
    body: &[u8],
    depth: usize,
    kind: Kind,
    default: Implicit,
) -> Result<Vec<u8>> {
    if depth > MAX_MIME_DEPTH {
        return Err(Error::NestingTooDeep {
            limit: MAX_MIME_DEPTH,
        });
    }
    let ct_field = only_one(fields, "content-type")?;
    let cte_field = only_one(fields, "content-transfer-encoding")?;
    let cte = Cte::of(cte_field);
    let (mut ct, media) = match ct_field {
        Some(f) => {
            let pv = parse_param_value(&f.value());
            match pv.media_type() {
                Some(m) => (pv, m),
                // RFC 2045 §5.2: an invalid Content-Type means text/plain; charset=us-ascii.
                None => (text_plain(), ("text".into(), "plain".into())),
            }
        }
        None => match default {
            Implicit::Text => (text_plain(), ("text".into(), "plain".into())),
            Implicit::Message => (
                ParamValue {
                    main: b"message/rfc822".to_vec(),
                    params: Vec::new(),
                },
                ("message".into(), "rfc822".into()),
            ),
        },
    };
    let canon = match (media.0.as_str(), media.1.as_str()) {
        ("multipart", sub) if cte.is_identity() => canon_multipart(&ct, sub, &cte, body, depth)?,
        ("message", "rfc822") if cte.is_identity() => canon_message(&ct, &cte, body, depth)?,
        _ => canon_leaf(&ct, media.0 == "text", &cte, body)?,
    };

    let added_ct = match (ct_field, &canon.content_type) {
        (None, Some(pv)) => Some(pv.render("Content-Type")),
        (None, None) if kind == Kind::Top => {
            ct.set_param("charset", b"us-ascii");
            Some(ct.render("Content-Type"))
        }
        _ => None,
    };
    let added_cte = match (cte_field, canon.cte) {
        (None, Some(cte)) if cte != "7bit" => {
            Some(format!("Content-Transfer-Encoding: {cte}\r\n").into_bytes())
        }
        _ => None,
    };
    let mut out = Vec::with_capacity(canon.body.len() + 256);
    // The entity to sign leads with its Content-Type; elsewhere added fields go last.
    if kind == Kind::Top
        && let Some(ct) = &added_ct
    {
        out.extend_from_slice(ct);
    }
    for f in fields {
        if f.is("content-type")
            && let Some(pv) = &canon.content_type
        {
            out.extend_from_slice(&pv.render("Content-Type"));
        } else if f.is("content-transfer-encoding")
            && let Some(cte) = canon.cte
        {
            out.extend_from_slice(format!("Content-Transfer-Encoding: {cte}\r\n").as_bytes());
        } else {
            out.extend_from_slice(&field_bytes(f)?);
        }
    }
    if kind == Kind::Message
        && (added_ct.is_some() || added_cte.is_some())
        && !fields.iter().any(|f| f.is("mime-version"))
    {
        // MIME fields mean nothing without MIME-Version (RFC 2045 §4).
        out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    }
    if kind != Kind::Top
        && let Some(ct) = &added_ct
    {
        out.extend_from_slice(ct);
    }
    if let Some(cte) = &added_cte {
        out.extend_from_slice(cte);
    }
    out.extend_from_slice(CRLF);
    out.extend_from_slice(&canon.body);
    Ok(out)
}

fn text_plain() -> ParamValue {
    ParamValue {
        main: b"text/plain".to_vec(),
        params: Vec::new(),
    }
}

/// A body that is not multipart or message/rfc822 (or is, but with an encoding those types
/// may not have: it is then treated as opaque encoded data).
fn canon_leaf(ct: &ParamValue, is_text: bool, cte: &Cte, body: &[u8]) -> Result<Canon> {
    let s = scan(body);
    Ok(match cte {
        Cte::Base64 if s.safe => Canon::keep(to_crlf(body)),
        Cte::Base64 => Canon::keep(base64_body(&base64_decode_lenient(body), body)),
        Cte::QuotedPrintable if s.safe => Canon::keep(to_crlf(body)),
        Cte::QuotedPrintable => Canon::keep(qp_encode(&qp_decode(body))),
        Cte::Binary => Canon {
            body: base64_body(body, b""),
            cte: Some("base64"),
            content_type: None,
        },
        Cte::Absent | Cte::SevenBit | Cte::EightBit => {
            // 7bit and 8bit data are lines (RFC 2045 §2.7-2.8): CRLF is their line end.
            let text = to_crlf(body);
            if s.safe {
                Canon {
                    body: text,
                    cte: cte.seven_bit(),
                    content_type: None,
                }
            } else if is_text || !(s.eight_bit || s.binary) {
                let content_type =
                    (is_text && s.eight_bit && ct.param("charset").is_none()).then(|| {
                        let mut pv = ct.clone();
                        pv.set_param("charset", charset_of(&text).as_bytes());
                        pv
                    });
                Canon {
                    body: qp_encode(&text),
                    cte: Some("quoted-printable"),
                    content_type,
                }
            } else if s.binary {
                // NUL or a lone CR: not line data after all, so the octets are taken as they are.
                Canon {
                    body: base64_body(body, body),
                    cte: Some("base64"),
                    content_type: None,
                }
            } else {
                Canon {
                    body: base64_body(&text, body),
                    cte: Some("base64"),
                    content_type: None,
                }
            }
        }
        Cte::Other(_) if s.safe => Canon::keep(to_crlf(body)),
        Cte::Other(name) => {
            return Err(Error::MalformedMime(format!(
                "a part with Content-Transfer-Encoding {name:?} is not 7-bit safe and cannot be re-encoded"
            )));
        }
    })
}

/// multipart/*: canonicalize each part, keep the boundary unless it now clashes.
fn canon_multipart(
    ct: &ParamValue,
    subtype: &str,
    cte: &Cte,
    body: &[u8],
    depth: usize,
) -> Result<Canon> {
    if subtype == "signed" {
        // Its first part is signed as it stands: changing it would break that signature.
        // Only line ends are made CRLF (the form RFC 8551 §3.1.1 signs).
        if !scan(body).seven_bit {
            return Err(Error::MalformedMime(
                "a nested multipart/signed is not 7-bit; re-encoding it would break its signature"
                    .into(),
            ));
        }
        return Ok(Canon {
            body: to_crlf(body),
            cte: cte.seven_bit(),
            content_type: None,
        });
    }
    let boundary = ct
        .param("boundary")
        .filter(|b| !b.is_empty())
        .ok_or_else(|| Error::MalformedMime("multipart without a boundary parameter".into()))?;
    let mp = split_multipart(body, boundary)?;
    let child_default = if subtype == "digest" {
        Implicit::Message
    } else {
        Implicit::Text
    };
    let mut children = Vec::with_capacity(mp.parts.len());
    for part in &mp.parts {
        let e = split_entity(part)?;
        children.push(canon_entity(
            &e.fields,
            e.body,
            depth + 1,
            Kind::Part,
            child_default,
        )?);
    }
    // Preamble and epilogue are ignored by readers but signed: keep them only if safe.
    let keep = |t: Option<&[u8]>| t.filter(|t| scan(t).safe).map(to_crlf);
    let preamble = keep(mp.preamble);
    let epilogue = keep(mp.epilogue);
    let clashes = |b: &[u8]| {
        !b.iter().all(|&c| (32..127).contains(&c))
            || children.iter().any(|c| occurs_as_line(c, b))
            || preamble.as_deref().is_some_and(|p| occurs_as_line(p, b))
            || epilogue.as_deref().is_some_and(|p| occurs_as_line(p, b))
    };
    let (boundary, content_type) = if clashes(boundary) {
        let fresh = new_boundary(clashes)?;
        let mut pv = ct.clone();
        pv.set_param("boundary", &fresh);
        (fresh, Some(pv))
    } else {
        (boundary.to_vec(), None)
    };
    let mut out = Vec::with_capacity(children.iter().map(Vec::len).sum::<usize>() + 256);
    if let Some(p) = &preamble {
        out.extend_from_slice(p);
        out.extend_from_slice(CRLF);
    }
    for c in &children {
        out.extend_from_slice(b"--");
        out.extend_from_slice(&boundary);
        out.extend_from_slice(CRLF);
        out.extend_from_slice(c);
        out.extend_from_slice(CRLF);
    }
    out.extend_from_slice(b"--");
    out.extend_from_slice(&boundary);
    out.extend_from_slice(b"--");
    if mp.epilogue.is_some() {
        out.extend_from_slice(CRLF);
        if let Some(e) = &epilogue {
            out.extend_from_slice(e);
        }
    }
    Ok(Canon {
        body: out,
        cte: cte.seven_bit(),
        content_type,
    })
}

/// message/rfc822: canonicalize the embedded message (its header fields made 7-bit with
/// RFC 2047/2231, its body parts re-encoded). If an address in its header holds 8-bit octets
/// (RFC 6532 mail), no 7-bit form exists: it becomes message/global in base64 (RFC 6532 §3.7).
fn canon_message(ct: &ParamValue, cte: &Cte, body: &[u8], depth: usize) -> Result<Canon> {
    let inner = split_entity(body)?;
    if inner
        .fields
        .iter()
        .any(|f| canonical_field(f, true) == Err(Unfixable::EightBitAddress))
    {
        let mut pv = ct.clone();
        pv.main = b"message/global".to_vec();
        return Ok(Canon {
            body: base64_body(&to_crlf(body), body),
            cte: Some("base64"),
            content_type: Some(pv),
        });
    }
    let out = canon_entity(
        &inner.fields,
        inner.body,
        depth + 1,
        Kind::Message,
        Implicit::Text,
    )?;
    Ok(Canon {
        body: out,
        cte: cte.seven_bit(),
        content_type: None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::encoding::{base64_decode_lenient, qp_decode};
    use super::super::parse::{split_entity, split_multipart};
    use super::super::test_util::Rng;
    use super::*;

    /// Asserts the RFC 8551 §3.1 properties of a signed entity, line by line.
    pub(crate) fn assert_canonical(entity: &[u8]) {
        for (i, w) in entity.windows(2).enumerate() {
            assert!(w[1] != b'\n' || w[0] == b'\r', "bare LF at {i}");
            assert!(w[0] != b'\r' || w[1] == b'\n', "bare CR at {i}");
        }
        assert!(!entity.ends_with(b"\r"), "bare CR at end");
        for line in entity.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let shown = String::from_utf8_lossy(line);
            assert!(line.len() <= 998, "long line {shown}");
            assert!(line.iter().all(|&b| b != 0 && b < 128), "8-bit in {shown}");
            assert!(!line.starts_with(b"From "), "From line {shown}");
            assert!(
                !matches!(line.last(), Some(b' ' | b'\t')),
                "trailing white space in {shown:?}"
            );
        }
    }

    /// prepare + idempotence: feeding outer + MIME-Version + entity back gives the same split.
    fn prep(msg: &[u8]) -> SignInput {
        let s = prepare(msg).expect("prepare_for_signing");
        let again = [&s.outer_headers[..], b"MIME-Version: 1.0\r\n", &s.entity].concat();
        let s2 = prepare(&again).expect("second pass");
        assert_eq!(
            String::from_utf8_lossy(&s2.entity),
            String::from_utf8_lossy(&s.entity),
            "not idempotent"
        );
        assert_eq!(s2.outer_headers, s.outer_headers);
        s
    }

    fn text(b: &[u8]) -> String {
        String::from_utf8_lossy(b).into_owned()
    }

    /// The (header, body) of an entity, header as text.
    fn split(e: &[u8]) -> (String, Vec<u8>) {
        let p = split_entity(e).expect("entity");
        let mut h = Vec::new();
        for f in &p.fields {
            f.write_raw(&mut h);
        }
        (text(&h), p.body.to_vec())
    }

    fn boundary_of(header: &str) -> String {
        let unfolded = header.replace("\r\n ", " ").replace("\r\n\t", "\t");
        let pv = parse_param_value(
            unfolded
                .split("\r\n")
                .find(|l| l.to_ascii_lowercase().starts_with("content-type:"))
                .expect("content-type")
                .split_once(':')
                .expect("colon")
                .1
                .as_bytes(),
        );
        text(pv.param("boundary").expect("boundary"))
    }

    #[test]
    fn lf_only_input_gives_crlf_entity() {
        let s = prep(
            b"From: a@example.com\nTo: b@example.com\nSubject: hi\nContent-Type: text/plain\n\nline one\nline two\n",
        );
        assert_eq!(
            text(&s.outer_headers),
            "From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n"
        );
        assert_eq!(
            text(&s.entity),
            "Content-Type: text/plain\r\n\r\nline one\r\nline two\r\n"
        );
    }

    #[test]
    fn utf8_body_becomes_qp_with_charset_kept() {
        let s = prep(
            "Content-Type: text/plain; charset=UTF-8; format=flowed\nContent-Transfer-Encoding: 8bit\n\nGrüße, Zoë\n"
                .as_bytes(),
        );
        assert_canonical(&s.entity);
        assert_eq!(
            text(&s.entity),
            "Content-Type: text/plain; charset=UTF-8; format=flowed\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\n\
             Gr=C3=BC=C3=9Fe, Zo=C3=AB\r\n"
        );
        // No Content-Type at all: charset=utf-8 is added, and the encoding.
        let s = prep("Subject: x\n\ncafé\n".as_bytes());
        let (h, body) = split(&s.entity);
        assert_eq!(
            h,
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
        );
        assert_eq!(qp_decode(&body), "café\r\n".as_bytes());
        // 8-bit that is not UTF-8: the charset is not guessed.
        let s = prep(b"Subject: x\n\ncaf\xe9\n");
        assert!(text(&s.entity).starts_with("Content-Type: text/plain; charset=unknown-8bit\r\n"));
        assert_eq!(qp_decode(&split(&s.entity).1), b"caf\xe9\r\n");
        // An explicit text/plain without charset gets one too.
        let s = prep("Content-Type: text/plain\n\ncafé".as_bytes());
        assert!(text(&s.entity).starts_with("Content-Type: text/plain; charset=utf-8\r\n"));
        // 7-bit ASCII without Content-Type: explicit us-ascii, body untouched.
        let s = prep(b"Subject: x\n\nplain\n");
        assert_eq!(
            text(&s.entity),
            "Content-Type: text/plain; charset=us-ascii\r\n\r\nplain\r\n"
        );
    }

    #[test]
    fn from_lines_and_trailing_white_space_are_protected() {
        let s = prep(b"Content-Type: text/plain\n\nHello \nFrom me\n\tx\t\nFromage\n");
        assert_canonical(&s.entity);
        let (h, body) = split(&s.entity);
        assert!(
            h.contains("Content-Transfer-Encoding: quoted-printable\r\n"),
            "{h}"
        );
        assert_eq!(
            text(&body),
            "Hello=20\r\n=46rom me\r\n\tx=09\r\nFromage\r\n"
        );
        assert_eq!(
            qp_decode(&body),
            b"Hello \r\nFrom me\r\n\tx\t\r\nFromage\r\n"
        );
        // Non-text line data declared 7bit with a "From " line: quoted-printable too.
        let s = prep(b"Content-Type: application/x-log\n\nFrom here\n");
        assert!(text(&s.entity).contains("=46rom here"));
    }

    #[test]
    fn long_lines_are_reencoded() {
        let long = "a".repeat(1500);
        let s = prep(format!("Content-Type: text/plain\n\n{long}\nshort\n").as_bytes());
        assert_canonical(&s.entity);
        let (h, body) = split(&s.entity);
        assert!(h.contains("quoted-printable"));
        assert!(body.split(|&b| b == b'\n').all(|l| l.len() <= 77));
        assert_eq!(qp_decode(&body), format!("{long}\r\nshort\r\n").as_bytes());
        // A 998-octet line is fine and stays.
        let ok = "b".repeat(998);
        let s = prep(format!("Content-Type: text/plain\n\n{ok}\n").as_bytes());
        assert!(text(&s.entity).ends_with(&format!("\r\n\r\n{ok}\r\n")));
    }

    fn random_bytes(seed: u64, n: usize) -> Vec<u8> {
        let mut rng = Rng(seed);
        (0..n).map(|_| rng.next() as u8).collect()
    }

    #[test]
    fn binary_attachment_becomes_base64_and_decodes_back() {
        let data = random_bytes(7, 3000);
        for cte in ["binary", "8bit"] {
            let mut msg = format!(
                "From: a@example.com\r\nMIME-Version: 1.0\r\n\
                 Content-Type: multipart/mixed; boundary=\"XyZ-boundary-0123456789\"\r\n\r\n\
                 --XyZ-boundary-0123456789\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n\
                 --XyZ-boundary-0123456789\r\nContent-Type: application/octet-stream\r\n\
                 Content-Transfer-Encoding: {cte}\r\n\r\n"
            )
            .into_bytes();
            msg.extend_from_slice(&data);
            msg.extend_from_slice(b"\r\n--XyZ-boundary-0123456789--\r\n");
            let s = prep(&msg);
            assert_canonical(&s.entity);
            let (h, body) = split(&s.entity);
            assert_eq!(boundary_of(&h), "XyZ-boundary-0123456789");
            let mp = split_multipart(&body, b"XyZ-boundary-0123456789").expect("multipart");
            assert_eq!(mp.parts.len(), 2);
            assert_eq!(
                text(mp.parts[0]),
                "Content-Type: text/plain\r\n\r\nsee attached"
            );
            let (ah, ab) = split(mp.parts[1]);
            assert_eq!(
                ah,
                "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
            );
            assert_eq!(base64_decode_lenient(&ab), data, "{cte}");
        }
    }

    #[test]
    fn nested_multiparts_are_canonicalized_with_boundaries_intact() {
        let msg = "From: Zoë <z@example.com>\n\
            Subject: nested\n\
            MIME-Version: 1.0\n\
            Content-Type: multipart/mixed; boundary=outer\n\
            \n\
            This is a multi-part message.\n\
            --outer\n\
            Content-Type: multipart/alternative;\n boundary=\"inner\"\n\
            \n\
            --inner\n\
            Content-Type: text/plain; charset=utf-8\n\
            Content-Transfer-Encoding: 8bit\n\
            \n\
            Grüße \n\
            --inner\n\
            Content-Type: text/html; charset=utf-8\n\
            \n\
            <p>Grüße</p>\n\
            --inner--\n\
            \n\
            --outer\n\
            Content-Type: application/pdf; name=\"a.pdf\"\n\
            Content-Transfer-Encoding: base64\n\
            \n\
            JVBERi0xLjQK\n\
            --outer--\n";
        let s = prep(msg.as_bytes());
        assert_canonical(&s.entity);
        assert_eq!(
            text(&s.outer_headers),
            "From: Zoë <z@example.com>\r\nSubject: nested\r\n",
            "outer headers stay as they are (8-bit too)"
        );
        let (h, body) = split(&s.entity);
        assert_eq!(h, "Content-Type: multipart/mixed; boundary=outer\r\n");
        let outer = split_multipart(&body, b"outer").expect("outer");
        assert_eq!(outer.preamble, Some(&b"This is a multi-part message."[..]));
        assert_eq!(outer.parts.len(), 2);
        let (ah, abody) = split(outer.parts[0]);
        assert_eq!(
            ah,
            "Content-Type: multipart/alternative;\r\n boundary=\"inner\"\r\n"
        );
        let inner = split_multipart(&abody, b"inner").expect("inner");
        assert_eq!(inner.parts.len(), 2);
        let (th, tb) = split(inner.parts[0]);
        assert_eq!(
            th,
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
        );
        assert_eq!(qp_decode(&tb), "Grüße ".as_bytes());
        let (hh, hb) = split(inner.parts[1]);
        assert_eq!(
            hh,
            "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
        );
        assert_eq!(qp_decode(&hb), "<p>Grüße</p>".as_bytes());
        // "--inner--" LF LF "--outer": one line end closes, the other belongs to "--outer".
        assert_eq!(inner.epilogue, Some(&b""[..]));
        assert_eq!(
            text(outer.parts[1]),
            "Content-Type: application/pdf; name=\"a.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK"
        );
        assert_eq!(outer.epilogue, Some(&b""[..]));
    }

    #[test]
    fn outer_headers_split_correctly() {
        let msg = b"Received: from mx.example.com\n\tby mail.example.org; Thu, 3 Dec 2026 18:00:00 +0000\n\
            From: Alice <alice@example.com>\n\
            To: Bob <bob@example.org>\n\
            Subject: Test\n\
            Date: Thu, 03 Dec 2026 18:00:00 +0000\n\
            Message-ID: <1@example.com>\n\
            MIME-Version: 1.0\n\
            Content-Type: text/plain; charset=us-ascii\n\
            X-Mailer: test\n\
            Content-Transfer-Encoding: 7bit\n\
            content-language: en\n\
            \n\
            Hello\n";
        let s = prep(msg);
        assert_eq!(
            text(&s.outer_headers),
            "Received: from mx.example.com\r\n\tby mail.example.org; Thu, 3 Dec 2026 18:00:00 +0000\r\n\
             From: Alice <alice@example.com>\r\n\
             To: Bob <bob@example.org>\r\n\
             Subject: Test\r\n\
             Date: Thu, 03 Dec 2026 18:00:00 +0000\r\n\
             Message-ID: <1@example.com>\r\n\
             X-Mailer: test\r\n"
        );
        assert_eq!(
            text(&s.entity),
            "Content-Type: text/plain; charset=us-ascii\r\n\
             Content-Transfer-Encoding: 7bit\r\n\
             content-language: en\r\n\r\nHello\r\n"
        );
    }

    #[test]
    fn word_at_a_time_classification_matches_octet_by_octet() {
        let mut rng = Rng(0x5eed);
        for len in 0..200usize {
            for _ in 0..20 {
                // mostly 7-bit text with the odd NUL, CR or high octet
                let t: Vec<u8> = (0..len)
                    .map(|_| match rng.next() % 40 {
                        0 => 0,
                        1 => b'\r',
                        2 => 0x80 | (rng.next() as u8),
                        3 => 0x0d ^ 0x80,
                        _ => b' ' + (rng.next() % 90) as u8,
                    })
                    .collect();
                let naive = (
                    t.iter().any(|&b| b >= 128),
                    t.iter().any(|&b| b == 0 || b == b'\r'),
                );
                assert_eq!(classify(&t), naive, "{t:?}");
            }
        }
    }

    #[test]
    fn bare_entities() {
        let s = prep(b"Content-Type: text/plain\r\nMIME-Version: 1.0\r\n\r\nhi\r\n");
        assert!(s.outer_headers.is_empty());
        assert_eq!(text(&s.entity), "Content-Type: text/plain\r\n\r\nhi\r\n");
        let s = prep(b"\nhi\n");
        assert!(s.outer_headers.is_empty());
        assert_eq!(
            text(&s.entity),
            "Content-Type: text/plain; charset=us-ascii\r\n\r\nhi\r\n"
        );
        // Header only, with the empty line that ends the header block: an empty body.
        let s = prep(b"Content-Type: text/plain\n\n");
        assert_eq!(text(&s.entity), "Content-Type: text/plain\r\n\r\n");
        // Without that empty line the input is cut short or not a message: refused.
        assert_eq!(
            prepare(b"Content-Type: text/plain").map_err(|e| e.code()),
            Err("MALFORMED_MIME")
        );
    }

    #[test]
    fn folded_headers_are_kept() {
        let msg = b"Subject: a long\n subject line\nContent-Type: text/plain;\n\tcharset=\"us-ascii\";\n\tformat=flowed\n\nx\n";
        let s = prep(msg);
        assert_eq!(
            text(&s.outer_headers),
            "Subject: a long\r\n subject line\r\n"
        );
        assert_eq!(
            text(&s.entity),
            "Content-Type: text/plain;\r\n\tcharset=\"us-ascii\";\r\n\tformat=flowed\r\n\r\nx\r\n"
        );
        // Trailing white space in a signed header line is removed (gateways strip it).
        let s = prep(b"Content-Type: text/plain; \n charset=us-ascii\n\nx\n");
        assert_eq!(
            text(&s.entity),
            "Content-Type: text/plain; charset=us-ascii\r\n\r\nx\r\n"
        );
    }

    #[test]
    fn eight_bit_parameters_become_rfc2231() {
        let msg = "Content-Type: multipart/mixed; boundary=b\n\n--b\n\
            Content-Type: application/pdf; name=\"Prüfbericht.pdf\"\n\
            Content-Disposition: attachment; filename=\"Prüfbericht.pdf\"\n\
            Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b--\n";
        let s = prep(msg.as_bytes());
        assert_canonical(&s.entity);
        let e = text(&s.entity);
        assert!(
            e.contains("Content-Type: application/pdf; name*=utf-8''Pr%C3%BCfbericht.pdf\r\n"),
            "{e}"
        );
        assert!(
            e.contains(
                "Content-Disposition: attachment; filename*=utf-8''Pr%C3%BCfbericht.pdf\r\n"
            ),
            "{e}"
        );
    }

    #[test]
    fn eight_bit_unstructured_content_fields_become_encoded_words() {
        let s = prep(
            "Content-Type: text/plain\nContent-Description: Prüfbericht März\n\nx\n".as_bytes(),
        );
        assert_eq!(
            text(&s.entity),
            "Content-Type: text/plain\r\n\
             Content-Description: =?utf-8?Q?Pr=C3=BCfbericht_M=C3=A4rz?=\r\n\r\nx\r\n"
        );
    }

    #[test]
    fn embedded_message_is_made_seven_bit() {
        let msg = "Content-Type: message/rfc822\nContent-Transfer-Encoding: 8bit\n\n\
            From: Jörg <j@example.com>\n\
            Subject: Grüße\n\
            \n\
            Hallo Jörg\n";
        let s = prep(msg.as_bytes());
        assert_canonical(&s.entity);
        let (h, body) = split(&s.entity);
        assert_eq!(
            h,
            "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 7bit\r\n"
        );
        let (ih, ib) = split(&body);
        assert_eq!(
            ih,
            "From: =?utf-8?Q?J=C3=B6rg?= <j@example.com>\r\n\
             Subject: =?utf-8?Q?Gr=C3=BC=C3=9Fe?=\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n"
        );
        assert_eq!(qp_decode(&ib), "Hallo Jörg\r\n".as_bytes());
        // An 8-bit address has no 7-bit form: message/global in base64 (RFC 6532).
        let inner = "From: jörg@example.com\r\nSubject: x\r\n\r\nhi\r\n";
        let s = prep(format!("Content-Type: message/rfc822\n\n{inner}").as_bytes());
        assert_canonical(&s.entity);
        let (h, body) = split(&s.entity);
        assert_eq!(
            h,
            "Content-Type: message/global\r\nContent-Transfer-Encoding: base64\r\n"
        );
        assert_eq!(base64_decode_lenient(&body), inner.as_bytes());
    }

    #[test]
    fn existing_encodings_kept_unless_unsafe() {
        let good_b64 = "Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\nAAEC\nAwQF\n";
        assert_eq!(
            text(&prep(good_b64.as_bytes()).entity),
            good_b64.replace('\n', "\r\n")
        );
        let one_line = Base64Line::new(2000);
        let s = prep(
            format!(
                "Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n{}\n",
                one_line.text
            )
            .as_bytes(),
        );
        assert_canonical(&s.entity);
        assert_eq!(base64_decode_lenient(&split(&s.entity).1), one_line.data);

        let good_qp = "Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\nsoft=\nbreak =3D\n";
        assert_eq!(
            text(&prep(good_qp.as_bytes()).entity),
            good_qp.replace('\n', "\r\n")
        );
        let bad_qp = "Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\nFrom x=20 \ncaf\u{e9}\n";
        let s = prep(bad_qp.as_bytes());
        assert_canonical(&s.entity);
        assert_eq!(
            qp_decode(&split(&s.entity).1),
            "From x \r\ncafé\r\n".as_bytes()
        );
        // 8bit label on 7-bit data becomes 7bit.
        let s = prep(b"Content-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\nascii\n");
        assert!(text(&s.entity).contains("Content-Transfer-Encoding: 7bit\r\n"));
    }

    struct Base64Line {
        data: Vec<u8>,
        text: String,
    }

    impl Base64Line {
        fn new(n: usize) -> Self {
            use base64ct::{Base64, Encoding};
            let data = random_bytes(99, n);
            let text = Base64::encode_string(&data);
            Base64Line { data, text }
        }
    }

    #[test]
    fn clashing_boundary_is_replaced() {
        // "--bnd-x" is not a delimiter for boundary "bnd" but readers that match prefixes
        // would split there: the boundary is changed.
        let msg = b"Content-Type: multipart/mixed; boundary=bnd\n\n--bnd\nContent-Type: text/plain\n\n--bnd-x\n--bnd--\n";
        let s = prep(msg);
        let (h, body) = split(&s.entity);
        let b = boundary_of(&h);
        assert!(b.starts_with("=_smime_"), "{h}");
        let mp = split_multipart(&body, b.as_bytes()).expect("split");
        assert_eq!(text(mp.parts[0]), "Content-Type: text/plain\r\n\r\n--bnd-x");
    }

    #[test]
    fn errors() {
        assert!(matches!(
            prepare(b"From: a@b\nSubject: x\nthis line is body but there was no blank line\n"),
            Err(Error::MalformedMime(_))
        ));
        assert!(matches!(
            prepare(b"Hello, this is not a header\n\nbody\n"),
            Err(Error::MalformedMime(_))
        ));
        assert!(matches!(
            prepare(b"From alice@example.com Thu Dec  3 18:00:00 2026\nFrom: a@b\n\nx\n"),
            Err(Error::MalformedMime(_))
        ));
        assert!(matches!(
            prepare(b"Content-Type: multipart/mixed\n\n--x\n\nhi\n--x--\n"),
            Err(Error::MalformedMime(_))
        ));
        assert!(matches!(
            prepare(b"Content-Type: multipart/mixed; boundary=x\n\nno delimiter\n"),
            Err(Error::MalformedMime(_))
        ));
        assert!(matches!(
            prepare(b"Content-Type: text/plain\nContent-Type: text/html\n\nx\n"),
            Err(Error::MalformedMime(_))
        ));
        // Nesting: depth MAX_MIME_DEPTH is fine, one more is not.
        let nested = |levels: usize| {
            let mut m = String::from("Content-Type: text/plain\n\nleaf\n");
            for i in 0..levels {
                m = format!(
                    "Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n{m}--b{i}--\n"
                );
            }
            m
        };
        assert!(prepare(nested(MAX_MIME_DEPTH).as_bytes()).is_ok());
        assert_eq!(
            prepare(nested(MAX_MIME_DEPTH + 1).as_bytes()),
            Err(Error::NestingTooDeep {
                limit: MAX_MIME_DEPTH
            })
        );
        let mut rfc822 = String::from("Subject: leaf\n\nx\n");
        for _ in 0..=MAX_MIME_DEPTH {
            rfc822 = format!("Content-Type: message/rfc822\n\n{rfc822}");
        }
        assert!(matches!(
            prepare(rfc822.as_bytes()),
            Err(Error::NestingTooDeep { .. })
        ));
        let huge = vec![b'a'; MAX_MESSAGE_SIZE + 1];
        assert_eq!(
            prepare(&huge),
            Err(Error::InputTooLarge {
                what: "message size in bytes",
                limit: MAX_MESSAGE_SIZE
            })
        );
        let many = format!(
            "{}\nbody\n",
            "X-A: b\n".repeat(crate::policy::MAX_HEADER_FIELDS + 1)
        );
        assert!(matches!(
            prepare(many.as_bytes()),
            Err(Error::InputTooLarge { .. })
        ));
    }

    #[test]
    fn nested_signed_message_is_kept_as_signed() {
        let msg = b"Content-Type: multipart/signed; boundary=s; protocol=\"application/pkcs7-signature\"\n\n--s\nContent-Type: text/plain\n\nsigned text \n--s\nContent-Type: application/pkcs7-signature\nContent-Transfer-Encoding: base64\n\nAAAA\n--s--\n";
        let s = prep(msg);
        let (_, body) = split(&s.entity);
        assert_eq!(
            body,
            to_crlf(&msg[msg.iter().position(|&b| b == b'\n').unwrap_or(0) + 2..])
        );
    }

    /// Fragments that exercise the parser's corners.
    const FRAGMENTS: &[&[u8]] = &[
        b"Content-Type: multipart/mixed; boundary=b\n",
        b"Content-Type: multipart/alternative; boundary=\"c\"\n",
        b"Content-Type: multipart/digest; boundary=b\n",
        b"Content-Type: multipart/signed; boundary=b\n",
        b"Content-Type: message/rfc822\n",
        b"Content-Type: text/plain; charset=utf-8\n",
        b"Content-Type: application/octet-stream; name=\"\xc3\xa9\"\n",
        b"Content-Type: text/html;\n charset=x\n",
        b"Content-Type: \n",
        b"Content-Transfer-Encoding: base64\n",
        b"Content-Transfer-Encoding: quoted-printable\n",
        b"Content-Transfer-Encoding: 8bit\n",
        b"Content-Transfer-Encoding: binary\n",
        b"Content-Transfer-Encoding: x-uue\n",
        b"Content-Disposition: attachment; filename=\xe9t\xe9\n",
        b"From: J\xc3\xb6rg <j@x>\n",
        b"To: j\xc3\xb6rg@x\n",
        b"Subject: \xc3\xa9 \n",
        b"X: y\n",
        b" folded\n",
        b"--b\n",
        b"--b--\n",
        b"--c\n",
        b"--c--\n",
        b"\n",
        b"\r\n",
        b"\r",
        b"From the start\n",
        b"text \t\n",
        b"=41=\n",
        b"=ZZ\n",
        b"AAEC\n",
        b"\x00\xff\xfe",
        b"\xc3\xa9",
        b"caf\xc3\xa9 au lait\n",
        b"(",
        b"\"",
        b";",
        b"=",
        b":",
    ];

    /// A random entity: one Content-Type, maybe a Content-Transfer-Encoding and other fields,
    /// then a multipart (recursively), a message/rfc822 or random leaf text.
    fn random_entity(rng: &mut Rng, depth: usize) -> Vec<u8> {
        // "{b}" is this level's boundary; "b0" (quoted) repeats across levels on purpose.
        const TYPES: &[&str] = &[
            "text/plain",
            "text/plain; charset=utf-8",
            "text/html",
            "application/octet-stream; name=\"caf\u{e9}\"",
            "image/png",
            "message/rfc822",
            "multipart/mixed; boundary=\"b0\"",
            "multipart/alternative; boundary={b}",
            "multipart/digest; boundary={b}",
        ];
        const CTES: &[&str] = &["7bit", "8bit", "binary", "base64", "quoted-printable"];
        let mut m = Vec::new();
        let ty = TYPES[rng.below(if depth > 3 { 6 } else { TYPES.len() })];
        let b = if ty.contains("\"b0\"") {
            "b0".to_string()
        } else {
            format!("b{depth}")
        };
        m.extend_from_slice(format!("Content-Type: {}\n", ty.replace("{b}", &b)).as_bytes());
        if rng.below(2) == 0 {
            let cte = CTES[rng.below(CTES.len())];
            m.extend_from_slice(format!("Content-Transfer-Encoding: {cte}\n").as_bytes());
        }
        if rng.below(3) == 0 {
            m.extend_from_slice(FRAGMENTS[14 + rng.below(5)]);
        }
        m.push(b'\n');
        if ty.starts_with("multipart/") {
            if rng.below(2) == 0 {
                m.extend_from_slice(FRAGMENTS[rng.below(FRAGMENTS.len())]);
            }
            for _ in 0..1 + rng.below(3) {
                m.extend_from_slice(format!("--{b}\n").as_bytes());
                m.extend(random_entity(rng, depth + 1));
                m.push(b'\n');
            }
            if rng.below(4) > 0 {
                m.extend_from_slice(format!("--{b}--\n").as_bytes());
            }
        } else if ty == "message/rfc822" {
            m.extend_from_slice(FRAGMENTS[15 + rng.below(4)]);
            m.extend(random_entity(rng, depth + 1));
        } else {
            for _ in 0..rng.below(8) {
                m.extend_from_slice(FRAGMENTS[19 + rng.below(FRAGMENTS.len() - 19)]);
                if rng.below(8) == 0 {
                    m.extend((0..rng.below(8)).map(|_| rng.next() as u8));
                }
            }
        }
        m
    }

    #[test]
    fn random_input_never_panics() {
        let mut rng = Rng(0x5eed_1234_abcd_0001);
        let mut ok = 0usize;
        for round in 0..8000 {
            let mut msg = Vec::new();
            let n = 1 + rng.below(40);
            for _ in 0..n {
                match rng.below(10) {
                    0 => {
                        let len = rng.below(20);
                        msg.extend((0..len).map(|_| rng.next() as u8));
                    }
                    1 => msg.extend(std::iter::repeat_n(b'x', rng.below(1200))),
                    _ => msg.extend_from_slice(FRAGMENTS[rng.below(FRAGMENTS.len())]),
                }
            }
            match round % 3 {
                // A valid start, to get past the first header line into multipart parsing.
                0 => {
                    let start = b"Content-Type: multipart/mixed; boundary=b\n\n--b\n";
                    msg.splice(0..0, start.iter().copied());
                }
                // A structured message with random leaves.
                1 => msg = random_entity(&mut rng, 0),
                _ => {}
            }
            if let Ok(s) = prepare(&msg) {
                ok += 1;
                let again = [&s.outer_headers[..], &s.entity].concat();
                let s2 = prepare(&again).unwrap_or_else(|e| {
                    panic!("round {round}: second pass failed: {e}\n{}", text(&again))
                });
                assert_eq!(
                    text(&s2.entity),
                    text(&s.entity),
                    "round {round}: not idempotent"
                );
                if !msg
                    .windows(16)
                    .any(|w| w.eq_ignore_ascii_case(b"multipart/signed"))
                {
                    assert_canonical(&s.entity);
                }
            }
        }
        assert!(
            ok > 2000,
            "too few inputs were accepted ({ok}); the test is not testing much"
        );
    }

    #[test]
    fn mutated_messages_never_panic() {
        let base = b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\npre\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: s\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\n\r\nx\r\n--c--\r\n--b--\r\nepi\r\n";
        let mut rng = Rng(42);
        for _ in 0..3000 {
            let mut m = base.to_vec();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(m.len());
                match rng.below(4) {
                    0 => m[at] = rng.next() as u8,
                    1 => {
                        m.remove(at);
                    }
                    2 => m.insert(at, b"\n\r-=:;\"\x80 "[rng.below(9)]),
                    _ => m.truncate(at),
                }
                if m.is_empty() {
                    break;
                }
            }
            let _ = prepare(&m);
        }
    }
}
