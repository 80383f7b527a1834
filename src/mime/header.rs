//! Header fields: the [`Field`] type, parameter values such as Content-Type (RFC 2045 §5.1,
//! RFC 2183, RFC 2231), rendering and folding (RFC 5322 §2.2.3), and making a field safe for
//! a signed entity (7-bit, no trailing white space, lines of at most 998 octets).

use super::encoding::{CRLF, encoded_words, percent_encode, rfc2231_params, trim_end_wsp};

/// Longest line allowed by RFC 5322 §2.1.1, without its CRLF.
pub(crate) const MAX_LINE: usize = 998;

/// Line length the folder aims for: RFC 5322 §2.1.1 says 78, RFC 2047 §2 limits lines holding
/// encoded words to 76.
const FOLD_AT: usize = 76;

/// One header field as it stands in the input: its physical lines, without line ends.
#[derive(Debug, Clone)]
pub(crate) struct Field<'a> {
    /// The physical lines; the first holds the name and the colon, the others start with white space.
    pub(crate) lines: Vec<&'a [u8]>,
    /// Length of the name in the first line.
    pub(crate) name_len: usize,
    /// Index of the colon in the first line.
    pub(crate) colon: usize,
}

impl<'a> Field<'a> {
    /// Recognises the first line of a header field: a name of printable ASCII other than `:`,
    /// optional white space (obsolete syntax), then a colon.
    pub(crate) fn start(line: &'a [u8]) -> Option<Self> {
        let colon = line.iter().position(|&b| b == b':')?;
        let name = trim_end_wsp(line.get(..colon)?);
        if name.is_empty() || !name.iter().all(|&b| (33..=126).contains(&b)) {
            return None;
        }
        Some(Field {
            lines: vec![line],
            name_len: name.len(),
            colon,
        })
    }

    /// The field name as written.
    pub(crate) fn name(&self) -> &'a [u8] {
        self.lines
            .first()
            .and_then(|l| l.get(..self.name_len))
            .unwrap_or_default()
    }

    /// Whether the field is named `name` (ASCII case-insensitive).
    pub(crate) fn is(&self, name: &str) -> bool {
        self.name().eq_ignore_ascii_case(name.as_bytes())
    }

    /// Whether this is a Content-* field (RFC 2045 §9: these describe the MIME entity).
    pub(crate) fn is_content(&self) -> bool {
        self.name()
            .get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"content-"))
    }

    /// The unfolded value: everything after the colon, line breaks removed (RFC 5322 §2.2.3).
    pub(crate) fn value(&self) -> Vec<u8> {
        let mut v = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            if i == 0 {
                v.extend_from_slice(line.get(self.colon + 1..).unwrap_or_default());
            } else {
                v.extend_from_slice(line);
            }
        }
        v
    }

    /// Appends the field as written, each line ending in CRLF.
    pub(crate) fn write_raw(&self, out: &mut Vec<u8>) {
        for line in &self.lines {
            out.extend_from_slice(line);
            out.extend_from_slice(CRLF);
        }
    }
}

/// Folds a one-line header field (name, colon, value; no line end) into lines of at most 76
/// octets where white space allows, each ending in CRLF. Lines are broken only before a run of
/// white space that is followed by more text, so no line ends in white space and none is
/// blank; with `quote_aware`, never inside a quoted string. Trailing white space is dropped.
/// If the first word after the colon does not fit, the first line holds only `Name:`.
pub(crate) fn fold(field: &[u8], quote_aware: bool) -> Vec<u8> {
    let field = trim_end_wsp(field);
    let colon = field.iter().position(|&b| b == b':').unwrap_or(0);
    let mut breaks = Vec::new();
    let mut in_quote = false;
    let mut escaped = false;
    for (i, &b) in field.iter().enumerate() {
        if quote_aware {
            if escaped {
                escaped = false;
                continue;
            }
            match b {
                b'\\' if in_quote => escaped = true,
                b'"' => in_quote = !in_quote,
                _ => {}
            }
        }
        let wsp = b == b' ' || b == b'\t';
        let prev_wsp = i > 0 && matches!(field.get(i - 1), Some(b' ' | b'\t'));
        if wsp && !prev_wsp && i > colon && !in_quote {
            breaks.push(i);
        }
    }
    let mut out = Vec::with_capacity(field.len() + 8);
    let mut line_start = 0usize;
    let mut prev: Option<usize> = None;
    for c in breaks.iter().copied().chain(core::iter::once(field.len())) {
        if c - line_start > FOLD_AT
            && let Some(p) = prev
            && p > line_start
        {
            out.extend_from_slice(field.get(line_start..p).unwrap_or_default());
            out.extend_from_slice(CRLF);
            line_start = p;
        }
        prev = Some(c);
    }
    out.extend_from_slice(field.get(line_start..).unwrap_or_default());
    out.extend_from_slice(CRLF);
    out
}

