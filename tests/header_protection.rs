//! RFC 9788 header protection in the MIME layer: `prepare_for_encryption` (hcp_baseline,
//! hcp_shy, off), `prepare_for_signing_protected` (hp="clear") and `restore_headers`.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use smime_wasm::Error;
use smime_wasm::mime::{
    HeaderProtection, RestoredHeaders, SignInput, prepare_for_encryption, prepare_for_signing,
    prepare_for_signing_protected, restore_headers,
};

fn data(path: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/header-protection")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// (name, unfolded value) pairs.
type Fields = Vec<(String, String)>;

/// (name, unfolded value) of each field of a header block (stops at the first empty line).
fn fields(block: &[u8]) -> Vec<(String, String)> {
    let t = text(block);
    let head = t.split("\r\n\r\n").next().unwrap_or_default();
    let mut out: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n").filter(|l| !l.is_empty()) {
        if line.starts_with([' ', '\t']) {
            let last = out.last_mut().expect("continuation after a field");
            last.1.push_str(line);
        } else {
            let (n, v) = line.split_once(':').expect("colon");
            out.push((n.to_string(), v.to_string()));
        }
    }
    out.into_iter()
        .map(|(n, v)| (n, v.trim().to_string()))
        .collect()
}

fn get<'a>(f: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    f.iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

/// RFC 8551 §3.1 canonical form of an entity.
fn assert_canonical(entity: &[u8]) {
    for (i, w) in entity.windows(2).enumerate() {
        assert!(w[1] != b'\n' || w[0] == b'\r', "bare LF at {i}");
    }
    for line in entity.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        assert!(line.len() <= 998);
        assert!(
            line.iter().all(|&b| b != 0 && b < 128),
            "8-bit: {}",
            text(line)
        );
        assert!(!line.starts_with(b"From "));
        assert!(
            !matches!(line.last(), Some(b' ' | b'\t')),
            "{:?}",
            text(line)
        );
    }
}

const SIMPLE: &str = "From: Alice Lovelace <alice@smime.example>\r\n\
To: Bob Babbage <bob@smime.example>\r\n\
Cc: Carlos <carlos@smime.example>, dave@smime.example\r\n\
Subject: The FooCorp contract\r\n\
Date: Wed, 11 Jan 2023 16:08:43 -0500\r\n\
Message-ID: <20230111T210843Z.1234@lhp.example>\r\n\
Keywords: contract, secret\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\
\r\n\
Bob, we need to cancel this contract.\r\n";

const ORIGINAL_NAMES: [&str; 7] = [
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "Keywords",
];

/// The checks every hp="cipher" split must pass; returns (outer fields, payload fields).
fn check_cipher(msg: &[u8], s: &SignInput) -> (Fields, Fields) {
    assert_canonical(&s.entity);
    let original = fields(msg);
    let outer = fields(&s.outer_headers);
    let inner = fields(&s.entity);
    // hp="cipher" on the payload root's Content-Type, and it leads the entity.
    let ct = get(&inner, "content-type");
    assert_eq!(ct.len(), 1);
    assert!(ct[0].ends_with("; hp=\"cipher\""), "{}", ct[0]);
    assert!(text(&s.entity).starts_with("Content-Type: "));
    // Every original non-structural field is inside, with the same value.
    for (n, v) in original.iter().filter(|(n, _)| {
        !n.to_ascii_lowercase().starts_with("content-") && !n.eq_ignore_ascii_case("mime-version")
    }) {
        assert!(
            get(&inner, n).contains(&v.as_str()),
            "{n}: {v} missing inside:\n{}",
            text(&s.entity)
        );
    }
    // HP-Outer lists exactly what is outside, in order.
    let hp_outer: Vec<String> = get(&inner, "hp-outer")
        .iter()
        .map(|s| s.to_string())
        .collect();
    let shown: Vec<String> = outer.iter().map(|(n, v)| format!("{n}: {v}")).collect();
    assert_eq!(hp_outer, shown);
    // Nothing structural outside; the outside has no MIME-Version (the builder adds it).
    assert!(
        outer
            .iter()
            .all(|(n, _)| !n.to_ascii_lowercase().starts_with("content-"))
    );
    (outer, inner)
}

