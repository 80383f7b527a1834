//! Splitting raw bytes, keeping every byte addressable: lines (LF or CRLF), an entity into its
//! header block and body (RFC 5322 §2.1, RFC 2045 §3), a multipart body into its parts
//! (RFC 2046 §5.1.1). Nothing here allocates copies of the content.

use super::header::Field;
use crate::error::{Error, Result};
use crate::policy::MAX_HEADER_FIELDS;

/// One line of input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line<'a> {
    /// The line without its line end (a CR before the LF is part of the line end; any other CR is text).
    pub(crate) text: &'a [u8],
    /// Offset of the line's first octet.
    pub(crate) start: usize,
    /// Offset just after the line end.
    pub(crate) end: usize,
    /// Length of the line end: 0 (last line, no line end), 1 (LF) or 2 (CRLF).
    pub(crate) eol: usize,
}

/// Iterator over the lines of a byte string.
#[derive(Debug, Clone)]
pub(crate) struct Lines<'a> {
    data: &'a [u8],
    pos: usize,
}

/// The lines of `data`; a final line without line end is included if not empty.
pub(crate) fn lines(data: &[u8]) -> Lines<'_> {
    Lines { data, pos: 0 }
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        let rest = self.data.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let start = self.pos;
        let line = match memchr::memchr(b'\n', rest) {
            Some(i) => {
                let with_cr = i > 0 && rest.get(i - 1) == Some(&b'\r');
                let text_len = if with_cr { i - 1 } else { i };
                Line {
                    text: rest.get(..text_len).unwrap_or_default(),
                    start,
                    end: start + i + 1,
                    eol: if with_cr { 2 } else { 1 },
                }
            }
            None => Line {
                text: rest,
                start,
                end: self.data.len(),
                eol: 0,
            },
        };
        self.pos = line.end;
        Some(line)
    }
}

/// `data` with every line end made CRLF (a final line without line end stays without).
pub(crate) fn to_crlf(data: &[u8]) -> Vec<u8> {
    if !has_bare_lf(data) {
        return data.to_vec();
    }
    let mut out = Vec::with_capacity(data.len() + data.len() / 32 + 2);
    for line in lines(data) {
        out.extend_from_slice(line.text);
        if line.eol > 0 {
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

/// True when some LF is not preceded by CR.
fn has_bare_lf(data: &[u8]) -> bool {
    memchr::memchr_iter(b'\n', data).any(|i| i == 0 || data.get(i - 1) != Some(&b'\r'))
}

/// An entity split into its header fields and body.
#[derive(Debug, Clone)]
pub(crate) struct Entity<'a> {
    /// Header fields in order.
    pub(crate) fields: Vec<Field<'a>>,
    /// The body: everything after the blank line (empty if there is none).
    pub(crate) body: &'a [u8],
    /// Whether the header block was closed by an empty line (a body part may omit it; a whole
    /// message to be signed may not).
    pub(crate) terminated: bool,
}

/// Splits `data` into header block and body. The header block ends at the first empty line;
/// if there is none, every line must be part of a header field (the body is then empty).
/// A line that starts with white space continues the previous field (a blank-looking line of
/// white space too: RFC 5322 obs-FWS). Errors: a first line that is not a header field, a line
/// in the header block that is neither field nor continuation (the header block does not end),
/// NUL or a bare CR in the header block, more than [`MAX_HEADER_FIELDS`] fields.
pub(crate) fn split_entity(data: &[u8]) -> Result<Entity<'_>> {
    let mut fields: Vec<Field<'_>> = Vec::new();
    for line in lines(data) {
        if line.text.is_empty() {
            return Ok(Entity {
                fields,
                body: data.get(line.end..).unwrap_or_default(),
                terminated: true,
            });
        }
        if line.text.iter().any(|&b| b == 0 || b == b'\r') {
            return Err(Error::MalformedMime(
                "NUL or bare CR in a header field".into(),
            ));
        }
        if matches!(line.text.first(), Some(b' ' | b'\t')) {
            match fields.last_mut() {
                Some(f) => f.lines.push(line.text),
                None => {
                    return Err(Error::MalformedMime(
                        "the first line is not a header field (it starts with white space)".into(),
                    ));
                }
            }
            continue;
        }
        match Field::start(line.text) {
            Some(f) => {
                if fields.len() >= MAX_HEADER_FIELDS {
                    return Err(Error::InputTooLarge {
                        what: "number of header fields in one header block",
                        limit: MAX_HEADER_FIELDS,
                    });
                }
                fields.push(f);
            }
            None if fields.is_empty() => {
                return Err(Error::MalformedMime(
                    "the first line is not a header field".into(),
                ));
            }
            None => {
                return Err(Error::MalformedMime(format!(
                    "no end of the header block: line {} is not a header field",
                    fields.len() + 1
                )));
            }
        }
    }
    Ok(Entity {
        fields,
        body: data.get(data.len()..).unwrap_or_default(),
        terminated: false,
    })
}

/// What a line is to a multipart body with a given boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delimiter {
    /// `--boundary` (then optional white space).
    Open,
    /// `--boundary--` (then optional white space).
    Close,
}

