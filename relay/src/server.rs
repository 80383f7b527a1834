//! HTTP: the API routes, the playground's static files, security headers.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use crate::auth::Auth;
use crate::config::Config;
use crate::error::{ApiError, ErrorKind};
use crate::policy;
use crate::store::{Recipient, Store, random_id};
use crate::transport::Transport;

/// The Content-Security-Policy of the playground (the same as scripts/serve.mjs).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'";

/// Shared by all handlers.
pub struct AppState {
    /// The configuration.
    pub config: Config,
    /// Storage.
    pub store: Store,
    /// The transport.
    pub transport: Transport,
    /// Tokens and sessions.
    pub auth: Auth,
    /// The webhook's trust anchors (`webhook.trust_file`), when configured.
    pub webhook_trust: Option<Vec<smime_wasm::Certificate>>,
}

/// The routes.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/api/v1/transmissions", post(transmissions))
        .route("/api/v1/certificates", get(certificates))
        .route("/api/v1/relay-webhook", post(crate::webhook::relay_webhook))
        .route("/healthz", get(healthz))
        .fallback(fallback)
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

async fn security_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    for (k, v) in [
        ("content-security-policy", CONTENT_SECURITY_POLICY),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cache-control", "no-cache"),
    ] {
        h.insert(k, HeaderValue::from_static(v));
    }
    resp
}

async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    let store = state.store.clone();
    match tokio::task::spawn_blocking(move || store.counts()).await {
        Ok(Ok(counts)) => {
            let queued = counts
                .iter()
                .find(|(s, _)| s == "queued")
                .map_or(0, |(_, n)| *n);
            axum::Json(json!({
                "status": "ok",
                "transport": state.transport.name(),
                "queued": queued,
            }))
            .into_response()
        }
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({ "status": "storage unavailable" })),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
struct CertificateQuery {
    email: Option<String>,
}

