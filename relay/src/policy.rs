//! What the relay accepts: S/MIME only, no private key material, allowed senders and recipients.
//!
//! The checks read the message without changing it: a small MIME walker splits header blocks and
//! multipart bodies, decodes base64 and quoted-printable leaves to look inside attachments, and
//! stops at a fixed depth. Encrypted (`application/pkcs7-mime`) content cannot be looked into.

use base64ct::Encoding as _;

use crate::config::PolicyConfig;
use crate::error::{ApiError, ErrorKind};

/// Deepest MIME nesting walked before the message is refused as malformed.
const MAX_DEPTH: usize = 16;

/// One header field, unfolded; the value is decoded lossily (only ASCII matters here).
#[derive(Debug, Clone)]
pub struct Field {
    /// Field name as written.
    pub name: String,
    /// Unfolded value, surrounding white space removed.
    pub value: String,
}

/// Splits an entity into its header block and body (after the first empty line). A message with
/// no empty line is all header.
pub fn split_entity(entity: &[u8]) -> (&[u8], &[u8]) {
    if entity.starts_with(b"\r\n") {
        return (&[], &entity[2..]);
    }
    if entity.starts_with(b"\n") {
        return (&[], &entity[1..]);
    }
    let mut i = 0;
    while let Some(off) = entity[i..].iter().position(|&b| b == b'\n') {
        let nl = i + off;
        let rest = &entity[nl + 1..];
        if rest.starts_with(b"\r\n") {
            return (&entity[..nl + 1], &rest[2..]);
        }
        if rest.starts_with(b"\n") {
            return (&entity[..nl + 1], &rest[1..]);
        }
        i = nl + 1;
    }
    (entity, &[])
}

/// Parses a header block into unfolded fields (lines without a colon are skipped).
pub fn parse_fields(block: &[u8]) -> Vec<Field> {
    let text = String::from_utf8_lossy(block);
    let mut fields: Vec<Field> = Vec::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = fields.last_mut() {
                last.value.push(' ');
                last.value.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            fields.push(Field {
                name: name.trim().to_string(),
                value: value.trim().to_string(),
            });
        }
    }
    fields
}

fn field<'a>(fields: &'a [Field], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(name))
        .map(|f| f.value.as_str())
}

/// A parsed `Content-Type` (or `Content-Disposition`): lower-cased value and parameters
/// (names lower-cased, values unquoted).
#[derive(Debug, Default)]
pub struct HeaderValue {
    /// `type/subtype` (or disposition), lower case.
    pub value: String,
    /// Parameters in order.
    pub params: Vec<(String, String)>,
}

impl HeaderValue {
    /// Parses `value; a=b; c="d"`.
    pub fn parse(raw: &str) -> Self {
        let mut parts = split_unquoted(raw, ';').into_iter();
        let value = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let params = parts
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                let v = v.trim();
                let v = v
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(v)
                    .replace("\\\"", "\"");
                Some((k.trim().to_ascii_lowercase(), v))
            })
            .collect();
        Self { value, params }
    }

    /// The first parameter named `name` (lower case).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Splits on `sep` outside double quotes, angle brackets and parentheses.
