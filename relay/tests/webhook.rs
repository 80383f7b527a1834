//! `POST /api/v1/relay-webhook` (SparkPost's inbound relay webhook) and what
//! `GET /api/v1/certificates` then returns: messages signed by NSS (Thunderbird's library),
//! gpgsm and smime-wasm are harvested; unsigned, forged and foreign-From messages are not; the
//! token is required; newest wins, history is kept; the PEM parses with `openssl x509`.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::process::{Command, Stdio};

use base64ct::Encoding as _;
use common::*;
use serde_json::{Value, json};

const WEBHOOK_TOKEN: &str = "webhook-token-0123456789abcdef";

fn webhook_config(dir: &std::path::Path) -> relay::Config {
    let mut c = config(dir);
    c.webhook.token = WEBHOOK_TOKEN.into();
    c
}

fn data(path: &str) -> Vec<u8> {
    std::fs::read(format!("{ROOT}/tests/data/{path}")).unwrap()
}

/// SparkPost's relay webhook payload: one `msys.relay_message` per message.
fn payload(messages: &[(&[u8], bool)]) -> Value {
    Value::Array(
        messages
            .iter()
            .enumerate()
            .map(|(i, (m, b64))| {
                let rfc822 = if *b64 {
                    base64ct::Base64::encode_string(m)
                } else {
                    String::from_utf8(m.to_vec()).unwrap()
                };
                json!({ "msys": { "relay_message": {
                    "content": {
                        "email_rfc822": rfc822,
                        "email_rfc822_is_base64": b64,
                        "headers": [{ "Subject": "x" }],
                        "html": null,
                        "text": "x",
                        "subject": "x",
                        "to": ["inbox@relay.smime.example"],
                    },
                    "customer_id": "1",
                    "friendly_from": "someone@smime.example",
                    "msg_from": "someone@smime.example",
                    "rcpt_to": "inbox@relay.smime.example",
                    "webhook_id": format!("wh-{i}"),
                } } })
            })
            .collect(),
    )
}

