//! Native encryption speed: `encrypt_file` (bytes → DER CMS) and `encrypt` (RFC 5322 message →
//! RFC 5322 message) of 1 KiB, 10 MiB and 100 MiB, AES-256-CBC and AES-256-GCM, to RFC 9216 Bob
//! (RSA-2048), RustCrypto provider. Run with `cargo bench --bench encrypt`; `node
//! bench/openssl-encrypt.mjs` times `openssl cms -encrypt` on the same inputs side by side.
//!
//! Before Criterion runs, each 10 MiB / 100 MiB case is run once more with the peak resident set
//! size reset (Linux: `/proc/self/clear_refs`, then `VmHWM` of `/proc/self/status`), and the peak
//! above the resident size before the call is printed to stderr ("peak memory").
//!
//! Set `SMIME_BENCH_SIZES` to a comma-separated subset of `1KiB,10MiB,100MiB` to run fewer sizes.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::time::Duration;

    use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group};
    use smime_wasm::encrypt::{EncryptOptions, encrypt, encrypt_file};
    use smime_wasm::envelope::ContentCipher;
    use smime_wasm::{Certificate, Identity, decrypt_file};

    fn data(path: &str) -> Vec<u8> {
        std::fs::read(format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"))).expect(path)
    }

    /// The same message as `bench/lib/workloads.mjs` makes: an RFC 5322 message whose body is a
    /// canonical 7-bit text/plain entity (CRLF lines of 62 bytes), exactly `size` bytes long.
    fn message(size: usize) -> Vec<u8> {
        let mut m = b"From: Alice Lovelace <alice@smime.example>\r\n\
To: Bob Hopper <bob@smime.example>\r\n\
Subject: benchmark\r\n\
Date: Tue, 25 Nov 2025 12:00:00 +0000\r\n\
Message-ID: <bench@smime.example>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\
Content-Transfer-Encoding: 7bit\r\n\r\n"
            .to_vec();
        let line =
            |n: usize| format!("{n:08} The quick brown fox jumps over the lazy dog 0123456\r\n");
        let len = line(0).len();
        let mut n = 0;
        while size - m.len() > 2 * len {
            m.extend_from_slice(line(n).as_bytes());
            n += 1;
        }
        let r = size - m.len();
        let a = r / 2;
        for want in [a - 2, r - a - 2] {
            let text = line(n);
            n += 1;
            m.extend_from_slice(&text.as_bytes()[..want - 1]);
            m.extend_from_slice(b".\r\n");
        }
        assert_eq!(m.len(), size);
        m
    }

    const SIZES: [(&str, usize); 3] = [
        ("1KiB", 1024),
        ("10MiB", 10 * 1024 * 1024),
        ("100MiB", 100 * 1024 * 1024),
    ];

    fn sizes() -> Vec<(&'static str, usize)> {
        match std::env::var("SMIME_BENCH_SIZES") {
            Ok(list) => SIZES
                .iter()
                .copied()
                .filter(|(name, _)| list.split(',').any(|s| s.trim().eq_ignore_ascii_case(name)))
                .collect(),
            Err(_) => SIZES.to_vec(),
        }
    }

    /// Resident set size and its peak (kB), from `/proc/self/status` (Linux only).
    fn rss_kb() -> Option<(u64, u64)> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))?
                .split_whitespace()
                .nth(1)?
                .parse::<u64>()
                .ok()
        };
        Some((field("VmRSS:")?, field("VmHWM:")?))
    }

    /// Runs `f` once and returns (resident size before, peak during) in MiB, when the peak can be
    /// reset (Linux `clear_refs` value 5).
    fn peak_mib(f: impl FnOnce()) -> Option<(f64, f64)> {
        std::fs::write("/proc/self/clear_refs", "5").ok()?;
        let (before, _) = rss_kb()?;
        f();
        let (_, peak) = rss_kb()?;
        Some((before as f64 / 1024.0, peak as f64 / 1024.0))
    }

    pub(crate) fn bench(c: &mut Criterion) {
        let bob = Certificate::from_bytes(&data("rfc9216/bob.encrypt.crt")).expect("certificate");
        let bob_key = Identity::from_pem(
            &data("rfc9216/bob.encrypt.key"),
            &data("rfc9216/bob.encrypt.crt"),
            None,
        )
        .expect("identity");
        let recipients = [&bob];
        let ciphers = [
            ("AES-256-CBC", ContentCipher::Aes256Cbc),
            ("AES-256-GCM", ContentCipher::Aes256Gcm),
        ];
        let mut group = c.benchmark_group("encrypt");
        for (size_name, size) in sizes() {
            let msg = message(size);
            group.throughput(Throughput::Bytes(size as u64));
            if size >= 100 * 1024 * 1024 {
                group.sample_size(10);
                group.sampling_mode(SamplingMode::Flat);
                group.warm_up_time(Duration::from_secs(1));
                group.measurement_time(Duration::from_secs(8));
            } else if size > 1024 * 1024 {
                group.sample_size(10);
                group.sampling_mode(SamplingMode::Flat);
                group.warm_up_time(Duration::from_secs(1));
                group.measurement_time(Duration::from_secs(3));
            } else {
                group.sample_size(50);
                group.sampling_mode(SamplingMode::Auto);
                group.warm_up_time(Duration::from_secs(1));
                group.measurement_time(Duration::from_secs(3));
            }
            for (cipher_name, cipher) in ciphers {
                let options = EncryptOptions {
                    cipher: Some(cipher),
                    ..Default::default()
                };
                // The output decrypts to the input (our own decryption; the bench of the wasm build
                // checks with OpenSSL), and the large cases' peak memory.
                let der = encrypt_file(&msg, &recipients, &options).expect("encrypt_file");
                let back = decrypt_file(&der, &bob_key).expect("decrypt_file");
                assert!(back.content == msg, "{cipher_name} {size_name}: round trip");
                drop((der, back));
                if size > 1024 * 1024 {
                    let file = peak_mib(|| {
                        std::hint::black_box(encrypt_file(&msg, &recipients, &options).ok());
                    });
                    let mail = peak_mib(|| {
                        std::hint::black_box(encrypt(&msg, &recipients, &options).ok());
                    });
                    for (what, peak) in [("file", file), ("message", mail)] {
                        if let Some((before, peak)) = peak {
                            eprintln!(
                                "peak memory: encrypt/{what}-{cipher_name}/{size_name}: {:.1} MiB above \
                                 {before:.1} MiB resident before the call (peak RSS {peak:.1} MiB)",
                                peak - before
                            );
                        }
                    }
                }
                group.bench_with_input(
                    BenchmarkId::new(format!("file-{cipher_name}"), size_name),
                    &msg,
                    |b, msg| b.iter(|| encrypt_file(msg, &recipients, &options).expect("encrypt")),
                );
                group.bench_with_input(
                    BenchmarkId::new(format!("message-{cipher_name}"), size_name),
                    &msg,
                    |b, msg| b.iter(|| encrypt(msg, &recipients, &options).expect("encrypt")),
                );
            }
        }
        group.finish();
    }

    criterion_group!(benches, bench);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

/// The benchmark is native only; the wasm build is measured in the browser bench.
#[cfg(target_arch = "wasm32")]
fn main() {}