fn split_unquoted(s: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut escaped, mut angle, mut paren) = (false, false, 0usize, 0usize);
    for c in s.chars() {
        if escaped {
            escaped = false;
            cur.push(c);
            continue;
        }
        match c {
            '\\' if quoted => escaped = true,
            '"' if paren == 0 => quoted = !quoted,
            '<' if !quoted && paren == 0 => angle += 1,
            '>' if !quoted && paren == 0 => angle = angle.saturating_sub(1),
            '(' if !quoted => paren += 1,
            ')' if !quoted => paren = paren.saturating_sub(1),
            c if c == sep && !quoted && angle == 0 && paren == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

/// The addresses in an address-list field such as From (`Name <a@b>, c@d`), lower-cased.
pub fn addresses(value: &str) -> Vec<String> {
    split_unquoted(value, ',')
        .iter()
        .filter_map(|m| {
            let m = m.trim();
            if m.is_empty() {
                return None;
            }
            let addr = match (m.rfind('<'), m.rfind('>')) {
                (Some(a), Some(b)) if a < b => &m[a + 1..b],
                _ => m.split('(').next().unwrap_or(m),
            };
            Some(addr.trim().to_ascii_lowercase())
        })
        .collect()
}

/// The domain of `addr` when it is a plausible addr-spec (one `@`, no white space, no
/// characters that could break a header or an SMTP command).
pub fn domain_of(addr: &str) -> Option<&str> {
    if addr.len() > 320
        || addr
            .bytes()
            .any(|b| b <= b' ' || b >= 0x7f || b"<>,;\"()[]\\".contains(&b))
    {
        return None;
    }
    let (local, domain) = addr.rsplit_once('@')?;
    if local.is_empty() || domain.is_empty() || local.contains('@') || !domain.contains('.') {
        return None;
    }
    Some(domain)
}

fn domain_allowed(domain: &str, allowed: &[String]) -> bool {
    allowed.iter().any(|d| d.eq_ignore_ascii_case(domain))
}

/// Checks the top-level Content-Type: S/MIME signed (multipart/signed with a PKCS #7 signature
/// protocol) or enveloped/signed-data (application/pkcs7-mime, with or without `x-`).
pub fn check_smime(top: &[Field]) -> Result<(), ApiError> {
    let ct = field(top, "Content-Type")
        .map(HeaderValue::parse)
        .unwrap_or_default();
    let ok = match ct.value.as_str() {
        "multipart/signed" => matches!(
            ct.param("protocol").map(str::to_ascii_lowercase).as_deref(),
            Some("application/pkcs7-signature" | "application/x-pkcs7-signature")
        ),
        "application/pkcs7-mime" | "application/x-pkcs7-mime" => true,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorKind::NotSmime,
            "the top-level Content-Type must be multipart/signed (protocol application/pkcs7-signature) or application/pkcs7-mime",
        ))
    }
}

/// Checks the From addresses and the envelope sender against `allowed_sender_domains`.
/// Returns the envelope sender to use (the return path, else the first From address).
pub fn check_sender(
    top: &[Field],
    return_path: Option<&str>,
    policy: &PolicyConfig,
) -> Result<String, ApiError> {
    let froms: Vec<String> = top
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("From"))
        .flat_map(|f| addresses(&f.value))
        .collect();
    if froms.is_empty() {
        return Err(ApiError::new(
            ErrorKind::SenderNotAllowed,
            "the message has no From address",
        ));
    }
    let mut all = froms.clone();
    if let Some(rp) = return_path {
        all.push(rp.trim().to_ascii_lowercase());
    }
    for a in &all {
        match domain_of(a) {
            Some(d) if domain_allowed(d, &policy.allowed_sender_domains) => {}
            Some(d) => {
                return Err(ApiError::new(
                    ErrorKind::SenderNotAllowed,
                    format!("sender domain {d} is not allowed"),
                ));
            }
            None => {
                return Err(ApiError::new(
                    ErrorKind::SenderNotAllowed,
                    "a sender address is malformed",
                ));
            }
        }
    }
    Ok(return_path
        .map(|r| r.trim().to_ascii_lowercase())
        .unwrap_or_else(|| froms[0].clone()))
}

/// Checks every recipient against the allowed list and domains; returns them lower-cased.
pub fn check_recipients(recipients: &[String], policy: &PolicyConfig) -> Result<(), ApiError> {
    if recipients.is_empty() {
        return Err(ApiError::new(ErrorKind::BadRequest, "no recipients"));
    }
    if recipients.len() > policy.max_recipients {
        return Err(ApiError::new(
            ErrorKind::RecipientNotAllowed,
            format!("more than {} recipients", policy.max_recipients),
        ));
    }
    for r in recipients {
        let Some(domain) = domain_of(r) else {
            return Err(ApiError::new(
                ErrorKind::RecipientNotAllowed,
                "a recipient address is malformed",
            ));
        };
        let listed = policy
            .allowed_recipients
            .iter()
            .any(|a| a.eq_ignore_ascii_case(r));
        if !listed && !domain_allowed(domain, &policy.allowed_recipient_domains) {
            return Err(ApiError::new(
                ErrorKind::RecipientNotAllowed,
                format!("recipient {r} is not allowed"),
            ));
        }
    }
    Ok(())
}

fn key_material(reason: &str) -> ApiError {
    ApiError::new(ErrorKind::PrivateKey, reason.to_string())
}