/// Whether every line of `folded` (CRLF-separated) is at most 998 octets.
pub(crate) fn lines_fit(folded: &[u8]) -> bool {
    folded
        .split(|&b| b == b'\n')
        .all(|l| l.strip_suffix(b"\r").unwrap_or(l).len() <= MAX_LINE)
}

/// RFC 2045 tspecials plus space and controls: octets that end a token.
fn is_token_end(b: u8) -> bool {
    b <= 32
        || b == 127
        || matches!(
            b,
            b'(' | b')'
                | b'<'
                | b'>'
                | b'@'
                | b','
                | b';'
                | b':'
                | b'\\'
                | b'"'
                | b'/'
                | b'['
                | b']'
                | b'?'
                | b'='
        )
}

/// Whether `s` is a non-empty RFC 2045 token (ASCII only).
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| b < 128 && !is_token_end(b))
}

/// A parameter as written, its value unquoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Param {
    /// Attribute as written (ASCII), possibly with RFC 2231 `*` suffixes.
    pub(crate) name: Vec<u8>,
    /// Value, with quoting and backslash escapes removed.
    pub(crate) value: Vec<u8>,
    /// Whether the value was a quoted string (kept quoted when rendered again).
    pub(crate) quoted: bool,
}

/// A value of the form `main *(";" attribute "=" value)`, as in Content-Type and
/// Content-Disposition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParamValue {
    /// The main value (`type/subtype` or disposition type), without white space or comments.
    pub(crate) main: Vec<u8>,
    /// The parameters in their original order.
    pub(crate) params: Vec<Param>,
}

impl ParamValue {
    /// The value of the first parameter named `name` (case-insensitive).
    pub(crate) fn param(&self, name: &str) -> Option<&[u8]> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name.as_bytes()))
            .map(|p| p.value.as_slice())
    }

    /// Sets parameter `name` (replacing the first of that name, or appending).
    pub(crate) fn set_param(&mut self, name: &str, value: &[u8]) {
        let new = Param {
            name: name.as_bytes().to_vec(),
            value: value.to_vec(),
            quoted: !is_token(value),
        };
        match self
            .params
            .iter_mut()
            .find(|p| p.name.eq_ignore_ascii_case(name.as_bytes()))
        {
            Some(p) => *p = new,
            None => self.params.push(new),
        }
    }

    /// For a Content-Type: lower-case type and subtype, if `main` is `type/subtype`.
    pub(crate) fn media_type(&self) -> Option<(String, String)> {
        let s = core::str::from_utf8(&self.main).ok()?;
        let (t, st) = s.split_once('/')?;
        if !is_token(t.as_bytes()) || !is_token(st.as_bytes()) {
            return None;
        }
        Some((t.to_ascii_lowercase(), st.to_ascii_lowercase()))
    }

    /// Renders the field `name: main; params...`, folded, ending in CRLF. Parameters holding
    /// 8-bit octets or controls are written in RFC 2231 extended form; very long ones as
    /// RFC 2231 continuations.
    pub(crate) fn render(&self, name: &str) -> Vec<u8> {
        let mut line = Vec::with_capacity(80);
        line.extend_from_slice(name.as_bytes());
        line.extend_from_slice(b": ");
        line.extend_from_slice(&self.main);
        for p in &self.params {
            for rendered in render_param(p) {
                line.extend_from_slice(b"; ");
                line.extend_from_slice(&rendered);
            }
        }
        fold(&line, true)
    }
}

/// Longest parameter value written as one plain (quoted) string.
const MAX_PLAIN_PARAM: usize = 200;

