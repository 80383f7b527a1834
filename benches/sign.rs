//! Native signing speed: 1 KiB and 10 MiB messages with RSA-2048, P-256 and Ed25519 (RustCrypto
//! provider). Run with `cargo bench --bench sign`; compare with `openssl cms -sign` side by side
//! using `scripts/bench-native.sh`.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
    use smime_wasm::{Identity, SignOptions, sign};

    fn data(path: &str) -> Vec<u8> {
        std::fs::read(format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"))).expect(path)
    }

    fn message(size: usize) -> Vec<u8> {
        let mut m = b"From: alice@smime.example\r\nTo: bob@smime.example\r\nSubject: bench\r\n\r\n"
            .to_vec();
        let line = b"The quick brown fox jumps over the lazy dog 0123456789 abcdefghij\r\n";
        while m.len() < size {
            m.extend_from_slice(line);
        }
        m.truncate(size);
        m
    }

    pub(crate) fn bench(c: &mut Criterion) {
        let identities = [
            (
                "RSA-2048",
                data("rfc9216/alice.sign.key"),
                data("rfc9216/alice.sign.crt"),
            ),
            (
                "P-256",
                data("generated/erin.ec.key"),
                data("generated/erin.ec.crt"),
            ),
            (
                "Ed25519",
                data("rfc9216/carlos.sign.key"),
                data("rfc9216/carlos.sign.crt"),
            ),
        ];
        let options = SignOptions {
            signing_time: Some(1_764_000_000),
            ..SignOptions::default()
        };
        let mut group = c.benchmark_group("sign");
        for (size_name, size) in [("1KiB", 1024), ("10MiB", 10 * 1024 * 1024)] {
            let msg = message(size);
            group.throughput(Throughput::Bytes(size as u64));
            if size > 1024 * 1024 {
                group.sample_size(10);
            }
            for (name, key, cert) in &identities {
                let id = Identity::from_pem(key, cert, None).expect("identity");
                group.bench_with_input(BenchmarkId::new(*name, size_name), &msg, |b, msg| {
                    b.iter(|| sign(msg, &id, &options).expect("sign"))
                });
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
