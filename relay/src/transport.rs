//! The three transports. Each hands over the stored bytes unchanged (the SMTP transport may
//! prepend one `X-MSYS-API` header line to the outer header block, which is outside the signed
//! or encrypted MIME entity).

use std::time::Duration;

use lettre::address::{Address, Envelope};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::json;

use crate::config::{
    ConfigError, SmtpConfig, SmtpSecurity, SparkPostConfig, TransportConfig, TransportKind,
};
use crate::store::Recipient;

/// A failed delivery. `detail` names the cause, never the message contents or credentials.
#[derive(Debug, Clone)]
pub struct DeliveryError {
    /// The transport refused for good (5xx SMTP reply, 4xx API answer other than 429):
    /// retrying will not help.
    pub permanent: bool,
    /// What happened.
    pub detail: String,
}

impl std::fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

/// A configured transport.
pub enum Transport {
    /// Messages stay in the local Maildir.
    Outbox,
    /// SMTP.
    Smtp(Box<SmtpTransport>),
    /// SparkPost Transmissions API.
    SparkPost(SparkPostTransport),
}

/// The `X-MSYS-API` value used for SparkPost's SMTP hosts when none is configured.
pub const SPARKPOST_SMTP_OPTIONS: &str =
    r#"{"options":{"open_tracking":false,"click_tracking":false,"transactional":true}}"#;

/// SMTP with lettre.
pub struct SmtpTransport {
    mailer: AsyncSmtpTransport<Tokio1Executor>,
    x_msys_api: Option<String>,
}

/// HTTPS to the Transmissions API.
pub struct SparkPostTransport {
    client: reqwest::Client,
    endpoint: String,
    api_key: String,
}

fn pem_certificates(path: &std::path::Path) -> Result<Vec<Vec<u8>>, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?;
    const END: &str = "-----END CERTIFICATE-----";
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let Some(end) = rest[start..].find(END) else {
            break;
        };
        let stop = start + end + END.len();
        out.push(format!("{}\n", &rest[start..stop]).into_bytes());
        rest = &rest[stop..];
    }
    if out.is_empty() {
        return Err(ConfigError(format!(
            "{}: no PEM certificate",
            path.display()
        )));
    }
    Ok(out)
}

impl Transport {
    /// Builds the transport chosen in the configuration.
    pub fn from_config(cfg: &TransportConfig) -> Result<Self, ConfigError> {
        Ok(match cfg.kind {
            TransportKind::Outbox => Self::Outbox,
            TransportKind::Smtp => Self::Smtp(Box::new(SmtpTransport::new(&cfg.smtp)?)),
            TransportKind::Sparkpost => Self::SparkPost(SparkPostTransport::new(&cfg.sparkpost)?),
        })
    }

    /// `outbox`, `smtp` or `sparkpost`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Outbox => "outbox",
            Self::Smtp(_) => "smtp",
            Self::SparkPost(_) => "sparkpost",
        }
    }

    /// Delivers `message` (does nothing for the outbox, where storing is delivering).
    pub async fn deliver(
        &self,
        sender: &str,
        recipients: &[Recipient],
        message: &[u8],
    ) -> Result<(), DeliveryError> {
        match self {
            Self::Outbox => Ok(()),
            Self::Smtp(t) => t.deliver(sender, recipients, message).await,
            Self::SparkPost(t) => t.deliver(recipients, message).await,
        }
    }
}