#[test]
fn baseline_obscures_subject_and_drops_keywords_and_comments() {
    let s = prepare_for_encryption(SIMPLE.as_bytes(), HeaderProtection::Baseline).expect("prepare");
    let (outer, inner) = check_cipher(SIMPLE.as_bytes(), &s);
    assert_eq!(get(&outer, "subject"), ["[...]"]);
    assert_eq!(get(&inner, "subject"), ["The FooCorp contract"]);
    assert!(get(&outer, "keywords").is_empty());
    assert_eq!(get(&inner, "keywords"), ["contract, secret"]);
    // Everything else is outside unchanged, byte for byte.
    for name in ["From", "To", "Cc", "Date", "Message-ID"] {
        let line = SIMPLE
            .split("\r\n")
            .find(|l| l.starts_with(&format!("{name}:")))
            .expect("field");
        assert!(
            text(&s.outer_headers).contains(&format!("{line}\r\n")),
            "{name}"
        );
    }
    assert_eq!(outer.len(), 6);
    assert!(!text(&s.outer_headers).contains("FooCorp"));
    // The body is what prepare_for_signing makes.
    let plain = prepare_for_signing(SIMPLE.as_bytes()).expect("plain");
    assert!(s.entity.ends_with(&plain.entity[plain.entity.len() - 40..]));
    // The exact layout of the payload header (RFC 9788 Appendix C order: Content-Type, the
    // protected fields as in the original, then HP-Outer for each outer field).
    let names: Vec<&str> = inner.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Content-Type",
            "From",
            "To",
            "Cc",
            "Subject",
            "Date",
            "Message-ID",
            "Keywords",
            "HP-Outer",
            "HP-Outer",
            "HP-Outer",
            "HP-Outer",
            "HP-Outer",
            "HP-Outer"
        ]
    );
    assert_eq!(get(&inner, "hp-outer")[3], "Subject: [...]");
}

#[test]
fn shy_also_strips_display_names_and_gives_date_in_utc() {
    let s = prepare_for_encryption(SIMPLE.as_bytes(), HeaderProtection::Shy).expect("prepare");
    let (outer, inner) = check_cipher(SIMPLE.as_bytes(), &s);
    assert_eq!(get(&outer, "subject"), ["[...]"]);
    assert_eq!(get(&outer, "from"), ["<alice@smime.example>"]);
    assert_eq!(get(&outer, "to"), ["<bob@smime.example>"]);
    assert_eq!(
        get(&outer, "cc"),
        ["<carlos@smime.example>, <dave@smime.example>"]
    );
    // 16:08:43 -0500 is 21:08:43 UTC.
    assert_eq!(get(&outer, "date"), ["Wed, 11 Jan 2023 21:08:43 +0000"]);
    assert_eq!(
        get(&outer, "message-id"),
        ["<20230111T210843Z.1234@lhp.example>"]
    );
    assert!(get(&outer, "keywords").is_empty());
    assert_eq!(
        get(&inner, "from"),
        ["Alice Lovelace <alice@smime.example>"]
    );
    assert_eq!(get(&inner, "date"), ["Wed, 11 Jan 2023 16:08:43 -0500"]);
    assert!(!text(&s.outer_headers).contains("Alice"));
    assert!(!text(&s.outer_headers).contains("-0500"));
}

#[test]
fn off_keeps_the_plain_split() {
    for msg in [SIMPLE.as_bytes(), &data("multipart-alternative.eml")[..]] {
        let off = prepare_for_encryption(msg, HeaderProtection::Off).expect("off");
        assert_eq!(off, prepare_for_signing(msg).expect("plain"));
        assert!(!text(&off.entity).contains("hp="));
    }
}

