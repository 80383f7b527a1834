//! Who may post: a bearer token from the configuration, or a playground session.
//!
//! A playground session is a random 256-bit token set as an `HttpOnly; SameSite=Strict` cookie
//! (`Path=/api/`) when the relay serves an HTML page of the playground to a loopback (or
//! configured) Host. A request authenticated by that cookie must also carry an `Origin` equal
//! to its own Host (`http://<Host>` or `https://<Host>`), and that Host must be one the session
//! could have been issued to (a DNS-rebinding page names a foreign Host and gets nothing).
//! Only SHA-256 digests of tokens are kept in memory, and they are compared in constant time.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ErrorKind};

/// The session cookie's name.
pub const COOKIE: &str = "relay_session";
/// The header SparkPost puts a relay webhook's `auth_token` in.
pub const WEBHOOK_TOKEN_HEADER: &str = "x-messagesystems-webhook-token";
/// Most live sessions kept; more are not issued until some expire.
const MAX_SESSIONS: usize = 10_000;

type TokenHash = [u8; 32];

fn digest(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

fn ct_eq(a: &TokenHash, b: &TokenHash) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Tokens and sessions.
pub struct Auth {
    tokens: Vec<TokenHash>,
    sessions_enabled: bool,
    ttl: Duration,
    sessions: Mutex<HashMap<TokenHash, Instant>>,
    public_hosts: Vec<String>,
    webhook_token: Option<TokenHash>,
}

/// Host name of a `Host` header value (`[::1]:8080` → `[::1]`, `localhost:80` → `localhost`).
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host
            .split_once(']')
            .map_or(host, |(h, _)| &host[..h.len() + 1]);
    }
    host.split(':').next().unwrap_or(host)
}

impl Auth {
    /// From the `[auth]` and `[server]` configuration.
    pub fn new(cfg: &crate::config::Config) -> Self {
        Self {
            tokens: cfg.auth.tokens.iter().map(|t| digest(t)).collect(),
            sessions_enabled: cfg.auth.playground_sessions,
            ttl: Duration::from_secs(cfg.auth.session_ttl_secs.max(60)),
            sessions: Mutex::new(HashMap::new()),
            public_hosts: cfg
                .server
                .public_hosts
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            webhook_token: (!cfg.webhook.token.is_empty()).then(|| digest(&cfg.webhook.token)),
        }
    }

    /// Whether the inbound webhook is configured (has a token).
    pub fn webhook_enabled(&self) -> bool {
        self.webhook_token.is_some()
    }

    /// Checks SparkPost's `X-MessageSystems-Webhook-Token` (constant-time, digests only).
    pub fn check_webhook(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let given = headers
            .get(WEBHOOK_TOKEN_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(|v| digest(v.trim()));
        match (&self.webhook_token, given) {
            (Some(k), Some(d)) if ct_eq(k, &d) => Ok(()),
            _ => Err(ApiError::new(
                ErrorKind::Unauthorized,
                "missing or wrong X-MessageSystems-Webhook-Token",
            )),
        }
    }

    /// Whether a page requested under `host` may get a session.
    pub fn host_allowed(&self, host: Option<&str>) -> bool {
        let Some(host) = host else { return false };
        let name = host_name(host).to_ascii_lowercase();
        matches!(name.as_str(), "127.0.0.1" | "localhost" | "[::1]")
            || self.public_hosts.contains(&name)
    }

    /// A `Set-Cookie` value for a new session, or none (sessions off, foreign Host, too many).
    pub fn issue_session(&self, headers: &HeaderMap) -> Option<String> {
        if !self.sessions_enabled || !self.host_allowed(host(headers)) {
            return None;
        }
        if self.session_valid(headers) {
            return None;
        }
        let mut raw = [0u8; 32];
        getrandom::fill(&mut raw).ok()?;
        let token = crate::store::hex(&raw);
        let mut sessions = self.sessions.lock().ok()?;
        let now = Instant::now();
        if sessions.len() >= MAX_SESSIONS {
            sessions.retain(|_, exp| *exp > now);
            if sessions.len() >= MAX_SESSIONS {
                return None;
            }
        }
        sessions.insert(digest(&token), now + self.ttl);
        Some(format!(
            "{COOKIE}={token}; Path=/api/; HttpOnly; SameSite=Strict; Max-Age={}",
            self.ttl.as_secs()
        ))
    }

    fn session_valid(&self, headers: &HeaderMap) -> bool {
        let Some(token) = cookie(headers, COOKIE) else {
            return false;
        };
        let d = digest(token);
        let Ok(sessions) = self.sessions.lock() else {
            return false;
        };
        sessions
            .iter()
            .any(|(k, exp)| ct_eq(k, &d) && *exp > Instant::now())
    }

    /// Checks a request to the API.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        if let Some(value) = headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim);
            let ok = token.is_some_and(|t| {
                let d = digest(t);
                self.tokens.iter().fold(false, |acc, k| acc | ct_eq(k, &d))
            });
            return if ok {
                Ok(())
            } else {
                Err(ApiError::new(
                    ErrorKind::Unauthorized,
                    "invalid bearer token",
                ))
            };
        }
        if self.sessions_enabled && cookie(headers, COOKIE).is_some() {
            if !self.session_valid(headers) {
                return Err(ApiError::new(
                    ErrorKind::Unauthorized,
                    "unknown or expired session; reload the page",
                ));
            }
            let h = host(headers);
            let same_origin = match (headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()), h) {
                (Some(origin), Some(h)) => {
                    origin.eq_ignore_ascii_case(&format!("http://{h}"))
                        || origin.eq_ignore_ascii_case(&format!("https://{h}"))
                }
                _ => false,
            };
            if !same_origin || !self.host_allowed(h) {
                return Err(ApiError::new(
                    ErrorKind::Forbidden,
                    "a session is only accepted from the page's own origin",
                ));
            }
            return Ok(());
        }
        Err(ApiError::new(
            ErrorKind::Unauthorized,
            "an Authorization: Bearer token or a playground session is required",
        ))
    }
}

fn host(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::HOST).and_then(|h| h.to_str().ok())
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(host_name("[::1]:8080"), "[::1]");
        assert_eq!(host_name("localhost:1"), "localhost");
        let mut cfg = crate::config::Config::default();
        cfg.server.public_hosts = vec!["mail.example".into()];
        let a = Auth::new(&cfg);
        assert!(a.host_allowed(Some("127.0.0.1:5")));
        assert!(a.host_allowed(Some("Mail.Example")));
        assert!(!a.host_allowed(Some("evil.example:8080")));
        assert!(!a.host_allowed(None));
    }
}
