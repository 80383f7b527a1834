//! Building an RFC 5322 message from fields, already in the canonical form that
//! [`super::prepare_for_signing`] leaves unchanged.

use super::build::{new_boundary, occurs_as_line, random_hex};
use super::encoding::{CRLF, base64_lines, encoded_words, encoded_words_first, qp_encode};
use super::header::{MAX_LINE, Param, ParamValue, fold, lines_fit};
use super::parse::{lines, to_crlf};
use super::{Attachment, ComposeFields};
use crate::error::{Error, Result};
use crate::policy::MAX_MESSAGE_SIZE;

fn invalid(what: &str, why: &str) -> Error {
    Error::InvalidOption(format!("{what}: {why}"))
}

/// Rejects CR, LF and NUL: nothing a caller gives may start a new header line.
fn no_line_breaks(what: &str, value: &str) -> Result<()> {
    if value.contains(['\r', '\n', '\0']) {
        return Err(invalid(what, "contains CR, LF or NUL"));
    }
    Ok(())
}

/// Builds the message (see [`super::compose`]).
pub(crate) fn compose(f: &ComposeFields) -> Result<Vec<u8>> {
    no_line_breaks("from", &f.from)?;
    no_line_breaks("subject", &f.subject)?;
    for (i, a) in f.to.iter().enumerate() {
        no_line_breaks(&format!("to[{i}]"), a)?;
    }
    for (i, a) in f.cc.iter().enumerate() {
        no_line_breaks(&format!("cc[{i}]"), a)?;
    }
    if let Some(id) = &f.message_id {
        no_line_breaks("message_id", id)?;
    }
    for (i, a) in f.attachments.iter().enumerate() {
        no_line_breaks(&format!("attachments[{i}].filename"), &a.filename)?;
        no_line_breaks(&format!("attachments[{i}].content_type"), &a.content_type)?;
    }
    if f.from.trim().is_empty() {
        return Err(invalid("from", "is empty"));
    }
    if f.to.is_empty() && f.cc.is_empty() {
        return Err(invalid("to", "no recipient (to and cc are both empty)"));
    }
    let size = f.text.as_ref().map_or(0, String::len)
        + f.html.as_ref().map_or(0, String::len)
        + f.attachments.iter().map(|a| a.data.len()).sum::<usize>();
    if size > MAX_MESSAGE_SIZE {
        return Err(Error::InputTooLarge {
            what: "message size in bytes",
            limit: MAX_MESSAGE_SIZE,
        });
    }

    let (from_name, from_addr) = mailbox("from", &f.from)?;
    let domain = from_addr
        .rsplit_once('@')
        .map_or("", |(_, d)| d)
        .to_string();
    let mut out = Vec::new();
    out.extend_from_slice(format!("Date: {}\r\n", rfc5322_date(f.date)?).as_bytes());
    out.extend_from_slice(&address_field("From", &[(from_name, from_addr)])?);
    let mut list = |name: &str, what: &str, addrs: &[String]| -> Result<()> {
        if addrs.is_empty() {
            return Ok(());
        }
        let parsed = addrs
            .iter()
            .enumerate()
            .map(|(i, a)| mailbox(&format!("{what}[{i}]"), a))
            .collect::<Result<Vec<_>>>()?;
        out.extend_from_slice(&address_field(name, &parsed)?);
        Ok(())
    };
    list("To", "to", &f.to)?;
    list("Cc", "cc", &f.cc)?;
    out.extend_from_slice(&subject_field(&f.subject));
    let id = match &f.message_id {
        Some(id) => message_id(id)?,
        None => format!("<{}@{}>", random_hex(16)?, domain),
    };
    out.extend_from_slice(format!("Message-ID: {id}\r\n").as_bytes());
    out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    out.extend_from_slice(&body_entity(f)?);
    Ok(out)
}

