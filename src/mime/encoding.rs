//! Transfer encodings and header encodings: base64 and quoted-printable (RFC 2045 §6.7-6.8),
//! encoded words (RFC 2047) and extended parameter values (RFC 2231).
//!
//! Encoders produce only what RFC 8551 §3.1 calls safe for signing: 7-bit lines of at most
//! 76 octets, no trailing white space, no line that begins with "From ". Decoders are
//! tolerant, as RFC 2045 asks of them.

use base64ct::{Base64, Encoding};

/// Line end written everywhere.
pub(crate) const CRLF: &[u8] = b"\r\n";

/// Longest encoded line written by the base64 and quoted-printable encoders (RFC 2045).
const MAX_ENCODED_LINE: usize = 76;

/// Longest encoded word (RFC 2047 §2).
const MAX_ENCODED_WORD: usize = 75;

/// The base64 alphabet (RFC 2045 Table 1).
const B64_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Input octets per line of 76 base64 characters.
const B64_LINE_INPUT: usize = MAX_ENCODED_LINE / 4 * 3;

/// Base64 of `data` in lines of 76 characters separated by CRLF, with no line end after the last line.
///
/// Written straight into the output, one line at a time, with a table: this encodes message bodies
/// and CMS objects (ciphertext, signatures), never key material, which goes through `base64ct`'s
/// constant-time encoder (`pem.rs`).
pub(crate) fn base64_lines(data: &[u8]) -> Vec<u8> {
    let lines = data.len().div_ceil(B64_LINE_INPUT);
    let mut out = Vec::with_capacity(data.len().div_ceil(3) * 4 + lines.saturating_sub(1) * 2);
    let char_at = |n: u32, shift: u32| B64_ALPHABET[((n >> shift) & 63) as usize];
    for (i, line) in data.chunks(B64_LINE_INPUT).enumerate() {
        if i > 0 {
            out.extend_from_slice(CRLF);
        }
        let mut quanta = line.chunks_exact(3);
        for q in &mut quanta {
            let n = u32::from(q[0]) << 16 | u32::from(q[1]) << 8 | u32::from(q[2]);
            out.extend_from_slice(&[char_at(n, 18), char_at(n, 12), char_at(n, 6), char_at(n, 0)]);
        }
        match *quanta.remainder() {
            [a] => {
                let n = u32::from(a) << 16;
                out.extend_from_slice(&[char_at(n, 18), char_at(n, 12), b'=', b'=']);
            }
            [a, b] => {
                let n = u32::from(a) << 16 | u32::from(b) << 8;
                out.extend_from_slice(&[char_at(n, 18), char_at(n, 12), char_at(n, 6), b'=']);
            }
            _ => {}
        }
    }
    out
}

/// Value of each octet in the base64 alphabet; [`B64_PAD`] for `=`, [`B64_SKIP`] for the rest.
static B64_VALUE: [u8; 256] = {
    let mut t = [B64_SKIP; 256];
    let mut i = 0;
    while i < 64 {
        t[B64_ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t[b'=' as usize] = B64_PAD;
    t
};
const B64_PAD: u8 = 0xfe;
const B64_SKIP: u8 = 0xff;

/// Decodes base64 as RFC 2045 §6.8 asks: characters outside the alphabet are ignored, and `=`
/// ends a quantum (so that concatenated padded blocks decode too). Never fails.
///
/// Four alphabet characters at a quantum boundary (nearly all of a well-formed body) are decoded
/// at once; anything else goes octet by octet.
pub(crate) fn base64_decode_lenient(data: &[u8]) -> Vec<u8> {
    // At most 6 bits per input octet: 3 * len / 4 octets, which this bound covers.
    let mut out = vec![0u8; data.len() / 4 * 3 + 3];
    let mut n = 0;
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut i = 0;
    while i < data.len() {
        if bits == 0
            && let Some(&[a, b, c, d]) = data.get(i..i + 4)
        {
            let [a, b, c, d] = [a, b, c, d].map(|x| u32::from(B64_VALUE[usize::from(x)]));
            if (a | b | c | d) < 64 {
                let v = a << 18 | b << 12 | c << 6 | d;
                out[n..n + 3].copy_from_slice(&v.to_be_bytes()[1..]);
                n += 3;
                i += 4;
                continue;
            }
        }
        match B64_VALUE[usize::from(data[i])] {
            B64_PAD => {
                // End of a quantum: drop the incomplete bits.
                acc = 0;
                bits = 0;
            }
            B64_SKIP => {}
            v => {
                acc = (acc << 6) | u32::from(v);
                bits += 6;
                if bits >= 8 {
                    bits -= 8;
                    out[n] = (acc >> bits) as u8;
                    n += 1;
                    acc &= (1 << bits) - 1;
                }
            }
        }
        i += 1;
    }
    out.truncate(n);
    out
}

/// Quoted-printable encoding (RFC 2045 §6.7) of canonical data: every CRLF pair becomes a hard
/// line break, every other octet that is not printable ASCII (including a lone CR or LF, and
/// `=`) is escaped, white space at the end of a line is escaped, an `F` that would start a line
/// with "From " is escaped as `=46`, and soft line breaks keep lines at most 76 octets long.
///
/// `qp_decode(&qp_encode(x)) == x` for every `x`.
pub(crate) fn qp_encode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 8 + 8);
    for (n, line) in split_crlf(data).enumerate() {
        if n > 0 {
            out.extend_from_slice(CRLF);
        }
        qp_encode_line(line, &mut out);
    }
    out
}

