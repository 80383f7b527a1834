//! RFC 9788 header protection: copying the message's header fields into the Cryptographic
//! Payload (with `hp="cipher"` / `hp="clear"` and `HP-Outer`), applying a Header
//! Confidentiality Policy to the outside, and restoring the effective header fields on the
//! receiving side.

use super::SignInput;
use super::canonicalize;
use super::encoding::{CRLF, trim_end_wsp};
use super::header::{Field, Param, canonical_field, fold, parse_param_value};
use super::parse::split_entity;
use crate::error::{Error, Result};
use crate::policy::{MAX_HEADER_FIELDS, MAX_MESSAGE_SIZE};

/// Which Header Confidentiality Policy (RFC 9788 §3.2) an encrypted message gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeaderProtection {
    /// `hcp_baseline` (RFC 9788 §3.2.2, the default): the outer Subject becomes `[...]`, and
    /// Keywords and Comments are left out of the outer header; everything else stays visible.
    #[default]
    Baseline,
    /// `hcp_shy` (RFC 9788 §3.2.3): as `Baseline`, and the outer From, To and Cc lose their
    /// display names and the outer Date is given in UTC (no sender time zone).
    Shy,
    /// No header protection: the same split as [`super::prepare_for_signing`].
    Off,
}

impl HeaderProtection {
    /// Parses `baseline` / `hcp_baseline`, `shy` / `hcp_shy`, `off` / `none` (case-insensitive).
    pub fn from_name(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "baseline" | "hcp_baseline" => Some(Self::Baseline),
            "shy" | "hcp_shy" => Some(Self::Shy),
            "off" | "none" => Some(Self::Off),
            _ => None,
        }
    }

    /// The RFC 9788 name (`hcp_baseline`, `hcp_shy`) or `off`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Baseline => "hcp_baseline",
            Self::Shy => "hcp_shy",
            Self::Off => "off",
        }
    }

    /// The policy applied to one outer field: the value to show outside, `None` to leave the
    /// field out. `value` is the unfolded value (without the leading white space).
    fn apply(self, name: &str, value: &str) -> Option<String> {
        let lname = name.to_ascii_lowercase();
        if self == Self::Shy {
            match lname.as_str() {
                "from" | "to" | "cc" => {
                    if let Some(v) = addresses_only(value) {
                        return Some(v);
                    }
                }
                "date" => {
                    if let Some(v) = date_in_utc(value) {
                        return Some(v);
                    }
                }
                _ => {}
            }
        }
        match (self, lname.as_str()) {
            (Self::Off, _) => Some(value.to_string()),
            (_, "subject") => Some("[...]".into()),
            (_, "keywords" | "comments") => None,
            _ => Some(value.to_string()),
        }
    }
}

/// One header field as the reader should see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderField {
    /// The field name as written.
    pub name: String,
    /// The value: unfolded, leading and trailing white space removed, RFC 2047 encoded words
    /// decoded to UTF-8 (UTF-8, US-ASCII and ISO-8859-1 charsets; others are left encoded).
    pub value: String,
    /// The field exactly as it stood, each line ending in CRLF.
    pub raw: Vec<u8>,
}

/// The effective header fields of a received message, see [`restore_headers`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RestoredHeaders {
    /// The fields to show and use, in order: the protected fields from the Cryptographic
    /// Payload, then the outer fields whose names the payload does not have (fields added in
    /// transit, such as Received). Without header protection: the outer fields.
    pub fields: Vec<HeaderField>,
    /// The `hp` parameter of the payload's Content-Type: `"cipher"` or `"clear"`; `None` when
    /// absent (or another value).
    pub mode: Option<String>,
    /// Names (lower case, each once) of the fields protected by the payload.
    pub protected: Vec<String>,
    /// Names (lower case, each once) of protected fields whose outer value differed from the
    /// protected one or that were missing outside (for `hp="cipher"` as recorded by HP-Outer),
    /// e.g. `subject` under `hcp_baseline`.
    pub obscured_outside: Vec<String>,
    /// Names (lower case, each once) of outer fields that the payload does not protect and that
    /// were kept in `fields` (e.g. `received`); with no protection at all, every outer name.
    pub unprotected: Vec<String>,
}

/// RFC 9788 §2.1.1: the Content-Type parameter marking a Cryptographic Payload.
const HP: &str = "hp";
/// RFC 9788 §2.2: the field recording an outer header field inside an encrypted payload.
const HP_OUTER: &str = "hp-outer";