/// Whether `line` is a delimiter line for `boundary` (RFC 2046 §5.1.1: transport padding allowed).
pub(crate) fn delimiter(line: &[u8], boundary: &[u8]) -> Option<Delimiter> {
    let rest = line.strip_prefix(b"--")?.strip_prefix(boundary)?;
    let only_wsp = |s: &[u8]| s.iter().all(|&b| b == b' ' || b == b'\t');
    if let Some(after) = rest.strip_prefix(b"--")
        && only_wsp(after)
    {
        return Some(Delimiter::Close);
    }
    only_wsp(rest).then_some(Delimiter::Open)
}

/// A multipart body split at its delimiters. The line end before each delimiter belongs to the
/// delimiter (RFC 2046 §5.1.1), so `parts` hold exactly the encapsulated bytes.
#[derive(Debug, Clone)]
pub(crate) struct Multipart<'a> {
    /// Text before the first delimiter (`None` if the body starts with the delimiter).
    pub(crate) preamble: Option<&'a [u8]>,
    /// The body parts.
    pub(crate) parts: Vec<&'a [u8]>,
    /// Text after the close delimiter's line end (`None` if the close delimiter has no line end
    /// or is missing).
    pub(crate) epilogue: Option<&'a [u8]>,
}

/// Splits a multipart body. A missing close delimiter is tolerated (the last part runs to the
/// end); a body without any delimiter is an error.
pub(crate) fn split_multipart<'a>(body: &'a [u8], boundary: &[u8]) -> Result<Multipart<'a>> {
    let mut preamble = None;
    let mut parts = Vec::new();
    let mut current: Option<usize> = None;
    let mut prev_eol = 0usize;
    for line in lines(body) {
        if let Some(kind) = delimiter(line.text, boundary) {
            let end = line.start.saturating_sub(prev_eol);
            match current {
                None if line.start == 0 => {}
                None => preamble = Some(body.get(..end).unwrap_or_default()),
                Some(s) => parts.push(body.get(s..end.max(s)).unwrap_or_default()),
            }
            if kind == Delimiter::Close {
                let epilogue = (line.eol > 0).then(|| body.get(line.end..).unwrap_or_default());
                return Ok(Multipart {
                    preamble,
                    parts,
                    epilogue,
                });
            }
            current = Some(line.end);
        }
        prev_eol = line.eol;
    }
    match current {
        Some(s) => {
            parts.push(body.get(s..).unwrap_or_default());
            Ok(Multipart {
                preamble,
                parts,
                epilogue: None,
            })
        }
        None => Err(Error::MalformedMime(
            "multipart body without a boundary delimiter line".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_offsets_and_line_ends() {
        let data = b"a\r\nb\n\r\nc\rd";
        let v: Vec<_> = lines(data).collect();
        assert_eq!(v.len(), 4);
        assert_eq!((v[0].text, v[0].eol, v[0].end), (&b"a"[..], 2, 3));
        assert_eq!((v[1].text, v[1].eol), (&b"b"[..], 1));
        assert_eq!((v[2].text, v[2].eol), (&b""[..], 2));
        assert_eq!(
            (v[3].text, v[3].eol, v[3].end),
            (&b"c\rd"[..], 0, data.len())
        );
        assert_eq!(to_crlf(data), b"a\r\nb\r\n\r\nc\rd".as_slice());
    }

    #[test]
    fn split_entity_cases() {
        let e = split_entity(b"A: 1\n  more\nB: 2\r\n\r\nbody\n").expect("ok");
        assert_eq!(e.fields.len(), 2);
        assert_eq!(e.fields[0].value(), b" 1  more");
        assert_eq!(e.body, b"body\n");
        let e = split_entity(b"\nbody").expect("ok");
        assert!(e.fields.is_empty());
        assert_eq!(e.body, b"body");
        let e = split_entity(b"A: 1\nB: 2").expect("header only");
        assert_eq!((e.fields.len(), e.body), (2, &b""[..]));
        for bad in [
            &b"hello world\n\nbody"[..],
            b" A: 1\n\n",
            b"A: 1\nthis is body text\n",
            b"A: 1\rB: 2\n\n",
            b"A: \x00\n\n",
        ] {
            assert!(
                matches!(split_entity(bad), Err(Error::MalformedMime(_))),
                "{bad:?}"
            );
        }
        let many = "X: y\n".repeat(MAX_HEADER_FIELDS + 1);
        assert!(matches!(
            split_entity(many.as_bytes()),
            Err(Error::InputTooLarge { .. })
        ));
    }

    #[test]
    fn multipart_split_follows_rfc2046() {
        let body = b"pre\r\n--b \r\nA\r\n\r\n--b\nB\n--bx\n--b--\r\nepi\n";
        let m = split_multipart(body, b"b").expect("ok");
        assert_eq!(m.preamble, Some(&b"pre"[..]));
        assert_eq!(m.parts, vec![&b"A\r\n"[..], &b"B\n--bx"[..]]);
        assert_eq!(m.epilogue, Some(&b"epi\n"[..]));
        let m = split_multipart(b"--b\r\n--b\r\nx", b"b").expect("ok");
        assert_eq!(m.preamble, None);
        assert_eq!(m.parts, vec![&b""[..], &b"x"[..]]);
        assert_eq!(m.epilogue, None);
        assert!(split_multipart(b"no delimiters\n", b"b").is_err());
    }
}
