//! The smtp transport against a real SMTP server (aiosmtpd, STARTTLS required, AUTH PLAIN and
//! LOGIN required): the message arrives byte for byte (plus only the X-MSYS-API line when
//! configured, in the outer header block) and still verifies at OpenSSL; with the server down
//! the message waits in the retry queue and is delivered once the server is back.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use relay::config::{SmtpSecurity, TransportKind};

const BOB: &str = "bob@smime.example";
const USER: &str = "relay-user";
const PASSWORD: &str = "s3cret-password";
const MSYS: &str =
    r#"{"options":{"open_tracking":false,"click_tracking":false,"transactional":true}}"#;

fn python() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("RELAY_TEST_PYTHON").map(PathBuf::from),
        std::env::var_os("XDG_CACHE_HOME")
            .map(|c| PathBuf::from(c).join("smime-relay/venv/bin/python")),
        std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(".cache/smime-relay/venv/bin/python")),
    ];
    candidates.into_iter().flatten().find(|p| {
        Command::new(p)
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success())
    })
}

fn have_openssl() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

struct Smtpd {
    child: Child,
    out: PathBuf,
}

impl Smtpd {
    fn start(py: &Path, port: u16, certs: &Path, out: &Path) -> Self {
        std::fs::create_dir_all(out).unwrap();
        let mut child = Command::new(py)
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_server.py"))
            .arg(port.to_string())
            .arg(certs.join("server.crt"))
            .arg(certs.join("server.key"))
            .arg(out)
            .args([USER, PASSWORD])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "READY", "aiosmtpd did not start");
        Self {
            child,
            out: out.to_path_buf(),
        }
    }

    /// Waits for message number `n` (1-based); returns its bytes and envelope JSON.
    async fn wait(&self, n: usize, secs: u64) -> (Vec<u8>, serde_json::Value) {
        let eml = self.out.join(format!("{n:03}.eml"));
        for _ in 0..secs * 10 {
            if eml.exists() {
                let meta = std::fs::read(self.out.join(format!("{n:03}.json"))).unwrap();
                return (
                    std::fs::read(&eml).unwrap(),
                    serde_json::from_slice(&meta).unwrap(),
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("message {n} not received within {secs} s");
    }

    fn received(&self) -> usize {
        std::fs::read_dir(&self.out)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "eml")
            })
            .count()
    }
}

