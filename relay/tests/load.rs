//! Load: 200 concurrent transmissions of 1 MiB signed messages to the outbox. None lost, none
//! duplicated (files, rows and SHA-256 digests compared); p50/p99 latency printed, not asserted.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::collections::BTreeSet;
use std::time::Instant;

use common::*;

const N: usize = 200;

/// Written to the process's stderr directly: shown by `cargo test` even without --nocapture.
fn report(line: String) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{line}");
}
const BOB: &str = "bob@smime.example";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_200_concurrent_1mib_messages() {
    let dir = TempDir::new("load");
    let mut cfg = config(dir.path());
    cfg.server.max_message_bytes = 2 * 1024 * 1024;
    let relay = Running::start(cfg).await;

    // one signed message, made unique per request in its outer header block (outside the
    // signed entity), padded to 1 MiB with an outer header line before the signature body
    let base = String::from_utf8(signed_message(BOB, "load", "load test")).unwrap();
    let mut bodies = Vec::with_capacity(N);
    let mut expected = BTreeSet::new();
    for i in 0..N {
        let head = format!("X-Load-Seq: {i:04}\r\n");
        let pad_len = 1024 * 1024 - base.len() - head.len();
        let mut msg = String::with_capacity(1024 * 1024);
        msg.push_str(&head);
        // folded header lines of filler: 76 characters each
        let mut left = pad_len;
        msg.push_str("X-Filler: ");
        left -= "X-Filler: ".len() + 2;
        while left > 80 {
            msg.push_str(&"a".repeat(75));
            msg.push_str("\r\n ");
            left -= 78;
        }
        msg.push_str(&"b".repeat(left));
        msg.push_str("\r\n");
        msg.push_str(&base);
        assert_eq!(msg.len(), 1024 * 1024);
        expected.insert(relay::store::sha256_hex(msg.as_bytes()));
        bodies.push(serde_json::to_vec(&transmission(BOB, msg.as_bytes())).unwrap());
    }
    assert_eq!(expected.len(), N);

    let client = client();
    let t0 = Instant::now();
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let c = client.clone();
            let url = format!("{}/api/v1/transmissions", relay.url);
            tokio::spawn(async move {
                let start = Instant::now();
                let r = c
                    .post(url)
                    .bearer_auth(TOKEN)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                let v: serde_json::Value = r.json().await.unwrap();
                (status, v, start.elapsed())
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(N);
    let mut ids = BTreeSet::new();
    for t in tasks {
        let (status, v, d) = t.await.unwrap();
        assert_eq!(status, 200, "{v}");
        ids.insert(v["results"]["id"].as_str().unwrap().to_string());
        latencies.push(d);
    }
    let total = t0.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1)];
    report(format!(
        "load: {N} x 1 MiB to the outbox in {:.2} s; latency p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        total.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        latencies[N - 1].as_secs_f64() * 1000.0
    ));
    assert_eq!(ids.len(), N, "distinct ids");

    let files = maildir_files(dir.path());
    assert_eq!(files.len(), N, "one file per message");
    let on_disk: BTreeSet<String> = files
        .iter()
        .map(|f| relay::store::sha256_hex(&std::fs::read(f).unwrap()))
        .collect();
    assert_eq!(on_disk, expected, "files are exactly the posted messages");
    assert_eq!(
        relay.state.store.counts().unwrap(),
        vec![("stored".to_string(), N as i64)]
    );
    let conn = rusqlite::Connection::open(dir.path().join("relay.sqlite3")).unwrap();
    let mut stmt = conn.prepare("SELECT sha256 FROM messages").unwrap();
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(rows.len(), N);
    assert_eq!(
        rows.into_iter().collect::<BTreeSet<_>>(),
        expected,
        "rows match the files"
    );
    report(format!(
        "load: {} files, {} rows, {} distinct digests: none lost, none duplicated",
        files.len(),
        N,
        on_disk.len()
    ));
    relay.stop().await;
}
