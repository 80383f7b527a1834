//! Interop tests of `smime_wasm::sign`: every signature algorithm and both forms, and the
//! inputs that break naive signers, each verified by every independent peer that supports the
//! algorithm (tests/peers; the table is in tests/peers/README.md).
//!
//! For each output the test checks, without this crate's own reader:
//! - the MIME: top-level type, `micalg` = the digest, outer headers kept outside, 7-bit CRLF
//!   text with no line over 998 octets (RFC 5322 section 2.1.1, RFC 8551 section 3.1.2);
//! - the SignedData: digest and signature algorithms, PSS parameters, signingTime, certificates;
//! - that the signed content is the input (same MIME leaves, bodies decoded: a signer may change
//!   transfer encodings and line endings, nothing else);
//! - that every peer supporting the algorithm verifies it, with `--expect` = the signed content.
//!
//! Peers come from scripts/install-peers.sh; with `CI=true` a missing peer fails the test.
//! A failing output is kept in `$CARGO_TARGET_TMPDIR/peer-inputs/<test>.eml`; re-run one by hand
//! with `tests/peers/peers.sh verify FILE tests/data/rfc9216/ca.rsa.crt`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::mime::{self, Leaf};
use common::peers::{self, SigAlg, VerifyOpts, assert_peers_pass, peers_supporting};
use common::smime::{self, Form, ID_DATA, ID_RSASSA_PSS, Signed};
use common::{data, data_path};
use const_oid::ObjectIdentifier;
use smime_wasm::{DigestAlgorithm, Identity, RsaPadding, SignOptions, sign};
use std::time::{SystemTime, UNIX_EPOCH};

// ------------------------------------------------------------------ signers and algorithms

/// A signing key with its certificate(s) and the root that anchors them.
struct Signer {
    key: &'static str,
    certs: &'static [&'static str],
    /// Hand the certificates to `Identity::from_pem` as DER (one certificate only).
    der: bool,
    anchor: &'static str,
}