fn render_param(p: &Param) -> Vec<Vec<u8>> {
    let name = p.name.as_slice();
    let unsafe_octet = |b: &u8| *b >= 127 || (*b < 32 && *b != b'\t');
    let needs_encoding = p.value.iter().any(unsafe_octet);
    let extended = name.ends_with(b"*");
    let continuation = !extended && name.contains(&b'*');
    let name_str = String::from_utf8_lossy(name);
    let plain = |value: &[u8]| -> Vec<u8> {
        let mut s = name.to_vec();
        s.push(b'=');
        if is_token(value) && !p.quoted {
            s.extend_from_slice(value);
        } else {
            s.push(b'"');
            for &b in value {
                if b == b'"' || b == b'\\' {
                    s.push(b'\\');
                }
                s.push(b);
            }
            s.push(b'"');
        }
        s
    };
    if extended {
        // Already an RFC 2231 extended value: percent-encode any raw octet that may not stand.
        let mut s = name.to_vec();
        s.push(b'=');
        for &b in &p.value {
            if unsafe_octet(&b) || b == b' ' {
                s.extend_from_slice(percent_encode(&[b]).as_bytes());
            } else {
                s.push(b);
            }
        }
        return vec![s];
    }
    if continuation {
        if !needs_encoding {
            return vec![plain(&p.value)];
        }
        // "name*N" with raw 8-bit: make it an extended segment.
        let first = name.ends_with(b"*0");
        let mut s = name.to_vec();
        s.extend_from_slice(b"*=");
        if first {
            s.extend_from_slice(super::encoding::charset_of(&p.value).as_bytes());
            s.extend_from_slice(b"''");
        }
        s.extend_from_slice(percent_encode(&p.value).as_bytes());
        return vec![s];
    }
    if needs_encoding || p.value.len() > MAX_PLAIN_PARAM {
        return rfc2231_params(&name_str, &p.value)
            .into_iter()
            .map(String::into_bytes)
            .collect();
    }
    vec![plain(&p.value)]
}

/// A cursor over a header value.
struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_cfws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.i += 1,
                b'(' => self.skip_comment(),
                _ => break,
            }
        }
    }

    fn skip_comment(&mut self) {
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            self.i += 1;
            match b {
                b'\\' => self.i += 1,
                b'(' => depth += 1,
                b')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
    }

    /// Skips to the next `stop` outside quoted strings and comments (not consuming it).
    fn skip_to(&mut self, stop: u8) {
        while let Some(b) = self.peek() {
            match b {
                _ if b == stop => break,
                b'"' => {
                    self.quoted();
                }
                b'(' => self.skip_comment(),
                _ => self.i += 1,
            }
        }
    }

    /// A token; 8-bit octets are accepted (they are dealt with when rendering).
    fn token(&mut self) -> &'a [u8] {
        let start = self.i;
        while let Some(b) = self.peek() {
            if b < 128 && is_token_end(b) {
                break;
            }
            self.i += 1;
        }
        self.s.get(start..self.i).unwrap_or_default()
    }

    /// A quoted string starting at the current `"`; an unterminated one runs to the end.
    fn quoted(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        self.i += 1;
        while let Some(b) = self.peek() {
            self.i += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    if let Some(c) = self.peek() {
                        out.push(c);
                        self.i += 1;
                    }
                }
                _ => out.push(b),
            }
        }
        out
    }
}

/// Parses `main *(";" attribute "=" value)` tolerantly: comments are skipped, a parameter
/// without `=` is ignored, an unquoted value with spaces runs to the next `;`.
pub(crate) fn parse_param_value(value: &[u8]) -> ParamValue {
    let mut c = Cursor { s: value, i: 0 };
    c.skip_cfws();
    let mut main = c.token().to_vec();
    c.skip_cfws();
    if c.peek() == Some(b'/') {
        c.i += 1;
        c.skip_cfws();
        main.push(b'/');
        main.extend_from_slice(c.token());
    }
    let mut params = Vec::new();
    loop {
        c.skip_cfws();
        match c.peek() {
            None => break,
            Some(b';') => c.i += 1,
            Some(_) => {
                c.skip_to(b';');
                continue;
            }
        }
        c.skip_cfws();
        let name = c.token();
        if name.is_empty() || !name.is_ascii() {
            c.skip_to(b';');
            continue;
        }
        c.skip_cfws();
        if c.peek() != Some(b'=') {
            c.skip_to(b';');
            continue;
        }
        c.i += 1;
        c.skip_cfws();
        let (v, quoted) = if c.peek() == Some(b'"') {
            (c.quoted(), true)
        } else {
            let start = c.i;
            let tok_end = start + c.token().len();
            c.skip_cfws();
            if matches!(c.peek(), None | Some(b';')) {
                (
                    value.get(start..tok_end).unwrap_or_default().to_vec(),
                    false,
                )
            } else {
                // Unquoted value with white space or specials (seen in the wild): up to ';'.
                while let Some(b) = c.peek() {
                    if b == b';' {
                        break;
                    }
                    c.i += 1;
                }
                let raw = trim_end_wsp(value.get(start..c.i).unwrap_or_default());
                (raw.to_vec(), false)
            }
        };
        params.push(Param {
            name: name.to_vec(),
            value: v,
            quoted,
        });
    }
    ParamValue { main, params }
}

