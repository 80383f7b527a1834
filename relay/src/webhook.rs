//! `POST /api/v1/relay-webhook`: SparkPost's inbound relay webhook. Harvests the certificates of
//! senders who sign their mail, so that the playground's contacts can encrypt to them.
//!
//! ```text
//!  token ─► body size ─► JSON array? ─► each msys.relay_message:
//!    email_rfc822 (base64?) ─► smime_wasm::open ─► each signer: signature valid,
//!    From address in the certificate? ─► certificates row (email, certificate, chain,
//!    encryption certificate, capabilities, trusted?, signingTime); newest wins, history kept
//! ```
//!
//! SparkPost retries a batch that is not answered 2xx. So the answer is 200 whatever the
//! messages held (a message that is not harvested would fail again on every retry; and the
//! answer tells a caller nothing about what was harvested: no oracle). Only what is not about a
//! message is refused: a wrong or missing token (401), a body too large (413), a body that is not
//! a JSON array (400), the endpoint off (404), storage failing (500: worth a retry). Why a
//! message was not harvested is logged (index, `webhook_id`, reason; never the message, the
//! token or an address).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use base64ct::Encoding as _;
use serde::Deserialize;
use serde_json::json;
use smime_wasm::Certificate;
use smime_wasm::open::{OpenOptions, Opened, open};

use crate::error::{ApiError, ErrorKind};
use crate::server::AppState;
use crate::store::{NewCertificate, now, sha256_hex};

#[derive(Deserialize)]
struct Event {
    msys: Msys,
}

#[derive(Deserialize)]
struct Msys {
    relay_message: Option<RelayMessage>,
}

#[derive(Deserialize)]
struct RelayMessage {
    content: Content,
    #[serde(default)]
    webhook_id: Option<String>,
}

#[derive(Deserialize)]
struct Content {
    email_rfc822: String,
    #[serde(default)]
    email_rfc822_is_base64: bool,
}

/// What became of one message of a batch.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The certificates to record.
    Harvested(Vec<NewCertificate>),
    /// Nothing recorded, and why (a fixed text, safe to log).
    Skipped(String),
}

/// The addresses of a From field value (`Name <a@b>` or `a@b`), lower case.
fn from_address(opened: &Opened) -> Option<String> {
    let value = &opened
        .headers
        .fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case("from"))?
        .value;
    let addr = match (value.rfind('<'), value.rfind('>')) {
        (Some(a), Some(b)) if a < b => &value[a + 1..b],
        _ => value.as_str(),
    };
    let addr = addr.trim().to_ascii_lowercase();
    (!addr.is_empty()).then_some(addr)
}

/// Opens one message and decides what to record. Blocking (signature checks).
pub fn examine(message: &[u8], trust: Option<&[Certificate]>, at: i64) -> Outcome {
    let mut options = OpenOptions::new(at);
    if let Some(t) = trust {
        options.trust = t;
    }
    let opened = match open(message, &options) {
        Ok(o) => o,
        Err(e) => return Outcome::Skipped(format!("does not open ({})", e.code())),
    };
    let signers: Vec<_> = opened.signers().collect();
    if signers.is_empty() {
        let encrypted = opened
            .layers
            .iter()
            .any(|l| matches!(l, smime_wasm::open::Layer::Encrypted(_)));
        return Outcome::Skipped(
            if encrypted {
                "encrypted (no key to look inside)"
            } else {
                "not signed"
            }
            .into(),
        );
    }
    let Some(from) = from_address(&opened) else {
        return Outcome::Skipped("no From address".into());
    };
    let mut found: Vec<NewCertificate> = Vec::new();
    let mut reasons: Vec<&str> = Vec::new();
    for s in signers {
        let Some(cert) = &s.certificate else {
            reasons.push("signer certificate missing");
            continue;
        };
        if !s.signature_valid {
            reasons.push("signature invalid");
            continue;
        }
        if !s.email_matches_from {
            reasons.push("From address not in the signer's certificate");
            continue;
        }
        let sha256 = sha256_hex(cert.as_der());
        if found.iter().any(|c| c.sha256 == sha256) {
            continue;
        }
        let signing_time = s.signing_time;
        found.push(NewCertificate {
            email: from.clone(),
            pem: cert.to_pem(),
            sha256,
            chain: s.chain.iter().map(Certificate::to_pem).collect(),
            encryption_pem: s.encryption_certificate.as_ref().map(Certificate::to_pem),
            capabilities: json!(s.capabilities),
            trusted: trust.map(|_| s.trusted),
            signing_time,
            // a signingTime in the future does not pin a certificate as the newest
            newest: signing_time.map_or(at, |t| t.min(at)),
        });
    }
    if found.is_empty() {
        reasons.dedup();
        Outcome::Skipped(reasons.join("; "))
    } else {
        Outcome::Harvested(found)
    }
}