/// RSA-2048, RFC 9216.
const ALICE: Signer = Signer {
    key: "rfc9216/alice.sign.key",
    certs: &["rfc9216/alice.sign.crt"],
    der: false,
    anchor: "rfc9216/ca.rsa.crt",
};
/// ECDSA P-256, issued by the RFC 9216 RSA CA.
const ERIN: Signer = Signer {
    key: "generated/erin.ec.key",
    certs: &["generated/erin.ec.crt"],
    der: false,
    anchor: "rfc9216/ca.rsa.crt",
};
/// ECDSA P-384 (signing certificate for the kit's Frank key), given with its root.
const FRANK: Signer = Signer {
    key: "generated/frank.p384.key",
    certs: &["generated/frank.p384.sign.crt", "rfc9216/ca.rsa.crt"],
    der: false,
    anchor: "rfc9216/ca.rsa.crt",
};
/// Ed25519, RFC 9216; certificate given as DER.
const CARLOS: Signer = Signer {
    key: "rfc9216/carlos.sign.key",
    certs: &["rfc9216/carlos.sign.crt"],
    der: true,
    anchor: "rfc9216/ca.25519.crt",
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Md {
    Sha256,
    Sha384,
    Sha512,
}

impl Md {
    fn api(self) -> DigestAlgorithm {
        match self {
            Md::Sha256 => DigestAlgorithm::Sha256,
            Md::Sha384 => DigestAlgorithm::Sha384,
            Md::Sha512 => DigestAlgorithm::Sha512,
        }
    }
    /// The `micalg` name (RFC 8551 section 3.5.3.2).
    fn micalg(self) -> &'static str {
        match self {
            Md::Sha256 => "sha-256",
            Md::Sha384 => "sha-384",
            Md::Sha512 => "sha-512",
        }
    }
    fn oid(self) -> ObjectIdentifier {
        ObjectIdentifier::new_unwrap(match self {
            Md::Sha256 => "2.16.840.1.101.3.4.2.1",
            Md::Sha384 => "2.16.840.1.101.3.4.2.2",
            Md::Sha512 => "2.16.840.1.101.3.4.2.3",
        })
    }
    fn len(self) -> usize {
        match self {
            Md::Sha256 => 32,
            Md::Sha384 => 48,
            Md::Sha512 => 64,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alg {
    RsaPkcs1,
    RsaPss,
    EcdsaP256,
    EcdsaP384,
    Ed25519,
}

impl Alg {
    /// The signatureAlgorithm OIDs a correct SignerInfo may carry for this digest.
    fn signature_oids(self, md: Md) -> Vec<ObjectIdentifier> {
        let o = ObjectIdentifier::new_unwrap;
        match (self, md) {
            // RFC 5754 section 3.2: rsaEncryption or sha*WithRSAEncryption
            (Alg::RsaPkcs1, Md::Sha256) => {
                vec![o("1.2.840.113549.1.1.1"), o("1.2.840.113549.1.1.11")]
            }
            (Alg::RsaPkcs1, Md::Sha384) => {
                vec![o("1.2.840.113549.1.1.1"), o("1.2.840.113549.1.1.12")]
            }
            (Alg::RsaPkcs1, Md::Sha512) => {
                vec![o("1.2.840.113549.1.1.1"), o("1.2.840.113549.1.1.13")]
            }
            (Alg::RsaPss, _) => vec![ID_RSASSA_PSS],
            (Alg::EcdsaP256 | Alg::EcdsaP384, Md::Sha256) => vec![o("1.2.840.10045.4.3.2")],
            (Alg::EcdsaP256 | Alg::EcdsaP384, Md::Sha384) => vec![o("1.2.840.10045.4.3.3")],
            (Alg::EcdsaP256 | Alg::EcdsaP384, Md::Sha512) => vec![o("1.2.840.10045.4.3.4")],
            (Alg::Ed25519, _) => vec![o("1.3.101.112")],
        }
    }
}

// ------------------------------------------------------------------ the API under test

fn pem_to_der(pem: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(pem);
    let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    mime::decode_base64(b64.as_bytes())
}

fn identity(s: &Signer) -> Identity {
    let key = data(s.key);
    let certs: Vec<u8> = if s.der {
        assert_eq!(s.certs.len(), 1, "DER: one certificate");
        pem_to_der(&data(s.certs[0]))
    } else {
        s.certs.iter().flat_map(|c| data(c)).collect()
    };
    Identity::from_pem(&key, &certs, None)
        .unwrap_or_else(|e| panic!("Identity::from_pem({}, {:?}): {e:?}", s.key, s.certs))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock before 1970")
        .as_secs()
}

/// One signing: who, how, what.
struct Case<'a> {
    name: &'a str,
    signer: &'a Signer,
    alg: Alg,
    md: Md,
    detached: bool,
    input: &'a [u8],
}

/// Signs, checks the output's MIME and CMS, the signed content against the input, and has
/// every peer that supports the algorithm verify it. Returns the output.
fn sign_and_verify(c: &Case<'_>) -> Vec<u8> {
    let id = identity(c.signer);
    let signing_time = now();
    // `..default()`: the options struct is meant to grow; clippy flags it while it has no more fields
    #[allow(clippy::needless_update)]
    let opts = SignOptions {
        detached: c.detached,
        digest: c.md.api(),
        rsa_padding: if c.alg == Alg::RsaPss {
            RsaPadding::Pss
        } else {
            RsaPadding::Pkcs1v15
        },
        signing_time: Some(signing_time),
        include_chain: true,
        ..SignOptions::default()
    };
    let out =
        sign(c.input, &id, &opts).unwrap_or_else(|e| panic!("{}: sign failed: {e:?}", c.name));
    // kept for inspection before any check can fail
    peers::scratch_file(&format!("{}.eml", c.name), &out);

    let signed = smime::open_signed(&out);
    check_mime(c, &out, &signed);
    let salt = check_cms(c, &signed, signing_time);
    check_content(c, &signed);

    let sig_alg = match c.alg {
        Alg::RsaPkcs1 => SigAlg::RsaPkcs1v15,
        Alg::RsaPss => SigAlg::RsaPss {
            hash_len: c.md.len(),
            salt_len: salt.expect("PSS salt") as usize,
        },
        Alg::EcdsaP256 => SigAlg::EcdsaP256,
        Alg::EcdsaP384 => SigAlg::EcdsaP384,
        Alg::Ed25519 => SigAlg::Ed25519,
    };
    let anchor = data_path(c.signer.anchor);
    let results = peers::verify(
        &out,
        &[anchor.as_path()],
        &VerifyOpts {
            expect: Some(&signed.content),
            name: Some(c.name),
            ..Default::default()
        },
    );
    let required = peers_supporting(sig_alg);
    eprintln!("{}: required peers {required:?}", c.name);
    assert_peers_pass(&results, &required);
    out
}

/// Top-level MIME of the output.
fn check_mime(c: &Case<'_>, out: &[u8], s: &Signed<'_>) {
    let n = c.name;
    if let Some(at) = mime::first_non_7bit(out) {
        panic!(
            "{n}: output is not 7-bit CRLF text at octet {at}: {:?}",
            String::from_utf8_lossy(&out[at.saturating_sub(30)..(at + 10).min(out.len())])
        );
    }
    if let Some((line, len)) = mime::first_long_line(out, 998) {
        panic!("{n}: output line {line} has {len} octets (RFC 5322 limit 998)");
    }
    assert_eq!(
        s.top.header("MIME-Version").map(str::trim),
        Some("1.0"),
        "{n}: MIME-Version"
    );
    assert_eq!(
        s.top.count("Content-Type"),
        1,
        "{n}: top-level Content-Type headers"
    );
    if c.detached {
        assert_eq!(s.form, Form::Detached, "{n}: detached requested");
        assert_eq!(s.top.mime_type(), "multipart/signed", "{n}");
        assert_eq!(
            s.top
                .ct_param("protocol")
                .map(|p| p.to_ascii_lowercase())
                .as_deref(),
            Some("application/pkcs7-signature"),
            "{n}: protocol parameter"
        );
        assert_eq!(
            s.top
                .ct_param("micalg")
                .map(|m| m.to_ascii_lowercase())
                .as_deref(),
            Some(c.md.micalg()),
            "{n}: micalg must name the digest"
        );
    } else {
        assert_eq!(s.form, Form::Opaque, "{n}: opaque requested");
        assert_eq!(s.top.mime_type(), "application/pkcs7-mime", "{n}");
        assert_eq!(
            s.top
                .ct_param("smime-type")
                .map(|p| p.to_ascii_lowercase())
                .as_deref(),
            Some("signed-data"),
            "{n}: smime-type"
        );
        assert_eq!(s.top.cte(), "base64", "{n}: opaque CMS transfer encoding");
    }
}

/// The SignedData; returns the PSS salt length, if PSS.
fn check_cms(c: &Case<'_>, s: &Signed<'_>, signing_time: u64) -> Option<u8> {
    let n = c.name;
    let cms = smime::cms_summary(&s.cms);
    assert_eq!(cms.econtent_type, ID_DATA, "{n}: eContentType");
    assert_eq!(
        cms.econtent.is_some(),
        !c.detached,
        "{n}: eContent present iff opaque"
    );
    assert!(
        cms.digest_algs.contains(&c.md.oid()),
        "{n}: digestAlgorithms {:?}",
        cms.digest_algs
    );
    assert_eq!(cms.signers.len(), 1, "{n}: SignerInfos");
    let si = &cms.signers[0];
    assert_eq!(si.digest_alg, c.md.oid(), "{n}: SignerInfo digestAlgorithm");
    assert!(
        c.alg.signature_oids(c.md).contains(&si.signature_alg),
        "{n}: signatureAlgorithm {} for {:?}/{:?}",
        si.signature_alg,
        c.alg,
        c.md
    );
    assert!(
        si.has_message_digest,
        "{n}: no messageDigest signed attribute"
    );
    assert_eq!(
        si.signing_time,
        Some(signing_time),
        "{n}: signingTime attribute"
    );
    assert!(
        cms.cert_count >= c.signer.certs.len(),
        "{n}: include_chain with {} certificate(s) given, {} in the SignedData",
        c.signer.certs.len(),
        cms.cert_count
    );
    match (c.alg, si.pss) {
        (Alg::RsaPss, Some((hash, salt))) => {
            assert_eq!(hash, c.md.oid(), "{n}: PSS hashAlgorithm");
            if c.md == Md::Sha256 {
                assert_eq!(
                    salt, 32,
                    "{n}: PSS salt for SHA-256 (the length peers accept)"
                );
            }
            Some(salt)
        }
        (Alg::RsaPss, None) => panic!(
            "{n}: PSS requested, signatureAlgorithm {}",
            si.signature_alg
        ),
        _ => None,
    }
}

/// The signed content must be the input, read as a MIME reader reads it.
fn check_content(c: &Case<'_>, s: &Signed<'_>) {
    let want = mime::leaves(c.input);
    let got = mime::leaves(&s.content);
    let show = |l: &[Leaf]| {
        l.iter()
            .map(|x| {
                format!(
                    "{} {:?} {:?} {:.120?}",
                    x.mime_type,
                    x.charset,
                    x.filename,
                    String::from_utf8_lossy(&x.data)
                )
            })
            .collect::<Vec<_>>()
            .join("\n    ")
    };
    assert!(
        want == got,
        "{}: signed content differs from the input\n  input leaves:\n    {}\n  signed leaves:\n    {}",
        c.name,
        show(&want),
        show(&got)
    );
}

// ------------------------------------------------------------------ algorithms x forms

fn plain() -> Vec<u8> {
    data("generated/plain.txt")
}

fn run(name: &str, signer: &Signer, alg: Alg, md: Md, detached: bool, input: &[u8]) -> Vec<u8> {
    sign_and_verify(&Case {
        name,
        signer,
        alg,
        md,
        detached,
        input,
    })
}

#[test]
fn rsa_pkcs1_sha256_detached() {
    run(
        "rsa-pkcs1-sha256-detached",
        &ALICE,
        Alg::RsaPkcs1,
        Md::Sha256,
        true,
        &plain(),
    );
}
#[test]
fn rsa_pkcs1_sha256_opaque() {
    run(
        "rsa-pkcs1-sha256-opaque",
        &ALICE,
        Alg::RsaPkcs1,
        Md::Sha256,
        false,
        &plain(),
    );
}
#[test]
fn rsa_pkcs1_sha384_detached() {
    run(
        "rsa-pkcs1-sha384-detached",
        &ALICE,
        Alg::RsaPkcs1,
        Md::Sha384,
        true,
        &plain(),
    );
}
#[test]
fn rsa_pkcs1_sha384_opaque() {
    run(
        "rsa-pkcs1-sha384-opaque",
        &ALICE,
        Alg::RsaPkcs1,
        Md::Sha384,
        false,
        &plain(),
    );
}
#[test]
fn rsa_pkcs1_sha512_detached() {
    run(
        "rsa-pkcs1-sha512-detached",
        &ALICE,
        Alg::RsaPkcs1,
        Md::Sha512,
        true,
        &plain(),
    );
}
#[test]
fn rsa_pkcs1_sha512_opaque() {
    run(
        "rsa-pkcs1-sha512-opaque",
        &ALICE,
        Alg::RsaPkcs1,
        Md::Sha512,
        false,
        &plain(),
    );
}
#[test]
fn rsa_pss_sha256_detached() {
    run(
        "rsa-pss-sha256-detached",
        &ALICE,
        Alg::RsaPss,
        Md::Sha256,
        true,
        &plain(),
    );
}
#[test]
fn rsa_pss_sha256_opaque() {
    run(
        "rsa-pss-sha256-opaque",
        &ALICE,
        Alg::RsaPss,
        Md::Sha256,
        false,
        &plain(),
    );
}
/// gpgsm is required only if the salt equals the hash length (see tests/peers/README.md).
#[test]
fn rsa_pss_sha512_detached() {
    run(
        "rsa-pss-sha512-detached",
        &ALICE,
        Alg::RsaPss,
        Md::Sha512,
        true,
        &plain(),
    );
}
#[test]
fn ecdsa_p256_sha256_detached() {
    run(
        "ecdsa-p256-sha256-detached",
        &ERIN,
        Alg::EcdsaP256,
        Md::Sha256,
        true,
        &plain(),
    );
}
#[test]
fn ecdsa_p256_sha256_opaque() {
    run(
        "ecdsa-p256-sha256-opaque",
        &ERIN,
        Alg::EcdsaP256,
        Md::Sha256,
        false,
        &plain(),
    );
}
#[test]
fn ecdsa_p384_sha384_detached() {
    run(
        "ecdsa-p384-sha384-detached",
        &FRANK,
        Alg::EcdsaP384,
        Md::Sha384,
        true,
        &plain(),
    );
}
#[test]
fn ecdsa_p384_sha384_opaque() {
    run(
        "ecdsa-p384-sha384-opaque",
        &FRANK,
        Alg::EcdsaP384,
        Md::Sha384,
        false,
        &plain(),
    );
}
/// RFC 8419: Ed25519 with signed attributes uses SHA-512.
#[test]
fn ed25519_detached() {
    run(
        "ed25519-sha512-detached",
        &CARLOS,
        Alg::Ed25519,
        Md::Sha512,
        true,
        &plain(),
    );
}
#[test]
fn ed25519_opaque() {
    run(
        "ed25519-sha512-opaque",
        &CARLOS,
        Alg::Ed25519,
        Md::Sha512,
        false,
        &plain(),
    );
}

// ------------------------------------------------------------------ hard inputs

const HDRS: &str = "From: Alice Lovelace <alice@smime.example>\r\n\
                    To: Bob Babbage <bob@smime.example>\r\n\
                    Subject: interop test\r\n\
                    Date: Thu, 03 Dec 2026 12:00:00 +0000\r\n\
                    Message-ID: <interop-1@smime.example>\r\n\
                    MIME-Version: 1.0\r\n";

/// RSA PKCS#1 v1.5 / SHA-256 (all six peers), detached; and opaque when `opaque_too`.
fn hard(name: &str, input: &[u8], opaque_too: bool) {
    run(
        &format!("hard-{name}-detached"),
        &ALICE,
        Alg::RsaPkcs1,
        Md::Sha256,
        true,
        input,
    );
    if opaque_too {
        run(
            &format!("hard-{name}-opaque"),
            &ALICE,
            Alg::RsaPkcs1,
            Md::Sha256,
            false,
            input,
        );
    }
}

#[test]
fn hard_utf8_8bit_body() {
    let m = format!(
        "{HDRS}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         Grüße aus Köln – 日本語のテキスト ✓\r\nÆØÅ æøå\r\n"
    );
    hard("utf8-8bit", m.as_bytes(), true);
}

#[test]
fn hard_lf_only_line_endings() {
    let m = "From: alice@smime.example\nTo: bob@smime.example\nSubject: LF only\nMIME-Version: 1.0\n\
             Content-Type: text/plain; charset=us-ascii\n\nline one\nline two\n\nlast line\n";
    hard("lf-only", m.as_bytes(), true);
}

#[test]
fn hard_trailing_whitespace() {
    let m = "Content-Type: text/plain; charset=us-ascii\r\n\r\n\
             trailing spaces   \r\ntrailing tab\t\r\n  \r\nend \r\n";
    hard("trailing-space", m.as_bytes(), false);
}

#[test]
fn hard_from_lines() {
    let m = format!(
        "{HDRS}Content-Type: text/plain; charset=us-ascii\r\n\r\n\
         From here on, lines start with From\r\n>From quoted\r\nFrom \r\n.\r\n.leading dot\r\n"
    );
    hard("from-lines", m.as_bytes(), false);
}

#[test]
fn hard_line_of_998_octets() {
    let m = format!(
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n{}\r\nend\r\n",
        "x".repeat(998)
    );
    hard("line-998", m.as_bytes(), false);
}

#[test]
fn hard_line_longer_than_998_octets() {
    let long: String = (0..1500)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let m = format!("Content-Type: text/plain; charset=us-ascii\r\n\r\nshort\r\n{long}\r\nend\r\n");
    hard("line-1500", m.as_bytes(), false);
}

/// Every octet value, and CR/LF runs that must not be canonicalised inside binary data.
fn binary_bytes() -> Vec<u8> {
    let mut b: Vec<u8> = (0..=255u8).cycle().take(1024).collect();
    b.extend_from_slice(b"\n\r\r\n\n\x00end");
    b
}

fn b64_lines(b: &[u8]) -> String {
    use base64ct::Encoding;
    let s = base64ct::Base64::encode_string(b);
    s.as_bytes()
        .chunks(76)
        .map(|l| format!("{}\r\n", String::from_utf8_lossy(l)))
        .collect()
}

#[test]
fn hard_binary_attachment() {
    let m = format!(
        "{HDRS}Content-Type: multipart/mixed; boundary=\"outer-1\"\r\n\r\n\
         --outer-1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nSee the attachment.\r\n\
         --outer-1\r\nContent-Type: application/octet-stream; name=\"all-bytes.bin\"\r\n\
         Content-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"all-bytes.bin\"\r\n\r\n{}\
         --outer-1--\r\n",
        b64_lines(&binary_bytes())
    );
    let leaves = mime::leaves(m.as_bytes());
    assert_eq!(leaves[1].data, binary_bytes(), "test input is built wrong");
    hard("binary-attachment", m.as_bytes(), true);
}

#[test]
fn hard_nested_multiparts() {
    let m = format!(
        "{HDRS}Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n\
         This is a multi-part message in MIME format.\r\n\
         --mix\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n\
         --alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
         Plain text with a soft=\r\n break and caf=C3=A9.\r\n\
         --alt\r\nContent-Type: multipart/related; boundary=\"rel\"\r\n\r\n\
         --rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML <img src=\"cid:dot\"></p>\r\n\
         --rel\r\nContent-Type: image/gif\r\nContent-ID: <dot>\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         R0lGODlhAQABAIAAAP///wAAACwAAAAAAQABAAACAkQBADs=\r\n\
         --rel--\r\n\r\n--alt--\r\nepilogue of alt\r\n\
         --mix\r\nContent-Type: text/csv; charset=us-ascii\r\n\
         Content-Disposition: attachment; filename=\"t.csv\"\r\n\r\na,b\r\n1,2\r\n\
         --mix--\r\n"
    );
    assert_eq!(
        mime::leaves(m.as_bytes()).len(),
        4,
        "test input is built wrong"
    );
    hard("nested-multipart", m.as_bytes(), false);
}

#[test]
fn hard_html_part() {
    let para =
        "Ein längerer Absatz mit Umlauten und einem sehr langen Satz, der weitergeht. ".repeat(12);
    let m = format!(
        "{HDRS}Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         <!DOCTYPE html>\r\n<html><body>\r\n<p style=\"color: red\">{para}</p>\r\n\
         <p>From the html part &amp; =3D not an escape</p>\r\n</body></html>\r\n"
    );
    hard("html", m.as_bytes(), false);
}

/// A bare MIME entity (no RFC 5322 header fields): the output must still be a message.
#[test]
fn hard_bare_mime_entity() {
    let m = b"Content-Type: text/plain; charset=us-ascii\r\n\r\nJust an entity.\r\n";
    let out = run(
        "hard-bare-entity-detached",
        &ALICE,
        Alg::RsaPkcs1,
        Md::Sha256,
        true,
        m,
    );
    let top = mime::parse_entity(&out);
    for h in ["From", "To", "Subject"] {
        assert_eq!(
            top.header(h),
            None,
            "bare entity: the signer invented a {h} header"
        );
    }
}

/// A whole RFC 5322 message: the outer header fields stay outside the signature, in order to
/// route and display it; the content header fields are signed.
#[test]
fn hard_whole_message_keeps_outer_headers_outside() {
    let m = "From: Alice Lovelace <alice@smime.example>\r\n\
             To: Bob Babbage <bob@smime.example>,\r\n Carlos Turing <carlos@smime.example>\r\n\
             Cc: dana@smime.example\r\n\
             Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= and a subject long enough to be\r\n folded over two lines\r\n\
             Date: Thu, 03 Dec 2026 12:00:00 +0000\r\n\
             Message-ID: <whole-1@smime.example>\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=us-ascii; format=flowed\r\n\
             Content-Transfer-Encoding: 7bit\r\n\r\n\
             Body of a whole message.\r\n";
    let input = mime::parse_entity(m.as_bytes());
    for detached in [true, false] {
        let name = format!(
            "hard-whole-message-{}",
            if detached { "detached" } else { "opaque" }
        );
        let out = run(
            &name,
            &ALICE,
            Alg::RsaPkcs1,
            Md::Sha256,
            detached,
            m.as_bytes(),
        );
        let s = smime::open_signed(&out);
        for h in ["From", "To", "Cc", "Subject", "Date", "Message-ID"] {
            assert_eq!(s.top.count(h), 1, "{name}: outer {h} header count");
            assert_eq!(
                s.top.header(h),
                input.header(h),
                "{name}: outer {h} header value"
            );
        }
        let inner = mime::parse_entity(&s.content);
        let inner_type = inner.header("Content-Type").map(|v| v.to_ascii_lowercase());
        assert!(
            inner_type
                .as_deref()
                .is_some_and(|t| t.starts_with("text/plain") && t.contains("format=flowed")),
            "{name}: the signed entity must carry the content headers, has Content-Type {inner_type:?}"
        );
    }
}

/// RFC 9788 (default `header_protection`): the signed entity carries a copy of the outer
/// fields and `hp="clear"`; every peer still verifies it, detached and opaque.
#[test]
fn header_protection_clear_copies_outer_fields() {
    let m = String::from(
        "Received: from a.example by b.example; Thu, 03 Dec 2026 12:00:01 +0000\r\n\
         Received: from c.example by a.example; Thu, 03 Dec 2026 12:00:00 +0000\r\n\
         From: =?utf-8?Q?Zo=C3=AB?= <zoe@smime.example>\r\n\
         To: Bob Babbage <bob@smime.example>,\r\n Carlos Turing <carlos@smime.example>\r\n\
         Subject: =?utf-8?Q?Gr=C3=BC=C3=9Fe_=E2=80=93?= header protection with a subject long\r\n enough to be folded\r\n\
         Date: Thu, 03 Dec 2026 12:00:00 +0000\r\n\
         Message-ID: <hp-clear-1@smime.example>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"hp-b\"\r\n\r\n\
         --hp-b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         Grüße\r\n--hp-b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         AAECAwQ=\r\n--hp-b--\r\n",
    );
    for detached in [true, false] {
        let name = format!(
            "header-protection-clear-{}",
            if detached { "detached" } else { "opaque" }
        );
        let out = run(
            &name,
            &ALICE,
            Alg::RsaPkcs1,
            Md::Sha256,
            detached,
            m.as_bytes(),
        );
        let s = smime::open_signed(&out);
        let inner = mime::parse_entity(&s.content);
        assert_eq!(
            inner.ct_param("hp").as_deref(),
            Some("clear"),
            "{name}: hp parameter"
        );
        assert!(
            inner.mime_type().starts_with("multipart/mixed"),
            "{name}: the root stays the multipart"
        );
        assert_eq!(
            inner.count("HP-Outer"),
            0,
            "{name}: no HP-Outer when not encrypted"
        );
        for h in ["From", "To", "Subject", "Date", "Message-ID", "Received"] {
            assert_eq!(
                inner.count(h),
                s.top.count(h),
                "{name}: {h} count inside = outside"
            );
        }
        for h in ["From", "To", "Subject", "Date", "Message-ID", "Received"] {
            assert_eq!(
                inner.header(h),
                s.top.header(h),
                "{name}: inner {h} = outer"
            );
        }
        let restored = smime_wasm::mime::restore_headers(&out, &s.content, false).expect("restore");
        assert_eq!(restored.mode.as_deref(), Some("clear"));
        assert!(
            restored.obscured_outside.is_empty(),
            "{name}: {:?}",
            restored.obscured_outside
        );
        let subject: Vec<_> = restored
            .fields
            .iter()
            .filter(|f| f.name == "Subject")
            .collect();
        assert_eq!(
            subject[0].value,
            "Grüße – header protection with a subject long enough to be folded"
        );
    }
    // Off: today's entity, no copy.
    let id = identity(&ALICE);
    let off = sign(
        m.as_bytes(),
        &id,
        &SignOptions {
            signing_time: Some(now()),
            header_protection: false,
            ..SignOptions::default()
        },
    )
    .expect("sign without header protection");
    let s = smime::open_signed(&off);
    let inner = mime::parse_entity(&s.content);
    assert_eq!(inner.ct_param("hp"), None);
    assert_eq!(inner.count("Subject"), 0);
}