/// Why a field could not be made safe for a signed entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unfixable {
    /// An address (not a display name or comment) holds 8-bit octets (RFC 6532 mail).
    EightBitAddress,
    /// A line longer than 998 octets without white space to fold at.
    LongLine,
}

/// Fields whose value is an address list (RFC 5322 §3.6.2-3.6.6 and common extensions).
const ADDRESS_FIELDS: &[&str] = &[
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "bcc",
    "resent-from",
    "resent-sender",
    "resent-to",
    "resent-cc",
    "resent-bcc",
    "return-path",
    "disposition-notification-to",
    "mail-followup-to",
    "mail-reply-to",
];

/// The field as it must stand in a signed entity: CRLF line ends, 7-bit, no trailing white
/// space, no blank continuation line, no white space before the colon, lines of at most
/// 998 octets. A field that already is so is returned byte for byte. 8-bit text is encoded:
/// Content-Type / Content-Disposition parameters per RFC 2231, display names and comments in
/// address fields and all other values per RFC 2047. With `strict_addresses`, 8-bit inside an
/// address is an error; otherwise the whole value is then encoded as unstructured text.
pub(crate) fn canonical_field(f: &Field<'_>, strict_addresses: bool) -> Result<Vec<u8>, Unfixable> {
    let has_8bit = f.lines.iter().any(|l| l.iter().any(|&b| b >= 128));
    let bad_name = f.colon != f.name_len;
    let bad_lines = f.lines.iter().enumerate().any(|(i, l)| {
        l.len() > MAX_LINE
            || matches!(l.last(), Some(b' ' | b'\t'))
            || (i > 0 && trim_end_wsp(l).is_empty())
    });
    if !has_8bit && !bad_name && !bad_lines {
        let mut out = Vec::new();
        f.write_raw(&mut out);
        return Ok(out);
    }
    let name = String::from_utf8_lossy(f.name()).into_owned();
    let lname = name.to_ascii_lowercase();
    let value = f.value();
    let out = if lname == "content-type" || lname == "content-disposition" {
        let pv = parse_param_value(&value);
        if !pv.main.is_empty() && pv.main.is_ascii() {
            pv.render(&name)
        } else {
            fold(&unstructured_line(&name, &value), false)
        }
    } else if !has_8bit {
        // Only layout problems: strip trailing white space and blank lines, keep the folding.
        let mut out = Vec::new();
        for (i, l) in f.lines.iter().enumerate() {
            let l = if i == 0 {
                let rest = l.get(f.colon..).unwrap_or_default();
                let mut first = f.name().to_vec();
                first.extend_from_slice(rest);
                first
            } else {
                l.to_vec()
            };
            let t = trim_end_wsp(&l);
            if i > 0 && t.is_empty() {
                continue;
            }
            out.extend_from_slice(t);
            out.extend_from_slice(CRLF);
        }
        if lines_fit(&out) {
            out
        } else {
            let mut line = f.name().to_vec();
            line.push(b':');
            line.extend_from_slice(&value);
            fold(&line, true)
        }
    } else if ADDRESS_FIELDS.contains(&lname.as_str()) {
        match encode_address_list(&value) {
            Some(v) => {
                let mut line = f.name().to_vec();
                line.push(b':');
                if !v.starts_with(b" ") {
                    line.push(b' ');
                }
                line.extend_from_slice(&v);
                fold(&line, true)
            }
            None if strict_addresses => return Err(Unfixable::EightBitAddress),
            None => fold(&unstructured_line(&name, &value), false),
        }
    } else {
        fold(&unstructured_line(&name, &value), false)
    };
    if lines_fit(&out) {
        Ok(out)
    } else {
        Err(Unfixable::LongLine)
    }
}