/// The MIME entity of the message: text, html, alternative, mixed.
fn body_entity(f: &ComposeFields) -> Result<Vec<u8>> {
    let mut texts = Vec::new();
    if let Some(t) = &f.text {
        texts.push(text_part("text/plain", t));
    }
    if let Some(h) = &f.html {
        texts.push(text_part("text/html", h));
    }
    if texts.is_empty() && f.attachments.is_empty() {
        texts.push(text_part("text/plain", ""));
    }
    let body = if texts.len() > 1 {
        Some(multipart("alternative", &texts)?)
    } else {
        texts.pop()
    };
    if f.attachments.is_empty() {
        let mut single = body.unwrap_or_default();
        if !single.ends_with(CRLF) {
            single.extend_from_slice(CRLF);
        }
        return Ok(single);
    }
    let mut parts: Vec<Vec<u8>> = body.into_iter().collect();
    for (i, a) in f.attachments.iter().enumerate() {
        parts.push(attachment_part(i, a)?);
    }
    multipart("mixed", &parts)
}

/// Whether `body` (CRLF line ends) may go out as 7bit: ASCII without NUL or bare CR, lines of at
/// most 78 octets, no trailing white space, no line starting with "From ".
fn plain_7bit(body: &[u8]) -> bool {
    lines(body).all(|l| {
        l.text.len() <= 78
            && l.text.iter().all(|&b| b != 0 && b != b'\r' && b < 128)
            && !matches!(l.text.last(), Some(b' ' | b'\t'))
            && !l.text.starts_with(b"From ")
    })
}

fn text_part(media: &str, text: &str) -> Vec<u8> {
    let body = to_crlf(text.as_bytes());
    let (cte, body) = if plain_7bit(&body) {
        ("7bit", body)
    } else {
        ("quoted-printable", qp_encode(&body))
    };
    let mut out =
        format!("Content-Type: {media}; charset=utf-8\r\nContent-Transfer-Encoding: {cte}\r\n\r\n")
            .into_bytes();
    out.extend_from_slice(&body);
    out
}

fn attachment_part(i: usize, a: &Attachment) -> Result<Vec<u8>> {
    let what = format!("attachments[{i}]");
    if a.filename.is_empty() || a.filename.chars().any(char::is_control) {
        return Err(invalid(
            &format!("{what}.filename"),
            "is empty or has control characters",
        ));
    }
    let mut ct = super::header::parse_param_value(a.content_type.as_bytes());
    let media = ct.media_type().ok_or_else(|| {
        invalid(
            &format!("{what}.content_type"),
            "is not a type/subtype media type",
        )
    })?;
    if !a.content_type.is_ascii() {
        return Err(invalid(&format!("{what}.content_type"), "is not ASCII"));
    }
    if media.0 == "multipart"
        || (media.0 == "message"
            && matches!(media.1.as_str(), "rfc822" | "partial" | "external-body"))
    {
        return Err(invalid(
            &format!("{what}.content_type"),
            "multipart/* and message/rfc822 cannot be sent base64-encoded; use application/octet-stream",
        ));
    }
    ct.main = format!("{}/{}", media.0, media.1).into_bytes();
    ct.params.retain(|p| {
        let n = String::from_utf8_lossy(&p.name).to_ascii_lowercase();
        n != "name" && !n.starts_with("name*")
    });
    let fallback: String = a
        .filename
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    ct.params.push(Param {
        name: b"name".to_vec(),
        value: fallback.into_bytes(),
        quoted: true,
    });
    let cd = ParamValue {
        main: b"attachment".to_vec(),
        params: vec![Param {
            name: b"filename".to_vec(),
            value: a.filename.as_bytes().to_vec(),
            quoted: true,
        }],
    };
    let mut out = ct.render("Content-Type");
    out.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n");
    out.extend_from_slice(&cd.render("Content-Disposition"));
    if !lines_fit(&out) {
        return Err(invalid(&what, "a header line would exceed 998 octets"));
    }
    out.extend_from_slice(CRLF);
    out.extend_from_slice(&base64_lines(&a.data));
    Ok(out)
}

