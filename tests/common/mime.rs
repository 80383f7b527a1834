//! A small, strict MIME reader (RFC 5322 headers, RFC 2045 transfer encodings, RFC 2046
//! multiparts), written for the tests so that they judge a signer's output without this crate.
//! It panics with a precise message on anything malformed: in a test that is the right
//! outcome, and a lenient reader would hide the very defects the tests look for.

use std::ops::Range;

/// One MIME entity (a whole message or a body part), borrowed from its bytes.
#[derive(Debug, Clone)]
pub struct Entity<'a> {
    /// `(name as written, value unfolded and trimmed)`, in order.
    pub headers: Vec<(String, String)>,
    /// The body: everything after the blank line that ends the header block.
    pub body: &'a [u8],
    /// Offset of `body` inside the bytes given to [`parse_entity`].
    pub body_offset: usize,
}

/// Splits an entity into headers and body. The header block ends at the first empty line
/// (CRLF or LF); an entity that starts with an empty line has no headers.
pub fn parse_entity(bytes: &[u8]) -> Entity<'_> {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut pos = 0;
    loop {
        let Some(nl) = bytes[pos..].iter().position(|&b| b == b'\n') else {
            panic!("header block does not end with an empty line (at byte {pos})");
        };
        let line = &bytes[pos..pos + nl];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        pos += nl + 1;
        if line.is_empty() {
            break;
        }
        let text = String::from_utf8_lossy(line);
        if text.starts_with([' ', '\t']) {
            let last = headers
                .last_mut()
                .unwrap_or_else(|| panic!("continuation line before any header: {text:?}"));
            last.1.push(' ');
            last.1.push_str(text.trim());
            continue;
        }
        let (name, value) = text
            .split_once(':')
            .unwrap_or_else(|| panic!("header line without a colon: {text:?}"));
        assert!(
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic()),
            "bad header name {name:?}"
        );
        headers.push((name.to_string(), value.trim().to_string()));
    }
    Entity {
        headers,
        body: &bytes[pos..],
        body_offset: pos,
    }
}

impl Entity<'_> {
    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// How many headers are called `name`.
    pub fn count(&self, name: &str) -> usize {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .count()
    }

    /// `type/subtype` of Content-Type, lower case; `text/plain` when there is none.
    pub fn mime_type(&self) -> String {
        self.header("Content-Type").map_or_else(
            || "text/plain".to_string(),
            |v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            },
        )
    }

    /// A parameter of the Content-Type header.
    pub fn ct_param(&self, name: &str) -> Option<String> {
        param(self.header("Content-Type")?, name)
    }

    /// Content-Transfer-Encoding, lower case; `7bit` when there is none.
    pub fn cte(&self) -> String {
        self.header("Content-Transfer-Encoding")
            .map_or_else(|| "7bit".to_string(), |v| v.trim().to_ascii_lowercase())
    }

    /// The body with its transfer encoding undone.
    pub fn decoded_body(&self) -> Vec<u8> {
        match self.cte().as_str() {
            "7bit" | "8bit" | "binary" => self.body.to_vec(),
            "quoted-printable" => decode_qp(self.body),
            "base64" => decode_base64(self.body),
            other => panic!("unknown Content-Transfer-Encoding {other:?}"),
        }
    }

    /// The byte ranges (inside `body`) of the parts of a multipart entity.
    pub fn part_ranges(&self) -> Vec<Range<usize>> {
        let boundary = self
            .ct_param("boundary")
            .unwrap_or_else(|| panic!("{} without a boundary parameter", self.mime_type()));
        multipart_ranges(self.body, &boundary)
    }

    /// The parts of a multipart entity, as byte slices.
    pub fn parts(&self) -> Vec<&[u8]> {
        self.part_ranges()
            .into_iter()
            .map(|r| &self.body[r])
            .collect()
    }
}