impl Drop for Smtpd {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        for _ in 0..50 {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn write_certs(dir: &Path) {
    let (ca, cert, key) = tls_certs();
    std::fs::write(dir.join("ca.crt"), ca).unwrap();
    std::fs::write(dir.join("server.crt"), cert).unwrap();
    std::fs::write(dir.join("server.key"), key).unwrap();
}

fn smtp_config(data: &Path, certs: &Path, port: u16) -> relay::Config {
    let mut c = config(data);
    c.transport.kind = TransportKind::Smtp;
    let s = &mut c.transport.smtp;
    s.host = "localhost".into();
    s.port = port;
    s.security = SmtpSecurity::Starttls;
    s.username = USER.into();
    s.password = PASSWORD.into();
    s.ca_file = Some(certs.join("ca.crt"));
    s.timeout_secs = 10;
    c
}

fn openssl_verify(file: &Path) {
    let out = Command::new("openssl")
        .args(["cms", "-verify", "-CAfile"])
        .arg(format!("{ROOT}/tests/data/rfc9216/ca.rsa.crt"))
        .arg("-in")
        .arg(file)
        .args(["-out", "/dev/null"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl cms -verify failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Byte-for-byte equality without printing megabytes on failure.
fn same(got: &[u8], want: &[u8]) {
    if got != want {
        let at = got
            .iter()
            .zip(want)
            .position(|(a, b)| a != b)
            .unwrap_or(got.len().min(want.len()));
        panic!(
            "received {} bytes, posted {}; first difference at {at}: {:?} vs {:?}",
            got.len(),
            want.len(),
            String::from_utf8_lossy(&got[at.saturating_sub(20)..(at + 20).min(got.len())]),
            String::from_utf8_lossy(&want[at.saturating_sub(20)..(at + 20).min(want.len())]),
        );
    }
}

/// What an SMTP server stores for `msg`: the same bytes, ending in CRLF.
fn as_received(msg: &[u8]) -> Vec<u8> {
    let mut m = msg.to_vec();
    if !m.ends_with(b"\r\n") {
        m.extend_from_slice(b"\r\n");
    }
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_starttls_auth_delivers_byte_identical_and_verifies() {
    let (Some(py), true) = (python(), have_openssl()) else {
        if missing("aiosmtpd (venv) or openssl") {
            return;
        }
        unreachable!()
    };
    let tmp = TempDir::new("smtp");
    write_certs(tmp.path());
    let port = free_port();
    let server = Smtpd::start(&py, port, tmp.path(), &tmp.path().join("out"));

    // AUTH PLAIN, no extra header
    let data1 = tmp.path().join("data1");
    let mut cfg = smtp_config(&data1, tmp.path(), port);
    cfg.transport.smtp.auth_mechanisms = vec!["plain".into()];
    let relay1 = Running::start(cfg).await;
    let msg1 = signed_message(BOB, "smtp-plain", "Sent over STARTTLS with AUTH PLAIN.");
    let (status, body) = post(&relay1.url, &transmission(BOB, &msg1)).await;
    assert_eq!(status, 200, "{body}");
    let id1 = body["results"]["id"].as_str().unwrap().to_string();
    let (got, meta) = server.wait(1, 30).await;
    same(&got, &as_received(&msg1));
    assert_eq!(meta["mechanism"], "PLAIN");
    assert_eq!(meta["tls"], true);
    assert_eq!(meta["mail_from"], "alice@smime.example");
    assert_eq!(meta["rcpt_tos"], serde_json::json!([BOB]));
    openssl_verify(&server.out.join("001.eml"));
    assert_eq!(
        relay1.state.store.state(&id1).unwrap().as_deref(),
        Some("sent")
    );
    relay1.stop().await;

    // AUTH LOGIN with SparkPost's X-MSYS-API header
    let data2 = tmp.path().join("data2");
    let mut cfg = smtp_config(&data2, tmp.path(), port);
    cfg.transport.smtp.auth_mechanisms = vec!["login".into()];
    cfg.transport.smtp.x_msys_api = Some(MSYS.into());
    let relay2 = Running::start(cfg).await;
    let msg2 = signed_message(
        BOB,
        "smtp-login",
        "Sent with AUTH LOGIN and the SparkPost header.",
    );
    let (status, body) = post(&relay2.url, &transmission(BOB, &msg2)).await;
    assert_eq!(status, 200, "{body}");
    let (got, meta) = server.wait(2, 30).await;
    assert_eq!(meta["mechanism"], "LOGIN");
    let prefix = format!("X-MSYS-API: {MSYS}\r\n");
    assert!(
        got.starts_with(prefix.as_bytes()),
        "X-MSYS-API first in the outer header block"
    );
    same(&got[prefix.len()..], &as_received(&msg2));
    // the header sits above the first blank line: outside the signed MIME entity
    let blank = got.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    assert!(prefix.len() < blank);
    assert_eq!(
        got.windows(11).filter(|w| *w == b"X-MSYS-API:").count(),
        1,
        "one X-MSYS-API line"
    );
    openssl_verify(&server.out.join("002.eml"));
    relay2.stop().await;
    assert_eq!(server.received(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_down_message_waits_in_queue_then_delivered() {
    let (Some(py), true) = (python(), have_openssl()) else {
        if missing("aiosmtpd (venv) or openssl") {
            return;
        }
        unreachable!()
    };
    let tmp = TempDir::new("smtpq");
    write_certs(tmp.path());
    let port = free_port();
    let data = tmp.path().join("data");
    let relay = Running::start(smtp_config(&data, tmp.path(), port)).await;
    let msg = signed_message(BOB, "queued", "Waits for the server.");

    // nobody listens: reported to the caller, kept in the queue
    let (status, body) = post(&relay.url, &transmission(BOB, &msg)).await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["errors"][0]["code"], "1902");
    let id = body["results"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        relay.state.store.state(&id).unwrap().as_deref(),
        Some("queued")
    );
    assert_eq!(maildir_files(&data).len(), 1, "kept on disk");
    // a retry fails as well while the server is down (backoff 1 s, then 2 s)
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let server = Smtpd::start(&py, port, tmp.path(), &tmp.path().join("out"));
    let (got, meta) = server.wait(1, 30).await;
    same(&got, &as_received(&msg));
    assert_eq!(meta["rcpt_tos"], serde_json::json!([BOB]));
    openssl_verify(&server.out.join("001.eml"));
    for _ in 0..50 {
        if relay.state.store.state(&id).unwrap().as_deref() == Some("sent") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        relay.state.store.state(&id).unwrap().as_deref(),
        Some("sent")
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(server.received(), 1, "delivered once, not again");
    relay.stop().await;
}