/// A multipart entity with a fresh boundary; `parts` are complete entities.
fn multipart(subtype: &str, parts: &[Vec<u8>]) -> Result<Vec<u8>> {
    let boundary = new_boundary(|b| parts.iter().any(|p| occurs_as_line(p, b)))?;
    let ct = ParamValue {
        main: format!("multipart/{subtype}").into_bytes(),
        params: vec![Param {
            name: b"boundary".to_vec(),
            value: boundary.clone(),
            quoted: true,
        }],
    };
    let mut out = ct.render("Content-Type");
    out.extend_from_slice(CRLF);
    for p in parts {
        out.extend_from_slice(b"--");
        out.extend_from_slice(&boundary);
        out.extend_from_slice(CRLF);
        out.extend_from_slice(p);
        out.extend_from_slice(CRLF);
    }
    out.extend_from_slice(b"--");
    out.extend_from_slice(&boundary);
    out.extend_from_slice(b"--\r\n");
    Ok(out)
}

/// RFC 5322 `atext`.
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

/// Splits `Display Name <addr@example>` or `addr@example` and checks the address.
fn mailbox(what: &str, s: &str) -> Result<(String, String)> {
    let s = s.trim();
    let (name, addr) = match (s.rfind('<'), s.strip_suffix('>')) {
        (Some(lt), Some(without_gt)) => (
            s.get(..lt).unwrap_or_default().trim(),
            without_gt.get(lt + 1..).unwrap_or_default().trim(),
        ),
        _ => ("", s),
    };
    let name = match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(quoted) => {
            let mut out = String::new();
            let mut esc = false;
            for c in quoted.chars() {
                if !esc && c == '\\' {
                    esc = true;
                    continue;
                }
                esc = false;
                out.push(c);
            }
            out
        }
        None => name.to_string(),
    };
    let valid = addr.split_once('@').is_some_and(|(local, domain)| {
        let ok = |p: &str| {
            !p.is_empty()
                && !p.starts_with('.')
                && !p.ends_with('.')
                && !p.contains("..")
                && p.chars().all(|c| is_atext(c) || c == '.')
        };
        ok(local) && ok(domain) && !domain.contains('@')
    });
    if !valid {
        return Err(invalid(
            what,
            &format!("{addr:?} is not an address (local@domain, ASCII)"),
        ));
    }
    Ok((name, addr.to_string()))
}

/// `name <addr>` with the display name as atoms, a quoted string or RFC 2047 encoded words.
fn format_mailbox(name: &str, addr: &str) -> String {
    if name.is_empty() {
        return addr.to_string();
    }
    let printable = name.chars().all(|c| c.is_ascii() && !c.is_ascii_control());
    if !printable || name.contains("=?") {
        return format!("{} <{addr}>", encoded_words(name.as_bytes()).join(" "));
    }
    let atoms = name
        .split(' ')
        .all(|w| !w.is_empty() && w.chars().all(is_atext));
    if atoms {
        return format!("{name} <{addr}>");
    }
    let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\" <{addr}>")
}

fn address_field(name: &str, list: &[(String, String)]) -> Result<Vec<u8>> {
    let value: Vec<String> = list.iter().map(|(n, a)| format_mailbox(n, a)).collect();
    let folded = fold(format!("{name}: {}", value.join(", ")).as_bytes(), true);
    if !lines_fit(&folded) {
        return Err(invalid(&name.to_ascii_lowercase(), "too long to fold"));
    }
    Ok(folded)
}

fn subject_field(subject: &str) -> Vec<u8> {
    let plain = subject
        .chars()
        .all(|c| c.is_ascii() && (c == '\t' || !c.is_ascii_control()))
        && !subject.contains("=?")
        && subject.split([' ', '\t']).all(|w| w.len() < MAX_LINE - 20);
    let value = if plain {
        subject.to_string()
    } else {
        encoded_words_first(subject.as_bytes(), 76 - "Subject: ".len()).join(" ")
    };
    fold(format!("Subject: {value}").as_bytes(), false)
}