#[test]
fn names_round_trip() {
    for p in [
        HeaderProtection::Baseline,
        HeaderProtection::Shy,
        HeaderProtection::Off,
    ] {
        assert_eq!(HeaderProtection::from_name(p.name()), Some(p));
    }
    assert_eq!(
        HeaderProtection::from_name("SHY"),
        Some(HeaderProtection::Shy)
    );
    assert_eq!(
        HeaderProtection::from_name("baseline"),
        Some(HeaderProtection::Baseline)
    );
    assert_eq!(HeaderProtection::from_name("hcp_no_confidentiality"), None);
    assert_eq!(HeaderProtection::default(), HeaderProtection::Baseline);
}

#[test]
fn signed_only_gets_hp_clear_and_a_copy_of_every_field() {
    let s = prepare_for_signing_protected(SIMPLE.as_bytes()).expect("prepare");
    assert_canonical(&s.entity);
    let plain = prepare_for_signing(SIMPLE.as_bytes()).expect("plain");
    assert_eq!(s.outer_headers, plain.outer_headers, "outside unchanged");
    let inner = fields(&s.entity);
    assert!(get(&inner, "content-type")[0].ends_with("; hp=\"clear\""));
    assert!(get(&inner, "hp-outer").is_empty());
    let outer = fields(&s.outer_headers);
    let copied: Vec<_> = inner
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("content-type"))
        .cloned()
        .collect();
    assert_eq!(copied, outer);
    assert_eq!(outer.len(), ORIGINAL_NAMES.len());
    // A bare entity has nothing to protect: unchanged.
    let bare = b"Content-Type: text/plain\r\n\r\nhi\r\n";
    assert_eq!(
        prepare_for_signing_protected(bare).expect("bare"),
        prepare_for_signing(bare).expect("bare plain")
    );
}

#[test]
fn hard_headers_utf8_folded_duplicates_multipart() {
    let msg = data("hard-headers.eml");
    for p in [HeaderProtection::Baseline, HeaderProtection::Shy] {
        let s = prepare_for_encryption(&msg, p).expect("prepare");
        assert_canonical(&s.entity);
        let inner = fields(&s.entity);
        // Two Received fields, both copied, in order.
        let outer_received: Vec<_> = get(&fields(&msg), "received")
            .into_iter()
            .map(str::to_string)
            .collect();
        assert_eq!(outer_received.len(), 2);
        assert_eq!(get(&inner, "received"), outer_received);
        // The UTF-8 subject is inside as encoded words that decode back.
        let r = restore_headers(&s.outer_headers, &s.entity, true).expect("restore");
        let subject: Vec<_> = r.fields.iter().filter(|f| f.name == "Subject").collect();
        assert_eq!(subject.len(), 1);
        assert_eq!(
            subject[0].value,
            "Grüße aus Zürich – ein sehr langer Betreff, der gefaltet werden muss"
        );
        let from: Vec<_> = r.fields.iter().filter(|f| f.name == "From").collect();
        assert_eq!(from[0].value, "Zoë Ångström <zoe@example.com>");
        // Root is the multipart, with hp on it; its parts are untouched.
        let ct = get(&inner, "content-type")[0];
        assert!(
            ct.starts_with("multipart/mixed;") && ct.ends_with("hp=\"cipher\""),
            "{ct}"
        );
        assert!(r.obscured_outside.contains(&"subject".to_string()));
        if p == HeaderProtection::Shy {
            assert!(r.obscured_outside.contains(&"from".to_string()));
            assert!(!text(&s.outer_headers).contains("Zo"));
        }
    }
    let s = prepare_for_signing_protected(&msg).expect("signed");
    assert_canonical(&s.entity);
    let r = restore_headers(&s.outer_headers, &s.entity, false).expect("restore");
    assert_eq!(r.mode.as_deref(), Some("clear"));
    assert!(r.obscured_outside.is_empty(), "{:?}", r.obscured_outside);
}

fn values(r: &RestoredHeaders, name: &str) -> Vec<String> {
    r.fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case(name))
        .map(|f| f.value.clone())
        .collect()
}