/// Whether `data` contains a PEM block whose label ends in `PRIVATE KEY` (PKCS #8, encrypted
/// PKCS #8, RSA, EC, DSA, OpenSSH, ...).
pub fn has_pem_private_key(data: &[u8]) -> bool {
    const BEGIN: &[u8] = b"-----BEGIN ";
    let mut i = 0;
    while let Some(off) = find(&data[i..], BEGIN) {
        let start = i + off + BEGIN.len();
        let label_end = data[start..]
            .iter()
            .take(64)
            .position(|&b| b == b'-' || b == b'\n');
        if let Some(end) = label_end {
            let label = &data[start..start + end];
            if label.ends_with(b"PRIVATE KEY") && data[start + end..].starts_with(b"-----") {
                return true;
            }
        }
        i = start;
    }
    false
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// A cheap DER sniff for a PKCS #12 PFX: `SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-* ...`.
pub fn looks_like_pkcs12(d: &[u8]) -> bool {
    if d.len() < 24 || d[0] != 0x30 {
        return false;
    }
    let hdr = match d[1] {
        l if l <= 0x80 => 2,
        0x81 => 3,
        0x82 => 4,
        0x83 => 5,
        0x84 => 6,
        _ => return false,
    };
    let r = &d[hdr..];
    if !r.starts_with(&[0x02, 0x01, 0x03, 0x30]) {
        return false;
    }
    // the authSafe ContentInfo's contentType: id-data or id-signedData (1.2.840.113549.1.7.x)
    find(
        &r[4..r.len().min(24)],
        &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07],
    )
    .is_some()
}

fn is_p12_name(v: &str) -> bool {
    let v = v.trim().trim_matches('"').to_ascii_lowercase();
    v.ends_with(".p12") || v.ends_with(".pfx")
}

fn decode_base64(body: &[u8]) -> Option<Vec<u8>> {
    let clean: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    base64ct::Base64::decode_vec(std::str::from_utf8(&clean).ok()?).ok()
}

fn decode_qp(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] == b'=' {
            if body[i + 1..].starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if body[i + 1..].starts_with(b"\n") {
                i += 2;
                continue;
            }
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (
                body.get(i + 1).copied().and_then(hex),
                body.get(i + 2).copied().and_then(hex),
            ) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(body[i]);
        i += 1;
    }
    out
}

/// Splits a multipart body on `--boundary` lines; returns the parts (without the preamble and
/// epilogue).
fn multipart_parts<'a>(body: &'a [u8], boundary: &str) -> Vec<&'a [u8]> {
    let delim = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut start: Option<usize> = None;
    let mut pos = 0;
    while pos < body.len() {
        let end = body[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(body.len(), |o| pos + o + 1);
        let line = &body[pos..end];
        let t = line.trim_ascii_end();
        if t.starts_with(delim.as_bytes()) {
            let rest = &t[delim.len()..];
            if rest.is_empty() || rest == b"--" {
                if let Some(s) = start {
                    // the CRLF before the delimiter belongs to the delimiter
                    let mut e = pos;
                    if e > s && body[e - 1] == b'\n' {
                        e -= 1;
                        if e > s && body[e - 1] == b'\r' {
                            e -= 1;
                        }
                    }
                    parts.push(&body[s..e]);
                }
                if rest == b"--" {
                    return parts;
                }
                start = Some(end);
            }
        }
        pos = end;
    }
    parts
}

/// Walks the message and refuses private key material anywhere it can see: PEM `... PRIVATE
/// KEY` blocks (raw or inside base64/quoted-printable parts), PKCS #12 attachments (by content
/// type, by `.p12`/`.pfx` file name, or by a DER sniff of decoded parts).
pub fn check_no_key_material(message: &[u8]) -> Result<(), ApiError> {
    if has_pem_private_key(message) {
        return Err(key_material("a PEM private key block is in the message"));
    }
    walk(message, 0)
}

