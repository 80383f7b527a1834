//! The bad-input table for `sign`: each input gets its documented error code, never a panic, and
//! the caller's input is left as it was.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use smime_wasm::{Error, Identity, SignOptions, sign};

fn data(path: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn alice() -> Identity {
    Identity::from_pem(
        &data("rfc9216/alice.sign.key"),
        &data("rfc9216/alice.sign.crt"),
        None,
    )
    .expect("alice")
}

fn options() -> SignOptions {
    SignOptions {
        signing_time: Some(1_764_000_000),
        ..SignOptions::default()
    }
}

fn nested(depth: usize) -> Vec<u8> {
    let mut m = String::from("From: a@example.com\r\nSubject: deep\r\n");
    for i in 0..depth {
        m.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        ));
    }
    m.push_str("Content-Type: text/plain\r\n\r\nx\r\n");
    for i in (0..depth).rev() {
        m.push_str(&format!("--b{i}--\r\n"));
    }
    m.into_bytes()
}

#[test]
fn bad_messages_get_their_codes() {
    let id = alice();
    let too_many_fields: Vec<u8> = (0..1200)
        .flat_map(|i| format!("X-Field-{i}: v\r\n").into_bytes())
        .chain(b"\r\nbody\r\n".iter().copied())
        .collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "no header end",
            b"Subject: hello\r\nFrom: a@example.com".to_vec(),
            "MALFORMED_MIME",
        ),
        (
            "garbage first line",
            b"\x00\x01\x02 not a header\r\n\r\nbody".to_vec(),
            "MALFORMED_MIME",
        ),
        (
            "plain text, no header",
            b"Hello Bob, see you at noon.\r\n".to_vec(),
            "MALFORMED_MIME",
        ),
        ("empty input", Vec::new(), "MALFORMED_MIME"),
        (
            "NUL in a header",
            b"Subject: a\x00b\r\n\r\nbody\r\n".to_vec(),
            "MALFORMED_MIME",
        ),
        (
            "two Content-Types",
            b"Content-Type: text/plain\r\nContent-Type: text/html\r\n\r\nx\r\n".to_vec(),
            "MALFORMED_MIME",
        ),
        ("nesting too deep", nested(60), "NESTING_TOO_DEEP"),
        ("too many header fields", too_many_fields, "INPUT_TOO_LARGE"),
    ];
    for (what, input, expected) in cases {
        let before = input.clone();
        let err = sign(&input, &id, &options()).expect_err(what);
        assert_eq!(err.code(), expected, "{what}: {err}");
        assert_eq!(input, before, "{what}: input changed");
        assert!(Error::ALL_CODES.contains(&err.code()));
    }
}

/// With header protection (the default) the outer fields are copied into the signed entity, so
/// one that cannot be made to fit 998-octet lines is an error; without, it stays outside as is.
#[test]
fn unfoldable_outer_field_with_and_without_header_protection() {
    let id = alice();
    let m = format!(
        "From: a@example.com\r\nX-Long: {}\r\nSubject: x\r\n\r\nbody\r\n",
        "y".repeat(1200)
    )
    .into_bytes();
    let err = sign(&m, &id, &options()).expect_err("long field copied inside");
    assert_eq!(err.code(), "MALFORMED_MIME", "{err}");
    let off = SignOptions {
        header_protection: false,
        ..options()
    };
    assert!(sign(&m, &id, &off).is_ok());
    // Half the field limit outside: copying them inside would pass it.
    let limit = smime_wasm::policy::MAX_HEADER_FIELDS;
    let many: Vec<u8> = (0..limit / 2 + 10)
        .flat_map(|i| format!("X-Field-{i}: v\r\n").into_bytes())
        .chain(b"Content-Type: text/plain\r\n\r\nbody\r\n".iter().copied())
        .collect();
    assert!(sign(&many, &id, &off).is_ok());
    let err = smime_wasm::mime::prepare_for_encryption(
        &many,
        smime_wasm::mime::HeaderProtection::Baseline,
    )
    .expect_err("too many fields inside");
    assert_eq!(err.code(), "INPUT_TOO_LARGE", "{err}");
}

#[test]
fn moderate_nesting_is_fine() {
    let out = sign(&nested(10), &alice(), &options()).expect("10 levels sign");
    assert!(out.windows(17).any(|w| w == b"multipart/signed;"));
}

#[test]
fn weak_and_unusable_keys_are_refused_for_signing() {
    // RFC 4134's Alice: RSA-1024
    let weak = Identity::from_pem(
        &data("rfc4134/AlicePrivRSASign.pri"),
        &data("rfc4134/AliceRSASignByCarl.cer"),
        None,
    )
    .expect("imports");
    let err = sign(b"Subject: x\r\n\r\nx\r\n", &weak, &options()).expect_err("1024-bit");
    assert_eq!(err.code(), "UNSUPPORTED_ALGORITHM", "{err}");
    // keyUsage keyEncipherment only
    let bob = Identity::from_pem(
        &data("rfc9216/bob.encrypt.key"),
        &data("rfc9216/bob.encrypt.crt"),
        None,
    )
    .expect("imports");
    let err = sign(b"Subject: x\r\n\r\nx\r\n", &bob, &options()).expect_err("no digitalSignature");
    assert_eq!(err.code(), "KEY_USAGE", "{err}");
}

#[test]
fn mutated_messages_never_panic() {
    let id = alice();
    let seed = b"From: alice@smime.example\r\nTo: bob@smime.example\r\nSubject: t\r\nContent-Type: multipart/mixed; boundary=\"xx\"\r\n\r\n--xx\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGr\xc3\xbc\xc3\x9fe  \r\nFrom here\r\n--xx\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAwQ=\r\n--xx--\r\n".to_vec();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut signed = 0;
    for _ in 0..300 {
        let mut m = seed.clone();
        for _ in 0..(1 + next() % 6) {
            let i = next() as usize % m.len();
            match next() % 3 {
                0 => m[i] = next() as u8,
                1 => {
                    m.remove(i);
                }
                _ => m.insert(i, b"\r\n-: \"=\n"[next() as usize % 8]),
            }
        }
        match sign(&m, &id, &options()) {
            Ok(_) => signed += 1,
            Err(e) => assert!(Error::ALL_CODES.contains(&e.code())),
        }
    }
    assert!(signed > 0, "some mutations are still valid messages");
}
