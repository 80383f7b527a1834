//! The relay's configuration: a TOML file (every field optional, see `relay.example.toml`) with
//! `RELAY_*` environment overrides applied on top.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Everything the relay reads from its configuration file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Listening address, static files, limits.
    pub server: ServerConfig,
    /// Who may post.
    pub auth: AuthConfig,
    /// What may be posted.
    pub policy: PolicyConfig,
    /// Where messages and certificates are kept.
    pub storage: StorageConfig,
    /// Where messages go.
    pub transport: TransportConfig,
    /// The retry queue.
    pub queue: QueueConfig,
    /// Logging.
    pub log: LogConfig,
    /// The inbound relay webhook (certificate harvesting).
    pub webhook: WebhookConfig,
}

/// `[server]`
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on (loopback by default).
    pub listen: SocketAddr,
    /// Directory of the built playground (`dist/`) served at `/`; none: no static files.
    pub static_dir: Option<PathBuf>,
    /// Largest accepted RFC 822 message, in bytes (the JSON request may be a little larger).
    pub max_message_bytes: usize,
    /// Seconds a graceful shutdown waits for in-flight requests.
    pub shutdown_grace_secs: u64,
    /// Host names (besides 127.0.0.1, localhost and [::1]) under which the playground may be
    /// served with a session; requests naming any other Host get no session (DNS rebinding).
    pub public_hosts: Vec<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            static_dir: None,
            max_message_bytes: 10 * 1024 * 1024,
            shutdown_grace_secs: 30,
            public_hosts: Vec::new(),
        }
    }
}

/// `[auth]`
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Bearer tokens accepted in `Authorization: Bearer <token>` (at least 16 characters each).
    pub tokens: Vec<String>,
    /// Whether the playground page served by the relay gets a session cookie that authorizes
    /// same-origin posts.
    pub playground_sessions: bool,
    /// Lifetime of a playground session, in seconds.
    pub session_ttl_secs: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            tokens: Vec::new(),
            playground_sessions: true,
            session_ttl_secs: 12 * 3600,
        }
    }
}

/// `[policy]`
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyConfig {
    /// Refuse messages whose top-level Content-Type is not S/MIME signed or enveloped.
    pub require_smime: bool,
    /// Domains allowed in the From address(es) and the envelope sender (`return_path`).
    pub allowed_sender_domains: Vec<String>,
    /// Recipient addresses allowed (exact, case-insensitive).
    pub allowed_recipients: Vec<String>,
    /// Recipient domains allowed.
    pub allowed_recipient_domains: Vec<String>,
    /// Most recipients in one transmission.
    pub max_recipients: usize,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self {
            require_smime: true,
            allowed_sender_domains: Vec::new(),
            allowed_recipients: Vec::new(),
            allowed_recipient_domains: Vec::new(),
            max_recipients: 50,
        }
    }
}

/// `[storage]`
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// Holds `relay.sqlite3` and the Maildir `mail/`.
    pub data_dir: PathBuf,
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("relay-data"),
        }
    }
}

/// Which transport delivers messages.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TransportKind {
    /// Keep every message in the local Maildir (nothing leaves the machine).
    #[default]
    Outbox,
    /// SMTP submission.
    Smtp,
    /// The SparkPost Transmissions API.
    Sparkpost,
}

/// `[transport]`
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TransportConfig {
    /// `outbox`, `smtp` or `sparkpost`.
    pub kind: TransportKind,
    /// `[transport.smtp]`
    pub smtp: SmtpConfig,
    /// `[transport.sparkpost]`
    pub sparkpost: SparkPostConfig,
}

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// STARTTLS, required.
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// Plain text: only for a server on the loopback interface.
    None,
}

