//! The sparkpost transport against a local HTTPS server (hyper + rustls, a throwaway CA the
//! relay is configured to trust) that checks each request as SparkPost's Transmissions API
//! documents it.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use relay::config::TransportKind;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

const BOB: &str = "bob@smime.example";
const KEY: &str = "sp-test-api-key-0123456789";

#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    headers: hyper::HeaderMap,
    body: Vec<u8>,
}

/// Starts the mock; answers `status` with SparkPost's success or error body.
type Mock = (
    String,
    Arc<Mutex<Vec<Seen>>>,
    tokio::task::JoinHandle<()>,
    TempDir,
);

async fn mock(status: u16) -> Mock {
    mock_slow(status, 0).await
}

/// Like `mock`, answering after `delay_ms`.
async fn mock_slow(status: u16, delay_ms: u64) -> Mock {
    let dir = TempDir::new("sp");
    let (ca, cert, key) = tls_certs();
    std::fs::write(dir.path().join("ca.crt"), ca).unwrap();
    let certs = vec![CertificateDer::from_pem_slice(cert.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap();
    let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let seen2 = seen.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let seen = seen2.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let seen = seen.clone();
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body.collect().await.unwrap().to_bytes().to_vec();
                            tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
                            seen.lock().unwrap().push(Seen {
                                method: parts.method.to_string(),
                                path: parts.uri.path().to_string(),
                                headers: parts.headers,
                                body,
                            });
                            let answer = if status == 200 {
                                r#"{"results":{"total_rejected_recipients":0,"total_accepted_recipients":1,"id":"11668787484950529"}}"#
                            } else {
                                r#"{"errors":[{"message":"invalid data format/type","description":"test refusal","code":"1300"}]}"#
                            };
                            Ok::<_, std::convert::Infallible>(
                                hyper::Response::builder()
                                    .status(status)
                                    .header("content-type", "application/json")
                                    .body(Full::new(Bytes::from(answer)))
                                    .unwrap(),
                            )
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    (
        format!("https://localhost:{port}/api/v1/transmissions"),
        seen,
        task,
        dir,
    )
}

fn sp_config(data: &std::path::Path, endpoint: &str, ca: &std::path::Path) -> relay::Config {
    let mut c = config(data);
    c.transport.kind = TransportKind::Sparkpost;
    c.transport.sparkpost.endpoint = endpoint.into();
    c.transport.sparkpost.api_key = KEY.into();
    c.transport.sparkpost.ca_file = Some(ca.to_path_buf());
    c.transport.sparkpost.timeout_secs = 10;
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sparkpost_request_is_what_the_api_documents() {
    let (endpoint, seen, task, certs) = mock(200).await;
    let data = TempDir::new("spdata");
    let relay = Running::start(sp_config(
        data.path(),
        &endpoint,
        &certs.path().join("ca.crt"),
    ))
    .await;
    let msg = signed_message(BOB, "sparkpost", "Through the Transmissions API.");
    let mut t = transmission(BOB, &msg);
    // the caller's own options are not passed on: tracking stays off
    t["options"] = serde_json::json!({ "open_tracking": true, "click_tracking": true });
    let (status, body) = post(&relay.url, &t).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["results"]["total_accepted_recipients"], 1);
    let id = body["results"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        relay.state.store.state(&id).unwrap().as_deref(),
        Some("sent")
    );

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/api/v1/transmissions");
    assert_eq!(r.headers["authorization"], KEY, "the raw key, no Bearer");
    assert_eq!(r.headers["content-type"], "application/json");
    let json: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "options": { "open_tracking": false, "click_tracking": false, "transactional": true },
            "recipients": [{ "address": { "email": BOB, "name": "Bob" } }],
            "content": { "email_rfc822": String::from_utf8(msg.clone()).unwrap() },
        })
    );
    relay.stop().await;
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sparkpost_refusal_is_reported_and_kept() {
    let (endpoint, seen, task, certs) = mock(422).await;
    let data = TempDir::new("spdata422");
    let relay = Running::start(sp_config(
        data.path(),
        &endpoint,
        &certs.path().join("ca.crt"),
    ))
    .await;
    let msg = signed_message(BOB, "refused", "The API refuses this one.");
    let (status, body) = post(&relay.url, &transmission(BOB, &msg)).await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["errors"][0]["code"], "1902");
    let id = body["results"]["id"].as_str().unwrap().to_string();
    // a 4xx answer is permanent: kept as failed, not retried
    assert_eq!(
        relay.state.store.state(&id).unwrap().as_deref(),
        Some("failed")
    );
    assert_eq!(maildir_files(data.path()).len(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(seen.lock().unwrap().len(), 1);
    relay.stop().await;
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sparkpost_untrusted_certificate_is_a_transport_failure() {
    let (endpoint, seen, task, _certs) = mock(200).await;
    let data = TempDir::new("spdatauntrusted");
    let other = TempDir::new("otherca");
    let (ca, _, _) = tls_certs();
    std::fs::write(other.path().join("ca.crt"), ca).unwrap();
    let relay = Running::start(sp_config(
        data.path(),
        &endpoint,
        &other.path().join("ca.crt"),
    ))
    .await;
    let msg = signed_message(BOB, "untrusted", "Wrong CA.");
    let (status, body) = post(&relay.url, &transmission(BOB, &msg)).await;
    assert_eq!(status, 502, "{body}");
    let id = body["results"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        relay.state.store.state(&id).unwrap().as_deref(),
        Some("queued")
    );
    assert!(
        seen.lock().unwrap().is_empty(),
        "nothing reached the server"
    );
    relay.stop().await;
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_finishes_the_relay_in_flight() {
    let (endpoint, seen, task, certs) = mock_slow(200, 1500).await;
    let data = TempDir::new("spgraceful");
    let relay = Running::start(sp_config(
        data.path(),
        &endpoint,
        &certs.path().join("ca.crt"),
    ))
    .await;
    let state = relay.state.clone();
    let url = relay.url.clone();
    let msg = signed_message(BOB, "graceful", "In flight during shutdown.");
    let in_flight = tokio::spawn(async move { post(&url, &transmission(BOB, &msg)).await });
    // shut down while the request waits for the (slow) API
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    relay.stop().await;
    let (status, body) = in_flight.await.unwrap();
    assert_eq!(status, 200, "{body}");
    let id = body["results"]["id"].as_str().unwrap();
    assert_eq!(state.store.state(id).unwrap().as_deref(), Some("sent"));
    assert_eq!(seen.lock().unwrap().len(), 1);
    task.abort();
}