/// Splits at CRLF pairs only (a lone CR or LF stays in the line).
fn split_crlf(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(data);
    core::iter::from_fn(move || {
        let cur = rest?;
        match cur.windows(2).position(|w| w == CRLF) {
            Some(i) => {
                rest = cur.get(i + 2..);
                cur.get(..i)
            }
            None => {
                rest = None;
                Some(cur)
            }
        }
    })
}

fn qp_encode_line(line: &[u8], out: &mut Vec<u8>) {
    let mut col = 0usize;
    for (i, &b) in line.iter().enumerate() {
        let is_last = i + 1 == line.len();
        let escape = |at_line_start: bool| -> bool {
            b == b'='
                || (b < 32 && b != b'\t')
                || b > 126
                || ((b == b' ' || b == b'\t') && is_last)
                || (at_line_start && b == b'F' && line.get(i..i + 5) == Some(b"From "))
        };
        let mut esc = escape(col == 0);
        let width = if esc { 3 } else { 1 };
        // Leave room for the "=" of a soft line break unless this is the line's last octet.
        let room = if is_last {
            MAX_ENCODED_LINE
        } else {
            MAX_ENCODED_LINE - 1
        };
        if col + width > room {
            out.extend_from_slice(b"=\r\n");
            col = 0;
            esc = escape(true);
        }
        if esc {
            out.push(b'=');
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 15)]);
            col += 3;
        } else {
            out.push(b);
            col += 1;
        }
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// Decodes quoted-printable tolerantly: LF or CRLF line ends, trailing white space removed
/// (RFC 2045 rule 3), hard line breaks become CRLF, a malformed `=` is kept literally. Never fails.
pub(crate) fn qp_decode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut rest = data;
    loop {
        let (line, had_eol, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                let line = rest.get(..i).unwrap_or_default();
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                (line, true, rest.get(i + 1..).unwrap_or_default())
            }
            None => (rest, false, &[][..]),
        };
        let line = trim_end_wsp(line);
        let (line, soft) = match line.strip_suffix(b"=") {
            Some(l) => (l, true),
            None => (line, false),
        };
        let mut i = 0;
        while let Some(&b) = line.get(i) {
            if b == b'=' {
                let hi = line.get(i + 1).copied().and_then(hex_value);
                let lo = line.get(i + 2).copied().and_then(hex_value);
                if let (Some(hi), Some(lo)) = (hi, lo) {
                    out.push(hi << 4 | lo);
                    i += 3;
                    continue;
                }
            }
            out.push(b);
            i += 1;
        }
        if had_eol && !soft {
            out.extend_from_slice(CRLF);
        }
        if !had_eol {
            break;
        }
        rest = next;
    }
    out
}

/// `line` without trailing spaces and tabs.
pub(crate) fn trim_end_wsp(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    line.get(..end).unwrap_or_default()
}

