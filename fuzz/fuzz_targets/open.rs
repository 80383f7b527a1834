//! Fuzzes `open` (MIME walk, CMS parsing, signature verification, path validation, decryption
//! with an identity, header restoration) with arbitrary input: it must return a result or a
//! documented error, never panic, hang or allocate without bound.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use smime_wasm::open::{OpenOptions, open};
use smime_wasm::{Certificate, Identity};

/// 2026-12-04.
const NOW: i64 = 1_796_380_000;

struct Fixture {
    bob: Identity,
    anchors: Vec<Certificate>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/");
        let read = |p: &str| std::fs::read(format!("{data}{p}")).expect("fixture file");
        Fixture {
            bob: Identity::from_pkcs12(&read("rfc9216/bob.p12"), Some("bob")).expect("bob.p12"),
            anchors: Certificate::all_from_bytes(&read("rfc9216/ca.rsa.crt")).expect("anchor"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let mut options = OpenOptions::new(NOW);
    options.identity = Some(&f.bob);
    options.trust = &f.anchors;
    if let Err(e) = open(data, &options) {
        assert!(smime_wasm::Error::ALL_CODES.contains(&e.code()), "undocumented code {}", e.code());
    }
});