/// `[transport.smtp]`
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    /// Server host name (also the name checked in its certificate).
    pub host: String,
    /// Server port.
    pub port: u16,
    /// `starttls`, `tls` or `none`.
    pub security: SmtpSecurity,
    /// AUTH user name (no AUTH when empty).
    pub username: String,
    /// AUTH password (prefer `RELAY_SMTP_PASSWORD`).
    pub password: String,
    /// AUTH mechanisms to offer, in order of preference: `plain`, `login`.
    pub auth_mechanisms: Vec<String>,
    /// PEM file of extra trusted CA certificates.
    pub ca_file: Option<PathBuf>,
    /// Value of an `X-MSYS-API` header prepended to the outer header block (SparkPost SMTP
    /// injection), e.g. `{"options":{"open_tracking":false,"click_tracking":false}}`; defaults to
    /// that (plus `transactional`) for `*.sparkpostmail.com` hosts.
    pub x_msys_api: Option<String>,
    /// Seconds before an SMTP exchange is abandoned.
    pub timeout_secs: u64,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: "localhost".into(),
            port: 587,
            security: SmtpSecurity::Starttls,
            username: String::new(),
            password: String::new(),
            auth_mechanisms: vec!["plain".into(), "login".into()],
            ca_file: None,
            x_msys_api: None,
            timeout_secs: 60,
        }
    }
}

/// `[transport.sparkpost]`
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SparkPostConfig {
    /// Transmissions endpoint (the EU one is `https://api.eu.sparkpost.com/api/v1/transmissions`).
    pub endpoint: String,
    /// API key (prefer `RELAY_SPARKPOST_API_KEY`).
    pub api_key: String,
    /// PEM file of extra trusted CA certificates.
    pub ca_file: Option<PathBuf>,
    /// Seconds before a request is abandoned.
    pub timeout_secs: u64,
}

impl Default for SparkPostConfig {
    fn default() -> Self {
        Self {
            endpoint: "https://api.sparkpost.com/api/v1/transmissions".into(),
            api_key: String::new(),
            ca_file: None,
            timeout_secs: 60,
        }
    }
}

/// `[queue]`
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueConfig {
    /// Delay before the first retry, in seconds; doubled after each failure.
    pub retry_initial_secs: u64,
    /// Longest delay between retries, in seconds.
    pub retry_max_secs: u64,
    /// How often the background task looks for due messages, in milliseconds.
    pub poll_millis: u64,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            retry_initial_secs: 30,
            retry_max_secs: 3600,
            poll_millis: 2000,
        }
    }
}

/// `[log]`
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// A tracing filter (`info`, `relay=debug,info`, ...); `RUST_LOG` wins when set.
    pub filter: String,
    /// One JSON object per line instead of text.
    pub json: bool,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            filter: "info".into(),
            json: false,
        }
    }
}

/// `[webhook]`: SparkPost's inbound relay webhook, `POST /api/v1/relay-webhook`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookConfig {
    /// The `X-MessageSystems-Webhook-Token` SparkPost sends (the relay webhook's `auth_token`,
    /// 16+ characters). Empty: the endpoint is off (404).
    pub token: String,
    /// PEM file of trust anchors: when set, each harvested certificate is also recorded as
    /// `trusted` or not. Harvesting itself needs only a valid signature and the From address in
    /// the certificate.
    pub trust_file: Option<PathBuf>,
    /// Largest accepted webhook body (a batch of messages, JSON), in bytes.
    pub max_body_bytes: usize,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            token: String::new(),
            trust_file: None,
            max_body_bytes: 50 * 1024 * 1024,
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "configuration: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

fn list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn parse<T: std::str::FromStr>(key: &str, v: &str) -> Result<T, ConfigError> {
    v.trim()
        .parse()
        .map_err(|_| ConfigError(format!("{key}: cannot parse the value")))
}

fn boolean(key: &str, v: &str) -> Result<bool, ConfigError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError(format!("{key}: expected true or false"))),
    }
}