async fn certificates(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    query: Result<Query<CertificateQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    state.auth.check(&headers)?;
    let Ok(Query(q)) = query else {
        return Err(ApiError::new(ErrorKind::BadRequest, "bad query string"));
    };
    let email = q.email.unwrap_or_default().trim().to_ascii_lowercase();
    if policy::domain_of(&email).is_none() {
        return Err(ApiError::new(
            ErrorKind::BadRequest,
            "email= must be an e-mail address",
        ));
    }
    let store = state.store.clone();
    let rows = tokio::task::spawn_blocking(move || store.certificates(&email))
        .await
        .map_err(|_| ApiError::new(ErrorKind::Internal, "storage task failed"))?
        .map_err(|e| {
            tracing::error!(error = %e, "certificate lookup failed");
            ApiError::new(ErrorKind::Internal, "storage failed")
        })?;
    Ok(axum::Json(json!({ "results": rows })).into_response())
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AddressIn {
    Plain(String),
    Full {
        email: String,
        #[serde(default)]
        name: Option<String>,
    },
}

#[derive(Deserialize)]
struct RecipientIn {
    address: AddressIn,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContentIn {
    email_rfc822: String,
}

#[derive(Deserialize)]
struct TransmissionIn {
    recipients: Vec<RecipientIn>,
    content: ContentIn,
    #[serde(default)]
    return_path: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    options: serde_json::Value,
}

async fn transmissions(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    let result = transmit(&state, &headers, body).await;
    match &result {
        Ok((id, n)) => tracing::info!(
            id = %id,
            recipients = n,
            transport = state.transport.name(),
            ms = started.elapsed().as_millis() as u64,
            "transmission accepted"
        ),
        Err(e) => tracing::warn!(
            code = e.code(),
            reason = e.message(),
            id = e.id.as_deref().unwrap_or(""),
            "transmission not delivered"
        ),
    }
    let (id, n) = result?;
    Ok(axum::Json(json!({
        "results": {
            "total_accepted_recipients": n,
            "total_rejected_recipients": 0,
            "id": id,
        }
    }))
    .into_response())
}

/// The JSON body may be larger than the message: CRLF is 4 bytes of JSON, other control
/// characters up to 6. Allow twice the message size plus room for the envelope.
fn body_limit(max_message: usize) -> usize {
    max_message.saturating_mul(2).saturating_add(64 * 1024)
}

async fn transmit(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<(String, usize), ApiError> {
    state.auth.check(headers)?;
    let max = state.config.server.max_message_bytes;
    let limit = body_limit(max);
    let too_large = || ApiError::new(ErrorKind::TooLarge, format!("the limit is {max} bytes"));
    if headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > limit)
    {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large())?;
    let req: TransmissionIn = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::new(
            ErrorKind::BadRequest,
            format!(
                "expected {{recipients: [{{address: {{email, name}}}}], content: {{email_rfc822}}}} ({} at line {} column {})",
                match e.classify() {
                    serde_json::error::Category::Data => "wrong type or missing field",
                    serde_json::error::Category::Syntax => "JSON syntax error",
                    serde_json::error::Category::Eof => "truncated JSON",
                    serde_json::error::Category::Io => "read error",
                },
                e.line(),
                e.column()
            ),
        )
    })?;
    drop(bytes);
    let message = req.content.email_rfc822.into_bytes();
    if message.len() > max {
        return Err(too_large());
    }
    let recipients: Vec<Recipient> = req
        .recipients
        .into_iter()
        .map(|r| match r.address {
            AddressIn::Plain(email) => Recipient {
                email: email.trim().to_ascii_lowercase(),
                name: None,
            },
            AddressIn::Full { email, name } => Recipient {
                email: email.trim().to_ascii_lowercase(),
                name: name.filter(|n| !n.is_empty()),
            },
        })
        .collect();
    let emails: Vec<String> = recipients.iter().map(|r| r.email.clone()).collect();
    let policy_cfg = &state.config.policy;
    policy::check_recipients(&emails, policy_cfg)?;
    let top = policy::top_fields(&message);
    if policy_cfg.require_smime {
        policy::check_smime(&top)?;
    }
    let sender = policy::check_sender(&top, req.return_path.as_deref(), policy_cfg)?;
    // the MIME walk reads up to max_message_bytes: off the async workers
    let message = tokio::task::spawn_blocking(move || {
        policy::check_no_key_material(&message).map(|()| message)
    })
    .await
    .map_err(|_| ApiError::new(ErrorKind::Internal, "check task failed"))??;

    let id = random_id().map_err(|_| ApiError::new(ErrorKind::Internal, "no randomness"))?;
    let n = recipients.len();
    let outbox = matches!(state.transport, Transport::Outbox);
    let store = state.store.clone();
    let (id2, sender2, recipients2) = (id.clone(), sender.clone(), recipients.clone());
    let transport_name = state.transport.name();
    let message = tokio::task::spawn_blocking(move || {
        let st = if outbox { "stored" } else { "sending" };
        store
            .put(&id2, transport_name, st, &sender2, &recipients2, &message)
            .map(|_| message)
    })
    .await
    .map_err(|_| ApiError::new(ErrorKind::Internal, "storage task failed"))?
    .map_err(|e| {
        tracing::error!(error = %e, "storing a message failed");
        ApiError::new(ErrorKind::Internal, "the message could not be stored")
    })?;
    if outbox {
        return Ok((id, n));
    }
    match state
        .transport
        .deliver(&sender, &recipients, &message)
        .await
    {
        Ok(()) => {
            let store = state.store.clone();
            let id2 = id.clone();
            let marked = tokio::task::spawn_blocking(move || store.mark_sent(&id2, 1)).await;
            if !matches!(marked, Ok(Ok(()))) {
                tracing::error!(id = %id, "delivered but not marked sent");
            }
            Ok((id, n))
        }
        Err(e) => {
            let next = (!e.permanent)
                .then(|| crate::store::now() + state.config.queue.retry_initial_secs as i64);
            let store = state.store.clone();
            let (id2, detail) = (id.clone(), e.detail.clone());
            let _ = tokio::task::spawn_blocking(move || store.mark_failed(&id2, 1, next, &detail))
                .await;
            tracing::warn!(id = %id, permanent = e.permanent, error = %e.detail, "delivery failed");
            let mut err = ApiError::new(
                ErrorKind::TransportFailed,
                if e.permanent {
                    format!(
                        "the transport refused the message ({}); it is kept, not retried",
                        e.detail
                    )
                } else {
                    format!(
                        "the transport failed ({}); the message is kept and will be retried",
                        e.detail
                    )
                },
            );
            err.id = Some(id);
            Err(err)
        }
    }
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        Some("crt" | "pem" | "key") => "application/x-pem-file",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Maps a request path to a file under `root`; none when it would leave `root`.
fn resolve(root: &Path, uri_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(uri_path)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let mut file = root.to_path_buf();
    for c in Path::new(decoded.trim_start_matches('/')).components() {
        match c {
            Component::Normal(p) => file.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(file)
}

fn plain(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{text}\n"),
    )
        .into_response()
}

async fn fallback(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if uri.path().starts_with("/api/") {
        return ApiError::new(ErrorKind::NotFound, "no such endpoint").into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let Some(root) = &state.config.server.static_dir else {
        return plain(StatusCode::NOT_FOUND, "not found");
    };
    let Some(mut file) = resolve(root, uri.path()) else {
        return plain(StatusCode::NOT_FOUND, "not found");
    };
    match tokio::fs::metadata(&file).await {
        Ok(m) if m.is_dir() => file.push("index.html"),
        Ok(_) => {}
        Err(_) => return plain(StatusCode::NOT_FOUND, "not found"),
    }
    let Ok(bytes) = tokio::fs::read(&file).await else {
        return plain(StatusCode::NOT_FOUND, "not found");
    };
    let ct = content_type(&file);
    let len = bytes.len();
    let mut resp = Response::new(if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    });
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    if ct.starts_with("text/html")
        && let Some(cookie) = state.auth.issue_session(&headers)
        && let Ok(v) = HeaderValue::from_str(&cookie)
    {
        h.insert(header::SET_COOKIE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_under_root() {
        let root = Path::new("/srv/dist");
        assert_eq!(
            resolve(root, "/pkg/x.wasm"),
            Some(PathBuf::from("/srv/dist/pkg/x.wasm"))
        );
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/%2e%2e/etc/passwd"), None);
        assert_eq!(resolve(root, "/a%00b"), None);
        assert_eq!(resolve(root, "/%zz"), None);
    }
}