impl SmtpTransport {
    fn new(cfg: &SmtpConfig) -> Result<Self, ConfigError> {
        let tls = if cfg.security == SmtpSecurity::None {
            Tls::None
        } else {
            let mut params = TlsParameters::builder(cfg.host.clone());
            if let Some(ca) = &cfg.ca_file {
                for pem in pem_certificates(ca)? {
                    let cert = Certificate::from_pem(&pem)
                        .map_err(|e| ConfigError(format!("{}: {e}", ca.display())))?;
                    params = params.add_root_certificate(cert);
                }
            }
            let params = params
                .build()
                .map_err(|e| ConfigError(format!("smtp TLS: {e}")))?;
            match cfg.security {
                SmtpSecurity::Tls => Tls::Wrapper(params),
                _ => Tls::Required(params),
            }
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&cfg.host)
            .port(cfg.port)
            .tls(tls)
            .timeout(Some(Duration::from_secs(cfg.timeout_secs.max(1))));
        if !cfg.username.is_empty() {
            let mechanisms = cfg
                .auth_mechanisms
                .iter()
                .map(|m| match m.to_ascii_lowercase().as_str() {
                    "plain" => Ok(Mechanism::Plain),
                    "login" => Ok(Mechanism::Login),
                    _ => Err(ConfigError(format!(
                        "transport.smtp.auth_mechanisms: {m} (plain or login)"
                    ))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            builder = builder
                .credentials(Credentials::new(cfg.username.clone(), cfg.password.clone()))
                .authentication(mechanisms);
        }
        if let Some(v) = &cfg.x_msys_api
            && v.bytes().any(|b| b == b'\r' || b == b'\n' || b >= 0x80)
        {
            return Err(ConfigError(
                "transport.smtp.x_msys_api must be one line of ASCII".into(),
            ));
        }
        // SparkPost's SMTP injection tracks opens and clicks unless told not to: default the
        // header on for its hosts (smtp.sparkpostmail.com, smtp.eu.sparkpostmail.com)
        let host = cfg.host.to_ascii_lowercase();
        let x_msys_api = cfg.x_msys_api.clone().or_else(|| {
            (host == "sparkpostmail.com" || host.ends_with(".sparkpostmail.com"))
                .then(|| SPARKPOST_SMTP_OPTIONS.to_string())
        });
        Ok(Self {
            mailer: builder.build(),
            x_msys_api,
        })
    }

    async fn deliver(
        &self,
        sender: &str,
        recipients: &[Recipient],
        message: &[u8],
    ) -> Result<(), DeliveryError> {
        let bad = |what: &str| DeliveryError {
            permanent: true,
            detail: format!("{what} is not a valid SMTP address"),
        };
        let from: Address = sender.parse().map_err(|_| bad("the sender"))?;
        let to = recipients
            .iter()
            .map(|r| r.email.parse::<Address>().map_err(|_| bad("a recipient")))
            .collect::<Result<Vec<_>, _>>()?;
        let envelope = Envelope::new(Some(from), to).map_err(|_| bad("the envelope"))?;
        // lettre ends DATA with "\r\n.\r\n" whatever the message ends with: hand it the
        // message without its final CRLF so the server receives exactly the stored bytes
        let message = message.strip_suffix(b"\r\n").unwrap_or(message);
        let result = match &self.x_msys_api {
            Some(v) => {
                let mut with = format!("X-MSYS-API: {v}\r\n").into_bytes();
                with.extend_from_slice(message);
                self.mailer.send_raw(&envelope, &with).await
            }
            None => self.mailer.send_raw(&envelope, message).await,
        };
        result.map(|_| ()).map_err(|e| DeliveryError {
            permanent: e.is_permanent(),
            detail: format!("smtp: {e}"),
        })
    }
}

impl SparkPostTransport {
    fn new(cfg: &SparkPostConfig) -> Result<Self, ConfigError> {
        let mut builder = reqwest::Client::builder()
            .https_only(true)
            .timeout(Duration::from_secs(cfg.timeout_secs.max(1)))
            .redirect(reqwest::redirect::Policy::none());
        if let Some(ca) = &cfg.ca_file {
            for pem in pem_certificates(ca)? {
                let cert = reqwest::Certificate::from_pem(&pem)
                    .map_err(|e| ConfigError(format!("{}: {e}", ca.display())))?;
                builder = builder.add_root_certificate(cert);
            }
        }
        Ok(Self {
            client: builder
                .build()
                .map_err(|e| ConfigError(format!("sparkpost client: {e}")))?,
            endpoint: cfg.endpoint.clone(),
            api_key: cfg.api_key.clone(),
        })
    }

    async fn deliver(&self, recipients: &[Recipient], message: &[u8]) -> Result<(), DeliveryError> {
        let text = std::str::from_utf8(message).map_err(|_| DeliveryError {
            permanent: true,
            detail: "the message is not UTF-8".into(),
        })?;
        let body = json!({
            "options": { "open_tracking": false, "click_tracking": false, "transactional": true },
            "recipients": recipients.iter().map(|r| json!({ "address": r })).collect::<Vec<_>>(),
            "content": { "email_rfc822": text },
        });
        let body = serde_json::to_vec(&body).map_err(|e| DeliveryError {
            permanent: true,
            detail: format!("json: {e}"),
        })?;
        let resp = self
            .client
            .post(&self.endpoint)
            .header(reqwest::header::AUTHORIZATION, &self.api_key)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| DeliveryError {
                permanent: false,
                detail: format!("sparkpost: {}", e.without_url()),
            })?;
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        let detail = resp
            .bytes()
            .await
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| v["errors"][0]["message"].as_str().map(String::from))
            .unwrap_or_default();
        let detail: String = detail.chars().take(200).collect();
        Err(DeliveryError {
            permanent: status.is_client_error() && status.as_u16() != 429,
            detail: format!("sparkpost: HTTP {status} {detail}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkpost_smtp_hosts_get_tracking_off_by_default() {
        let mut cfg = SmtpConfig {
            host: "smtp.sparkpostmail.com".into(),
            ..SmtpConfig::default()
        };
        let t = SmtpTransport::new(&cfg).expect("transport");
        assert_eq!(t.x_msys_api.as_deref(), Some(SPARKPOST_SMTP_OPTIONS));
        cfg.host = "mail.example".into();
        assert_eq!(
            SmtpTransport::new(&cfg).expect("transport").x_msys_api,
            None
        );
        cfg.x_msys_api = Some("{\"a\":1}\r\nBcc: x@y.z".into());
        assert!(
            SmtpTransport::new(&cfg).is_err(),
            "header injection refused"
        );
    }
}