/// The charset label for raw 8-bit header text: "utf-8" when it is valid UTF-8, otherwise
/// "unknown-8bit" (RFC 1428), because guessing a legacy charset would misstate the text.
pub(crate) fn charset_of(text: &[u8]) -> &'static str {
    if core::str::from_utf8(text).is_ok() {
        "utf-8"
    } else {
        "unknown-8bit"
    }
}

/// Octets that may stand for themselves in a Q-encoded word anywhere, including in a phrase
/// (RFC 2047 §5 (3)).
fn q_literal(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'!' | b'*' | b'+' | b'-' | b'/')
}

/// Splits `text` into units that must not be split across encoded words: UTF-8 characters when
/// the text is UTF-8, single octets otherwise.
fn units(text: &[u8]) -> Vec<&[u8]> {
    match core::str::from_utf8(text) {
        Ok(s) => s
            .char_indices()
            .filter_map(|(i, c)| text.get(i..i + c.len_utf8()))
            .collect(),
        Err(_) => text.chunks(1).collect(),
    }
}

/// Encodes `text` as RFC 2047 encoded words, each at most 75 characters and safe in a phrase,
/// a comment or unstructured text. Q is used unless B is much shorter. White space inside
/// `text` is carried inside the words (whitespace *between* encoded words is not text).
pub(crate) fn encoded_words(text: &[u8]) -> Vec<String> {
    encoded_words_first(text, MAX_ENCODED_WORD)
}

/// Like [`encoded_words`], with the first word at most `first_max` characters (at least 20), so
/// that it fits after a field name on the first line.
pub(crate) fn encoded_words_first(text: &[u8], first_max: usize) -> Vec<String> {
    let charset = charset_of(text);
    let escapes = text.iter().filter(|&&b| !q_literal(b) && b != b' ').count();
    let q_len = text.len() + 2 * escapes;
    let b_len = text.len().div_ceil(3) * 4;
    // Q keeps mostly-ASCII text readable: prefer it unless B is much shorter.
    let use_q = 2 * q_len <= 3 * b_len;
    let overhead = charset.len() + 7; // "=?" charset "?Q?" ... "?="
    let first_room = first_max.clamp(20, MAX_ENCODED_WORD) - overhead;
    let later_room = MAX_ENCODED_WORD - overhead;
    let mut words = Vec::new();
    let mut chunk: Vec<u8> = Vec::new();
    let mut chunk_len = 0usize;
    let flush = |chunk: &mut Vec<u8>, words: &mut Vec<String>| {
        if chunk.is_empty() {
            return;
        }
        let payload = if use_q {
            let mut p = String::new();
            for &b in chunk.iter() {
                if b == b' ' {
                    p.push('_');
                } else if q_literal(b) {
                    p.push(char::from(b));
                } else {
                    p.push('=');
                    p.push(char::from(HEX[usize::from(b >> 4)]));
                    p.push(char::from(HEX[usize::from(b & 15)]));
                }
            }
            p
        } else {
            Base64::encode_string(chunk)
        };
        let kind = if use_q { 'Q' } else { 'B' };
        words.push(format!("=?{charset}?{kind}?{payload}?="));
        chunk.clear();
    };
    for unit in units(text) {
        let room = if words.is_empty() {
            first_room
        } else {
            later_room
        };
        let unit_len = if use_q {
            unit.iter()
                .map(|&b| if q_literal(b) || b == b' ' { 1 } else { 3 })
                .sum::<usize>()
        } else {
            0
        };
        let fits = if use_q {
            chunk_len + unit_len <= room
        } else {
            (chunk.len() + unit.len()).div_ceil(3) * 4 <= room
        };
        if !fits {
            flush(&mut chunk, &mut words);
            chunk_len = 0;
        }
        chunk.extend_from_slice(unit);
        chunk_len += unit_len;
    }
    flush(&mut chunk, &mut words);
    words
}

/// Octets that may stand for themselves in an RFC 2231 extended value (attribute-char).
fn attribute_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
        )
}