fn decode(content: &Content) -> Result<Vec<u8>, &'static str> {
    if !content.email_rfc822_is_base64 {
        return Ok(content.email_rfc822.clone().into_bytes());
    }
    let compact: String = content
        .email_rfc822
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    base64ct::Base64::decode_vec(&compact).map_err(|_| "email_rfc822 is not valid base64")
}

/// The handler.
pub async fn relay_webhook(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if !state.auth.webhook_enabled() {
        return Err(ApiError::new(
            ErrorKind::NotFound,
            "the relay webhook is not configured",
        ));
    }
    let refused = |e: ApiError| {
        tracing::warn!(code = e.code(), reason = %e.description, "relay webhook refused");
        e
    };
    state.auth.check_webhook(&headers).map_err(refused)?;
    let limit = state.config.webhook.max_body_bytes;
    let too_large = || ApiError::new(ErrorKind::TooLarge, format!("the limit is {limit} bytes"));
    if headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > limit)
    {
        return Err(refused(too_large()));
    }
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| refused(too_large()))?;
    let events: Vec<serde_json::Value> = serde_json::from_slice(&bytes).map_err(|_| {
        refused(ApiError::new(
            ErrorKind::BadRequest,
            "expected a JSON array of {msys: {relay_message: {content: {email_rfc822}}}}",
        ))
    })?;
    drop(bytes);
    let total = events.len();
    let max_message = state.config.server.max_message_bytes;
    let trust = state.webhook_trust.clone();
    let at = now();
    // signature checks are CPU work: off the async workers, one batch at a time
    let outcomes = tokio::task::spawn_blocking(move || {
        events
            .into_iter()
            .map(|v| {
                let Ok(Event { msys }) = serde_json::from_value::<Event>(v) else {
                    return (None, Outcome::Skipped("not a msys event".into()));
                };
                let Some(m) = msys.relay_message else {
                    return (None, Outcome::Skipped("not a relay_message event".into()));
                };
                let id = m.webhook_id;
                let message = match decode(&m.content) {
                    Ok(b) => b,
                    Err(e) => return (id, Outcome::Skipped(e.into())),
                };
                if message.len() > max_message {
                    return (id, Outcome::Skipped("message too large".into()));
                }
                let outcome = examine(&message, trust.as_deref(), at);
                (id, outcome)
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|_| ApiError::new(ErrorKind::Internal, "webhook task failed"))?;
    let mut harvested = 0usize;
    for (index, (webhook_id, outcome)) in outcomes.into_iter().enumerate() {
        let webhook_id = webhook_id.unwrap_or_default();
        match outcome {
            Outcome::Skipped(reason) => {
                tracing::info!(index, webhook_id = %webhook_id, reason = %reason, "relay message not harvested");
            }
            Outcome::Harvested(certs) => {
                let store = state.store.clone();
                let fingerprints: Vec<String> =
                    certs.iter().map(|c| c.sha256[..16].to_string()).collect();
                let n = certs.len();
                tokio::task::spawn_blocking(move || {
                    certs.iter().try_for_each(|c| store.record_certificate(c))
                })
                .await
                .map_err(|_| ApiError::new(ErrorKind::Internal, "storage task failed"))?
                .map_err(|e| {
                    tracing::error!(error = %e, "storing a harvested certificate failed");
                    ApiError::new(ErrorKind::Internal, "storage failed")
                })?;
                harvested += n;
                tracing::info!(index, webhook_id = %webhook_id, certificates = ?fingerprints, "relay message harvested");
            }
        }
    }
    tracing::info!(messages = total, harvested, "relay webhook batch done");
    Ok(axum::Json(json!({ "results": { "received": total } })).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_with_line_breaks() {
        let c = Content {
            email_rfc822: "RnJvbTog\r\nYUBiLmV4YW1wbGUNCg==\n".into(),
            email_rfc822_is_base64: true,
        };
        assert_eq!(decode(&c).as_deref(), Ok(&b"From: a@b.example\r\n"[..]));
        let bad = Content {
            email_rfc822: "**".into(),
            email_rfc822_is_base64: true,
        };
        assert!(decode(&bad).is_err());
    }
}
