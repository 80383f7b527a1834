//! The HTTP API with the outbox transport: acceptance, every refusal, certificates, healthz,
//! the playground's static files, headers and session.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use base64ct::Encoding as _;
use common::*;
use serde_json::json;

const BOB: &str = "bob@smime.example";

fn assert_error(status: u16, body: &serde_json::Value, want_status: u16, want_code: &str) {
    assert_eq!(status, want_status, "{body}");
    let e = &body["errors"][0];
    assert_eq!(e["code"], want_code, "{body}");
    assert!(
        e["message"].is_string() && e["description"].is_string(),
        "{body}"
    );
}

#[tokio::test]
async fn accepts_signed_message_into_outbox() {
    let dir = TempDir::new("accept");
    let relay = Running::start(config(dir.path())).await;
    let msg = signed_message(BOB, "hello", "Hello Bob");
    let (status, body) = post(&relay.url, &transmission(BOB, &msg)).await;
    assert_eq!(status, 200, "{body}");
    let r = &body["results"];
    assert_eq!(r["total_accepted_recipients"], 1);
    assert_eq!(r["total_rejected_recipients"], 0);
    let id = r["id"].as_str().unwrap();
    assert_eq!(id.len(), 32);
    let files = maildir_files(dir.path());
    assert_eq!(files.len(), 1);
    assert!(files[0].to_string_lossy().contains(id));
    assert_eq!(
        std::fs::read(&files[0]).unwrap(),
        msg,
        "stored byte for byte"
    );
    assert_eq!(
        relay.state.store.state(id).unwrap().as_deref(),
        Some("stored")
    );
    // a plain-string address is SparkPost's other recipient form
    let mut t = transmission(BOB, &msg);
    t["recipients"] = json!([{ "address": BOB }]);
    assert_eq!(post(&relay.url, &t).await.0, 200);
    relay.stop().await;
}

#[tokio::test]
async fn refusals_store_nothing() {
    let dir = TempDir::new("refuse");
    let mut cfg = config(dir.path());
    cfg.server.max_message_bytes = 64 * 1024;
    let relay = Running::start(cfg).await;
    let url = relay.url.clone();
    let signed = signed_message(BOB, "r", "body");
    let signed_text = String::from_utf8(signed.clone()).unwrap();

    // unsigned
    let plain = b"From: alice@smime.example\r\nTo: bob@smime.example\r\nSubject: x\r\nContent-Type: text/plain\r\n\r\nhi\r\n";
    let (s, b) = post(&url, &transmission(BOB, plain)).await;
    assert_error(s, &b, 422, "7001");

    // a PEM private key inside the signed part (appended to the cleartext body)
    let key = std::fs::read_to_string(format!("{ROOT}/tests/data/rfc9216/alice.sign.key")).unwrap();
    let with_key = signed_text.replacen("body\r\n", &format!("body\r\n{key}"), 1);
    assert!(with_key.contains("PRIVATE KEY"));
    let (s, b) = post(&url, &transmission(BOB, with_key.as_bytes())).await;
    assert_error(s, &b, 422, "7002");

    // a .p12 attachment (base64, application/octet-stream: found by name and by the DER sniff)
    let p12 = std::fs::read(format!("{ROOT}/tests/data/rfc9216/alice.p12")).unwrap();
    let b64 = base64ct::Base64::encode_string(&p12);
    for (ct, disp) in [
        ("application/x-pkcs12", "attachment"),
        (
            "application/octet-stream",
            "attachment; filename=\"alice.p12\"",
        ),
        (
            "application/octet-stream",
            "attachment; filename=\"data.bin\"",
        ),
    ] {
        let inner = format!(
            "Content-Type: multipart/mixed; boundary=\"in\"\r\n\r\n--in\r\nContent-Type: text/plain\r\n\r\nmy key\r\n--in\r\nContent-Type: {ct}\r\nContent-Disposition: {disp}\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--in--\r\n"
        );
        let msg = format!(
            "From: alice@smime.example\r\nTo: bob@smime.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"out\"\r\n\r\n--out\r\n{inner}\r\n--out\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--out--\r\n"
        );
        let (s, b) = post(&url, &transmission(BOB, msg.as_bytes())).await;
        assert_error(s, &b, 422, "7002");
    }

    // oversized (message over the limit; and a body over the JSON limit)
    let big = format!("{signed_text}{}", "A".repeat(70 * 1024));
    let (s, b) = post(&url, &transmission(BOB, big.as_bytes())).await;
    assert_error(s, &b, 413, "5002");
    let huge = format!("{signed_text}{}", "A".repeat(300 * 1024));
    let (s, b) = post(&url, &transmission(BOB, huge.as_bytes())).await;
    assert_error(s, &b, 413, "5002");

    // sender domain not allowed (From, then return_path)
    let foreign = signed_text.replacen("alice@smime.example", "alice@evil.example", 1);
    let (s, b) = post(&url, &transmission(BOB, foreign.as_bytes())).await;
    assert_error(s, &b, 422, "7003");
    let mut t = transmission(BOB, &signed);
    t["return_path"] = json!("bounce@evil.example");
    let (s, b) = post(&url, &t).await;
    assert_error(s, &b, 422, "7003");

    // recipient not allowed; malformed recipient (SMTP injection attempt)
    let (s, b) = post(&url, &transmission("mallory@evil.example", &signed)).await;
    assert_error(s, &b, 422, "7004");
    let (s, b) = post(
        &url,
        &transmission("bob@smime.example>\r\nRCPT TO:<x@evil.example", &signed),
    )
    .await;
    assert_error(s, &b, 422, "7004");

    // not the JSON this endpoint takes
    let (s, b) = post(
        &url,
        &json!({ "recipients": [], "content": { "html": "x" } }),
    )
    .await;
    assert_error(s, &b, 400, "1300");
    let r = client()
        .post(format!("{url}/api/v1/transmissions"))
        .bearer_auth(TOKEN)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // no token, wrong token, malformed header
    for auth in [None, Some("Bearer wrong-token-0123456789"), Some(TOKEN)] {
        let mut req = client()
            .post(format!("{url}/api/v1/transmissions"))
            .body(serde_json::to_vec(&transmission(BOB, &signed)).unwrap());
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401);
        let b: serde_json::Value = r.json().await.unwrap();
        assert_eq!(b["errors"][0]["code"], "1001");
    }

    assert!(maildir_files(dir.path()).is_empty(), "nothing stored");
    assert!(relay.state.store.counts().unwrap().is_empty(), "no rows");
    relay.stop().await;
}

