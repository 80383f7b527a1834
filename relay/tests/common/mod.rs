//! Shared by the relay's integration tests: temporary directories, a relay on a free port,
//! messages signed by smime-wasm, throwaway TLS certificates.
#![allow(dead_code, clippy::unwrap_used, missing_docs)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use relay::Config;
use relay::server::AppState;

pub const TOKEN: &str = "test-token-0123456789abcdef";
pub const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).unwrap();
        let p = std::env::temp_dir().join(format!("relay-test-{tag}-{}", relay::store::hex(&b)));
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A valid configuration: outbox, token auth, smime.example senders and recipients.
pub fn config(data_dir: &Path) -> Config {
    let mut c = Config::default();
    c.server.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    c.auth.tokens = vec![TOKEN.into()];
    c.policy.allowed_sender_domains = vec!["smime.example".into()];
    c.policy.allowed_recipient_domains = vec!["smime.example".into()];
    c.storage.data_dir = data_dir.to_path_buf();
    c.queue.poll_millis = 100;
    c.queue.retry_initial_secs = 1;
    c.queue.retry_max_secs = 2;
    c.server.shutdown_grace_secs = 10;
    c
}

/// A running relay.
pub struct Running {
    pub url: String,
    pub state: Arc<AppState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), relay::RunError>>>,
}

impl Running {
    pub async fn start(config: Config) -> Self {
        config.validate().unwrap();
        let listener = tokio::net::TcpListener::bind(config.server.listen)
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let state = relay::state(config).unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(relay::run(state.clone(), listener, async move {
            let _ = rx.await;
        }));
        Self {
            url: format!("http://{addr}"),
            state,
            stop: Some(tx),
            task: Some(task),
        }
    }

    /// Graceful shutdown; waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.unwrap().unwrap();
        }
    }
}

/// A message signed by smime-wasm with alice's RFC 9216 key (RSA, SHA-256).
pub fn signed_message(to: &str, subject: &str, body: &str) -> Vec<u8> {
    let key = std::fs::read(format!("{ROOT}/tests/data/rfc9216/alice.sign.key")).unwrap();
    let crt = std::fs::read(format!("{ROOT}/tests/data/rfc9216/alice.sign.crt")).unwrap();
    let id = smime_wasm::Identity::from_pem(&key, &crt, None).unwrap();
    let msg = format!(
        "From: Alice Lovelace <alice@smime.example>\r\nTo: <{to}>\r\nSubject: {subject}\r\nDate: Fri, 04 Dec 2026 12:00:00 +0000\r\nMessage-ID: <{subject}@smime.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    );
    let opts = smime_wasm::SignOptions {
        signing_time: Some(1_796_392_800),
        ..Default::default()
    };
    smime_wasm::sign(msg.as_bytes(), &id, &opts).unwrap()
}

/// The JSON body of a transmission.
pub fn transmission(to: &str, message: &[u8]) -> serde_json::Value {
    serde_json::json!({
        "recipients": [{ "address": { "email": to, "name": "Bob" } }],
        "content": { "email_rfc822": String::from_utf8(message.to_vec()).unwrap() },
        "options": { "open_tracking": false },
    })
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().build().unwrap()
}

/// POSTs a transmission with the test token; returns status and JSON.
pub async fn post(url: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
    let r = client()
        .post(format!("{url}/api/v1/transmissions"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(body).unwrap())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (
        status,
        serde_json::from_slice(&r.bytes().await.unwrap()).unwrap_or(serde_json::Value::Null),
    )
}

/// Files in the Maildir's new/.
pub fn maildir_files(data_dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(data_dir.join("mail/new"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// A throwaway CA and a server certificate for localhost/127.0.0.1 signed by it:
/// (ca_pem, cert_pem, key_pem).
pub fn tls_certs() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "relay test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let cert = params.signed_by(&key, &issuer).unwrap();
    (ca_cert.pem(), cert.pem(), key.serialize_pem())
}

/// Whether a required external tool is missing: a failure under CI, a skip otherwise.
pub fn missing(what: &str) -> bool {
    if std::env::var_os("CI").is_some() {
        panic!("{what} is missing (CI set: a missing tool is a failure)");
    }
    eprintln!("SKIPPED: {what} is missing (run scripts/install.sh --test)");
    true
}