fn message_id(id: &str) -> Result<String> {
    let id = id.trim();
    let inner = id
        .strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .unwrap_or(id);
    let ok = inner.contains('@')
        && inner.len() < 900
        && inner
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'<' | b'>' | b'"' | b'\\'));
    if !ok {
        return Err(invalid(
            "message_id",
            "must be printable ASCII without spaces and hold an @",
        ));
    }
    Ok(format!("<{inner}>"))
}

/// RFC 5322 §3.3 date-time in UTC, e.g. "Thu, 03 Dec 2026 18:00:00 +0000".
pub(crate) fn rfc5322_date(secs: i64) -> Result<String> {
    // 1900-01-01T00:00:00Z ..= 9999-12-31T23:59:59Z
    if !(-2_208_988_800..=253_402_300_799).contains(&secs) {
        return Err(invalid("date", "outside the years 1900-9999"));
    }
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let weekday = WEEKDAYS
        .get(usize::try_from((days + 4).rem_euclid(7)).unwrap_or(0))
        .copied()
        .unwrap_or("Sun");
    let month_name = MONTHS
        .get(usize::try_from(month - 1).unwrap_or(0))
        .copied()
        .unwrap_or("Jan");
    Ok(format!(
        "{weekday}, {day:02} {month_name} {year:04} {:02}:{:02}:{:02} +0000",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    ))
}

#[cfg(test)]
mod tests {
    use super::super::encoding::{base64_decode_lenient, decode, qp_decode};
    use super::super::header::parse_param_value;
    use super::super::parse::{split_entity, split_multipart};
    use super::super::prepare_for_signing;
    use super::*;

    fn fields() -> ComposeFields {
        ComposeFields {
            from: "Alice Example <alice@example.com>".into(),
            to: vec!["bob@example.org".into()],
            subject: "Hello".into(),
            date: 1_796_320_800,
            message_id: Some("abc@example.com".into()),
            text: Some("Hi Bob,\nsee you.\n".into()),
            ..ComposeFields::default()
        }
    }

    /// Header fields of an entity as (lower-case name, unfolded value without leading space).
    fn header(entity: &[u8]) -> Vec<(String, String)> {
        split_entity(entity)
            .expect("entity")
            .fields
            .iter()
            .map(|f| {
                let v = String::from_utf8(f.value()).expect("ascii");
                (
                    String::from_utf8_lossy(f.name()).to_ascii_lowercase(),
                    v.trim_start().to_string(),
                )
            })
            .collect()
    }

