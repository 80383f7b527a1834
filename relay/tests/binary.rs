//! The `relay` binary: a config file plus RELAY_* overrides, the "listening" line, /healthz,
//! refusal of a bad configuration, and a clean exit on SIGTERM.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::io::{BufRead, Read};
use std::process::{Command, Stdio};

use common::*;

#[test]
fn binary_starts_serves_healthz_and_stops_on_sigterm() {
    let dir = TempDir::new("bin");
    let cfg = dir.path().join("relay.toml");
    std::fs::write(
        &cfg,
        "[server]\nlisten = \"127.0.0.1:1\"\n[policy]\nallowed_sender_domains = [\"smime.example\"]\nallowed_recipient_domains = [\"smime.example\"]\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_relay"))
        .args(["--config"])
        .arg(&cfg)
        .env("RELAY_LISTEN", "127.0.0.1:0")
        .env("RELAY_DATA_DIR", dir.path().join("data"))
        .env("RELAY_LOG", "info")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("relay listening at ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .trim_end_matches('/')
        .to_string();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let health: serde_json::Value = rt.block_on(async {
        client()
            .get(format!("{url}/healthz"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(health["status"], "ok");
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status {status}");
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(
        log.contains("shutting down") && log.contains("stopped"),
        "{log}"
    );
    assert!(dir.path().join("data/relay.sqlite3").exists());
}

#[test]
fn binary_refuses_an_open_relay_configuration() {
    let out = Command::new(env!("CARGO_BIN_EXE_relay"))
        .env("RELAY_LISTEN", "127.0.0.1:0")
        .env_remove("RELAY_CONFIG")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("allowed_sender_domains"), "{err}");
}
