//! A small BER → DER normalizer and a DER element walker, for PKCS#12 files.
//!
//! Real .pfx files use indefinite lengths and constructed (chunked) OCTET STRINGs, which `der`
//! rejects when nested. [`normalize`] rewrites every length in definite minimal form and
//! concatenates constructed universal strings into primitive ones. It does not sort SET OF or
//! otherwise canonicalize: the result is "definite-length BER", which `der` and our walker read.

use crate::error::{Error, Result};

fn malformed(why: &str) -> Error {
    Error::MalformedPkcs12(why.to_string())
}

/// One parsed element header: the identifier octet, the header length, and the content length
/// (`None` for the indefinite form).
struct Header {
    tag: u8,
    header_len: usize,
    len: Option<usize>,
}

fn read_header(input: &[u8]) -> Result<Header> {
    let tag = *input
        .first()
        .ok_or_else(|| malformed("truncated element"))?;
    if tag & 0x1f == 0x1f {
        return Err(malformed("multi-octet tag numbers are not used in PKCS#12"));
    }
    let first = *input.get(1).ok_or_else(|| malformed("truncated length"))?;
    if first < 0x80 {
        return Ok(Header {
            tag,
            header_len: 2,
            len: Some(first as usize),
        });
    }
    if first == 0x80 {
        if tag & 0x20 == 0 {
            return Err(malformed("indefinite length on a primitive element"));
        }
        return Ok(Header {
            tag,
            header_len: 2,
            len: None,
        });
    }
    let n = (first & 0x7f) as usize;
    if n > 4 {
        return Err(malformed("element length too large"));
    }
    let bytes = input
        .get(2..2 + n)
        .ok_or_else(|| malformed("truncated length"))?;
    let len = bytes.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize);
    Ok(Header {
        tag,
        header_len: 2 + n,
        len: Some(len),
    })
}

/// Universal string types whose constructed form is concatenated (OCTET STRING, UTF8String,
/// PrintableString, IA5String, BMPString, ...). BIT STRING is left alone.
fn is_concatenable_string(tag: u8) -> bool {
    matches!(tag & !0x20, 0x04 | 0x0c | 0x13 | 0x14 | 0x16 | 0x1e)
}

/// Rewrites BER `input` (exactly one element, nothing after it) with definite lengths and
/// concatenated constructed strings. `max_depth` bounds the nesting.
pub(crate) fn normalize(input: &[u8], max_depth: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let used = normalize_one(input, &mut out, max_depth)?;
    if used != input.len() {
        return Err(malformed("data after the end of the structure"));
    }
    Ok(out)
}

/// Normalizes the element at the start of `input` into `out`; returns the number of input octets
/// it took.
fn normalize_one(input: &[u8], out: &mut Vec<u8>, depth: usize) -> Result<usize> {
    if depth == 0 {
        return Err(Error::NestingTooDeep {
            limit: crate::policy::MAX_PKCS12_DEPTH,
        });
    }
    let h = read_header(input)?;
    let body = &input[h.header_len..];
    if h.tag & 0x20 == 0 {
        let len = h.len.unwrap_or(0);
        let content = body
            .get(..len)
            .ok_or_else(|| malformed("truncated element"))?;
        write_element(out, h.tag, content);
        return Ok(h.header_len + len);
    }
    // Constructed: normalize the children.
    let mut content = Vec::new();
    let (mut rest, consumed) = match h.len {
        Some(len) => (
            body.get(..len)
                .ok_or_else(|| malformed("truncated element"))?,
            h.header_len + len,
        ),
        None => (body, 0),
    };
    let mut taken = 0usize;
    loop {
        if h.len.is_none() {
            if rest.len() < 2 {
                return Err(malformed("missing end-of-contents"));
            }
            if rest[0] == 0 && rest[1] == 0 {
                taken += 2;
                break;
            }
        } else if rest.is_empty() {
            break;
        }
        if is_concatenable_string(h.tag) {
            // The children must be strings of the same type; take their content octets.
            let mut child = Vec::new();
            let n = normalize_one(rest, &mut child, depth - 1)?;
            let ch = read_header(&child)?;
            if ch.tag != h.tag & !0x20 {
                return Err(malformed("constructed string with a foreign segment"));
            }
            content.extend_from_slice(&child[ch.header_len..]);
            rest = &rest[n..];
            taken += n;
        } else {
            let n = normalize_one(rest, &mut content, depth - 1)?;
            rest = &rest[n..];
            taken += n;
        }
    }
    let tag = if is_concatenable_string(h.tag) {
        h.tag & !0x20
    } else {
        h.tag
    };
    write_element(out, tag, &content);
    Ok(if h.len.is_some() {
        consumed
    } else {
        h.header_len + taken
    })
}

/// Appends a DER element (definite minimal length).
pub(crate) fn write_element(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    write_len(out, content.len());
    out.extend_from_slice(content);
}

fn write_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let bytes = (len as u64).to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    out.push(0x80 | (8 - skip) as u8);
    out.extend_from_slice(&bytes[skip..]);
}

/// An element of a definite-length encoding: its tag, its content octets and its whole encoding.
#[derive(Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub whole: &'a [u8],
}

/// Reads the definite-length element at the start of `input`; returns it and the rest.
pub(crate) fn next_tlv(input: &[u8]) -> Result<(Tlv<'_>, &[u8])> {
    let h = read_header(input)?;
    let len = h
        .len
        .ok_or_else(|| malformed("indefinite length after normalization"))?;
    let end = h
        .header_len
        .checked_add(len)
        .filter(|e| *e <= input.len())
        .ok_or_else(|| malformed("truncated element"))?;
    Ok((
        Tlv {
            tag: h.tag,
            content: &input[h.header_len..end],
            whole: &input[..end],
        },
        &input[end..],
    ))
}

/// The children of a constructed element's content.
pub(crate) fn children(content: &[u8]) -> Result<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    let mut rest = content;
    while !rest.is_empty() {
        let (t, r) = next_tlv(rest)?;
        out.push(t);
        rest = r;
    }
    Ok(out)
}

/// Reads exactly one element with the expected tag.
pub(crate) fn expect<'a>(input: &'a [u8], tag: u8, what: &str) -> Result<Tlv<'a>> {
    let (t, rest) = next_tlv(input)?;
    if t.tag != tag || !rest.is_empty() {
        return Err(Error::MalformedPkcs12(format!(
            "{what}: unexpected encoding"
        )));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indefinite_and_chunked() {
        // SEQUENCE (indefinite) { OCTET STRING constructed (indefinite) { "ab", "c" }, NULL }
        let ber = [
            0x30, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0x00, 0x00, 0x05,
            0x00, 0x00, 0x00,
        ];
        let der = normalize(&ber, 8).expect("must succeed");
        assert_eq!(der, [0x30, 0x07, 0x04, 0x03, b'a', b'b', b'c', 0x05, 0x00]);
        // Definite constructed, nested chunks.
        let ber = [0x24, 0x08, 0x24, 0x03, 0x04, 0x01, b'x', 0x04, 0x01, b'y'];
        assert_eq!(
            normalize(&ber, 8).expect("must succeed"),
            [0x04, 0x02, b'x', b'y']
        );
        assert!(normalize(&[0x30, 0x80, 0x05, 0x00], 8).is_err());
        assert!(normalize(&[0x30, 0x80, 0x30, 0x80, 0x30, 0x80], 2).is_err());
    }
}
