//! Native `open` speed: a 10 MiB signed message (multipart/signed, RSA-2048, verified and its
//! signer validated at the RFC 9216 CA) and a 10 MiB encrypted one (AES-256-CBC and AES-256-GCM to
//! RSA-2048, decrypted), plus 1 KiB of each (RustCrypto provider). Run with
//! `cargo bench --bench open`; `openssl cms -verify` / `-decrypt` side by side give the peer figure.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
    use smime_wasm::encrypt::{EncryptOptions, encrypt};
    use smime_wasm::envelope::ContentCipher;
    use smime_wasm::open::{OpenOptions, open};
    use smime_wasm::{Certificate, Identity, SignOptions, sign};

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
        let mut certs = data("rfc9216/alice.sign.crt");
        certs.extend(data("rfc9216/ca.rsa.crt"));
        let alice =
            Identity::from_pem(&data("rfc9216/alice.sign.key"), &certs, None).expect("alice");
        let bob = Identity::from_pkcs12(&data("rfc9216/bob.p12"), Some("bob")).expect("bob");
        let bob_cert = Certificate::from_bytes(&data("rfc9216/bob.encrypt.crt")).expect("bob");
        let anchors = Certificate::all_from_bytes(&data("rfc9216/ca.rsa.crt")).expect("ca");
        let mut options = OpenOptions::new(1_796_380_000);
        options.identity = Some(&bob);
        options.trust = &anchors;
        let mut group = c.benchmark_group("open");
        for (size_name, size) in [("1KiB", 1024), ("10MiB", 10 * 1024 * 1024)] {
            let msg = message(size);
            group.throughput(Throughput::Bytes(size as u64));
            if size > 1024 * 1024 {
                group.sample_size(10);
            }
            let signed = sign(&msg, &alice, &SignOptions::default()).expect("sign");
            group.bench_with_input(
                BenchmarkId::new("signed-rsa2048", size_name),
                &signed,
                |b, m| {
                    b.iter(|| {
                        let o = open(m, &options).expect("open");
                        assert!(o.signers().all(|s| s.trusted));
                    })
                },
            );
            for (name, cipher) in [
                ("encrypted-aes256cbc", ContentCipher::Aes256Cbc),
                ("encrypted-aes256gcm", ContentCipher::Aes256Gcm),
            ] {
                let enc_options = EncryptOptions {
                    cipher: Some(cipher),
                    ..EncryptOptions::default()
                };
                let encrypted = encrypt(&msg, &[&bob_cert], &enc_options).expect("encrypt");
                group.bench_with_input(BenchmarkId::new(name, size_name), &encrypted, |b, m| {
                    b.iter(|| open(m, &options).expect("open"))
                });
            }
        }
        group.finish();
    }

    criterion_group!(benches, bench);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