#[tokio::test]
async fn require_smime_can_be_turned_off() {
    let dir = TempDir::new("plain");
    let mut cfg = config(dir.path());
    cfg.policy.require_smime = false;
    let relay = Running::start(cfg).await;
    let plain = b"From: alice@smime.example\r\nTo: bob@smime.example\r\nContent-Type: text/plain\r\n\r\nhi\r\n";
    assert_eq!(post(&relay.url, &transmission(BOB, plain)).await.0, 200);
    relay.stop().await;
}

#[tokio::test]
async fn certificates_and_healthz() {
    let dir = TempDir::new("certs");
    let relay = Running::start(config(dir.path())).await;
    let c = client();
    let get = |q: &str| {
        c.get(format!("{}/api/v1/certificates?{q}", relay.url))
            .bearer_auth(TOKEN)
            .send()
    };
    let r = get("email=bob@smime.example").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap(),
        json!({ "results": [] })
    );
    let pem =
        std::fs::read_to_string(format!("{ROOT}/tests/data/rfc9216/bob.encrypt.crt")).unwrap();
    let caps = json!([{ "algorithm": "aes256-gcm" }]);
    relay
        .state
        .store
        .put_certificate("Bob@smime.example", &pem, "00ff", &caps)
        .unwrap();
    let v: serde_json::Value = get("email=BOB@smime.example")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["results"][0]["pem"], pem.as_str());
    assert_eq!(v["results"][0]["email"], "bob@smime.example");
    assert_eq!(v["results"][0]["capabilities"], caps);
    assert_eq!(get("email=nope").await.unwrap().status(), 400);
    let r = c
        .get(format!(
            "{}/api/v1/certificates?email=bob@smime.example",
            relay.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let h: serde_json::Value = c
        .get(format!("{}/healthz", relay.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["transport"], "outbox");
    relay.stop().await;
}

#[tokio::test]
async fn playground_files_headers_and_session() {
    let dir = TempDir::new("static");
    let www = TempDir::new("www");
    std::fs::write(
        www.path().join("index.html"),
        "<!doctype html><title>t</title>",
    )
    .unwrap();
    std::fs::write(www.path().join("app.wasm"), b"\0asm").unwrap();
    let mut cfg = config(dir.path());
    cfg.server.static_dir = Some(www.path().to_path_buf());
    let relay = Running::start(cfg).await;
    let c = client();
    let url = &relay.url;

    let r = c.get(format!("{url}/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(
        h["content-security-policy"],
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["cross-origin-opener-policy"], "same-origin");
    assert_eq!(h["content-type"], "text/html; charset=utf-8");
    let cookie = h["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Path=/api/"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_string();

    let r = c.get(format!("{url}/app.wasm")).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "application/wasm");
    assert!(r.headers().get("set-cookie").is_none());
    assert_eq!(
        c.get(format!("{url}/missing"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        c.get(format!("{url}/%2e%2e/%2e%2e/etc/passwd"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        c.post(format!("{url}/")).send().await.unwrap().status(),
        405
    );

    // a page under a foreign Host (DNS rebinding) gets no session
    let r = c
        .get(format!("{url}/"))
        .header("host", "evil.example:80")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("set-cookie").is_none());

    let signed = signed_message(BOB, "session", "via the playground session");
    let body = serde_json::to_vec(&transmission(BOB, &signed)).unwrap();
    let host = url.trim_start_matches("http://").to_string();
    let send = |origin: Option<String>, cookie: String| {
        let mut req = c
            .post(format!("{url}/api/v1/transmissions"))
            .header("cookie", cookie)
            .body(body.clone());
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    // same origin with the session: accepted
    assert_eq!(
        send(Some(format!("http://{host}")), session.clone())
            .await
            .unwrap()
            .status(),
        200
    );
    // without Origin, or from another origin: forbidden
    assert_eq!(send(None, session.clone()).await.unwrap().status(), 403);
    assert_eq!(
        send(Some("http://evil.example".into()), session.clone())
            .await
            .unwrap()
            .status(),
        403
    );
    // an invented session: unauthorized
    assert_eq!(
        send(Some(format!("http://{host}")), "relay_session=00".into())
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(maildir_files(dir.path()).len(), 1);
    relay.stop().await;
}