/// `name: value` with the 8-bit words of `value` RFC 2047-encoded (unfolded, no line end).
fn unstructured_line(name: &str, value: &[u8]) -> Vec<u8> {
    let mut line = name.as_bytes().to_vec();
    line.push(b':');
    let encoded = encode_unstructured(value);
    if !encoded.starts_with(b" ") && !encoded.starts_with(b"\t") && !encoded.is_empty() {
        line.push(b' ');
    }
    line.extend_from_slice(&encoded);
    line
}

/// RFC 2047-encodes the stretch of `value` from the first to the last word holding an octet
/// above 127 (words are runs of non-white-space), keeping the ASCII text around it.
pub(crate) fn encode_unstructured(value: &[u8]) -> Vec<u8> {
    let mut first: Option<usize> = None;
    let mut last_end = 0usize;
    let mut i = 0;
    while i < value.len() {
        if matches!(value.get(i), Some(b' ' | b'\t')) {
            i += 1;
            continue;
        }
        let start = i;
        while i < value.len() && !matches!(value.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        if value
            .get(start..i)
            .unwrap_or_default()
            .iter()
            .any(|&b| b >= 128)
        {
            first.get_or_insert(start);
            last_end = i;
        }
    }
    let Some(first) = first else {
        return value.to_vec();
    };
    let mut out = value.get(..first).unwrap_or_default().to_vec();
    out.extend_from_slice(
        encoded_words(value.get(first..last_end).unwrap_or_default())
            .join(" ")
            .as_bytes(),
    );
    out.extend_from_slice(value.get(last_end..).unwrap_or_default());
    out
}

/// Lexical pieces of an address list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Wsp,
    Atom,
    Quoted,
    Comment,
    Angle,
    Special(u8),
}