#[test]
fn restore_round_trip_gives_the_original_fields() {
    for p in [HeaderProtection::Baseline, HeaderProtection::Shy] {
        let s = prepare_for_encryption(SIMPLE.as_bytes(), p).expect("prepare");
        let r = restore_headers(&s.outer_headers, &s.entity, true).expect("restore");
        assert_eq!(r.mode.as_deref(), Some("cipher"));
        let got: Vec<(String, String)> = r
            .fields
            .iter()
            .map(|f| (f.name.clone(), f.value.clone()))
            .collect();
        let want: Vec<(String, String)> = fields(SIMPLE.as_bytes())
            .into_iter()
            .filter(|(n, _)| !n.starts_with("Content-") && n != "MIME-Version")
            .collect();
        assert_eq!(got, want, "{}", p.name());
        let mut obscured = r.obscured_outside.clone();
        obscured.sort();
        let expect: &[&str] = match p {
            HeaderProtection::Baseline => &["keywords", "subject"],
            _ => &["cc", "date", "from", "keywords", "subject", "to"],
        };
        assert_eq!(obscured, expect);
        assert_eq!(r.protected.len(), ORIGINAL_NAMES.len());
        assert!(r.unprotected.is_empty());
    }
}

#[test]
fn restore_keeps_transit_fields_and_ignores_forged_outer_values() {
    let s = prepare_for_encryption(SIMPLE.as_bytes(), HeaderProtection::Baseline).expect("prepare");
    // In transit: a Received is added, and someone changes the outer Subject and From.
    let outer = format!(
        "Received: from mx.example by mx2.example; Wed, 11 Jan 2023 21:09:00 +0000\r\n{}",
        text(&s.outer_headers)
            .replace("Subject: [...]", "Subject: URGENT")
            .replace("From: Alice Lovelace", "From: Mallory")
    );
    let r = restore_headers(outer.as_bytes(), &s.entity, true).expect("restore");
    assert_eq!(values(&r, "subject"), ["The FooCorp contract"]);
    assert_eq!(values(&r, "from"), ["Alice Lovelace <alice@smime.example>"]);
    assert_eq!(r.unprotected, ["received"]);
    assert_eq!(values(&r, "received").len(), 1);
    // HP-Outer (not the forged outside) says what the sender showed.
    assert!(!r.obscured_outside.contains(&"from".to_string()));
    // Not encrypted: HP-Outer is not trusted, the outer fields are compared.
    let r = restore_headers(outer.as_bytes(), &s.entity, false).expect("restore");
    assert!(r.obscured_outside.contains(&"from".to_string()));
}

#[test]
fn legacy_messages_without_hp() {
    // No hp parameter: the outer fields, nothing protected.
    let outer = b"From: a@example.com\r\nSubject: hello\r\n\r\n";
    let payload = b"Content-Type: text/plain\r\nSubject: injected\r\n\r\nbody\r\n";
    let r = restore_headers(outer, payload, true).expect("legacy");
    assert_eq!(r.mode, None);
    assert!(r.protected.is_empty());
    assert_eq!(values(&r, "subject"), ["hello"]);
    assert_eq!(r.unprotected, ["from", "subject"]);
    // An unknown hp value is no hp.
    let payload = b"Content-Type: text/plain; hp=\"maybe\"\r\nSubject: x\r\n\r\nbody\r\n";
    let r = restore_headers(outer, payload, true).expect("unknown hp");
    assert_eq!(r.mode, None);
    assert_eq!(values(&r, "subject"), ["hello"]);
    // RFC 8551 §3.1 wrapping: message/rfc822; forwarded=no.
    let r = restore_headers(outer, &data("legacy-wrapped-payload.eml"), true).expect("wrapped");
    assert_eq!(r.mode, None);
    assert_eq!(values(&r, "subject"), ["The real subject"]);
    assert_eq!(r.obscured_outside, ["subject"]);
    // message/rfc822 without forwarded=no is a forwarded message, not protection.
    let fwd = text(&data("legacy-wrapped-payload.eml")).replace("; forwarded=no", "");
    let r = restore_headers(outer, fwd.as_bytes(), true).expect("forwarded");
    assert!(r.protected.is_empty());
    assert_eq!(values(&r, "subject"), ["hello"]);
}