/// See [`super::prepare_for_encryption`].
pub(crate) fn prepare_for_encryption(
    message: &[u8],
    protection: HeaderProtection,
) -> Result<SignInput> {
    let plain = canonicalize::prepare(message)?;
    if protection == HeaderProtection::Off {
        return Ok(plain);
    }
    let outer = OuterFields::parse(&plain.outer_headers)?;
    if outer.is_empty() {
        return Ok(plain);
    }
    let mut outer_headers = Vec::with_capacity(plain.outer_headers.len());
    let mut hp_outer = Vec::new();
    for f in &outer.fields {
        let name = lossy(f.name());
        let canonical = canonical_copy(f)?;
        let shown = unfolded_value(&canonical);
        match protection.apply(&name, &shown) {
            None => {}
            Some(v) if v == shown => {
                f.write_raw(&mut outer_headers);
                hp_outer
                    .extend_from_slice(&fold_field("HP-Outer", &format!("{name}: {}", v.trim())));
            }
            Some(v) => {
                outer_headers.extend_from_slice(&fold_field(&name, &v));
                hp_outer
                    .extend_from_slice(&fold_field("HP-Outer", &format!("{name}: {}", v.trim())));
            }
        }
    }
    let entity = protect_entity(&plain.entity, &outer, "cipher", &hp_outer)?;
    Ok(SignInput {
        outer_headers,
        entity,
    })
}

/// See [`super::prepare_for_signing_protected`].
pub(crate) fn prepare_for_signing_protected(message: &[u8]) -> Result<SignInput> {
    let plain = canonicalize::prepare(message)?;
    let outer = OuterFields::parse(&plain.outer_headers)?;
    if outer.is_empty() {
        return Ok(plain);
    }
    let entity = protect_entity(&plain.entity, &outer, "clear", &[])?;
    Ok(SignInput {
        outer_headers: plain.outer_headers,
        entity,
    })
}

/// The outer header fields of a prepared message (CRLF lines, no blank line).
struct OuterFields<'a> {
    fields: Vec<Field<'a>>,
}

impl<'a> OuterFields<'a> {
    fn parse(block: &'a [u8]) -> Result<Self> {
        let e = split_entity(block)?;
        Ok(Self {
            // Our own markers are rewritten, never copied from the input.
            fields: e.fields.into_iter().filter(|f| !f.is(HP_OUTER)).collect(),
        })
    }

    fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

/// The field as it may stand inside the canonical entity (7-bit, RFC 2047 where needed).
fn canonical_copy(f: &Field<'_>) -> Result<Vec<u8>> {
    canonical_field(f, false).map_err(|_| {
        Error::MalformedMime(format!(
            "header field {} cannot be copied into the protected part (a line over 998 octets)",
            lossy(f.name())
        ))
    })
}

/// `name: value`, folded, ending in CRLF.
fn fold_field(name: &str, value: &str) -> Vec<u8> {
    let line = format!("{name}: {}", value.trim());
    fold(line.as_bytes(), true)
}

/// The unfolded value of CRLF-folded field bytes `Name: value\r\n ...`, trimmed.
fn unfolded_value(field: &[u8]) -> String {
    let text = lossy(field);
    let after = text.split_once(':').map(|(_, v)| v).unwrap_or_default();
    after.replace("\r\n", "").trim().to_string()
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Rebuilds the canonical `entity` with `hp=<mode>` on its Content-Type, a copy of every outer
/// field after its Content-* fields, then the `hp_outer` fields. The body is unchanged.
fn protect_entity(
    entity: &[u8],
    outer: &OuterFields<'_>,
    mode: &str,
    hp_outer: &[u8],
) -> Result<Vec<u8>> {
    let e = split_entity(entity)?;
    let mut out = Vec::with_capacity(entity.len() + 1024);
    let mut seen_ct = false;
    for f in &e.fields {
        if f.is("content-type") && !seen_ct {
            seen_ct = true;
            let mut pv = parse_param_value(&f.value());
            set_quoted_param(&mut pv.params, HP, mode);
            out.extend_from_slice(&pv.render("Content-Type"));
        } else if f.is(HP_OUTER) {
            // A Content-* entity cannot hold one, but never let a stale one through.
        } else {
            f.write_raw(&mut out);
        }
    }
    if !seen_ct {
        // prepare() always writes a Content-Type on the top entity.
        return Err(Error::MalformedMime(
            "the entity to protect has no Content-Type".into(),
        ));
    }
    // Readers bound the fields of one header block: stay within that bound.
    let hp_outer_count = hp_outer
        .split(|&b| b == b'\n')
        .filter(|l| l.starts_with(b"HP-Outer:"))
        .count();
    if e.fields.len() + outer.fields.len() + hp_outer_count > MAX_HEADER_FIELDS {
        return Err(Error::InputTooLarge {
            what: "number of header fields in one header block",
            limit: MAX_HEADER_FIELDS,
        });
    }
    for f in &outer.fields {
        out.extend_from_slice(&canonical_copy(f)?);
    }
    out.extend_from_slice(hp_outer);
    out.extend_from_slice(CRLF);
    out.extend_from_slice(e.body);
    Ok(out)
}

/// Sets `name="value"` (quoted, as RFC 9788 writes it), replacing any earlier one.
fn set_quoted_param(params: &mut Vec<Param>, name: &str, value: &str) {
    params.retain(|p| !p.name.eq_ignore_ascii_case(name.as_bytes()));
    params.push(Param {
        name: name.as_bytes().to_vec(),
        value: value.as_bytes().to_vec(),
        quoted: true,
    });
}

// ---------------------------------------------------------------------------------------------
// hcp_shy helpers

/// `a <x@y>, "B" <z@w>` → `<x@y>, <z@w>`: the address list without display names or comments.
/// `None` when no address is found (the value is then kept).
fn addresses_only(value: &str) -> Option<String> {
    let mut out = Vec::new();
    for item in split_top_level(value, b',') {
        // A group `name: a, b;` was split at its commas: drop the group name and the `;`.
        let item = match top_level_colon(item) {
            Some(i) => item.get(i + 1..).unwrap_or_default(),
            None => item,
        };
        let item = item.trim().trim_end_matches(';').trim();
        if let Some(addr) = angle_addr(item) {
            out.push(format!("<{addr}>"));
        } else {
            let bare = strip_comments(item);
            let bare = bare.trim();
            if bare.contains('@') && !bare.contains(char::is_whitespace) {
                out.push(format!("<{bare}>"));
            }
        }
    }
    (!out.is_empty()).then(|| out.join(", "))
}

/// Splits at `sep` outside quoted strings, comments and angle brackets.
fn split_top_level(value: &str, sep: u8) -> Vec<&str> {
    let b = value.as_bytes();
    let (mut quoted, mut escaped, mut comment, mut angle) = (false, false, 0usize, false);
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            b'\\' if quoted || comment > 0 => escaped = true,
            b'"' if comment == 0 => quoted = !quoted,
            b'(' if !quoted => comment += 1,
            b')' if !quoted && comment > 0 => comment -= 1,
            b'<' if !quoted && comment == 0 => angle = true,
            b'>' if !quoted && comment == 0 => angle = false,
            _ if c == sep && !quoted && comment == 0 && !angle => {
                parts.push(value.get(start..i).unwrap_or_default());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(value.get(start..).unwrap_or_default());
    parts
}

/// Index of a `:` outside quotes, comments and angle brackets (a group's display name ends there).
fn top_level_colon(item: &str) -> Option<usize> {
    let first = split_top_level(item, b':');
    if first.len() > 1 {
        first.first().map(|s| s.len())
    } else {
        None
    }
}

/// The addr-spec inside the last `<...>` of a mailbox that stands outside quoted strings and
/// comments.
fn angle_addr(item: &str) -> Option<String> {
    let b = item.as_bytes();
    let (mut quoted, mut escaped, mut comment) = (false, false, 0usize);
    let mut open = None;
    for (i, &c) in b.iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            b'\\' if quoted || comment > 0 => escaped = true,
            b'"' if comment == 0 => quoted = !quoted,
            b'(' if !quoted => comment += 1,
            b')' if !quoted && comment > 0 => comment -= 1,
            b'<' if !quoted && comment == 0 => open = Some(i),
            _ => {}
        }
    }
    let rest = item.get(open? + 1..)?;
    let inner = rest.split('>').next()?.trim();
    // Obsolete route syntax `<@a,@b:x@y>`: keep the address after the route.
    let inner = inner.rsplit(':').next().unwrap_or(inner).trim();
    (!inner.is_empty()).then(|| inner.to_string())
}

fn strip_comments(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// An RFC 5322 date-time converted to UTC, `None` if it does not parse.
fn date_in_utc(value: &str) -> Option<String> {
    let secs = parse_rfc5322_date(value)?;
    super::compose::rfc5322_date(secs).ok()
}

/// Seconds since the epoch of an RFC 5322 §3.3 date-time (with the obsolete zone names of
/// §4.3 and two-digit years); comments are ignored.
pub(crate) fn parse_rfc5322_date(value: &str) -> Option<i64> {
    let cleaned = strip_comments(value).replace(',', " ");
    let mut t: Vec<&str> = cleaned.split_whitespace().collect();
    if t.first()
        .is_some_and(|w| w.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
    {
        t.remove(0);
    }
    let day: i64 = t.first()?.parse().ok()?;
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let month_name = t.get(1)?.to_ascii_lowercase();
    let month = MONTHS.iter().position(|m| *m == month_name)? as i64 + 1;
    let year_text = t.get(2)?;
    let mut year: i64 = year_text.parse().ok()?;
    if year_text.len() <= 2 {
        year += if year < 50 { 2000 } else { 1900 };
    } else if year_text.len() == 3 {
        year += 1900;
    }
    let mut hms = t.get(3)?.split(':');
    let hour: i64 = hms.next()?.parse().ok()?;
    let minute: i64 = hms.next()?.parse().ok()?;
    let second: i64 = match hms.next() {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    if !(1..=31).contains(&day)
        || !(0..=23).contains(&hour)
        || !(0..=59).contains(&minute)
        || !(0..=60).contains(&second)
        || !(1900..=9999).contains(&year)
    {
        return None;
    }
    let zone = t.get(4).copied().unwrap_or("-0000");
    let offset = zone_offset_secs(zone)?;
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset)
}

fn zone_offset_secs(zone: &str) -> Option<i64> {
    let b = zone.as_bytes();
    if b.len() == 5 && matches!(b.first(), Some(b'+' | b'-')) {
        let hh: i64 = zone.get(1..3)?.parse().ok()?;
        let mm: i64 = zone.get(3..5)?.parse().ok()?;
        let sign = if b.first() == Some(&b'-') { -1 } else { 1 };
        return Some(sign * (hh * 3600 + mm * 60));
    }
    let hours = match zone.to_ascii_uppercase().as_str() {
        "UT" | "GMT" | "Z" => 0,
        "EDT" => -4,
        "EST" | "CDT" => -5,
        "CST" | "MDT" => -6,
        "MST" | "PDT" => -7,
        "PST" => -8,
        // RFC 5322 §4.3: other military zones are to be taken as -0000.
        z if z.len() == 1 && z.chars().all(|c| c.is_ascii_alphabetic()) => 0,
        _ => return None,
    };
    Some(hours * 3600)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

// ---------------------------------------------------------------------------------------------
// Receiving side

/// See [`super::restore_headers`].
pub(crate) fn restore_headers(
    outer_header_block: &[u8],
    payload_entity: &[u8],
    encrypted: bool,
) -> Result<RestoredHeaders> {
    if outer_header_block.len() > MAX_MESSAGE_SIZE || payload_entity.len() > MAX_MESSAGE_SIZE {
        return Err(Error::InputTooLarge {
            what: "message size in bytes",
            limit: MAX_MESSAGE_SIZE,
        });
    }
    let outer = split_entity(outer_header_block)?;
    let outer_fields: Vec<&Field<'_>> = outer.fields.iter().filter(|f| !structural(f)).collect();
    let payload = split_entity(payload_entity)?;
    let content_type = only_content_type(&payload.fields)?;
    let ct = content_type.map(|f| parse_param_value(&f.value()));
    let mode = ct
        .as_ref()
        .and_then(|pv| pv.param(HP))
        .map(|v| String::from_utf8_lossy(v).to_ascii_lowercase())
        .filter(|v| v == "cipher" || v == "clear");

    let inner: Vec<Field<'_>> = match &mode {
        Some(_) => payload
            .fields
            .iter()
            .filter(|f| !structural(f) && !f.is(HP_OUTER))
            .cloned()
            .collect(),
        None => {
            // RFC 8551 §3.1 / RFC 9788 legacy "wrapped message": a payload that is
            // message/rfc822 with forwarded=no carries the real header in its inner message.
            let wrapped = ct.as_ref().is_some_and(|pv| {
                pv.media_type()
                    .is_some_and(|(t, s)| t == "message" && s == "rfc822")
                    && pv
                        .param("forwarded")
                        .is_some_and(|v| v.eq_ignore_ascii_case(b"no"))
            });
            if wrapped {
                split_entity(payload.body)?
                    .fields
                    .into_iter()
                    .filter(|f| !structural(f))
                    .collect()
            } else {
                Vec::new()
            }
        }
    };

    let mut restored = RestoredHeaders {
        mode: mode.clone(),
        ..RestoredHeaders::default()
    };
    for f in &inner {
        restored.fields.push(header_field(f));
        push_once(&mut restored.protected, f.name());
    }
    for f in &outer_fields {
        let lname = lossy(f.name()).to_ascii_lowercase();
        if !restored.protected.contains(&lname) {
            restored.fields.push(header_field(f));
            push_once(&mut restored.unprotected, f.name());
        }
    }

    // What the outside showed: HP-Outer (trusted only inside an encrypted hp="cipher" payload),
    // otherwise the outer fields themselves.
    let shown: Vec<(String, String)> = if mode.as_deref() == Some("cipher") && encrypted {
        payload
            .fields
            .iter()
            .filter(|f| f.is(HP_OUTER))
            .filter_map(|f| {
                let v = decode_value(&f.value());
                let (n, rest) = v.split_once(':')?;
                Some((n.trim().to_ascii_lowercase(), rest.trim().to_string()))
            })
            .collect()
    } else {
        outer_fields
            .iter()
            .map(|f| {
                (
                    lossy(f.name()).to_ascii_lowercase(),
                    decode_value(&f.value()),
                )
            })
            .collect()
    };
    for name in &restored.protected {
        let mut inside: Vec<String> = restored
            .fields
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.clone())
            .collect();
        let mut outside: Vec<String> = shown
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect();
        inside.sort();
        outside.sort();
        if inside != outside {
            restored.obscured_outside.push(name.clone());
        }
    }
    Ok(restored)
}

/// Content-*, MIME-Version: the fields that describe the MIME structure (RFC 9788 §1.1).
fn structural(f: &Field<'_>) -> bool {
    f.is_content() || f.is("mime-version")
}

fn only_content_type<'f, 'a>(fields: &'f [Field<'a>]) -> Result<Option<&'f Field<'a>>> {
    let mut found = fields.iter().filter(|f| f.is("content-type"));
    let first = found.next();
    if found.next().is_some() {
        return Err(Error::MalformedMime(
            "more than one Content-Type field in the protected part".into(),
        ));
    }
    Ok(first)
}

fn push_once(list: &mut Vec<String>, name: &[u8]) {
    let lname = lossy(name).to_ascii_lowercase();
    if !list.contains(&lname) {
        list.push(lname);
    }
}

fn header_field(f: &Field<'_>) -> HeaderField {
    let mut raw = Vec::new();
    f.write_raw(&mut raw);
    HeaderField {
        name: lossy(f.name()),
        value: decode_value(&f.value()),
        raw,
    }
}

/// An unfolded value, trimmed, with RFC 2047 encoded words decoded (white space between two
/// adjacent encoded words dropped, RFC 2047 §6.2).
pub(crate) fn decode_value(value: &[u8]) -> String {
    let text = lossy(trim_end_wsp(value));
    let text = text.trim_matches([' ', '\t']);
    let mut out = String::with_capacity(text.len());
    let mut pending_ws = String::new();
    let mut last_was_word = false;
    let mut rest = text;
    while !rest.is_empty() {
        let ws_len = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if ws_len > 0 {
            pending_ws.push_str(rest.get(..ws_len).unwrap_or_default());
            rest = rest.get(ws_len..).unwrap_or_default();
            continue;
        }
        let end = rest.find([' ', '\t']).unwrap_or(rest.len());
        let word = rest.get(..end).unwrap_or_default();
        rest = rest.get(end..).unwrap_or_default();
        // An encoded word may stand inside a quoted string or comment in the wild: look at
        // the word without the surrounding punctuation.
        let lead = word.len() - word.trim_start_matches(['"', '(']).len();
        let core_and_tail = word.get(lead..).unwrap_or_default();
        let trail = core_and_tail.len() - core_and_tail.trim_end_matches(['"', ')', ',']).len();
        let core = core_and_tail
            .get(..core_and_tail.len() - trail)
            .unwrap_or_default();
        match decode_word(core) {
            Some(decoded) => {
                if !(last_was_word && lead == 0) {
                    out.push_str(&pending_ws);
                }
                out.push_str(word.get(..lead).unwrap_or_default());
                out.push_str(&decoded);
                out.push_str(core_and_tail.get(core.len()..).unwrap_or_default());
                last_was_word = trail == 0;
            }
            None => {
                out.push_str(&pending_ws);
                out.push_str(word);
                last_was_word = false;
            }
        }
        pending_ws.clear();
    }
    out
}

/// One `=?charset?B|Q?text?=` word, decoded; `None` if it is not one or its charset is unknown.
fn decode_word(word: &str) -> Option<String> {
    let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
    let mut it = inner.splitn(3, '?');
    let charset = it.next()?;
    let kind = it.next()?;
    let text = it.next()?;
    // RFC 2231 §5: a language tag may follow the charset.
    let charset = charset
        .split('*')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let bytes = match kind {
        "B" | "b" => {
            use base64ct::{Base64, Encoding};
            Base64::decode_vec(text).ok()?
        }
        "Q" | "q" => {
            let mut out = Vec::with_capacity(text.len());
            let b = text.as_bytes();
            let mut i = 0;
            while i < b.len() {
                match b.get(i) {
                    Some(b'_') => out.push(b' '),
                    Some(b'=') => {
                        let hex = text.get(i + 1..i + 3)?;
                        out.push(u8::from_str_radix(hex, 16).ok()?);
                        i += 2;
                    }
                    Some(&c) => out.push(c),
                    None => {}
                }
                i += 1;
            }
            out
        }
        _ => return None,
    };
    match charset.as_str() {
        "utf-8" | "utf8" | "us-ascii" | "ascii" => {
            Some(String::from_utf8_lossy(&bytes).into_owned())
        }
        "iso-8859-1" | "latin1" | "l1" => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_with_zones_and_obsolete_forms() {
        let utc = |s: &str| date_in_utc(s);
        assert_eq!(
            utc("Wed, 11 Jan 2023 16:08:43 -0500").as_deref(),
            Some("Wed, 11 Jan 2023 21:08:43 +0000")
        );
        // No day of week, no seconds, a comment, an obsolete zone name.
        assert_eq!(
            utc("1 Mar 2024 23:30 PST (Pacific)").as_deref(),
            Some("Sat, 02 Mar 2024 07:30:00 +0000")
        );
        assert_eq!(
            utc("Fri, 31 Dec 99 23:59:59 GMT").as_deref(),
            Some("Fri, 31 Dec 1999 23:59:59 +0000")
        );
        // Across a leap day, east of UTC.
        assert_eq!(
            utc("Fri, 1 Mar 2024 01:00:00 +0200").as_deref(),
            Some("Thu, 29 Feb 2024 23:00:00 +0000")
        );
        for bad in [
            "",
            "yesterday",
            "Wed, 32 Jan 2023 10:00:00 +0000",
            "1 Foo 2023 10:00 +0000",
            "1 Jan 2023 25:00 +0000",
            "1 Jan 2023 10:00 +05",
        ] {
            assert_eq!(utc(bad), None, "{bad}");
        }
    }

    #[test]
    fn address_lists_lose_display_names() {
        let a = |s: &str| addresses_only(s);
        assert_eq!(a("Alice <a@x.example>").as_deref(), Some("<a@x.example>"));
        assert_eq!(
            a("\"Doe, Jane\" <j@x.example>, b@y.example (Bob), =?utf-8?q?Zo=C3=AB?= <z@z.example>")
                .as_deref(),
            Some("<j@x.example>, <b@y.example>, <z@z.example>")
        );
        assert_eq!(
            a("friends: c@x.example, \"D <not@this>\" <d@x.example>;").as_deref(),
            Some("<c@x.example>, <d@x.example>")
        );
        assert_eq!(
            a("<@route.example:r@x.example>").as_deref(),
            Some("<r@x.example>")
        );
        assert_eq!(a("undisclosed-recipients:;"), None);
    }

    #[test]
    fn encoded_words_decode() {
        let d = |s: &str| decode_value(s.as_bytes());
        assert_eq!(
            d(" =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= and more "),
            "Grüße and more"
        );
        assert_eq!(d("=?utf-8?B?w6Q=?= =?utf-8?B?w7Y=?="), "äö");
        assert_eq!(d("=?ISO-8859-1?Q?caf=E9_au_lait?="), "café au lait");
        assert_eq!(d("\"=?utf-8?q?Zo=C3=AB?=\" <z@x>"), "\"Zoë\" <z@x>");
        // Unknown charset, broken words: left as written.
        assert_eq!(d("=?koi8-r?Q?abc?="), "=?koi8-r?Q?abc?=");
        assert_eq!(
            d("=?utf-8?Q?=ZZ?= =?utf-8?X?a?="),
            "=?utf-8?Q?=ZZ?= =?utf-8?X?a?="
        );
        assert_eq!(d("plain  text"), "plain  text");
    }
}