fn walk(entity: &[u8], depth: usize) -> Result<(), ApiError> {
    if depth > MAX_DEPTH {
        return Err(ApiError::new(
            ErrorKind::BadRequest,
            "MIME structure nested too deeply",
        ));
    }
    let (head, body) = split_entity(entity);
    let fields = parse_fields(head);
    let ct = field(&fields, "Content-Type")
        .map(HeaderValue::parse)
        .unwrap_or_default();
    if matches!(
        ct.value.as_str(),
        "application/x-pkcs12" | "application/pkcs12"
    ) {
        return Err(key_material("a PKCS #12 attachment is in the message"));
    }
    let disp = field(&fields, "Content-Disposition")
        .map(HeaderValue::parse)
        .unwrap_or_default();
    let names = ct
        .params
        .iter()
        .chain(disp.params.iter())
        .filter(|(k, _)| k.starts_with("name") || k.starts_with("filename"));
    for (_, v) in names {
        if is_p12_name(v) {
            return Err(key_material("a .p12/.pfx attachment is in the message"));
        }
    }
    if ct.value.starts_with("multipart/") {
        if let Some(boundary) = ct.param("boundary") {
            for part in multipart_parts(body, boundary) {
                walk(part, depth + 1)?;
            }
        }
        return Ok(());
    }
    if ct.value == "message/rfc822" {
        return walk(body, depth + 1);
    }
    let cte = field(&fields, "Content-Transfer-Encoding")
        .unwrap_or("")
        .to_ascii_lowercase();
    let decoded = match cte.as_str() {
        "base64" => decode_base64(body),
        "quoted-printable" => Some(decode_qp(body)),
        _ => None,
    };
    let data = decoded.as_deref().unwrap_or(body);
    if decoded.is_some() && has_pem_private_key(data) {
        return Err(key_material("a PEM private key block is in an attachment"));
    }
    if looks_like_pkcs12(data) {
        return Err(key_material("a PKCS #12 file is in an attachment"));
    }
    Ok(())
}

/// The top-level header fields of `message`.
pub fn top_fields(message: &[u8]) -> Vec<Field> {
    parse_fields(split_entity(message).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        let ok = |ct: &str| {
            check_smime(&top_fields(
                format!("Content-Type: {ct}\r\n\r\nx").as_bytes(),
            ))
            .is_ok()
        };
        assert!(ok(
            "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=x"
        ));
        assert!(ok(
            "multipart/signed;\r\n protocol=\"application/x-pkcs7-signature\"; boundary=x"
        ));
        assert!(ok("application/pkcs7-mime; smime-type=enveloped-data"));
        assert!(ok("Application/X-PKCS7-MIME"));
        assert!(!ok(
            "multipart/signed; protocol=\"application/pgp-signature\""
        ));
        assert!(!ok("text/plain"));
        assert!(check_smime(&top_fields(b"Subject: x\r\n\r\nbody")).is_err());
    }

    #[test]
    fn addresses_parse() {
        assert_eq!(
            addresses("\"Lovelace, Alice\" <Alice@Smime.Example>, bob@x.example (Bob)"),
            ["alice@smime.example", "bob@x.example"]
        );
        assert_eq!(domain_of("a@b.example"), Some("b.example"));
        assert_eq!(domain_of("a@b"), None);
        assert_eq!(domain_of("a b@c.example"), None);
        assert_eq!(domain_of("a@c.example\r\nRCPT TO:<x@y.z>"), None);
    }

    #[test]
    fn key_material_found() {
        assert!(has_pem_private_key(
            b"x\n-----BEGIN ENCRYPTED PRIVATE KEY-----\nAA"
        ));
        assert!(has_pem_private_key(b"-----BEGIN OPENSSH PRIVATE KEY-----"));
        assert!(!has_pem_private_key(b"-----BEGIN CERTIFICATE-----"));
        let inner = base64ct::Base64::encode_string(b"-----BEGIN PRIVATE KEY-----\nMII\n");
        let msg = format!(
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n{inner}\r\n--b--\r\n"
        );
        assert!(check_no_key_material(msg.as_bytes()).is_err());
        let msg = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"Me.PFX\"\r\n\r\nAAAA\r\n--b--\r\n";
        assert!(check_no_key_material(msg.as_bytes()).is_err());
        let clean = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n";
        assert!(check_no_key_material(clean.as_bytes()).is_ok());
    }

    #[test]
    fn pkcs12_sniff() {
        let p12 = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/data/rfc9216/alice.p12"
        ))
        .expect("alice.p12");
        assert!(looks_like_pkcs12(&p12));
        let crt = b"\x30\x82\x01\x00\x30\x82";
        assert!(!looks_like_pkcs12(crt));
    }

    #[test]
    fn multipart_split() {
        let body = b"pre\r\n--b\r\nA\r\n--b\r\nB\r\n--b--\r\nepi";
        assert_eq!(multipart_parts(body, "b"), [&b"A"[..], &b"B"[..]]);
    }
}