    fn get<'a>(h: &'a [(String, String)], name: &str) -> &'a str {
        h.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name}"))
    }

    /// The message must come back from prepare_for_signing unchanged.
    fn assert_canonical_message(msg: &[u8]) {
        let s = prepare_for_signing(msg).expect("prepare");
        let rebuilt = [&s.outer_headers[..], b"MIME-Version: 1.0\r\n", &s.entity].concat();
        assert_eq!(
            String::from_utf8_lossy(&rebuilt),
            String::from_utf8_lossy(msg),
            "prepare_for_signing changed the composed message"
        );
        let msg = msg.strip_suffix(b"\r\n").expect("ends in CRLF");
        for line in msg.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            assert!(line.len() <= 78, "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn simple_text_message() {
        let msg = compose(&fields()).expect("compose");
        assert_eq!(
            String::from_utf8(msg.clone()).expect("ascii"),
            "Date: Thu, 03 Dec 2026 18:00:00 +0000\r\n\
             From: Alice Example <alice@example.com>\r\n\
             To: bob@example.org\r\n\
             Subject: Hello\r\n\
             Message-ID: <abc@example.com>\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: 7bit\r\n\
             \r\n\
             Hi Bob,\r\nsee you.\r\n"
        );
        assert_canonical_message(&msg);
    }

    #[test]
    fn full_message_with_encoded_words_alternative_and_attachments() {
        let pdf: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 256) as u8).collect();
        let f = ComposeFields {
            from: "\"Zoë Ångström\" <zoe@example.com>".into(),
            to: vec![
                "Bob <bob@example.org>".into(),
                "\"Doe, John\" <john@example.net>".into(),
            ],
            cc: vec![
                "Łukasz Żółw <l@example.pl>".into(),
                "plain@example.com".into(),
            ],
            subject:
                "Grüße aus Köln — ein ziemlich langer Betreff, der gefaltet werden muss, 日本語も"
                    .into(),
            message_id: Some("<x.1@example.com>".into()),
            text: Some("Grüße!\nFrom Köln \n".into()),
            html: Some("<p>Grüße!</p>".into()),
            attachments: vec![
                Attachment {
                    filename: "Prüfbericht – Entwurf März 2026 (endgültige Fassung).pdf".into(),
                    content_type: "application/pdf".into(),
                    data: pdf.clone(),
                },
                Attachment {
                    filename: "notes.txt".into(),
                    content_type: "text/plain; charset=us-ascii; name=ignored".into(),
                    data: b"plain\n".to_vec(),
                },
            ],
            ..fields()
        };
        let msg = compose(&f).expect("compose");
        assert!(msg.is_ascii());
        assert_canonical_message(&msg);

        let h = header(&msg);
        let from = get(&h, "from");
        let (name, addr) = from.split_once(" <").expect("name <addr>");
        assert_eq!(addr, "zoe@example.com>");
        assert_eq!(decode::encoded_words(name), "Zoë Ångström".as_bytes());
        assert_eq!(
            get(&h, "to"),
            "Bob <bob@example.org>, \"Doe, John\" <john@example.net>"
        );
        let cc = get(&h, "cc");
        let (cc_name, _) = cc.split_once(" <").expect("cc");
        assert_eq!(decode::encoded_words(cc_name), "Łukasz Żółw".as_bytes());
        assert!(cc.ends_with("<l@example.pl>, plain@example.com"));
        assert_eq!(
            decode::encoded_words(get(&h, "subject")),
            f.subject.as_bytes()
        );
        assert_eq!(get(&h, "message-id"), "<x.1@example.com>");

        // multipart/mixed > (multipart/alternative > text, html), pdf, txt
        let top = split_entity(&msg).expect("message");
        let ct = parse_param_value(get(&h, "content-type").as_bytes());
        assert_eq!(ct.main, b"multipart/mixed");
        let mixed = split_multipart(top.body, ct.param("boundary").expect("b")).expect("mixed");
        assert_eq!(mixed.parts.len(), 3);
        let alt_h = header(mixed.parts[0]);
        let alt_ct = parse_param_value(get(&alt_h, "content-type").as_bytes());
        assert_eq!(alt_ct.main, b"multipart/alternative");
        let alt_body = split_entity(mixed.parts[0]).expect("alt").body;
        let alt = split_multipart(alt_body, alt_ct.param("boundary").expect("b")).expect("alt");
        assert_eq!(alt.parts.len(), 2);
        let text = split_entity(alt.parts[0]).expect("text");
        assert_eq!(
            get(&header(alt.parts[0]), "content-type"),
            "text/plain; charset=utf-8"
        );
        assert_eq!(
            get(&header(alt.parts[0]), "content-transfer-encoding"),
            "quoted-printable"
        );
        assert_eq!(qp_decode(text.body), "Grüße!\r\nFrom Köln \r\n".as_bytes());
        assert_eq!(
            get(&header(alt.parts[1]), "content-type"),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            qp_decode(split_entity(alt.parts[1]).expect("html").body),
            "<p>Grüße!</p>".as_bytes()
        );

        let pdf_h = header(mixed.parts[1]);
        let pdf_ct = parse_param_value(get(&pdf_h, "content-type").as_bytes());
        assert_eq!(
            pdf_ct.param("name"),
            Some("Pr_fbericht _ Entwurf M_rz 2026 (endg_ltige Fassung).pdf".as_bytes())
        );
        let cd = parse_param_value(get(&pdf_h, "content-disposition").as_bytes());
        assert_eq!(cd.main, b"attachment");
        let pairs: Vec<(String, String)> = cd
            .params
            .iter()
            .map(|p| {
                (
                    String::from_utf8_lossy(&p.name).into_owned(),
                    String::from_utf8_lossy(&p.value).into_owned(),
                )
            })
            .collect();
        assert!(pairs.len() > 1, "long name uses RFC 2231 continuations");
        assert_eq!(
            decode::rfc2231(&pairs, "filename").as_deref(),
            Some(f.attachments[0].filename.as_bytes())
        );
        assert_eq!(get(&pdf_h, "content-transfer-encoding"), "base64");
        assert_eq!(
            base64_decode_lenient(split_entity(mixed.parts[1]).expect("pdf").body),
            pdf
        );

        let txt_h = header(mixed.parts[2]);
        assert_eq!(
            get(&txt_h, "content-type"),
            "text/plain; charset=us-ascii; name=\"notes.txt\""
        );
        assert_eq!(
            get(&txt_h, "content-disposition"),
            "attachment; filename=\"notes.txt\""
        );
    }

    #[test]
    fn html_only_and_attachment_only() {
        let f = ComposeFields {
            text: None,
            html: Some("<b>hi</b>".into()),
            ..fields()
        };
        let msg = compose(&f).expect("compose");
        assert_eq!(
            get(&header(&msg), "content-type"),
            "text/html; charset=utf-8"
        );
        assert_canonical_message(&msg);
        let f = ComposeFields {
            text: None,
            attachments: vec![Attachment {
                filename: "a.bin".into(),
                content_type: "application/octet-stream".into(),
                data: vec![0, 1, 2],
            }],
            ..fields()
        };
        let msg = compose(&f).expect("compose");
        assert!(get(&header(&msg), "content-type").starts_with("multipart/mixed;"));
        assert_canonical_message(&msg);
    }

    #[test]
    fn header_injection_and_bad_fields_are_rejected() {
        let cases: Vec<(&str, ComposeFields)> = vec![
            (
                "from",
                ComposeFields {
                    from: "a@b.c\r\nBcc: x@y.z".into(),
                    ..fields()
                },
            ),
            (
                "subject",
                ComposeFields {
                    subject: "hi\nBcc: x@y.z".into(),
                    ..fields()
                },
            ),
            (
                "subject",
                ComposeFields {
                    subject: "hi\rthere".into(),
                    ..fields()
                },
            ),
            (
                "to[1]",
                ComposeFields {
                    to: vec!["a@b.c".into(), "d@e.f\n".into()],
                    ..fields()
                },
            ),
            (
                "cc[0]",
                ComposeFields {
                    cc: vec!["x\r@y.z".into()],
                    ..fields()
                },
            ),
            (
                "message_id",
                ComposeFields {
                    message_id: Some("a@b\r\nX: y".into()),
                    ..fields()
                },
            ),
            (
                "attachments[0].filename",
                ComposeFields {
                    attachments: vec![Attachment {
                        filename: "a\r\nContent-Type: text/html".into(),
                        content_type: "text/plain".into(),
                        data: vec![],
                    }],
                    ..fields()
                },
            ),
            (
                "attachments[0].content_type",
                ComposeFields {
                    attachments: vec![Attachment {
                        filename: "a".into(),
                        content_type: "text/plain\r\nBcc: x@y.z".into(),
                        data: vec![],
                    }],
                    ..fields()
                },
            ),
            (
                "from",
                ComposeFields {
                    from: "  ".into(),
                    ..fields()
                },
            ),
            (
                "to",
                ComposeFields {
                    to: vec![],
                    cc: vec![],
                    ..fields()
                },
            ),
            (
                "to[0]",
                ComposeFields {
                    to: vec!["not an address".into()],
                    ..fields()
                },
            ),
            (
                "to[0]",
                ComposeFields {
                    to: vec!["jörg@example.com".into()],
                    ..fields()
                },
            ),
            (
                "date",
                ComposeFields {
                    date: i64::MAX,
                    ..fields()
                },
            ),
            (
                "message_id",
                ComposeFields {
                    message_id: Some("no at sign".into()),
                    ..fields()
                },
            ),
            (
                "attachments[0].content_type",
                ComposeFields {
                    attachments: vec![Attachment {
                        filename: "a.eml".into(),
                        content_type: "message/rfc822".into(),
                        data: vec![],
                    }],
                    ..fields()
                },
            ),
        ];
        for (what, f) in cases {
            match compose(&f) {
                Err(Error::InvalidOption(m)) => assert!(m.starts_with(what), "{what}: {m}"),
                other => panic!("{what}: expected InvalidOption, got {other:?}"),
            }
        }
        // Cc alone is enough; so is a name with specials, which gets quoted.
        let f = ComposeFields {
            to: vec![],
            cc: vec!["\"Smith, J. (Sales)\" <j@example.com>".into()],
            ..fields()
        };
        let msg = compose(&f).expect("cc only");
        assert_eq!(
            get(&header(&msg), "cc"),
            "\"Smith, J. (Sales)\" <j@example.com>"
        );
    }

    #[test]
    fn message_id_and_dates() {
        let f = ComposeFields {
            message_id: None,
            ..fields()
        };
        let a = compose(&f).expect("compose");
        let b = compose(&f).expect("compose");
        let id_a = get(&header(&a), "message-id").to_string();
        assert!(
            id_a.starts_with('<') && id_a.ends_with("@example.com>"),
            "{id_a}"
        );
        assert_eq!(id_a.len(), 1 + 32 + "@example.com>".len());
        assert_ne!(id_a, get(&header(&b), "message-id"));
        for (secs, text) in [
            (0, "Thu, 01 Jan 1970 00:00:00 +0000"),
            (-1, "Wed, 31 Dec 1969 23:59:59 +0000"),
            (1_709_251_199, "Thu, 29 Feb 2024 23:59:59 +0000"),
            (1_796_320_800, "Thu, 03 Dec 2026 18:00:00 +0000"),
            (-2_208_988_800, "Mon, 01 Jan 1900 00:00:00 +0000"),
            (253_402_300_799, "Fri, 31 Dec 9999 23:59:59 +0000"),
        ] {
            assert_eq!(rfc5322_date(secs).expect("in range"), text);
        }
        assert!(rfc5322_date(-2_208_988_801).is_err());
        assert!(rfc5322_date(253_402_300_800).is_err());
    }

    #[test]
    fn long_headers_fold_and_unusual_subjects_encode() {
        let many: Vec<String> = (0..20)
            .map(|i| format!("User {i} <user{i}@example.com>"))
            .collect();
        let f = ComposeFields {
            to: many.clone(),
            subject: "word ".repeat(40),
            ..fields()
        };
        let msg = compose(&f).expect("compose");
        assert_canonical_message(&msg);
        assert_eq!(get(&header(&msg), "to"), many.join(", "));
        assert_eq!(get(&header(&msg), "subject"), "word ".repeat(40).trim_end());
        // A subject that looks like an encoded word, or has controls, is itself encoded.
        for s in ["=?utf-8?Q?x?=", "bell\u{7}"] {
            let msg = compose(&ComposeFields {
                subject: s.into(),
                ..fields()
            })
            .expect("compose");
            assert_eq!(
                decode::encoded_words(get(&header(&msg), "subject")),
                s.as_bytes()
            );
        }
        let msg = compose(&ComposeFields {
            subject: String::new(),
            ..fields()
        })
        .expect("compose");
        assert!(String::from_utf8_lossy(&msg).contains("\r\nSubject:\r\n"));
    }
}