async fn post_webhook(url: &str, token: Option<&str>, body: Vec<u8>) -> (u16, Value) {
    let mut req = client()
        .post(format!("{url}/api/v1/relay-webhook"))
        .header("content-type", "application/json")
        .body(body);
    if let Some(t) = token {
        req = req.header("X-MessageSystems-Webhook-Token", t);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn deliver(url: &str, messages: &[(&[u8], bool)]) {
    let body = serde_json::to_vec(&payload(messages)).unwrap();
    let (status, v) = post_webhook(url, Some(WEBHOOK_TOKEN), body).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"]["received"], messages.len());
}

async fn lookup(url: &str, email: &str) -> Vec<Value> {
    let v: Value = client()
        .get(format!("{url}/api/v1/certificates?email={email}"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["results"].as_array().unwrap().clone()
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok() || !missing(tool)
}

/// `openssl x509` parses the PEM; returns its SHA-256 fingerprint, lower-case hex.
fn openssl_fingerprint(pem: &str) -> String {
    let mut child = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(pem.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "openssl x509: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .rsplit('=')
        .next()
        .unwrap()
        .replace(':', "")
        .to_ascii_lowercase()
}

/// Every PEM of a result parses with openssl; the leaf's fingerprint is `sha256`.
fn check_pem_with_openssl(row: &Value) {
    if !have("openssl") {
        return;
    }
    assert_eq!(
        openssl_fingerprint(row["pem"].as_str().unwrap()),
        row["sha256"].as_str().unwrap()
    );
    for pem in row["chain"].as_array().unwrap() {
        openssl_fingerprint(pem.as_str().unwrap());
    }
    if let Some(pem) = row["encryption_pem"].as_str() {
        openssl_fingerprint(pem);
    }
}

/// A message signed by smime-wasm as `from`, with alice's RFC 9216 keys (signing certificate,
/// separate encryption certificate, CA) unless `identity` is given.
fn smime_wasm_signed(from: &str, identity: Option<&smime_wasm::Identity>, at: u64) -> Vec<u8> {
    let alice;
    let id = match identity {
        Some(id) => id,
        None => {
            let mut certs = data("rfc9216/alice.sign.crt");
            certs.extend(data("rfc9216/alice.encrypt.crt"));
            certs.extend(data("rfc9216/ca.rsa.crt"));
            alice = smime_wasm::Identity::from_pem(&data("rfc9216/alice.sign.key"), &certs, None)
                .unwrap();
            &alice
        }
    };
    let msg = format!(
        "From: <{from}>\r\nTo: <inbox@relay.smime.example>\r\nSubject: hello\r\nDate: Fri, 04 Dec 2026 12:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello {at}\r\n"
    );
    let opts = smime_wasm::SignOptions {
        signing_time: Some(at),
        ..Default::default()
    };
    smime_wasm::sign(msg.as_bytes(), id, &opts).unwrap()
}

#[tokio::test]
async fn nss_messages_are_harvested_plain_and_base64() {
    let dir = TempDir::new("webhook-nss");
    let relay = Running::start(webhook_config(dir.path())).await;
    let multipart = data("thunderbird-nss/alice.dsig.SHA256.multipart.eml");
    let opaque = data("thunderbird-nss/alice.sig.SHA256.opaque.eml");
    deliver(&relay.url, &[(&multipart, false)]).await;
    let rows = lookup(&relay.url, "Alice@example.com").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(row["email"], "alice@example.com");
    assert_eq!(row["current"], true);
    assert!(row["pem"].as_str().unwrap().contains("BEGIN CERTIFICATE"));
    assert!(!row["chain"].as_array().unwrap().is_empty());
    // this NSS message carries no SMIMECapabilities, but an encryption key preference
    assert!(row["capabilities"].is_array());
    assert!(
        row["encryption_pem"].is_string(),
        "an encryption certificate"
    );
    assert_eq!(row["trusted"], Value::Null, "no trust_file: not evaluated");
    assert!(row["signing_time"].as_i64().is_some());
    check_pem_with_openssl(row);
    let first_seen = row["first_seen"].as_i64().unwrap();

    // the same certificate again, the opaque message as base64: still one row, seen again
    deliver(&relay.url, &[(&opaque, true)]).await;
    let rows = lookup(&relay.url, "alice@example.com").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["sha256"], row["sha256"]);
    assert_eq!(rows[0]["first_seen"], first_seen);
    relay.stop().await;

    // base64 alone harvests too
    let dir = TempDir::new("webhook-nss-b64");
    let relay = Running::start(webhook_config(dir.path())).await;
    deliver(&relay.url, &[(&opaque, true)]).await;
    let rows = lookup(&relay.url, "alice@example.com").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["sha256"], row["sha256"]);
    relay.stop().await;
}

#[tokio::test]
async fn nothing_harvested_from_unsigned_forged_or_foreign_from() {
    let dir = TempDir::new("webhook-none");
    let relay = Running::start(webhook_config(dir.path())).await;
    let unsigned = b"From: <carol@smime.example>\r\nTo: <inbox@relay.smime.example>\r\nSubject: plain\r\n\r\nhello\r\n".to_vec();
    let nss = String::from_utf8(data("thunderbird-nss/alice.dsig.SHA256.multipart.eml")).unwrap();
    let forged = nss.replace("from Alice to Bob.", "from Alice to Eve.");
    assert_ne!(forged, nss);
    // signed by alice@smime.example's key, sent as mallory: valid signature, From not in it
    let foreign = smime_wasm_signed("mallory@smime.example", None, 1_790_000_000);
    let garbage_b64 = b"not base64 at all!".to_vec();
    let mut body = payload(&[
        (&unsigned, false),
        (forged.as_bytes(), false),
        (&foreign, false),
        (&foreign, true),
    ]);
    // a malformed base64 message, an event of another kind, a relay message without content
    body.as_array_mut().unwrap().extend([
        json!({ "msys": { "relay_message": { "content": {
            "email_rfc822": String::from_utf8(garbage_b64).unwrap(),
            "email_rfc822_is_base64": true } } } }),
        json!({ "msys": { "message_event": { "type": "delivery" } } }),
        json!({ "msys": { "relay_message": { "webhook_id": "x" } } }),
        json!(42),
    ]);
    let (status, v) = post_webhook(
        &relay.url,
        Some(WEBHOOK_TOKEN),
        serde_json::to_vec(&body).unwrap(),
    )
    .await;
    assert_eq!(status, 200, "no oracle: {v}");
    assert_eq!(v, json!({ "results": { "received": 8 } }));
    for email in [
        "carol@smime.example",
        "alice@example.com",
        "mallory@smime.example",
        "alice@smime.example",
    ] {
        assert_eq!(
            lookup(&relay.url, email).await,
            Vec::<Value>::new(),
            "{email}"
        );
    }
    relay.stop().await;
}

#[tokio::test]
async fn token_and_body_are_checked() {
    let dir = TempDir::new("webhook-auth");
    let relay = Running::start(webhook_config(dir.path())).await;
    let signed = data("thunderbird-nss/alice.dsig.SHA256.multipart.eml");
    let body = serde_json::to_vec(&payload(&[(&signed, false)])).unwrap();
    for token in [None, Some("wrong-token-0123456789abcdef"), Some(TOKEN)] {
        let (status, _) = post_webhook(&relay.url, token, body.clone()).await;
        assert_eq!(status, 401, "{token:?}");
    }
    // the API's bearer token is not the webhook's
    let r = client()
        .post(format!("{}/api/v1/relay-webhook", relay.url))
        .bearer_auth(TOKEN)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(lookup(&relay.url, "alice@example.com").await.len(), 0);
    // not JSON / not an array: 400 (SparkPost would retry; it never sends that)
    for bad in [&b"{"[..], b"{\"msys\": {}}"] {
        let (status, _) = post_webhook(&relay.url, Some(WEBHOOK_TOKEN), bad.to_vec()).await;
        assert_eq!(status, 400);
    }
    let (status, v) = post_webhook(&relay.url, Some(WEBHOOK_TOKEN), b"[]".to_vec()).await;
    assert_eq!((status, v), (200, json!({ "results": { "received": 0 } })));
    relay.stop().await;

    // too large: 413
    let dir = TempDir::new("webhook-size");
    let mut c = webhook_config(dir.path());
    c.webhook.max_body_bytes = 1000;
    let relay = Running::start(c).await;
    let (status, _) = post_webhook(&relay.url, Some(WEBHOOK_TOKEN), body.clone()).await;
    assert_eq!(status, 413);
    relay.stop().await;

    // no token configured: the endpoint is off
    let dir = TempDir::new("webhook-off");
    let relay = Running::start(config(dir.path())).await;
    let (status, _) = post_webhook(&relay.url, Some(WEBHOOK_TOKEN), body).await;
    assert_eq!(status, 404);
    relay.stop().await;
}

#[tokio::test]
async fn newest_wins_history_kept_trust_recorded() {
    let dir = TempDir::new("webhook-newest");
    let mut c = webhook_config(dir.path());
    c.webhook.trust_file = Some(format!("{ROOT}/tests/data/rfc9216/ca.rsa.crt").into());
    let relay = Running::start(c).await;

    // a second certificate for alice@smime.example: self-signed ECDSA P-256 (rcgen)
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Alice (new key)");
    params.subject_alt_names = vec![rcgen::SanType::Rfc822Name(
        "alice@smime.example".try_into().unwrap(),
    )];
    let new_cert = params.self_signed(&key).unwrap();
    let new_id = smime_wasm::Identity::from_pem(
        key.serialize_pem().as_bytes(),
        new_cert.pem().as_bytes(),
        None,
    )
    .unwrap();
    let old = smime_wasm_signed("alice@smime.example", None, 1_790_000_000);
    let new = smime_wasm_signed("alice@smime.example", Some(&new_id), 1_795_000_000);

    // the newer message arrives first, the older one later: the newer certificate stays current
    deliver(&relay.url, &[(&new, false)]).await;
    deliver(&relay.url, &[(&old, true)]).await;
    let rows = lookup(&relay.url, "alice@smime.example").await;
    assert_eq!(rows.len(), 2, "history kept: {rows:?}");
    let new_sha = smime_wasm::Certificate::from_bytes(new_cert.pem().as_bytes())
        .unwrap()
        .fingerprint_sha256()
        .replace(':', "")
        .to_ascii_lowercase();
    assert_eq!(rows[0]["sha256"], new_sha.as_str());
    assert_eq!(rows[0]["current"], true);
    assert_eq!(rows[0]["signing_time"], 1_795_000_000);
    assert_eq!(rows[0]["trusted"], false, "self-signed, not an anchor");
    assert_eq!(rows[1]["current"], false);
    assert_eq!(rows[1]["signing_time"], 1_790_000_000);
    assert_eq!(rows[1]["trusted"], true, "chains to ca.rsa.crt");
    let sign_pem = String::from_utf8(data("rfc9216/alice.sign.crt")).unwrap();
    let encrypt_pem = String::from_utf8(data("rfc9216/alice.encrypt.crt")).unwrap();
    let same = |a: &str, b: &str| {
        smime_wasm::Certificate::from_bytes(a.as_bytes())
            .unwrap()
            .to_der()
            == smime_wasm::Certificate::from_bytes(b.as_bytes())
                .unwrap()
                .to_der()
    };
    assert!(same(rows[1]["pem"].as_str().unwrap(), &sign_pem));
    assert!(
        same(rows[1]["encryption_pem"].as_str().unwrap(), &encrypt_pem),
        "the SMIMEEncryptionKeyPreference certificate is what the playground encrypts to"
    );
    assert!(
        !rows[1]["capabilities"].as_array().unwrap().is_empty(),
        "smime-wasm advertises its ciphers: {}",
        rows[1]["capabilities"]
    );
    assert_eq!(
        rows[1]["chain"].as_array().unwrap().len(),
        2,
        "alice, then the CA"
    );
    for row in &rows {
        check_pem_with_openssl(row);
    }

    // a third message, newer still, with the old certificate: it becomes current again
    let newest = smime_wasm_signed("alice@smime.example", None, 1_796_000_000);
    deliver(&relay.url, &[(&newest, false)]).await;
    let rows = lookup(&relay.url, "alice@smime.example").await;
    assert_eq!(rows.len(), 2);
    assert!(same(rows[0]["pem"].as_str().unwrap(), &sign_pem));
    assert_eq!(rows[0]["signing_time"], 1_796_000_000);
    assert_eq!(rows[1]["sha256"], new_sha.as_str());
    relay.stop().await;
}

/// gpgsm (GnuPG) signs a MIME part during the test; the multipart/signed message around it is
/// harvested.
#[tokio::test]
async fn gpgsm_message_is_harvested() {
    use std::io::Write;
    if !have("gpgsm") || !have("openssl") {
        // Under CI a missing peer is a failure, not a skip.
        assert!(
            std::env::var("CI").map_or(true, |v| v.is_empty() || v == "0" || v == "false"),
            "gpgsm and openssl are required under CI (scripts/install.sh --test installs them)"
        );
        eprintln!("WARNING: gpgsm or openssl missing: the gpgsm webhook test proved nothing");
        return;
    }
    let home = TempDir::new("webhook-gpg");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    std::fs::write(
        home.path().join("gpg-agent.conf"),
        "allow-loopback-pinentry\n",
    )
    .unwrap();
    let gpgsm = |args: &[&str]| -> Vec<u8> {
        let mut child = Command::new("gpgsm")
            .env("GNUPGHOME", home.path())
            .args(["--batch", "--no-tty", "--disable-dirmngr"])
            .args(["--disable-crl-checks", "--disable-policy-checks"])
            .args(["--pinentry-mode", "loopback", "--passphrase-fd", "0"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"test\n").unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "gpgsm {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    // alice@smime.example's signing key (password "test") and the CA it chains to
    let p12 = format!("{ROOT}/tests/data/p12/legacy.p12");
    let ca = format!("{ROOT}/tests/data/rfc9216/ca.rsa.crt");
    gpgsm(&["--import", &p12]);
    gpgsm(&["--import", &ca]);
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha1", "-in", &ca])
        .output()
        .unwrap();
    let fpr = String::from_utf8_lossy(&out.stdout)
        .trim()
        .rsplit('=')
        .next()
        .unwrap()
        .to_string();
    std::fs::write(
        home.path().join("trustlist.txt"),
        format!("{fpr} S relax\n"),
    )
    .unwrap();
    let listing = String::from_utf8(gpgsm(&["--list-secret-keys"])).unwrap();
    let id = listing
        .lines()
        .find_map(|l| l.trim().strip_prefix("ID: "))
        .unwrap()
        .to_string();
    let part = "Content-Type: text/plain; charset=utf-8\r\n\r\nSigned by gpgsm.\r\n";
    let input = home.path().join("part");
    std::fs::write(&input, part).unwrap();
    let sig = gpgsm(&[
        "-u",
        &id,
        "--detach-sign",
        "-o",
        "-",
        input.to_str().unwrap(),
    ]);
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", home.path())
        .args(["--kill", "all"])
        .status();
    let b64 = base64ct::Base64::encode_string(&sig);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let message = format!(
        "From: Alice Lovelace <alice@smime.example>\r\nTo: <inbox@relay.smime.example>\r\nSubject: gpgsm\r\nMIME-Version: 1.0\r\nContent-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-512; boundary=\"gpgsm-b\"\r\n\r\n--gpgsm-b\r\n{part}\r\n--gpgsm-b\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--gpgsm-b--\r\n",
        lines.join("\r\n")
    );
    let dir = TempDir::new("webhook-gpgsm");
    let relay = Running::start(webhook_config(dir.path())).await;
    deliver(&relay.url, &[(message.as_bytes(), false)]).await;
    let rows = lookup(&relay.url, "alice@smime.example").await;
    assert_eq!(rows.len(), 1, "gpgsm's message harvested");
    let p12_cert = Command::new("openssl")
        .args(["pkcs12", "-in", &p12, "-passin", "pass:test", "-nokeys"])
        .args(["-clcerts", "-legacy"])
        .output()
        .unwrap();
    let pem = String::from_utf8(p12_cert.stdout).unwrap();
    if pem.contains("BEGIN CERTIFICATE") {
        assert_eq!(
            openssl_fingerprint(&pem),
            rows[0]["sha256"].as_str().unwrap()
        );
    }
    check_pem_with_openssl(&rows[0]);
    // and the body changed after signing: nothing more
    let forged = message.replace("Signed by gpgsm.", "Signed by gpgsm!");
    let dir2 = TempDir::new("webhook-gpgsm-forged");
    let relay2 = Running::start(webhook_config(dir2.path())).await;
    deliver(&relay2.url, &[(forged.as_bytes(), false)]).await;
    assert!(lookup(&relay2.url, "alice@smime.example").await.is_empty());
    relay.stop().await;
    relay2.stop().await;
}

/// Why each message is not harvested (what the log says).
#[test]
fn reasons_for_not_harvesting() {
    use relay::webhook::{Outcome, examine};
    let reason = |m: &[u8]| match examine(m, None, 1_796_392_800) {
        Outcome::Skipped(r) => r,
        Outcome::Harvested(c) => panic!("harvested {} certificates", c.len()),
    };
    assert_eq!(
        reason(b"From: <carol@smime.example>\r\nSubject: plain\r\n\r\nhello\r\n"),
        "not signed"
    );
    let nss = String::from_utf8(data("thunderbird-nss/alice.dsig.SHA256.multipart.eml")).unwrap();
    let forged = nss.replace("from Alice to Bob.", "from Alice to Eve.");
    assert_eq!(reason(forged.as_bytes()), "signature invalid");
    let foreign = smime_wasm_signed("mallory@smime.example", None, 1_790_000_000);
    assert_eq!(
        reason(&foreign),
        "From address not in the signer's certificate"
    );
    let no_from = nss.replace("From: Alice@example.com\r\n", "");
    assert_ne!(no_from, nss);
    assert_eq!(reason(no_from.as_bytes()), "no From address");
    let encrypted = data("thunderbird-nss/alice.env.eml");
    assert_eq!(reason(&encrypted), "encrypted (no key to look inside)");
    match examine(nss.as_bytes(), None, 1_796_392_800) {
        Outcome::Harvested(c) => {
            assert_eq!(c.len(), 1);
            assert_eq!(c[0].email, "alice@example.com");
            assert!(c[0].encryption_pem.is_some());
            assert_eq!(c[0].trusted, None);
        }
        Outcome::Skipped(r) => panic!("{r}"),
    }
}