/// A parameter of a structured header value (`type/sub; a=b; c="d e"`), case-insensitive
/// name, quotes and backslash escapes removed.
pub fn param(value: &str, name: &str) -> Option<String> {
    let mut fields = Vec::new();
    let (mut cur, mut quoted, mut escaped) = (String::new(), false, false);
    for c in value.chars() {
        match c {
            _ if escaped => {
                cur.push(c);
                escaped = false;
            }
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => fields.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    fields.push(cur);
    fields.iter().skip(1).find_map(|f| {
        let (n, v) = f.split_once('=')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

/// The byte ranges of the body parts of a multipart body (RFC 2046 section 5.1.1): a part
/// runs from after its delimiter line to before the line break that precedes the next
/// delimiter (that line break belongs to the delimiter). Panics without a close delimiter.
pub fn multipart_ranges(body: &[u8], boundary: &str) -> Vec<Range<usize>> {
    let delim = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut start: Option<usize> = None;
    let mut pos = 0;
    while pos < body.len() {
        let end = body[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(body.len(), |n| pos + n + 1);
        let line = &body[pos..end];
        let bare = trim_end_ws(line);
        let is_close = bare == format!("{delim}--").as_bytes();
        if bare == delim.as_bytes() || is_close {
            if let Some(s) = start {
                let mut e = pos;
                if e > s && body[e - 1] == b'\n' {
                    e -= 1;
                    if e > s && body[e - 1] == b'\r' {
                        e -= 1;
                    }
                }
                parts.push(s..e);
            }
            if is_close {
                return parts;
            }
            start = Some(end);
        }
        pos = end;
    }
    panic!("multipart body has no close delimiter --{boundary}--");
}

fn trim_end_ws(line: &[u8]) -> &[u8] {
    let n = line
        .iter()
        .rposition(|b| !b" \t\r\n".contains(b))
        .map_or(0, |i| i + 1);
    &line[..n]
}

/// Quoted-printable decoding (RFC 2045 section 6.7): `=XX` octets, `=` soft line breaks, and
/// whitespace at the end of an encoded line removed (rule 3: it was added in transport).
/// Hard line breaks come out as CRLF.
pub fn decode_qp(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
    for (i, raw) in lines.iter().enumerate() {
        let last = i + 1 == lines.len();
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line = &line[..line
            .iter()
            .rposition(|b| !b" \t".contains(b))
            .map_or(0, |p| p + 1)];
        let (line, soft) = match line.strip_suffix(b"=") {
            Some(l) => (l, true),
            None => (line, false),
        };
        let mut j = 0;
        while j < line.len() {
            if line[j] == b'=' {
                let hex = line
                    .get(j + 1..j + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .unwrap_or_else(|| {
                        panic!(
                            "malformed quoted-printable escape in line {}: {:?}",
                            i + 1,
                            String::from_utf8_lossy(line)
                        )
                    });
                out.push(hex);
                j += 3;
            } else {
                out.push(line[j]);
                j += 1;
            }
        }
        if !soft && !last {
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

/// Base64 decoding of a transfer-encoded body (line breaks and spaces ignored).
pub fn decode_base64(body: &[u8]) -> Vec<u8> {
    use base64ct::Encoding;
    let clean: String = body
        .iter()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|&b| b as char)
        .collect();
    base64ct::Base64::decode_vec(&clean)
        .unwrap_or_else(|e| panic!("bad base64 body ({e}): {:.80}...", clean))
}

/// A leaf of the MIME tree, decoded: what a reader of the message sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaf {
    /// `type/subtype`, lower case.
    pub mime_type: String,
    /// The charset parameter, lower case.
    pub charset: Option<String>,
    /// Content-Disposition `filename` (or Content-Type `name`).
    pub filename: Option<String>,
    /// The decoded body; for `text/*` with CRLF turned into LF, as line endings of text are
    /// the one thing a conforming signer changes (RFC 8551 section 3.1.1).
    pub data: Vec<u8>,
}

/// The leaves of an entity, depth first (preamble and epilogue of multiparts ignored).
pub fn leaves(entity: &[u8]) -> Vec<Leaf> {
    let e = parse_entity(entity);
    let t = e.mime_type();
    if t.starts_with("multipart/") {
        return e.parts().into_iter().flat_map(leaves).collect();
    }
    let mut data = e.decoded_body();
    if t.starts_with("text/") {
        data = crlf_to_lf(&data);
    }
    vec![Leaf {
        charset: e.ct_param("charset").map(|c| c.to_ascii_lowercase()),
        filename: e
            .header("Content-Disposition")
            .and_then(|d| param(d, "filename"))
            .or_else(|| e.ct_param("name")),
        mime_type: t,
        data,
    }]
}

/// CRLF -> LF.
pub fn crlf_to_lf(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    for (i, &c) in b.iter().enumerate() {
        if !(c == b'\r' && b.get(i + 1) == Some(&b'\n')) {
            out.push(c);
        }
    }
    out
}

/// The first line longer than `max` octets (without its line break): `(line number, length)`.
pub fn first_long_line(b: &[u8], max: usize) -> Option<(usize, usize)> {
    b.split(|&c| c == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).len())
        .enumerate()
        .find(|&(_, n)| n > max)
        .map(|(i, n)| (i + 1, n))
}

/// Offset of the first octet >= 0x80 or NUL, or a CR/LF that is not part of CRLF.
pub fn first_non_7bit(b: &[u8]) -> Option<usize> {
    b.iter().enumerate().position(|(i, &c)| {
        c >= 0x80
            || c == 0
            || (c == b'\r' && b.get(i + 1) != Some(&b'\n'))
            || (c == b'\n' && (i == 0 || b[i - 1] != b'\r'))
    })
}

/// A copy of a multipart/signed message with one octet of the signed body changed: the case
/// of the first ASCII letter in the body of the first part is flipped.
pub fn tamper_signed_body(msg: &[u8]) -> Vec<u8> {
    let top = parse_entity(msg);
    assert_eq!(
        top.mime_type(),
        "multipart/signed",
        "can only tamper with multipart/signed"
    );
    let first = top
        .part_ranges()
        .into_iter()
        .next()
        .expect("multipart/signed without parts");
    let part = parse_entity(&top.body[first.clone()]);
    let at = part
        .body
        .iter()
        .position(u8::is_ascii_alphabetic)
        .expect("the signed part's body has no letter to change");
    let offset = top.body_offset + first.start + part.body_offset + at;
    let mut out = msg.to_vec();
    out[offset] ^= 0x20;
    out
}