#[test]
fn rfc9788_style_vectors_restore() {
    // Payloads and outer headers in the structure of RFC 9788 Appendix C (see the README).
    let r = restore_headers(&data("cipher-outer.txt"), &data("cipher-payload.eml"), true)
        .expect("cipher");
    assert_eq!(r.mode.as_deref(), Some("cipher"));
    assert_eq!(values(&r, "subject"), ["Handling the Jones contract"]);
    assert_eq!(r.obscured_outside, ["subject"]);
    assert_eq!(r.protected, ["date", "from", "to", "subject", "message-id"]);
    let r = restore_headers(&data("clear-outer.txt"), &data("clear-payload.eml"), false)
        .expect("clear");
    assert_eq!(r.mode.as_deref(), Some("clear"));
    assert!(r.obscured_outside.is_empty());
    assert_eq!(values(&r, "subject"), ["Handling the Jones contract"]);
    // Our own output for the same message has the vectors' structure.
    let msg = [&data("clear-outer.txt")[..], &data("plain-body.txt")[..]].concat();
    let ours = prepare_for_encryption(&msg, HeaderProtection::Baseline).expect("ours");
    assert_eq!(
        fields(&ours.entity)
            .iter()
            .map(|(n, _)| n.clone())
            .collect::<Vec<_>>(),
        fields(&data("cipher-payload.eml"))
            .iter()
            .map(|(n, _)| n.clone())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        fields(&ours.outer_headers),
        fields(&data("cipher-outer.txt"))
    );
    assert_eq!(fields(&ours.entity), fields(&data("cipher-payload.eml")));
}

#[test]
fn malformed_input_is_a_typed_error() {
    let bad: [&[u8]; 4] = [
        b" starts with space\r\n\r\n",
        b"no colon here\r\n\r\n",
        b"A: b\r\nnot a field\r\n\r\n",
        b"A: b\r\x00\r\n\r\n",
    ];
    for b in bad {
        assert!(matches!(
            restore_headers(b, b"Content-Type: text/plain\r\n\r\nx", true),
            Err(Error::MalformedMime(_))
        ));
        assert!(matches!(
            restore_headers(b"From: a@b\r\n\r\n", b, true),
            Err(Error::MalformedMime(_))
        ));
        assert!(matches!(
            prepare_for_encryption(b, HeaderProtection::Baseline),
            Err(Error::MalformedMime(_))
        ));
    }
    let two_ct = b"Content-Type: text/plain; hp=cipher\r\nContent-Type: text/html\r\n\r\nx";
    assert!(matches!(
        restore_headers(b"From: a@b\r\n", two_ct, true),
        Err(Error::MalformedMime(_))
    ));
}

/// Small deterministic generator (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn mutated_inputs_never_panic() {
    let msg = data("hard-headers.eml");
    let s = prepare_for_encryption(&msg, HeaderProtection::Shy).expect("prepare");
    let interesting: &[u8] = b":;<>\"()=?\r\n \t\x00\xff\xc3@,\\";
    let mut rng = Rng(0x9788);
    for round in 0..3000 {
        let pick = round % 3;
        let mut m = match pick {
            0 => msg.clone(),
            1 => s.entity.clone(),
            _ => s.outer_headers.clone(),
        };
        for _ in 0..1 + rng.below(6) {
            let at = rng.below(m.len());
            match rng.below(4) {
                0 => m[at] = interesting[rng.below(interesting.len())],
                1 => m.insert(at, interesting[rng.below(interesting.len())]),
                2 => {
                    m.remove(at);
                }
                _ => m.truncate(at),
            }
            if m.is_empty() {
                break;
            }
        }
        for p in [
            HeaderProtection::Baseline,
            HeaderProtection::Shy,
            HeaderProtection::Off,
        ] {
            match prepare_for_encryption(&m, p) {
                Ok(out) => assert_canonical(&out.entity),
                Err(e) => assert!(!e.code().is_empty()),
            }
        }
        if let Ok(out) = prepare_for_signing_protected(&m) {
            assert_canonical(&out.entity);
        }
        let _ = restore_headers(&m, &s.entity, true);
        let _ = restore_headers(&s.outer_headers, &m, true);
        let _ = restore_headers(&m, &m, false);
    }
}