impl Config {
    /// Reads `path` (TOML), then applies the `RELAY_*` variables of the process environment.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let mut config = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| ConfigError(format!("cannot read {}: {e}", p.display())))?;
                Self::from_toml(&text)?
            }
            None => Self::default(),
        };
        config.apply_env(std::env::vars())?;
        config.validate()?;
        Ok(config)
    }

    /// Parses a TOML document.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError(e.to_string()))
    }

    /// Applies `RELAY_*` overrides (lists are comma-separated). Unknown `RELAY_*` names are an
    /// error, so a typo does not silently leave a default in place.
    pub fn apply_env(
        &mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(), ConfigError> {
        for (key, v) in vars {
            let Some(name) = key.strip_prefix("RELAY_") else {
                continue;
            };
            let k = key.as_str();
            match name {
                "CONFIG" => {} // read by main
                "LISTEN" => self.server.listen = parse(k, &v)?,
                "STATIC_DIR" => {
                    self.server.static_dir = (!v.is_empty()).then(|| PathBuf::from(&v));
                }
                "MAX_MESSAGE_BYTES" => self.server.max_message_bytes = parse(k, &v)?,
                "SHUTDOWN_GRACE_SECS" => self.server.shutdown_grace_secs = parse(k, &v)?,
                "PUBLIC_HOSTS" => self.server.public_hosts = list(&v),
                "AUTH_TOKENS" => self.auth.tokens = list(&v),
                "PLAYGROUND_SESSIONS" => self.auth.playground_sessions = boolean(k, &v)?,
                "REQUIRE_SMIME" => self.policy.require_smime = boolean(k, &v)?,
                "ALLOWED_SENDER_DOMAINS" => self.policy.allowed_sender_domains = list(&v),
                "ALLOWED_RECIPIENTS" => self.policy.allowed_recipients = list(&v),
                "ALLOWED_RECIPIENT_DOMAINS" => self.policy.allowed_recipient_domains = list(&v),
                "DATA_DIR" => self.storage.data_dir = PathBuf::from(&v),
                "TRANSPORT" => {
                    self.transport.kind = match v.trim() {
                        "outbox" => TransportKind::Outbox,
                        "smtp" => TransportKind::Smtp,
                        "sparkpost" => TransportKind::Sparkpost,
                        _ => return Err(ConfigError(format!("{k}: outbox, smtp or sparkpost"))),
                    }
                }
                "SMTP_HOST" => self.transport.smtp.host = v,
                "SMTP_PORT" => self.transport.smtp.port = parse(k, &v)?,
                "SMTP_SECURITY" => {
                    self.transport.smtp.security = match v.trim() {
                        "starttls" => SmtpSecurity::Starttls,
                        "tls" => SmtpSecurity::Tls,
                        "none" => SmtpSecurity::None,
                        _ => return Err(ConfigError(format!("{k}: starttls, tls or none"))),
                    }
                }
                "SMTP_USERNAME" => self.transport.smtp.username = v,
                "SMTP_PASSWORD" => self.transport.smtp.password = v,
                "SMTP_CA_FILE" => self.transport.smtp.ca_file = Some(PathBuf::from(&v)),
                "SMTP_X_MSYS_API" => {
                    self.transport.smtp.x_msys_api = (!v.is_empty()).then_some(v);
                }
                "SPARKPOST_ENDPOINT" => self.transport.sparkpost.endpoint = v,
                "SPARKPOST_API_KEY" => self.transport.sparkpost.api_key = v,
                "SPARKPOST_CA_FILE" => self.transport.sparkpost.ca_file = Some(PathBuf::from(&v)),
                "WEBHOOK_TOKEN" => self.webhook.token = v,
                "WEBHOOK_TRUST_FILE" => {
                    self.webhook.trust_file = (!v.is_empty()).then(|| PathBuf::from(&v));
                }
                "WEBHOOK_MAX_BODY_BYTES" => self.webhook.max_body_bytes = parse(k, &v)?,
                "LOG" => self.log.filter = v,
                "LOG_JSON" => self.log.json = boolean(k, &v)?,
                _ => return Err(ConfigError(format!("unknown environment variable {key}"))),
            }
        }
        Ok(())
    }

    /// Checks the combinations the relay refuses to start with.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.auth.tokens.iter().any(|t| t.len() < 16) {
            return Err(ConfigError(
                "auth.tokens: every token needs at least 16 characters".into(),
            ));
        }
        if !self.webhook.token.is_empty() && self.webhook.token.len() < 16 {
            return Err(ConfigError(
                "webhook.token: the token needs at least 16 characters".into(),
            ));
        }
        if self.webhook.max_body_bytes == 0 {
            return Err(ConfigError("webhook.max_body_bytes is 0".into()));
        }
        if self.policy.allowed_sender_domains.is_empty() {
            return Err(ConfigError(
                "policy.allowed_sender_domains is empty: the relay would accept no sender".into(),
            ));
        }
        if self.policy.allowed_recipients.is_empty()
            && self.policy.allowed_recipient_domains.is_empty()
        {
            return Err(ConfigError(
                "policy: allowed_recipients and allowed_recipient_domains are both empty".into(),
            ));
        }
        if self.server.max_message_bytes == 0 {
            return Err(ConfigError("server.max_message_bytes is 0".into()));
        }
        match self.transport.kind {
            TransportKind::Sparkpost if self.transport.sparkpost.api_key.is_empty() => Err(
                ConfigError("transport sparkpost: no API key (RELAY_SPARKPOST_API_KEY)".into()),
            ),
            TransportKind::Sparkpost
                if !self.transport.sparkpost.endpoint.starts_with("https://") =>
            {
                Err(ConfigError(
                    "transport.sparkpost.endpoint must be https".into(),
                ))
            }
            TransportKind::Smtp if self.transport.smtp.host.is_empty() => {
                Err(ConfigError("transport.smtp.host is empty".into()))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_file() {
        let mut c = Config::from_toml(
            "[policy]\nallowed_sender_domains=[\"a.example\"]\nallowed_recipient_domains=[\"b.example\"]\n",
        )
        .expect("toml");
        c.apply_env([
            ("RELAY_LISTEN".into(), "127.0.0.1:9".into()),
            (
                "RELAY_ALLOWED_SENDER_DOMAINS".into(),
                "x.example, y.example".into(),
            ),
            ("PATH".into(), "/bin".into()),
            (
                "RELAY_WEBHOOK_TOKEN".into(),
                "webhook-token-0123456789".into(),
            ),
            ("RELAY_WEBHOOK_TRUST_FILE".into(), "anchors.pem".into()),
            ("RELAY_WEBHOOK_MAX_BODY_BYTES".into(), "1000".into()),
        ])
        .expect("env");
        assert_eq!(c.webhook.token, "webhook-token-0123456789");
        assert_eq!(c.webhook.trust_file, Some(PathBuf::from("anchors.pem")));
        assert_eq!(c.webhook.max_body_bytes, 1000);
        assert_eq!(c.server.listen.port(), 9);
        assert_eq!(c.policy.allowed_sender_domains, ["x.example", "y.example"]);
        c.validate().expect("valid");
        assert!(
            c.apply_env([("RELAY_NOPE".into(), "1".into())]).is_err(),
            "typo refused"
        );
    }

    #[test]
    fn example_file_parses() {
        let text = include_str!("../../relay.example.toml");
        let c = Config::from_toml(text).expect("relay.example.toml");
        c.validate().expect("valid");
        assert!(c.webhook.token.is_empty(), "the webhook is off by default");
    }

    #[test]
    fn unknown_fields_and_short_tokens_refused() {
        assert!(Config::from_toml("[server]\nlisen = \"x\"\n").is_err());
        let mut c = Config::default();
        c.policy.allowed_sender_domains = vec!["a".into()];
        c.policy.allowed_recipient_domains = vec!["a".into()];
        c.auth.tokens = vec!["short".into()];
        assert!(c.validate().is_err());
        c.auth.tokens.clear();
        c.webhook.token = "short".into();
        assert!(c.validate().is_err());
        assert!(Config::from_toml("[webhook]\ntoken = \"x\"\ntrustfile = \"a\"\n").is_err());
    }
}
