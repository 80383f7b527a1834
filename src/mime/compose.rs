//! Building an RFC 5322 message from fields, already in the canonical form that
//! [`super::prepare_for_signing`] leaves unchanged.

use super::build::{new_boundary, occurs_as_line, random_hex};
use super::encoding::{CRLF, base64_lines, encoded_words, qp_encode};
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
            what: "message",
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
        encoded_words(subject.as_bytes()).join(" ")
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