fn tokenize_address(v: &[u8]) -> Vec<(Tok, usize, usize)> {
    let mut toks = Vec::new();
    let mut i = 0;
    while let Some(&b) = v.get(i) {
        let start = i;
        let kind = match b {
            b' ' | b'\t' => {
                while matches!(v.get(i), Some(b' ' | b'\t')) {
                    i += 1;
                }
                Tok::Wsp
            }
            b'"' => {
                i += 1;
                while let Some(&c) = v.get(i) {
                    i += 1;
                    match c {
                        b'\\' => i += 1,
                        b'"' => break,
                        _ => {}
                    }
                }
                Tok::Quoted
            }
            b'(' => {
                let mut depth = 0usize;
                while let Some(&c) = v.get(i) {
                    i += 1;
                    match c {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                Tok::Comment
            }
            b'<' => {
                while let Some(&c) = v.get(i) {
                    i += 1;
                    if c == b'>' {
                        break;
                    }
                }
                Tok::Angle
            }
            b',' | b':' | b';' | b'@' | b'.' | b'[' | b']' | b'>' | b'\\' | b')' => {
                i += 1;
                Tok::Special(b)
            }
            _ => {
                while let Some(&c) = v.get(i) {
                    if matches!(
                        c,
                        b' ' | b'\t'
                            | b'"'
                            | b'('
                            | b')'
                            | b'<'
                            | b'>'
                            | b','
                            | b':'
                            | b';'
                            | b'@'
                            | b'.'
                            | b'['
                            | b']'
                            | b'\\'
                    ) {
                        break;
                    }
                    i += 1;
                }
                Tok::Atom
            }
        };
        let end = i.min(v.len());
        toks.push((kind, start, end));
    }
    toks
}

/// RFC 2047-encodes 8-bit display names (phrases before `<` or a group's `:`) and comments of
/// an address list. `None` if 8-bit octets stand anywhere else (in an address).
fn encode_address_list(v: &[u8]) -> Option<Vec<u8>> {
    let toks = tokenize_address(v);
    let slice = |s: usize, e: usize| v.get(s..e).unwrap_or_default();
    let is_8bit = |s: usize, e: usize| slice(s, e).iter().any(|&b| b >= 128);
    let mut out = Vec::with_capacity(v.len() * 2);
    let mut i = 0;
    while let Some(&(kind, s, e)) = toks.get(i) {
        match kind {
            Tok::Wsp | Tok::Atom | Tok::Quoted | Tok::Special(b'.') => {
                let mut j = i;
                while let Some((k, _, _)) = toks.get(j) {
                    if matches!(k, Tok::Wsp | Tok::Atom | Tok::Quoted | Tok::Special(b'.')) {
                        j += 1;
                    } else {
                        break;
                    }
                }
                let run = toks.get(i..j).unwrap_or_default();
                let run_end = run.last().map_or(e, |t| t.2);
                if !is_8bit(s, run_end) {
                    out.extend_from_slice(slice(s, run_end));
                    i = j;
                    continue;
                }
                if !matches!(toks.get(j), Some((Tok::Angle | Tok::Special(b':'), _, _))) {
                    return None;
                }
                let core_start = run.iter().position(|t| t.0 != Tok::Wsp).unwrap_or(0);
                let core_end = run
                    .iter()
                    .rposition(|t| t.0 != Tok::Wsp)
                    .map_or(0, |p| p + 1);
                let mut text = Vec::new();
                for &(k, ts, te) in run.get(core_start..core_end).unwrap_or_default() {
                    let raw = slice(ts, te);
                    if k == Tok::Quoted {
                        let inner = raw.strip_prefix(b"\"").unwrap_or(raw);
                        let inner = inner.strip_suffix(b"\"").unwrap_or(inner);
                        let mut esc = false;
                        for &b in inner {
                            if !esc && b == b'\\' {
                                esc = true;
                                continue;
                            }
                            esc = false;
                            text.push(b);
                        }
                    } else {
                        text.extend_from_slice(raw);
                    }
                }
                for &(_, ts, te) in run.get(..core_start).unwrap_or_default() {
                    out.extend_from_slice(slice(ts, te));
                }
                out.extend_from_slice(encoded_words(&text).join(" ").as_bytes());
                let trail = run.get(core_end..).unwrap_or_default();
                if trail.is_empty() {
                    out.push(b' ');
                }
                for &(_, ts, te) in trail {
                    out.extend_from_slice(slice(ts, te));
                }
                i = j;
            }
            Tok::Comment if is_8bit(s, e) => {
                let raw = slice(s, e);
                let inner = raw.strip_prefix(b"(").unwrap_or(raw);
                let inner = inner.strip_suffix(b")").unwrap_or(inner);
                out.push(b'(');
                out.extend_from_slice(encoded_words(inner).join(" ").as_bytes());
                out.push(b')');
                i += 1;
            }
            _ => {
                if is_8bit(s, e) {
                    return None;
                }
                out.extend_from_slice(slice(s, e));
                i += 1;
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::encoding::decode;
    use super::*;

    fn field(raw: &[u8]) -> Field<'_> {
        let mut lines = raw.split(|&b| b == b'\n');
        let mut f = Field::start(lines.next().unwrap_or_default()).expect("a field");
        f.lines.extend(lines);
        f
    }

    #[test]
    fn field_start_and_value() {
        assert!(Field::start(b"From foo@bar Thu Jan 1").is_none());
        assert!(Field::start(b": x").is_none());
        assert!(Field::start(b"Bad Name: x").is_none());
        let f = field(b"Subject : hello\n world");
        assert!(f.is("subject"));
        assert_eq!(f.value(), b" hello world");
        assert!(field(b"CONTENT-type: x").is_content());
        assert!(!field(b"Contents: x").is_content());
    }

    fn text_lines(folded: &[u8]) -> Vec<String> {
        let s = String::from_utf8_lossy(folded);
        let s = s.strip_suffix("\r\n").expect("CRLF at end");
        s.split("\r\n").map(str::to_string).collect()
    }

    #[test]
    fn fold_keeps_lines_short_and_unfolds_back() {
        let mut line = b"Subject:".to_vec();
        for i in 0..40 {
            line.extend_from_slice(format!(" word{i}").as_bytes());
        }
        let folded = fold(&line, false);
        let mut unfolded = Vec::new();
        for l in folded.split(|&b| b == b'\n') {
            let l = l.strip_suffix(b"\r").unwrap_or(l);
            assert!(l.len() <= 78, "{}", String::from_utf8_lossy(l));
            assert!(!l.ends_with(b" "));
            unfolded.extend_from_slice(l);
        }
        assert_eq!(unfolded, line);
        // Never inside a quoted string.
        let q = format!("Content-Type: a/b; name=\"{}\"", "x ".repeat(60));
        let folded = fold(q.as_bytes(), true);
        assert_eq!(
            text_lines(&folded),
            [
                "Content-Type: a/b;".to_string(),
                format!(" name=\"{}\"", "x ".repeat(60))
            ]
        );
    }

    #[test]
    fn param_value_parsing() {
        let pv = parse_param_value(
            b" Text/Plain (comment) ; charset=\"us-ascii\"; format=flowed;name=a b.txt; junk; x=\"q\\\"d\"",
        );
        assert_eq!(pv.main, b"Text/Plain");
        assert_eq!(pv.media_type(), Some(("text".into(), "plain".into())));
        assert_eq!(pv.param("CHARSET"), Some(&b"us-ascii"[..]));
        assert_eq!(pv.param("format"), Some(&b"flowed"[..]));
        assert_eq!(pv.param("name"), Some(&b"a b.txt"[..]));
        assert_eq!(pv.param("x"), Some(&b"q\"d"[..]));
        assert_eq!(
            pv.render("Content-Type"),
            b"Content-Type: Text/Plain; charset=\"us-ascii\"; format=flowed; name=\"a b.txt\";\r\n x=\"q\\\"d\"\r\n"
                .as_slice()
        );
        assert_eq!(parse_param_value(b"garbage").media_type(), None);
    }

    #[test]
    fn eight_bit_filename_becomes_rfc2231() {
        let f = field("Content-Disposition: attachment; filename=\"Grüße.pdf\"".as_bytes());
        let out = canonical_field(&f, true).expect("fixable");
        assert_eq!(
            out,
            b"Content-Disposition: attachment; filename*=utf-8''Gr%C3%BC%C3%9Fe.pdf\r\n".as_slice()
        );
    }

    #[test]
    fn canonical_field_keeps_good_fields_and_fixes_layout() {
        let f = field(b"Content-Type: text/plain;\n\tcharset=us-ascii");
        assert_eq!(
            canonical_field(&f, true),
            Ok(b"Content-Type: text/plain;\r\n\tcharset=us-ascii\r\n".to_vec())
        );
        let f = field(b"Content-ID : <a@b>  \n   \n x");
        assert_eq!(
            canonical_field(&f, true),
            Ok(b"Content-ID: <a@b>\r\n x\r\n".to_vec())
        );
        let long = format!("Content-ID: <{}@x>", "a".repeat(1200));
        assert_eq!(
            canonical_field(&field(long.as_bytes()), true),
            Err(Unfixable::LongLine)
        );
    }

    #[test]
    fn eight_bit_addresses_and_subjects() {
        let f = field("From: \"Jörg Müller\" <jm@example.com>, (Kömmentar) a@b.c".as_bytes());
        let out = canonical_field(&f, true).expect("fixable");
        assert!(out.is_ascii());
        let text = String::from_utf8(out).expect("ascii");
        assert!(
            text.contains("<jm@example.com>") && text.contains("a@b.c"),
            "{text}"
        );
        let unfolded = text.replace("\r\n", "");
        let name = unfolded
            .trim_start_matches("From: ")
            .split(" <")
            .next()
            .expect("name");
        assert_eq!(decode::encoded_words(name), "Jörg Müller".as_bytes());

        let f = field("To: jörg@example.com".as_bytes());
        assert_eq!(canonical_field(&f, true), Err(Unfixable::EightBitAddress));
        assert!(canonical_field(&f, false).expect("lenient").is_ascii());

        let f = field("Subject: Re: Grüße aus Köln, bis bald".as_bytes());
        let out = String::from_utf8(canonical_field(&f, true).expect("ok")).expect("ascii");
        assert!(out.starts_with("Subject: Re: =?utf-8?Q?"), "{out}");
        assert!(out.ends_with(" bis bald\r\n"), "{out}");
        let value = out.trim_start_matches("Subject:").replace("\r\n", "");
        assert_eq!(
            decode::encoded_words(value.trim()),
            "Re: Grüße aus Köln, bis bald".as_bytes()
        );
    }
}
