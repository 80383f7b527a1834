//! Tolerant PEM reading and plain RFC 7468 PEM writing.
//!
//! Real files carry text before and between blocks (`openssl x509 -text` output, bag attributes from
//! `openssl pkcs12`), CRLF line ends, odd line widths and RFC 1421 headers (`Proc-Type`). The strict
//! `pem-rfc7468` decoder rejects several of those, so blocks are located here and their base64 body
//! is decoded leniently; writing uses the canonical 64-column form.

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// One PEM block: its label (`CERTIFICATE`, `PRIVATE KEY`, ...), RFC 1421 headers, and DER contents.
pub(crate) struct PemBlock {
    pub label: String,
    /// `Name: value` header lines before the base64 body (legacy OpenSSL encrypted keys use them).
    pub headers: Vec<(String, String)>,
    /// The decoded contents; zeroized on drop because private keys pass through here.
    pub der: Zeroizing<Vec<u8>>,
}

/// True when `input` looks like PEM text rather than DER (a DER structure starts with a SEQUENCE tag).
pub(crate) fn looks_like_pem(input: &[u8]) -> bool {
    input.windows(11).any(|w| w == b"-----BEGIN ")
}

/// Every PEM block in `input`, in order. Text outside blocks is ignored. A block whose body is not
/// valid base64, or a BEGIN without a matching END, is an error (reported through `malformed`).
pub(crate) fn blocks(input: &[u8], malformed: fn(String) -> Error) -> Result<Vec<PemBlock>> {
    let text = String::from_utf8_lossy(input);
    let mut out = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let end = format!("-----END {label}-----");
        let mut headers = Vec::new();
        let mut body = Zeroizing::new(String::new());
        let mut closed = false;
        for line in lines.by_ref() {
            if line == end {
                closed = true;
                break;
            }
            if line.starts_with("-----") {
                return Err(malformed(format!(
                    "PEM block {label} is not closed by {end}"
                )));
            }
            if body.is_empty()
                && let Some((name, value)) = line.split_once(':')
            {
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
                continue;
            }
            body.extend(line.chars().filter(|c| !c.is_ascii_whitespace()));
        }
        if !closed {
            return Err(malformed(format!(
                "PEM block {label} has no END line (truncated?)"
            )));
        }
        let der = Base64::decode_vec(&body)
            .map_err(|_| malformed(format!("PEM block {label} is not valid base64")))?;
        if der.is_empty() {
            return Err(malformed(format!("PEM block {label} is empty")));
        }
        out.push(PemBlock {
            label: label.to_owned(),
            headers,
            der: Zeroizing::new(der),
        });
    }
    Ok(out)
}

/// RFC 7468 PEM text with 64-column lines and LF line ends.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let b64 = Base64::encode_string(der);
    let mut s = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    s.push_str("-----BEGIN ");
    s.push_str(label);
    s.push_str("-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // base64 output is ASCII, so every chunk is valid UTF-8
        s.push_str(&String::from_utf8_lossy(chunk));
        s.push('\n');
    }
    s.push_str("-----END ");
    s.push_str(label);
    s.push_str("-----\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_blocks_among_text_with_crlf_and_headers() {
        let der = [0x30u8, 0x03, 0x02, 0x01, 0x05];
        let mut text = String::from("Bag Attributes\r\n    friendlyName: x\r\n");
        text.push_str(&encode("CERTIFICATE", &der).replace('\n', "\r\n"));
        text.push_str("junk\n-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMAMCAQU=\n-----END RSA PRIVATE KEY-----\n");
        let b = blocks(text.as_bytes(), Error::MalformedCertificate).expect("parses");
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].label, "CERTIFICATE");
        assert_eq!(&b[0].der[..], &der);
        assert_eq!(b[1].label, "RSA PRIVATE KEY");
        assert_eq!(b[1].headers[0], ("Proc-Type".into(), "4,ENCRYPTED".into()));
        assert_eq!(&b[1].der[..], &der);
    }

    #[test]
    fn truncated_and_bad_base64_are_errors() {
        let pem = encode("CERTIFICATE", &[1, 2, 3, 4, 5, 6]);
        let cut = &pem[..pem.len() - 20];
        let e = blocks(cut.as_bytes(), Error::MalformedCertificate).err();
        assert_eq!(e.map(|e| e.code()), Some("MALFORMED_CERTIFICATE"));
        let bad = "-----BEGIN X-----\n!!!!\n-----END X-----\n";
        assert!(blocks(bad.as_bytes(), Error::MalformedKey).is_err());
        assert!(!looks_like_pem(&[0x30, 0x82, 0x01]));
    }
}