/// Percent-encodes `value` for an RFC 2231 extended parameter value.
pub(crate) fn percent_encode(value: &[u8]) -> String {
    let mut s = String::with_capacity(value.len() * 3);
    for &b in value {
        if attribute_char(b) {
            s.push(char::from(b));
        } else {
            s.push('%');
            s.push(char::from(HEX[usize::from(b >> 4)]));
            s.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    s
}

/// Line length RFC 2231 segments are sized for, as ` name*N*=value;` on a folded line.
const RFC2231_LINE: usize = 76;

/// Renders parameter `name` with arbitrary `value` in RFC 2231 extended form, as
/// `name*=utf-8''...` or, when long, as continuations `name*0*=utf-8''...`, `name*1*=...`,
/// each short enough for a folded line of 76 octets. Segments never split a character.
/// Returns the `attribute=value` strings, one per segment.
pub(crate) fn rfc2231_params(name: &str, value: &[u8]) -> Vec<String> {
    let charset = charset_of(value);
    // " " name "*NN*=" [charset "''"] segment ";"
    let fixed = 1 + name.len() + 5 + 1;
    let first_budget = RFC2231_LINE
        .saturating_sub(fixed + charset.len() + 2)
        .max(12);
    let later_budget = RFC2231_LINE.saturating_sub(fixed).max(12);
    let mut segments: Vec<String> = Vec::new();
    let mut cur = String::new();
    for unit in units(value) {
        let enc = percent_encode(unit);
        let budget = if segments.is_empty() {
            first_budget
        } else {
            later_budget
        };
        if !cur.is_empty() && cur.len() + enc.len() > budget {
            segments.push(core::mem::take(&mut cur));
        }
        cur.push_str(&enc);
    }
    if !cur.is_empty() || segments.is_empty() {
        segments.push(cur);
    }
    if segments.len() == 1 {
        let seg = segments.concat();
        return vec![format!("{name}*={charset}''{seg}")];
    }
    segments
        .iter()
        .enumerate()
        .map(|(i, seg)| {
            if i == 0 {
                format!("{name}*0*={charset}''{seg}")
            } else {
                format!("{name}*{i}*={seg}")
            }
        })
        .collect()
}

/// Test-only decoders, written independently of the encoders above.
#[cfg(test)]
pub(crate) mod decode {
    use super::hex_value;
    use base64ct::{Base64, Encoding};

    /// Decodes the RFC 2047 encoded words in an unfolded header value (white space between
    /// adjacent encoded words is dropped). Charset labels are not interpreted: bytes out.
    pub(crate) fn encoded_words(value: &str) -> Vec<u8> {
        let mut out = Vec::new();
        let mut pending_ws = String::new();
        let mut last_was_word = false;
        let mut rest = value;
        while !rest.is_empty() {
            let ws_len = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            if ws_len > 0 {
                pending_ws.push_str(&rest[..ws_len]);
                rest = &rest[ws_len..];
                continue;
            }
            let word_end = rest.find([' ', '\t']).unwrap_or(rest.len());
            let word = &rest[..word_end];
            rest = &rest[word_end..];
            if let Some(decoded) = one_word(word) {
                if !last_was_word {
                    out.extend_from_slice(pending_ws.as_bytes());
                }
                out.extend_from_slice(&decoded);
                last_was_word = true;
            } else {
                out.extend_from_slice(pending_ws.as_bytes());
                out.extend_from_slice(word.as_bytes());
                last_was_word = false;
            }
            pending_ws.clear();
        }
        out.extend_from_slice(pending_ws.as_bytes());
        out
    }

    fn one_word(word: &str) -> Option<Vec<u8>> {
        let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
        let mut it = inner.splitn(3, '?');
        let _charset = it.next()?;
        let kind = it.next()?;
        let text = it.next()?;
        if kind.eq_ignore_ascii_case("b") {
            return Base64::decode_vec(text).ok();
        }
        if !kind.eq_ignore_ascii_case("q") {
            return None;
        }
        let b = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'_' => out.push(b' '),
                b'=' => {
                    let hi = hex_value(*b.get(i + 1)?)?;
                    let lo = hex_value(*b.get(i + 2)?)?;
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                c => out.push(c),
            }
            i += 1;
        }
        Some(out)
    }

    /// Decodes the RFC 2231 parameter `name` from a list of `(attribute, value)` pairs (values
    /// already unquoted), joining continuations. Returns the raw bytes.
    pub(crate) fn rfc2231(params: &[(String, String)], name: &str) -> Option<Vec<u8>> {
        let find = |attr: &str| {
            params
                .iter()
                .find(|(a, _)| a.eq_ignore_ascii_case(attr))
                .map(|(_, v)| v.as_str())
        };
        let pct = |v: &str| -> Option<Vec<u8>> {
            let b = v.as_bytes();
            let mut out = Vec::new();
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'%' {
                    out.push(hex_value(*b.get(i + 1)?)? << 4 | hex_value(*b.get(i + 2)?)?);
                    i += 3;
                } else {
                    out.push(b[i]);
                    i += 1;
                }
            }
            Some(out)
        };
        let strip_charset = |v: &str| -> Option<String> {
            let mut it = v.splitn(3, '\'');
            let _cs = it.next()?;
            let _lang = it.next()?;
            Some(it.next()?.to_string())
        };
        if let Some(v) = find(&format!("{name}*")) {
            return pct(&strip_charset(v)?);
        }
        let mut out = Vec::new();
        let mut i = 0;
        loop {
            if let Some(v) = find(&format!("{name}*{i}*")) {
                let v = if i == 0 {
                    strip_charset(v)?
                } else {
                    v.to_string()
                };
                out.extend(pct(&v)?);
            } else if let Some(v) = find(&format!("{name}*{i}")) {
                out.extend_from_slice(v.as_bytes());
            } else {
                break;
            }
            i += 1;
        }
        if i == 0 {
            return find(name).map(|v| v.as_bytes().to_vec());
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::test_util::Rng;

    fn check_qp_lines(enc: &[u8]) {
        for line in enc.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            assert!(line.len() <= 76, "QP line too long: {line:?}");
            assert!(!line.starts_with(b"From "), "QP line starts with From");
            assert!(!matches!(line.last(), Some(b' ' | b'\t')), "trailing WSP");
            assert!(line.iter().all(|&b| (32..127).contains(&b) || b == b'\t'));
        }
        assert!(!enc.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'));
    }

    #[test]
    fn qp_round_trip_random() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        // Alphabet biased towards the hard cases: CR, LF, space, tab, '=', 'F'rom, 8-bit.
        let alphabet: &[u8] = b"\r\n \t=From .x\x00\xff\xc3\xa9-";
        for round in 0..2000 {
            let len = rng.below(300);
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    if rng.below(4) == 0 {
                        rng.next() as u8
                    } else {
                        alphabet[rng.below(alphabet.len())]
                    }
                })
                .collect();
            let enc = qp_encode(&data);
            check_qp_lines(&enc);
            assert_eq!(qp_decode(&enc), data, "round {round}");
        }
    }

    #[test]
    fn qp_protects_from_and_trailing_space() {
        let enc = qp_encode(b"From here \r\nx\t\r\nFrom");
        assert_eq!(enc, b"=46rom here=20\r\nx=09\r\nFrom".as_slice());
        // A soft break must not leave "From " at the start of the next line.
        let mut long = vec![b'a'; 75];
        long.extend_from_slice(b"From the start");
        let enc = qp_encode(&long);
        check_qp_lines(&enc);
        assert!(enc.windows(6).any(|w| w == b"\n=46ro"));
        assert_eq!(qp_decode(&enc), long);
    }

    #[test]
    fn qp_decode_is_tolerant() {
        assert_eq!(
            qp_decode(b"a=3D=\nb  \nc=ZZ=4"),
            b"a=b\r\nc=ZZ=4".as_slice()
        );
        assert_eq!(qp_decode(b"caf=c3=a9"), "café".as_bytes());
    }

    /// The decoder as RFC 2045 §6.8 states it, one octet at a time (the reference).
    fn base64_decode_reference(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let (mut acc, mut bits) = (0u32, 0u32);
        for &b in data {
            let v = match b {
                b'A'..=b'Z' => b - b'A',
                b'a'..=b'z' => b - b'a' + 26,
                b'0'..=b'9' => b - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                b'=' => {
                    (acc, bits) = (0, 0);
                    continue;
                }
                _ => continue,
            };
            acc = (acc << 6) | u32::from(v);
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        out
    }

    #[test]
    fn base64_decoder_equals_the_reference_on_any_input() {
        let mut rng = Rng(0x0b64_d0de_5eed_0001);
        // Mostly alphabet, with line ends, padding in odd places, junk and 8-bit octets.
        for round in 0..20_000 {
            let len = rng.below(200);
            let data: Vec<u8> = (0..len)
                .map(|_| match rng.below(20) {
                    0 => b'=',
                    1 => b'\r',
                    2 => b'\n',
                    3 => rng.next() as u8,
                    _ => B64_ALPHABET[rng.below(64)],
                })
                .collect();
            assert_eq!(
                base64_decode_lenient(&data),
                base64_decode_reference(&data),
                "round {round}: {data:?}"
            );
        }
        // Every octet value alone, in pairs with alphabet, and at each offset of a quantum.
        for b in 0..=255u8 {
            for at in 0..5 {
                let mut data = b"QUJDRA==".to_vec();
                data.insert(at, b);
                assert_eq!(base64_decode_lenient(&data), base64_decode_reference(&data));
            }
        }
    }

    #[test]
    fn base64_lines_equal_base64ct_cut_into_lines() {
        let mut rng = Rng(0x0b64_e4c0_de00_0002);
        let mut lengths: Vec<usize> = (0..300).collect();
        lengths.extend([56, 57, 58, 113, 114, 115, 171, 5700, 5701, 5702, 65_536]);
        for len in lengths {
            let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            let reference: Vec<u8> = Base64::encode_string(&data)
                .as_bytes()
                .chunks(76)
                .collect::<Vec<_>>()
                .join(&b"\r\n"[..]);
            let enc = base64_lines(&data);
            assert_eq!(enc, reference, "length {len}");
            assert_eq!(enc.capacity(), enc.len(), "length {len}: capacity is exact");
        }
    }

    #[test]
    fn base64_round_trip_and_lenient() {
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let enc = base64_lines(&data);
        for line in enc.split(|&b| b == b'\n') {
            assert!(line.strip_suffix(b"\r").unwrap_or(line).len() <= 76);
        }
        assert!(!enc.ends_with(b"\r\n"));
        assert_eq!(base64_decode_lenient(&enc), data);
        // Garbage and concatenated padded blocks.
        assert_eq!(
            base64_decode_lenient(b"aGk=\n*aGk=\xff"),
            b"hihi".as_slice()
        );
    }

    #[test]
    fn encoded_words_decode_back_and_fit() {
        let long_ascii = "a".repeat(200);
        let samples: [&[u8]; 5] = [
            "Grüße aus Köln".as_bytes(),
            "日本語のテキストはとても長い件名になることがあります。日本語のテキストはとても長い"
                .as_bytes(),
            b"plain but (special) \"chars\" _ = ?",
            b"\xff\xfe latin junk \xe9",
            long_ascii.as_bytes(),
        ];
        for s in samples {
            let words = encoded_words(s);
            assert!(!words.is_empty());
            for w in &words {
                assert!(w.len() <= 75, "{w}");
                assert!(w.is_ascii() && !w.contains(' '));
            }
            assert_eq!(decode::encoded_words(&words.join(" ")), s);
            // Every word holds whole characters.
            if let Ok(text) = core::str::from_utf8(s) {
                for w in &words {
                    let bytes = decode::encoded_words(w);
                    assert!(core::str::from_utf8(&bytes).is_ok(), "{text}: {w}");
                }
            }
        }
        assert!(encoded_words("日本語".as_bytes())[0].starts_with("=?utf-8?B?"));
        assert!(encoded_words("Grüße".as_bytes())[0].starts_with("=?utf-8?Q?"));
        assert!(encoded_words(b"\xe9t\xe9")[0].starts_with("=?unknown-8bit?"));
    }

    #[test]
    fn rfc2231_round_trip() {
        let long = "Ünïcödé résumé — a rather long file name that needs continuations.pdf";
        for value in ["naïve.txt", long] {
            let params: Vec<(String, String)> = rfc2231_params("filename", value.as_bytes())
                .iter()
                .map(|p| {
                    let (a, v) = p.split_once('=').expect("attribute=value");
                    assert!(p.is_ascii() && p.len() < 78, "{p}");
                    (a.to_string(), v.to_string())
                })
                .collect();
            assert_eq!(
                decode::rfc2231(&params, "filename").as_deref(),
                Some(value.as_bytes())
            );
        }
        assert_eq!(
            rfc2231_params("name", "é".as_bytes()),
            ["name*=utf-8''%C3%A9"]
        );
        assert!(rfc2231_params("filename", long.as_bytes()).len() > 1);
    }
}
